"""The course's recurrent patterns, each trained on a small synthetic task (``nn/models/seq2seq.py`` holds the models).

* output at every step (sequence labelling): a delayed echo, ``y_t = x_{t-2}``;
* bidirectional vs unidirectional on a task that needs the future, ``y_t = x_{t+2}``;
* one output after the whole sequence (classification): the first token of a long sequence;
* output-to-hidden recurrence: a sine wave generated from the model's own outputs;
* gradient clipping on a long sequence whose gradients explode;
* seq2seq with a teacher-forcing ratio and greedy decoding: reversing digit strings to >= 95% sequence accuracy.

All runs are seeded and deterministic; they stop as soon as the goal is reached.
"""
import contextlib

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core import Tensor
from nn.models.seq2seq import OutputFeedbackRNN, Seq2Seq, SequenceClassifier, SequenceTagger


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """These models are small: their matmuls gain nothing from a second BLAS thread, and on a shared machine the
    helper thread's wake-ups can make each step several times slower. Limit BLAS to one thread when
    threadpoolctl is installed (results are identical either way)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        ctx = contextlib.nullcontext()
    else:
        ctx = threadpool_limits(1, user_api="blas")
    with ctx:
        yield


def shifted(tokens, shift):
    """Targets ``y_t = x_{t - shift}`` (0 where that index is outside the sequence); negative shift looks ahead."""
    y = np.zeros_like(tokens)
    T = tokens.shape[1]
    if shift >= 0:
        y[:, shift:] = tokens[:, :T - shift]
    else:
        y[:, :T + shift] = tokens[:, -shift:]
    return y


def train_tagger(model, shift, steps, rng, T=12, batch=32, lr=1e-2):
    opt = optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        x = rng.integers(1, 10, (batch, T))
        logits = model(Tensor(x))
        loss = F.cross_entropy(logits.reshape(-1, 10), Tensor(shifted(x, shift).reshape(-1)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    x = rng.integers(1, 10, (500, T))
    with ag.no_grad():
        pred = np.argmax(model(Tensor(x)).numpy(), -1)
    return (pred == shifted(x, shift)).mean()


def test_output_at_every_step_learns_a_delayed_echo():
    ag.manual_seed(0)
    rng = np.random.default_rng(0)
    acc = train_tagger(SequenceTagger(10, 10, hidden_size=32), shift=2, steps=250, rng=rng)
    assert acc > 0.95


def test_bidirectional_beats_unidirectional_when_the_future_matters():
    """``y_t = x_{t+2}``: a left-to-right RNN must guess (about 1/9 of the tokens right, plus the two zero
    positions at the end); a bidirectional one reads the answer in its backward direction."""
    rng = np.random.default_rng(1)
    uni = train_tagger(SequenceTagger(10, 10, hidden_size=32), shift=-2, steps=250, rng=rng)
    bi = train_tagger(SequenceTagger(10, 10, hidden_size=32, bidirectional=True), shift=-2, steps=250, rng=rng)
    assert bi > 0.95
    assert uni < 0.4
    assert bi > uni + 0.5


def test_single_output_after_the_sequence_remembers_the_first_token():
    ag.manual_seed(0)
    rng = np.random.default_rng(2)
    model = SequenceClassifier(5, 5, hidden_size=32, cell="GRU")
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        x = rng.integers(0, 5, (32, 15))
        loss = F.cross_entropy(model(Tensor(x)), Tensor(x[:, 0]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    x = rng.integers(0, 5, (500, 15))
    with ag.no_grad():
        acc = (np.argmax(model(Tensor(x)).numpy(), -1) == x[:, 0]).mean()
    assert acc > 0.95


def test_output_to_hidden_recurrence_generates_a_sine_wave():
    """Trained teacher-forced (the true previous value is fed back), the model then runs free on its own outputs
    for 15 steps after a 10-step prompt and stays on the curve."""
    ag.manual_seed(0)
    rng = np.random.default_rng(3)
    omega = 0.5

    def waves(batch, T):
        phase = rng.uniform(0, 2 * np.pi, (batch, 1))
        return np.sin(omega * np.arange(T)[None, :] + phase).astype(np.float32)[..., None]   # (B, T, 1)

    model = OutputFeedbackRNN(0, 32, 1)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        y = Tensor(waves(32, 20))
        x = Tensor(np.zeros((32, 20, 0), np.float32))
        loss = F.mse_loss(model(x, y_prev=y)[:, 1:], y[:, 1:])   # step 0 can't know the phase
        opt.zero_grad()
        loss.backward()
        opt.step()
    y = waves(64, 25)
    with ag.no_grad():
        model(Tensor(np.zeros((64, 10, 0), np.float32)), y_prev=Tensor(y[:, :10]))   # the prompt sets the state
        free = model.generate(15, 64, state=model.last_state, y0=Tensor(y[:, 9]))
    err = np.abs(free.numpy() - y[:, 10:]).mean()
    print(f"mean absolute error of the free-running continuation: {err:.4f}")
    assert err < 0.1, err


def test_gradient_clipping_prevents_explosion_on_a_long_sequence():
    """A tanh RNN with a large recurrent matrix is chaotic: over 300 steps the gradient norm explodes. Plain SGD
    then throws the weights far away; clipping the norm to 1 bounds every step by lr * max_norm, so the weights
    stay near their start and the loss stays under the bound that tanh's range gives it.

    The trajectory itself is chaotic (rounding alone decides the last hidden state, in PyTorch as here), so the
    test asserts what clipping guarantees, not that a particular run's loss goes down."""
    T, H, lr, steps = 300, 32, 0.1, 10

    def run(clip):
        ag.manual_seed(0)
        rnn = nn.RNN(1, H).double()
        head = nn.Linear(H, 1).double()
        g = np.random.default_rng(0)
        with ag.no_grad():
            rnn.weight_hh_l0.numpy()[...] = g.standard_normal((H, H)) * 3.0 / np.sqrt(H)
        params = list(rnn.parameters()) + list(head.parameters())
        start = np.concatenate([p.numpy().ravel().copy() for p in params])
        opt = optim.SGD(params, lr=lr)
        x = Tensor(g.standard_normal((T, 8, 1)) * 0.5)
        target = Tensor(g.standard_normal((8, 1)))
        losses, norms, moves = [], [], []
        for _ in range(steps):
            _, h = rnn(x)
            loss = F.mse_loss(head(h[-1]), target)
            opt.zero_grad()
            loss.backward()
            if clip:
                norms.append(float(nn.utils.clip_grad_norm_(params, max_norm=1.0)))
            else:
                norms.append(float(nn.utils.get_total_norm([p.grad for p in params])))
            before = np.concatenate([p.numpy().ravel().copy() for p in params])
            opt.step()
            after = np.concatenate([p.numpy().ravel() for p in params])
            moves.append(np.linalg.norm(after - before))
            losses.append(loss.item())
        w, b = head.weight.numpy(), head.bias.numpy()
        # |h| <= 1 under tanh, so |head(h)| <= ||w||_1 + |b|: the loss can never exceed this
        bound = float(np.mean((np.abs(w).sum() + np.abs(b).sum() + np.abs(target.numpy())) ** 2))
        return losses, norms, moves, np.linalg.norm(after - start), bound

    losses, norms, moves, drift, _ = run(clip=False)
    assert max(norms) > 1e3                                     # the gradients explode ...
    assert max(moves) > 100 * lr                                # ... and plain SGD takes huge steps
    assert not np.isfinite(drift) or drift > 100 * lr * steps
    losses, norms, moves, drift, bound = run(clip=True)
    assert max(norms) > 1e3                                     # the same explosion, but each step is clipped
    assert max(moves) <= lr * 1.0 * (1 + 1e-6)                  # every update is at most lr * max_norm long
    assert drift <= lr * steps * (1 + 1e-6)
    assert np.isfinite(losses).all() and max(losses) <= bound


