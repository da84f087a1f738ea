"""Recurrent layers without PyTorch: float64 gradchecks (cells, multi-layer bidirectional layers, packed batches),
fused == plain composition, variable lengths == each sequence alone, long unrolls, errors, parameters, utilities.

PyTorch parity lives in ``test_rnn_torch.py``; the course patterns (seq2seq, clipping, bidirectional) in
``test_rnn_patterns.py``.
"""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import Tensor
from autograd_core.engine import toposort
from autograd_core.kernels import reference, step_kernels as numba_steps
from autograd_core.ops import recurrent as R
from nn.utils.rnn import (PackedSequence, pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence,
                          unpack_sequence, unpad_sequence)

MODES = ["RNN", "LSTM", "GRU"]
F64 = np.float64


def randn(*shape, seed=0, requires_grad=True):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=requires_grad)


def flat(result):
    """(output, h_n) / (output, (h_n, c_n)) / (h, c) -> a flat tuple of Tensors."""
    out = []
    for r in result if isinstance(result, tuple) else (result,):
        if isinstance(r, PackedSequence):
            r = r.data
        out.extend(flat(r) if isinstance(r, tuple) else [r])
    return tuple(out)


def make_layer(mode, fused=True, **kw):
    return getattr(nn, mode)(3, 2, fused=fused, **kw).double()


def initial_state(mode, L, B, H=2, seed=1):
    h = randn(L, B, H, seed=seed)
    return (h, randn(L, B, H, seed=seed + 1)) if mode == "LSTM" else h


def copy_weights(src, dst):
    dst.load_state_dict(src.state_dict())
    return dst


@pytest.fixture(params=["numba", "numpy"])
def step_kernels(request, monkeypatch):
    """Run a test with each implementation of the fused step kernels."""
    monkeypatch.setattr(R, "steps", numba_steps if request.param == "numba" else reference.recurrent_steps)
    return request.param


# ---------------------------------------------------------------------- gradchecks (float64)
@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell", "RNNCell-relu", "LSTMCell-nobias"])
def test_cell_gradcheck(cell, fused):
    name, _, variant = cell.partition("-")
    kw = {"nonlinearity": "relu"} if variant == "relu" else {"bias": False} if variant == "nobias" else {}
    m = getattr(nn, name)(3, 4, fused=fused, **kw).double()
    x = randn(2, 3)
    h = (randn(2, 4, seed=1), randn(2, 4, seed=2)) if name == "LSTMCell" else randn(2, 4, seed=1)
    states = h if isinstance(h, tuple) else (h,)

    def fn(x, *args):
        hx = args[:len(states)]
        return flat(m(x, hx if name == "LSTMCell" else hx[0]))

    assert ag.gradcheck(fn, (x, *states, *m.parameters()))


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("mode", MODES)
def test_multilayer_bidirectional_gradcheck(mode, fused):
    m = make_layer(mode, fused, num_layers=2, bidirectional=True)
    x = randn(3, 2, 3)
    hx = initial_state(mode, 4, 2)
    states = hx if isinstance(hx, tuple) else (hx,)

    def fn(x, *args):
        s = args[:len(states)]
        return flat(m(x, tuple(s) if mode == "LSTM" else s[0]))

    assert ag.gradcheck(fn, (x, *states, *m.parameters()))


@pytest.mark.parametrize("mode", MODES)
def test_packed_bidirectional_gradcheck(mode):
    m = make_layer(mode, num_layers=2, bidirectional=True)
    x = randn(4, 3, 3)
    hx = initial_state(mode, 4, 3)
    states = hx if isinstance(hx, tuple) else (hx,)

    def fn(x, *args):
        packed = pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        s = args[:len(states)]
        return flat(m(packed, tuple(s) if mode == "LSTM" else s[0]))

    assert ag.gradcheck(fn, (x, *states, *m.parameters()))


# ---------------------------------------------------------------------- fused == plain composition
_FUSED_CASES = [(m, kw) for m in MODES for kw in ({}, {"num_layers": 2, "bidirectional": True},
                                                   {"bias": False, "batch_first": True})] + \
    [("RNN", {"nonlinearity": "relu"})]   # nonlinearity is an RNN-only option


