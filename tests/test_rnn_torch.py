"""PyTorch parity of the recurrent layers (skipped without torch): outputs, final states and the gradients of the
input, the initial states and every parameter, after loading PyTorch's state_dict (float64, atol 1e-8).

The grid: RNN/LSTM/GRU x {1, 2 layers} x {uni, bidirectional} x {batch_first or not} x {with/without h0}, for the
fused layers and the plain compositions; then cells, packed batches, unbatched input and the padding utilities.
"""
import itertools

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import Tensor
from nn.utils import rnn as our_rnn

torch = pytest.importorskip("torch")

ATOL = 1e-8
T_, B_, F_, H_ = 6, 3, 5, 4


def load_from_torch(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours


def pair(rng, shape):
    a = rng.standard_normal(shape)
    return Tensor(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True)


def flatten(result):
    out = []
    for r in result if isinstance(result, tuple) else (result,):
        if hasattr(r, "batch_sizes"):
            r = r.data
        out.extend(flatten(r) if isinstance(r, tuple) else [r])
    return out


def backprop(outputs, rng_seed, lib):
    """A weighted sum of all outputs, with the same random weights in both libraries, then backward."""
    rng = np.random.default_rng(rng_seed)
    total = None
    for o in outputs:
        w = rng.standard_normal(tuple(o.shape))
        term = (o * (Tensor(w) if lib == "ours" else torch.tensor(w))).sum()
        total = term if total is None else total + term
    total.backward()


def compare(ours_out, torch_out, ours_leaves, torch_leaves, ours_mod, torch_mod):
    o_flat, t_flat = flatten(ours_out), flatten(torch_out)
    assert len(o_flat) == len(t_flat)
    for a, b in zip(o_flat, t_flat):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), atol=ATOL, rtol=0)
    backprop(o_flat, 7, "ours")
    backprop(t_flat, 7, "torch")
    for a, b in zip(ours_leaves, torch_leaves):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=ATOL, rtol=0)
    theirs = dict(torch_mod.named_parameters())
    names = [n for n, _ in ours_mod.named_parameters()]
    assert names == list(theirs)
    for n, p in ours_mod.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs[n].grad.numpy(), atol=ATOL, rtol=0, err_msg=n)


GRID = list(itertools.product(["RNN", "LSTM", "GRU"], [1, 2], [False, True], [False, True], [False, True]))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "plain"])
@pytest.mark.parametrize("mode,layers,bidirectional,batch_first,with_h0", GRID,
                         ids=["-".join(map(str, g)) for g in GRID])
def test_layer_matches_torch(mode, layers, bidirectional, batch_first, with_h0, fused):
    torch.manual_seed(0)
    kw = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    theirs = getattr(torch.nn, mode)(F_, H_, **kw).double()
    ours = load_from_torch(getattr(nn, mode)(F_, H_, fused=fused, **kw).double(), theirs)
    rng = np.random.default_rng(1)
    x, tx = pair(rng, (B_, T_, F_) if batch_first else (T_, B_, F_))
    leaves, tleaves = [x], [tx]
    args, targs = [x], [tx]
    if with_h0:
        L = layers * (2 if bidirectional else 1)
        states = [pair(rng, (L, B_, H_)) for _ in range(2 if mode == "LSTM" else 1)]
        leaves += [s for s, _ in states]
        tleaves += [t for _, t in states]
        if mode == "LSTM":
            args.append(tuple(s for s, _ in states))
            targs.append(tuple(t for _, t in states))
        else:
            args.append(states[0][0])
            targs.append(states[0][1])
    compare(ours(*args), theirs(*targs), leaves, tleaves, ours, theirs)