def test_seq2seq_teacher_forcing_reverses_digit_strings():
    """Encoder-decoder GRU reversing 5-digit strings, trained with teacher-forcing ratio 0.5, evaluated by greedy
    decoding on held-out strings: >= 95% of whole sequences right (300 steps, about 5 s on this 2-core machine)."""
    ag.manual_seed(0)
    rng = np.random.default_rng(0)
    L = 5
    model = Seq2Seq(10, 11, embedding_dim=32, hidden_size=128, cell="GRU", bos=10)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    test_src = rng.integers(0, 10, (500, L))
    acc = 0.0
    for step in range(1, 1001):
        src = rng.integers(0, 10, (64, L))
        tgt = src[:, ::-1].copy()
        logits = model(Tensor(src), Tensor(tgt), teacher_forcing_ratio=0.5)
        loss = F.cross_entropy(logits.reshape(-1, 11), Tensor(tgt.reshape(-1)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0:
            pred = model.greedy_decode(Tensor(test_src), L).numpy()
            acc = (pred == test_src[:, ::-1]).all(1).mean()
            if acc >= 0.95:
                break
    print(f"seq2seq: sequence accuracy {acc:.3f} after {step} steps")
    assert acc >= 0.95, f"sequence accuracy {acc:.3f} after {step} steps"


def test_seq2seq_teacher_forcing_paths_agree():
    """Ratio 1 (one fused decoder pass) and step-by-step decoding with every coin landing on 'teacher' give the
    same logits; ratio 0 feeds back the argmax, as greedy decoding does."""
    ag.manual_seed(0)
    model = Seq2Seq(6, 7, embedding_dim=8, hidden_size=16, cell="LSTM", bos=6).double()
    rng = np.random.default_rng(0)
    src, tgt = Tensor(rng.integers(0, 6, (4, 3))), Tensor(rng.integers(0, 6, (4, 5)))
    full = model(src, tgt, teacher_forcing_ratio=1.0).numpy()
    stepwise = model(src, tgt, teacher_forcing_ratio=0.999999999).numpy()
    np.testing.assert_allclose(full, stepwise, atol=1e-12)
    free = model(src, tgt, teacher_forcing_ratio=0.0).numpy()
    np.testing.assert_array_equal(np.argmax(free, -1), model.greedy_decode(src, 5).numpy())
    with pytest.raises(ValueError, match="teacher_forcing_ratio"):
        model(src, tgt, teacher_forcing_ratio=1.5)
    eos = model.greedy_decode(src, 5, eos=int(np.argmax(free[0, 0]))).numpy()
    assert (eos[0] == eos[0, 0]).all()