@pytest.mark.parametrize("mode,kw", _FUSED_CASES)
def test_fused_matches_plain(mode, kw, step_kernels):
    fused = make_layer(mode, True, **kw)
    plain = copy_weights(fused, make_layer(mode, False, **kw))
    L = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    results = []
    for m in (fused, plain):
        x = randn(5, 4, 3)
        hx = initial_state(mode, L, 4 if not kw.get("batch_first") else 5)
        outs = flat(m(x, hx))
        sum(((o * (i + 1.0)) ** 2).sum() for i, o in enumerate(outs)).backward()
        hs = hx if isinstance(hx, tuple) else (hx,)
        results.append([o.numpy() for o in outs] + [x.grad.numpy()] + [h.grad.numpy() for h in hs]
                       + [p.grad.numpy() for p in m.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["RNNCell", "LSTMCell", "GRUCell"])
def test_fused_cell_matches_plain_float32(mode, step_kernels):
    fused = getattr(nn, mode)(5, 7)
    plain = copy_weights(fused, getattr(nn, mode)(5, 7, fused=False))
    x = Tensor(np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32))
    for a, b in zip(flat(fused(x)), flat(plain(x))):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_numba_and_numpy_kernels_agree_in_float32(mode, monkeypatch):
    """The float32 numba kernels use a rational tanh (error <= 3e-7); outputs and gradients stay within float32
    noise of the numpy kernels (exact np.tanh), over a long sequence."""
    m = getattr(nn, mode)(6, 16, num_layers=2, bidirectional=True)
    x = np.random.default_rng(0).standard_normal((40, 5, 6)).astype(np.float32) * 3
    results = []
    for ks in (numba_steps, reference.recurrent_steps):
        monkeypatch.setattr(R, "steps", ks)
        m.zero_grad()
        xt = Tensor(x.copy(), requires_grad=True)
        outs = flat(m(xt))
        sum((o * o).sum() for o in outs).backward()
        results.append([o.numpy() for o in outs] + [xt.grad.numpy()] + [p.grad.numpy() for p in m.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-5 * max(1.0, np.abs(b).max()))


def test_float32_tanh_kernel_accuracy_and_special_values():
    x = np.concatenate([np.linspace(-20, 20, 200001), [0.0, 1e-30, -1e-30, 7.9, 8.0, 1e4]]).astype(np.float32)
    a = np.zeros((1, x.size), np.float32)
    out, h = np.empty_like(a), np.empty_like(a)
    numba_steps.rnn_step(a, x[None], False, h, out)
    assert np.abs(out[0].astype(np.float64) - np.tanh(x.astype(np.float64))).max() < 4e-7
    assert np.all(np.abs(out) <= 1.0) and out[0, -6] == 0.0
    special = np.array([[np.nan, np.inf, -np.inf]], np.float32)
    out, h = np.empty_like(special), np.empty_like(special)
    numba_steps.rnn_step(np.zeros_like(special), special, False, h, out)
    assert np.isnan(out[0, 0]) and out[0, 1] > 0.999999 and out[0, 2] < -0.999999


def test_fused_layer_is_one_node_per_layer_and_direction():
    """The graph of a fused layer does not grow with the sequence length (no per-step nodes to walk)."""
    def count(T, fused):
        m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, fused=fused)
        out, (h, c) = m(Tensor(np.ones((T, 2, 3), np.float32)))
        return len(toposort([(out.sum() + h.sum() + c.sum()).grad_fn]))
    assert count(5, True) == count(50, True) < 40
    assert count(50, False) > 10 * count(5, True)


