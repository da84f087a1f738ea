"""Training diagnostics: gradient norms before/after clipping, activation statistics, update ratios, per-time-step
gradient norms, the trainer callback protocol, and the matplotlib plots."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core.data import DataLoader, TensorDataset
from autograd_core.viz import Diagnostics
from nn.training import fit


def norm(a):
    return float(np.sqrt(np.sum(np.asarray(a, dtype=np.float64) ** 2)))


def make_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.standard_normal((n, 4)).astype(np.float32))
    y = ag.tensor(rng.integers(0, 3, n))
    return x, y


def make_model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3))


def test_grad_norms_before_and_after_clipping():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    diag = Diagnostics(model)
    x, y = make_data()
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        raw = {n: norm(p.grad.numpy()) for n, p in model.named_parameters()}
        total = nn.utils.clip_grad_norm_(model.parameters(), 0.05)
        clipped = {n: norm(p.grad.numpy()) for n, p in model.named_parameters()}
        opt.step()
        diag.step(loss)
        for n in raw:
            assert diag.grad_norms_before_clip[n].last == pytest.approx(raw[n], rel=1e-5)
            assert diag.grad_norms[n].last == pytest.approx(clipped[n], rel=1e-5)
        assert diag.grad_norms_before_clip["(total)"].last == pytest.approx(float(total), rel=1e-5)
        assert diag.grad_norms["(total)"].last == pytest.approx(0.05, rel=1e-4)
    assert diag.steps == [0, 1, 2] and len(diag.losses) == 3


def test_explicit_record_grads():
    model = make_model()
    diag = Diagnostics(model)
    x, y = make_data()
    F.cross_entropy(model(x), y).backward()
    diag.record_grads("before_clip")
    expected = {n: norm(p.grad.numpy()) for n, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = p.grad * 0.5
    diag.step()
    for n, v in expected.items():
        assert diag.grad_norms_before_clip[n].last == pytest.approx(v, rel=1e-6)
        assert diag.grad_norms[n].last == pytest.approx(v / 2, rel=1e-5)
    with pytest.raises(ValueError):
        diag.record_grads("during")


def test_update_to_weight_ratios():
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    diag = Diagnostics(model)
    x, y = make_data()
    for _ in range(2):
        before = {n: p.numpy().copy() for n, p in model.named_parameters()}
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        diag.step()
        for n, p in model.named_parameters():
            expected = norm(p.numpy() - before[n]) / norm(before[n])
            assert diag.update_ratios[n].last == pytest.approx(expected, rel=1e-5)


def test_dead_relus_and_saturated_units():
    model = make_model()
    with ag.no_grad():
        model[0].bias.numpy()[:4] = -100.0          # 4 of 8 ReLU units never fire
        model[2].weight.numpy()[:] *= 100.0         # tanh units saturate
    diag = Diagnostics(model)
    x, y = make_data()
    F.cross_entropy(model(x), y).backward()
    diag.step()
    relu, tanh = diag.activations["1"], diag.activations["3"]
    assert relu["dead"].last >= 0.5
    assert relu["zero"].last >= 0.5
    assert tanh["saturated"].last > 0.5 and "dead" not in tanh
    assert set(diag.samples) == {"1", "3"}


def test_sigmoid_saturation_and_pre_activations():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 6)
            self.gate = nn.Sigmoid()
            self.fc2 = nn.Linear(6, 1)

        def forward(self, x):
            return self.fc2(self.gate(F.relu(self.fc1(x))))

    ag.manual_seed(0)
    net = Net()
    with ag.no_grad():
        net.fc1.bias.numpy()[:] = -50.0       # relu(fc1) is all zeros -> sigmoid outputs 0.5: not saturated
    diag = Diagnostics(net, pre_activations={"fc1": "relu"})
    x, _ = make_data()
    net(x).sum().backward()
    diag.step()
    assert diag.activations["fc1"]["dead"].last == 1.0
    assert diag.activations["gate"]["saturated"].last == 0.0
    assert diag.activations["gate"]["mean"].last == pytest.approx(0.5)


def test_every_and_eval_mode_are_not_recorded():
    model = make_model()
    diag = Diagnostics(model, every=2)
    x, y = make_data()
    for _ in range(4):
        F.cross_entropy(model(x), y).backward()
        model.eval()
        with ag.no_grad():
            model(x * 100.0)                  # an eval pass must not change the statistics
        model.train()
        diag.step()
        model.zero_grad()
    assert diag.steps == [0, 2]
    assert all(len(s) == 2 for s in diag.grad_norms.values())
    assert len(diag.activations["1"]["zero"]) == 2


def test_hooks_do_not_change_training():
    x, y = make_data()
    losses = []
    for use in (False, True):
        model = make_model()
        opt = optim.SGD(model.parameters(), lr=0.5)
        diag = Diagnostics(model) if use else None
        run = []
        for _ in range(5):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            run.append(float(loss))
            if diag:
                diag.step(loss)
        losses.append(run)
    assert losses[0] == losses[1]


def test_watch_sequence_records_per_step_gradient_norms():
    ag.manual_seed(0)
    w = ag.randn(3, 3, requires_grad=True)
    w.data = w.data * 0.3                      # contracting: gradients vanish going back in time
    diag = Diagnostics()
    seen = []
    h = ag.randn(2, 3)
    states = []
    for _ in range(8):
        h = ag.tanh(h @ w + 0.1)
        states.append(h)
    assert diag.watch_sequence(states, name="toy") is states
    for t, s in enumerate(states):
        s.register_hook(lambda g, t=t: seen.append((t, norm(g.numpy()))))
    states[-1].sum().backward()
    diag.step()
    (step, norms), = diag.time_grads["toy"]
    assert step == 0 and len(norms) == 8
    for t, n in seen:
        assert norms[t] == pytest.approx(n, rel=1e-6)
    assert norms[0] < norms[-1]


def test_recurrent_cells_are_watched_automatically():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.LSTMCell(3, 4)
            self.out = nn.Linear(4, 1)

        def forward(self, xs):
            state = None
            for x in xs:
                state = self.cell(x, state)
            return self.out(state[0])

    ag.manual_seed(0)
    model = M()
    diag = Diagnostics(model)
    xs = [ag.randn(2, 3) for _ in range(6)]
    for _ in range(2):
        model(xs).sum().backward()
        diag.step()
        model.zero_grad()
    records = diag.time_grads["cell"]
    assert len(records) == 2 and all(len(r[1]) == 6 and np.all(np.isfinite(r[1])) for r in records)


def test_trainer_callback():
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = make_data(40)
    loader = DataLoader(TensorDataset(x, y), batch_size=10)
    diag = Diagnostics()
    fit(model, nn.CrossEntropyLoss(), opt, loader, val_loader=loader, epochs=3, callbacks=[diag], progress=False,
        clip_grad_norm=0.01)
    assert diag.model is model and diag.step_count == 12 and diag.epochs == [(0, 0), (1, 4), (2, 8)]
    assert len(diag.losses) == 12 and all(math.isfinite(v) for v in diag.losses.values)
    assert diag.grad_norms["(total)"].last == pytest.approx(0.01, rel=1e-3)
    assert diag.grad_norms_before_clip["(total)"].last > 0.01
    assert all(not p._hooks for p in model.parameters())          # detached at the end of training
    assert not model[1]._forward_hooks
    text = diag.summary()
    assert "0.weight" in text and "activation 1" in text


def test_context_manager_and_detach():
    model = make_model()
    with Diagnostics(model) as diag:
        assert model[1]._forward_hooks and model[0].weight._hooks
    assert not model[1]._forward_hooks and not model[0].weight._hooks
    assert repr(diag).startswith("<Diagnostics:")
    with pytest.raises(ValueError):
        Diagnostics(every=0)


def test_plots_return_figures(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    diag = Diagnostics(model)
    x, y = make_data()
    for _ in range(4):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        h = [ag.tanh(x @ ag.randn(4, 4) + loss * 0.0) for _ in range(3)]
        diag.watch_sequence(h, "seq")
        (loss + sum(t.sum() for t in h) * 0.0).backward()
        opt.step()
        diag.step(loss)
    figs = [diag.plot(), diag.plot_grad_norms(), diag.plot_grad_norms("before"), diag.plot_update_ratios(),
            diag.plot_activations(), diag.plot_activation_histograms(), diag.plot_time_grads("seq")]
    for i, fig in enumerate(figs):
        assert isinstance(fig, Figure)
        path = tmp_path / f"f{i}.png"
        fig.savefig(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    empty = Diagnostics()
    assert isinstance(empty.plot(), Figure)
    with pytest.raises(ValueError):
        diag.plot_grad_norms("sideways")