@pytest.mark.parametrize("mode,variant", [(m, v) for m in ("RNNCell", "LSTMCell", "GRUCell")
                                          for v in ({}, {"bias": False})] + [("RNNCell", {"nonlinearity": "relu"})])
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "plain"])
@pytest.mark.parametrize("with_hx", [False, True])
def test_cell_matches_torch(mode, variant, fused, with_hx):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, mode)(F_, H_, **variant).double()
    ours = load_from_torch(getattr(nn, mode)(F_, H_, fused=fused, **variant).double(), theirs)
    rng = np.random.default_rng(2)
    x, tx = pair(rng, (B_, F_))
    leaves, tleaves, args, targs = [x], [tx], [x], [tx]
    if with_hx:
        states = [pair(rng, (B_, H_)) for _ in range(2 if mode == "LSTMCell" else 1)]
        leaves += [s for s, _ in states]
        tleaves += [t for _, t in states]
        args.append(tuple(s for s, _ in states) if mode == "LSTMCell" else states[0][0])
        targs.append(tuple(t for _, t in states) if mode == "LSTMCell" else states[0][1])
    compare(ours(*args), theirs(*targs), leaves, tleaves, ours, theirs)


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "plain"])
def test_packed_sequence_matches_torch(mode, fused):
    torch.manual_seed(0)
    kw = dict(num_layers=2, bidirectional=True, batch_first=True)
    theirs = getattr(torch.nn, mode)(F_, H_, **kw).double()
    ours = load_from_torch(getattr(nn, mode)(F_, H_, fused=fused, **kw).double(), theirs)
    rng = np.random.default_rng(3)
    lengths = [4, 6, 1, 3]                                   # distinct: the sort order is unambiguous
    x, tx = pair(rng, (4, 6, F_))
    states = [pair(rng, (4, 4, H_)) for _ in range(2 if mode == "LSTM" else 1)]
    hx = tuple(s for s, _ in states) if mode == "LSTM" else states[0][0]
    thx = tuple(t for _, t in states) if mode == "LSTM" else states[0][1]
    packed = our_rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    tpacked = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.tensor(lengths), batch_first=True,
                                                      enforce_sorted=False)
    assert packed.batch_sizes.tolist() == tpacked.batch_sizes.tolist()
    assert packed.sorted_indices.tolist() == tpacked.sorted_indices.tolist()
    out, h = ours(packed, hx)
    tout, th = theirs(tpacked, thx)
    padded, lens = our_rnn.pad_packed_sequence(out, batch_first=True, total_length=7)
    tpadded, tlens = torch.nn.utils.rnn.pad_packed_sequence(tout, batch_first=True, total_length=7)
    assert lens.tolist() == tlens.tolist() == lengths
    compare((padded, h), (tpadded, th), [x] + [s for s, _ in states], [tx] + [t for _, t in states], ours, theirs)


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_matches_torch(mode):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, mode)(F_, H_, num_layers=2, bidirectional=True).double()
    ours = load_from_torch(getattr(nn, mode)(F_, H_, num_layers=2, bidirectional=True).double(), theirs)
    rng = np.random.default_rng(4)
    x, tx = pair(rng, (T_, F_))
    states = [pair(rng, (4, H_)) for _ in range(2 if mode == "LSTM" else 1)]
    hx = tuple(s for s, _ in states) if mode == "LSTM" else states[0][0]
    thx = tuple(t for _, t in states) if mode == "LSTM" else states[0][1]
    compare(ours(x, hx), theirs(tx, thx), [x] + [s for s, _ in states], [tx] + [t for _, t in states], ours, theirs)


def test_float32_lstm_close_to_torch():
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(28, 64, batch_first=True)
    ours = load_from_torch(nn.LSTM(28, 64, batch_first=True), theirs)
    x = np.random.default_rng(5).standard_normal((8, 28, 28)).astype(np.float32)
    out, (h, c) = ours(Tensor(x))
    tout, (th, tc) = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(c.numpy(), tc.detach().numpy(), atol=1e-5)


def test_pad_sequence_matches_torch():
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((n, 2)) for n in (3, 5, 1)]
    for batch_first in (False, True):
        for side in ("right", "left"):
            ours = our_rnn.pad_sequence([Tensor(a) for a in arrays], batch_first, 9.0, side)
            theirs = torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays], batch_first, 9.0, side)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_default_init_range_matches_torch():
    """Same distribution (U(-1/sqrt(H), 1/sqrt(H))) for every parameter; the draws differ (different generators)."""
    ag.manual_seed(0)
    ours = nn.GRU(4, 50, num_layers=2)
    theirs = torch.nn.GRU(4, 50, num_layers=2)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert p.shape == tuple(q.shape)
        a, b = p.numpy(), q.detach().numpy()
        assert abs(a.max() - b.max()) < 0.02 and abs(a.min() - b.min()) < 0.02, n
        assert abs(a.std() - b.std()) < 0.01, n