# ---------------------------------------------------------------------- variable lengths
@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("mode", MODES)
def test_packed_batch_equals_each_sequence_alone(mode, fused, step_kernels):
    m = getattr(nn, mode)(3, 4, num_layers=2, bidirectional=True, batch_first=True, fused=fused).double()
    lengths = [3, 6, 1, 4]
    seqs = [randn(n, 3, seed=10 + i, requires_grad=False) for i, n in enumerate(lengths)]
    padded = pad_sequence(seqs, batch_first=True)
    out, hn = m(pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False))
    y, got_lengths = pad_packed_sequence(out, batch_first=True)
    assert got_lengths.tolist() == lengths and y.shape == (4, 6, 8)
    hn = hn[0] if mode == "LSTM" else hn
    for i, s in enumerate(seqs):
        alone_out, alone_h = m(s[None])
        alone_h = alone_h[0] if mode == "LSTM" else alone_h
        np.testing.assert_allclose(y.numpy()[i, :lengths[i]], alone_out.numpy()[0], atol=1e-12)
        np.testing.assert_array_equal(y.numpy()[i, lengths[i]:], 0.0)
        np.testing.assert_allclose(hn.numpy()[:, i], alone_h.numpy()[:, 0], atol=1e-12)


def test_packed_gradient_equals_each_sequence_alone():
    m = nn.LSTM(3, 4, bidirectional=True).double()
    lengths = [2, 5, 3]
    seqs = [randn(n, 3, seed=i) for i, n in enumerate(lengths)]
    out, (h, c) = m(pack_sequence(seqs, enforce_sorted=False))
    (pad_packed_sequence(out)[0].sum() + h.sum() + c.sum()).backward()
    batch_grads = [p.grad.numpy().copy() for p in m.parameters()]
    seq_grads = [s.grad.numpy().copy() for s in seqs]
    m.zero_grad()
    alone = [Tensor(s.numpy().copy(), requires_grad=True) for s in seqs]
    for s in alone:
        o, (h, c) = m(s)
        (o.sum() + h.sum() + c.sum()).backward()
    for a, b in zip(batch_grads, m.parameters()):
        np.testing.assert_allclose(a, b.grad.numpy(), atol=1e-12)
    for a, s in zip(seq_grads, alone):
        np.testing.assert_allclose(a, s.grad.numpy(), atol=1e-12)


def test_pack_pad_roundtrip_and_utilities():
    seqs = [randn(n, 2, seed=n) for n in (4, 1, 3)]
    packed = pack_sequence(seqs, enforce_sorted=False)
    assert packed.batch_sizes.tolist() == [3, 2, 2, 1]
    assert packed.sorted_indices.tolist() == [0, 2, 1] and packed.unsorted_indices.tolist() == [0, 2, 1]
    padded, lengths = pad_packed_sequence(packed, batch_first=True, padding_value=-1.0, total_length=6)
    assert padded.shape == (3, 6, 2) and lengths.tolist() == [4, 1, 3]
    assert (padded.numpy()[1, 1:] == -1).all()
    for s, back in zip(seqs, unpack_sequence(packed)):
        np.testing.assert_array_equal(s.numpy(), back.numpy())
    for s, back in zip(seqs, unpad_sequence(padded, lengths, batch_first=True)):
        np.testing.assert_array_equal(s.numpy(), back.numpy())
    (padded * padded).sum().backward()            # gradients flow back through pack / pad
    for s in seqs:
        np.testing.assert_allclose(s.grad.numpy(), 2 * s.numpy())
    left = pad_sequence(seqs, padding_side="left")
    assert left.shape == (4, 3, 2) and (left.numpy()[:3, 1] == 0).all()
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(randn(4, 3, 2), [1, 4, 3])
    with pytest.raises(ValueError, match="greater than 0"):
        pack_padded_sequence(randn(4, 2, 2), [4, 0])
    with pytest.raises(ValueError, match="total_length"):
        pad_packed_sequence(packed, total_length=2)


def test_pack_ops_gradcheck():
    x = randn(4, 3, 2)
    assert ag.gradcheck(lambda x: pad_packed_sequence(pack_padded_sequence(x, [4, 2, 1]), total_length=5)[0], (x,))
    assert ag.gradgradcheck(lambda x: pack_padded_sequence(x, [4, 2, 1]).data * x[0, 0, 0], (x,))


# ---------------------------------------------------------------------- long sequences, graph behaviour
@pytest.mark.parametrize("fused", [True, False])
def test_long_unroll_backpropagates(fused):
    """2,000 steps: the fused layer is one node, the cell loop and the plain layer are deep chains; the engine's
    walk is iterative, so none of them hits Python's recursion limit."""
    T = 2000
    x = randn(T, 1, 2)
    m = nn.GRU(2, 3, fused=fused).double()
    out, h = m(x)
    (out.sum() + h.sum()).backward()
    assert np.isfinite(x.grad.numpy()).all() and x.grad.numpy()[0].any()
    cell = nn.LSTMCell(2, 3, fused=fused).double()
    hc = None
    for t in range(T):
        hc = cell(x[t], hc)
    hc[0].sum().backward()
    assert np.isfinite(cell.weight_hh.grad.numpy()).all()


def test_fused_double_backward_raises_and_plain_supports_it():
    x = randn(3, 2, 3)
    m = nn.LSTM(3, 2, fused=True).double()
    out, _ = m(x)
    with pytest.raises(RuntimeError, match="fused=False"):
        ag.grad(out.sum(), x, create_graph=True)
    plain = copy_weights(m, nn.LSTM(3, 2, fused=False).double())
    assert ag.gradgradcheck(lambda x: plain(x)[0], (randn(2, 1, 3),))


def test_second_backward_without_retain_graph_raises():
    m = nn.GRU(3, 2).double()
    out, h = m(randn(3, 2, 3))
    loss = out.sum()
    loss.backward(retain_graph=True)
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_weights_modified_in_place_before_backward_raises():
    m = nn.LSTM(3, 2).double()
    out, _ = m(randn(3, 2, 3))
    with ag.no_grad():
        m.weight_hh_l0.numpy()[...] += 1.0
        m.weight_hh_l0._bump_version()
    with pytest.raises(RuntimeError, match="inplace"):
        out.sum().backward()


def test_no_grad_records_nothing():
    m = nn.LSTM(3, 2)
    with ag.no_grad():
        out, (h, c) = m(randn(4, 2, 3, requires_grad=False).float())
    assert out.grad_fn is None and not out.requires_grad


# ---------------------------------------------------------------------- shapes, layouts, parameters
@pytest.mark.parametrize("mode", MODES)
def test_shapes_batch_first_and_unbatched(mode):
    m = getattr(nn, mode)(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    x = Tensor(np.zeros((4, 7, 3), np.float32))
    out, h = m(x)
    h = h[0] if mode == "LSTM" else h
    assert out.shape == (4, 7, 10) and h.shape == (4, 4, 5)
    out1, h1 = m(Tensor(np.zeros((7, 3), np.float32)))       # unbatched: batch_first does not apply
    h1 = h1[0] if mode == "LSTM" else h1
    assert out1.shape == (7, 10) and h1.shape == (4, 5)
    np.testing.assert_allclose(out1.numpy(), out.numpy()[0], atol=1e-6)


def test_bidirectional_output_layout():
    """output[..., :H] is the forward direction, output[..., H:] the backward one; h_n is ordered (layer, dir)."""
    m = nn.GRU(3, 2, num_layers=2, bidirectional=True).double()
    x = randn(5, 1, 3, requires_grad=False)
    out, h = m(x)
    np.testing.assert_allclose(h.numpy()[2], out.numpy()[-1, :, :2])
    np.testing.assert_allclose(h.numpy()[3], out.numpy()[0, :, 2:])


def test_parameter_names_shapes_and_init():
    m = nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    names = [n for n, _ in m.named_parameters()]
    expected = [f"{k}_l{layer}{s}" for layer in range(2) for s in ("", "_reverse")
                for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert names == expected
    assert m.weight_ih_l0.shape == (80, 10) and m.weight_ih_l1.shape == (80, 40)
    assert m.weight_hh_l1_reverse.shape == (80, 20) and m.bias_hh_l0.shape == (80,)
    bound = 1 / math.sqrt(20)
    for p in m.parameters():
        assert p.dtype == np.float32 and np.abs(p.numpy()).max() <= bound
    assert np.abs(m.weight_hh_l0.numpy()).max() > 0.9 * bound
    assert [n for n, _ in nn.GRU(3, 4, bias=False).named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert [n for n, _ in nn.GRUCell(3, 4).named_parameters()] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert nn.GRUCell(3, 4).weight_ih.shape == (12, 3)
    ag.manual_seed(3)
    a = nn.RNN(3, 4).weight_hh_l0.numpy().copy()
    ag.manual_seed(3)
    np.testing.assert_array_equal(a, nn.RNN(3, 4).weight_hh_l0.numpy())
    assert len(m.all_weights) == 4 and len(m.all_weights[0]) == 4
    assert repr(m) == "LSTM(10, 20, num_layers=2, bidirectional=True)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity='relu')"


def test_dropout_between_layers():
    m = nn.LSTM(3, 4, num_layers=3, dropout=0.5).double()
    x = randn(5, 2, 3, requires_grad=False)
    a, b = m(x)[0].numpy(), m(x)[0].numpy()
    assert not np.allclose(a, b)                          # a new mask each call in training
    m.eval()
    e1 = m(x)[0].numpy()
    np.testing.assert_array_equal(e1, m(x)[0].numpy())
    ref = copy_weights(m, nn.LSTM(3, 4, num_layers=3).double())
    np.testing.assert_allclose(e1, ref(x)[0].numpy())     # no dropout in eval
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


def test_dtype_and_double():
    m = nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match="float32"):
        m(randn(2, 1, 3))                                 # float64 input, float32 weights
    out, h = m.double()(randn(2, 1, 3))
    assert out.dtype == np.float64


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("mode", MODES)
def test_bad_input_errors_name_the_expected_shape(mode):
    m = getattr(nn, mode)(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"Expected 3, got 5"):
        m(Tensor(np.zeros((2, 1, 5), np.float32)))
    with pytest.raises(ValueError, match=r"2D \(seq, input_size\) or 3D \(seq, batch, input_size\), got \(7,\)"):
        m(Tensor(np.zeros(7, np.float32)))
    bad = Tensor(np.zeros((1, 6, 4), np.float32))
    hx = (bad, bad) if mode == "LSTM" else bad
    with pytest.raises(ValueError, match=r"of shape \(2, 6, 4\).*got \(1, 6, 4\)"):
        m(Tensor(np.zeros((3, 6, 3), np.float32)), hx)
    with pytest.raises(ValueError, match=r"of shape \(2, 4\)"):
        m(Tensor(np.zeros((3, 3), np.float32)), (bad, bad) if mode == "LSTM" else bad)   # unbatched needs 2-D hx
    with pytest.raises(RuntimeError):                     # ShapeError is also a RuntimeError (PyTorch's habit)
        m(Tensor(np.zeros((2, 1, 5), np.float32)))
    with pytest.raises(ValueError, match="length >= 1"):
        m(Tensor(np.zeros((0, 2, 3), np.float32)))


def test_cell_errors_and_hyperparameters():
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(ValueError, match=r"expected \(batch, 3\)"):
        cell(Tensor(np.zeros((2, 5), np.float32)))
    with pytest.raises(ValueError, match=r"1D \(input_size,\) or 2D"):
        cell(Tensor(np.zeros((1, 2, 3), np.float32)))
    h = Tensor(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"of shape \(2, 4\), got \(2, 5\)"):
        cell(Tensor(np.zeros((2, 3), np.float32)), (h, h))
    with pytest.raises(TypeError, match=r"tuple \(h_0, c_0\)"):
        nn.LSTM(3, 4)(Tensor(np.zeros((2, 1, 3), np.float32)), Tensor(np.zeros((1, 1, 4), np.float32)))
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        nn.GRU(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size"):
        nn.GRU(3, 0)
    h, c = cell(Tensor(np.ones(3, np.float32)))          # unbatched cell input
    assert h.shape == (4,) and c.shape == (4,)


def test_nn_utils_rnn_is_reachable_from_nn():
    assert nn.utils.rnn.pack_padded_sequence is pack_padded_sequence
