"""conv2d / conv1d / unfold / fold and the pooling ops: gradcheck (float64) over a grid of geometries, double
backward, forward + gradients against torch where installed, and the error messages."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck
from autograd_core.errors import ShapeError
from autograd_core.ops.conv import ConvolutionFunction, conv1d, conv2d, fold, unfold
from autograd_core.ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
                                       adaptive_max_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d)


# torch warns that 'same' padding with an even kernel copies the input; that is torch's business, not ours
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def _t(rng, shape, dtype=np.float64, requires_grad=True):
    return ag.Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=requires_grad)


def _torch_compare(our_fn, torch_fn, arrays, dtype=np.float64, grad_of=None):
    """Run ``our_fn`` and ``torch_fn`` on the same arrays; compare outputs and the gradients of a random
    weighted sum of the output wrt every array."""
    torch = pytest.importorskip("torch")
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    ours = [ag.Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    y, yt = our_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), **tol)
    assert y.dtype == dtype
    g = np.random.default_rng(7).standard_normal(y.shape).astype(dtype)
    y.backward(ag.Tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        assert a.grad.dtype == dtype and a.grad.shape == a.shape
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)


# ------------------------------------------------------------------------------------------------ conv2d

# (input shape, weight shape, stride, padding, dilation, groups)
CONV_CASES = [
    ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1, 1, 1),
    ((1, 2, 6, 5), (3, 2, 2, 3), 2, 0, 1, 1),
    ((2, 4, 7, 6), (6, 2, 3, 2), (2, 1), (1, 0), (1, 2), 2),
    ((1, 4, 6, 6), (4, 1, 3, 3), 1, 1, 1, 4),          # depthwise
    ((1, 3, 7, 7), (6, 1, 3, 3), 2, 1, 2, 3),          # depthwise, multiplier 2, dilated, strided
    ((2, 2, 4, 4), (3, 2, 1, 1), 1, 0, 1, 1),          # 1x1
    ((1, 1, 3, 3), (2, 1, 3, 3), 1, 2, 1, 1),          # padding larger than half the kernel
    ((1, 2, 5, 4), (2, 2, 3, 3), 1, "same", 1, 1),
    ((1, 2, 6, 5), (2, 2, 2, 4), 1, "same", (2, 1), 1),   # odd total padding: extra pixel bottom/right
    ((1, 2, 5, 6), (2, 2, 3, 2), 2, "valid", 1, 1),
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xs,ws,s,p,d,g", CONV_CASES)
def test_conv2d_gradcheck(rng, xs, ws, s, p, d, g, bias):
    x, w = _t(rng, xs), _t(rng, ws)
    inputs = (x, w, _t(rng, ws[0])) if bias else (x, w)
    assert gradcheck(lambda *a: conv2d(*a, stride=s, padding=p, dilation=d, groups=g), inputs)


@pytest.mark.parametrize("xs,ws,s,p,d,g", [CONV_CASES[0], CONV_CASES[2], CONV_CASES[4], CONV_CASES[8]])
def test_conv2d_double_backward(rng, xs, ws, s, p, d, g):
    inputs = (_t(rng, xs), _t(rng, ws), _t(rng, ws[0]))
    assert gradgradcheck(lambda *a: conv2d(*a, stride=s, padding=p, dilation=d, groups=g), inputs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("xs,ws,s,p,d,g", CONV_CASES)
def test_conv2d_matches_torch(rng, xs, ws, s, p, d, g, dtype):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])]
    _torch_compare(lambda x, w, b: conv2d(x, w, b, s, p, d, g),
                   lambda x, w, b: torch.nn.functional.conv2d(x, w, b, s, p, d, g), arrays, dtype)


def test_conv2d_bias_grad_fast_path_matches_graph_path(rng):
    x, w, b = _t(rng, (2, 3, 5, 5)), _t(rng, (4, 3, 3, 3)), _t(rng, 4)
    y = conv2d(x, w, b, padding=1)
    g = _t(rng, y.shape)      # requires grad: the graph path's result depends on it
    (fast,) = ag.grad(y, [b], g, retain_graph=True)
    (graph,) = ag.grad(y, [b], g, create_graph=True)
    assert graph.grad_fn is not None
    np.testing.assert_allclose(fast.numpy(), graph.numpy(), rtol=1e-12)
    np.testing.assert_allclose(fast.numpy(), g.numpy().sum(axis=(0, 2, 3)), rtol=1e-12)


def test_conv2d_unbatched_and_batch_one(rng):
    torch = pytest.importorskip("torch")
    x, w, b = rng.standard_normal((3, 6, 5)), rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2)
    _torch_compare(lambda x, w, b: conv2d(x, w, b, padding=1),
                   lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1), [x, w, b])
    _torch_compare(lambda x, w: conv2d(x, w, stride=2),
                   lambda x, w: torch.nn.functional.conv2d(x, w, stride=2), [x[None], w])


def test_conv2d_frees_columns_after_backward(rng, monkeypatch):
    from autograd_core.ops import conv_few_channels
    monkeypatch.setattr(conv_few_channels, "ENABLED", False)       # the im2col path (3 channels would go there)
    x, w = _t(rng, (2, 3, 6, 6)), _t(rng, (4, 3, 3, 3))
    y = conv2d(x, w, padding=1)
    node = y.grad_fn
    assert isinstance(node, ConvolutionFunction) and node._cols is not None
    y.sum().backward()
    assert node._cols is None and node._saved is None
    # no weight gradient wanted, or no grad mode: the columns are never kept
    assert conv2d(x, w.detach(), padding=1).grad_fn._cols is None
    with ag.no_grad():
        assert conv2d(x, w, padding=1).grad_fn is None


def test_conv2d_one_column_buffer_alive_at_a_time(rng, monkeypatch):
    """The forward's columns are gone before the input gradient allocates its own column buffer."""
    import weakref
    from autograd_core.ops import conv as conv_mod, conv_few_channels
    monkeypatch.setattr(conv_few_channels, "ENABLED", False)       # the im2col path (3 channels would go there)
    x, w = _t(rng, (2, 3, 6, 6)), _t(rng, (4, 3, 3, 3))
    y = conv2d(x, w, padding=1)
    cols_ref = weakref.ref(y.grad_fn._cols)
    seen = []
    original = conv_mod.ConvInputGradFunction.forward

    def spy(self, *args, **kwargs):
        seen.append(cols_ref() is None)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(conv_mod.ConvInputGradFunction, "forward", spy)
    y.sum().backward()
    assert seen == [True]


def test_conv2d_retain_graph_recomputes_columns(rng):
    x, w = _t(rng, (2, 3, 6, 6)), _t(rng, (4, 3, 3, 3))
    y = conv2d(x, w, padding=1).sum()
    y.backward(retain_graph=True)
    gx, gw = x.grad.numpy().copy(), w.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * gx)
    np.testing.assert_allclose(w.grad.numpy(), 2 * gw)


def test_conv2d_float32_stays_float32(rng):
    x, w, b = _t(rng, (2, 3, 6, 6), np.float32), _t(rng, (4, 3, 3, 3), np.float32), _t(rng, 4, np.float32)
    y = conv2d(x, w, b, padding=1)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_conv2d_errors(rng):
    x, w = _t(rng, (2, 3, 5, 5)), _t(rng, (4, 3, 3, 3))
    with pytest.raises(ShapeError, match=r"conv2d: input of shape \(2, 3, 5, 5\) has 3 channels.*expects 6"):
        conv2d(x, w, groups=2)
    with pytest.raises(ShapeError, match=r"conv2d: input of shape \(2, 4, 5, 5\) has 4 channels.*\(4, 3, 3, 3\)"):
        conv2d(_t(rng, (2, 4, 5, 5)), w)
    with pytest.raises(ShapeError, match="not divisible by groups=2"):
        conv2d(_t(rng, (1, 4, 5, 5)), _t(rng, (3, 2, 3, 3)), groups=2)
    with pytest.raises(ShapeError, match=r"conv2d: kernel \(3, 3\).*larger than the padded input \(2, 2\)"):
        conv2d(_t(rng, (1, 3, 2, 2)), w)
    with pytest.raises(ShapeError, match=r"3-D \(unbatched\) or 4-D.*\(3, 5\)"):
        conv2d(_t(rng, (3, 5)), w)
    with pytest.raises(ShapeError, match="4-D weight"):
        conv2d(x, _t(rng, (4, 3, 3)))
    with pytest.raises(ShapeError, match=r"bias of shape \(3,\)"):
        conv2d(x, w, _t(rng, 3))
    with pytest.raises(ValueError, match="stride must be positive"):
        conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="padding must be non-negative"):
        conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="'same' is not supported for strided"):
        conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="invalid padding string"):
        conv2d(x, w, padding="full")
    with pytest.raises(TypeError, match="same dtype"):
        conv2d(x, _t(rng, (4, 3, 3, 3), np.float32))


# ------------------------------------------------------------------------------------------------ conv1d

@pytest.mark.parametrize("xs,ws,s,p,d,g", [
    ((2, 3, 9), (4, 3, 3), 1, 1, 1, 1),
    ((1, 4, 10), (4, 2, 2), 2, 0, 2, 2),
    ((1, 2, 7), (2, 1, 4), 1, "same", 1, 2),
    ((3, 8), (2, 3, 3), 1, 0, 1, 1),        # unbatched
])
def test_conv1d(rng, xs, ws, s, p, d, g):
    bias = _t(rng, ws[0])
    assert gradcheck(lambda x, w, b: conv1d(x, w, b, s, p, d, g), (_t(rng, xs), _t(rng, ws), bias))
    torch = pytest.importorskip("torch")
    _torch_compare(lambda x, w, b: conv1d(x, w, b, s, p, d, g),
                   lambda x, w, b: torch.nn.functional.conv1d(x, w, b, s, p, d, g),
                   [rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])])


def test_conv1d_errors(rng):
    with pytest.raises(ShapeError, match="conv1d: expected a 2-D .* or 3-D"):
        conv1d(_t(rng, (1, 2, 3, 4)), _t(rng, (2, 2, 3)))
    with pytest.raises(ShapeError, match="3-D weight"):
        conv1d(_t(rng, (1, 2, 8)), _t(rng, (2, 2, 1, 3)))


# ------------------------------------------------------------------------------------------------ unfold / fold

@pytest.mark.parametrize("xs,k,d,p,s", [
    ((2, 3, 5, 6), 2, 1, 0, 1),
    ((1, 2, 7, 6), (3, 2), (1, 2), (1, 0), (2, 1)),
    ((2, 4, 4), 3, 1, 1, 1),                  # unbatched (C, H, W)
])
def test_unfold_fold(rng, xs, k, d, p, s):
    x = _t(rng, xs)
    assert gradcheck(lambda a: unfold(a, k, d, p, s), (x,))
    u = unfold(x, k, d, p, s)
    assert gradcheck(lambda a: fold(a, xs[-2:], k, d, p, s), (_t(rng, u.shape),))
    assert gradgradcheck(lambda a: fold(unfold(a, k, d, p, s) * unfold(a, k, d, p, s), xs[-2:], k, d, p, s), (x,))
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    _torch_compare(lambda a: unfold(a, k, d, p, s), lambda a: F.unfold(a, k, d, p, s), [rng.standard_normal(xs)])
    _torch_compare(lambda a: fold(a, xs[-2:], k, d, p, s), lambda a: F.fold(a, xs[-2:], k, d, p, s),
                   [rng.standard_normal(u.shape)])


def test_fold_errors(rng):
    with pytest.raises(ShapeError, match=r"fold: input of shape \(1, 8, 5\) has 5 blocks.*9 blocks"):
        fold(_t(rng, (1, 8, 5)), (4, 4), 2)
    with pytest.raises(ShapeError, match="divisible by the product of kernel_size"):
        fold(_t(rng, (1, 7, 9)), (4, 4), 2)
    with pytest.raises(ShapeError, match="unfold: expected a 3-D or 4-D"):
        unfold(_t(rng, (4, 4)), 2)


# ------------------------------------------------------------------------------------------------ pooling

MAX_CASES = [  # (input shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 2, 6, 6), 2, None, 0, 1, False),
    ((1, 2, 7, 7), 3, 2, 1, 1, True),
    ((1, 1, 7, 8), (3, 2), (2, 3), (1, 1), (2, 1), True),
    ((1, 2, 5, 5), 2, 1, 1, 2, False),
    ((2, 5, 5), 2, None, 0, 1, True),        # unbatched
]


@pytest.mark.parametrize("xs,k,s,p,d,ceil", MAX_CASES)
def test_max_pool2d(rng, xs, k, s, p, d, ceil):
    # distinct values: finite differences never cross a tie
    x = ag.Tensor(rng.permutation(np.prod(xs)).reshape(xs) * 0.1 + rng.uniform(0, 0.01, xs), requires_grad=True)
    fn = lambda a: max_pool2d(a, k, s, p, d, ceil)   # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    torch = pytest.importorskip("torch")
    for dtype in (np.float64, np.float32):
        _torch_compare(fn, lambda a: torch.nn.functional.max_pool2d(a, k, s, p, d, ceil), [x.numpy()], dtype)
    out, idx = max_pool2d(x, k, s, p, d, ceil, return_indices=True)
    ref, ref_idx = torch.nn.functional.max_pool2d(torch.tensor(x.numpy()), k, s, p, d, ceil, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
    assert idx.dtype == np.int64 and not idx.requires_grad


AVG_CASES = [  # (input shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
    ((2, 2, 6, 6), 2, None, 0, False, True, None),
    ((1, 2, 7, 7), 3, 2, 1, True, True, None),
    ((1, 2, 7, 7), 3, 2, 1, True, False, None),
    ((1, 1, 8, 7), (3, 2), (2, 3), (1, 1), True, False, None),
    ((1, 2, 5, 5), 2, 1, 1, False, True, 3),
    ((2, 5, 5), 3, 2, 1, False, False, None),   # unbatched
]


@pytest.mark.parametrize("xs,k,s,p,ceil,cip,div", AVG_CASES)
def test_avg_pool2d(rng, xs, k, s, p, ceil, cip, div):
    fn = lambda a: avg_pool2d(a, k, s, p, ceil, cip, div)   # noqa: E731
    assert gradcheck(fn, (_t(rng, xs),))
    assert gradgradcheck(lambda a: fn(a * a), (_t(rng, xs),))
    torch = pytest.importorskip("torch")
    for dtype in (np.float64, np.float32):
        _torch_compare(fn, lambda a: torch.nn.functional.avg_pool2d(a, k, s, p, ceil, cip, div),
                       [rng.standard_normal(xs)], dtype)


@pytest.mark.parametrize("xs,k,s,p,ceil", [((2, 3, 9), 2, None, 0, False), ((1, 2, 10), 3, 2, 1, True),
                                           ((3, 7), 2, 1, 1, False)])
def test_pool1d(rng, xs, k, s, p, ceil):
    x = ag.Tensor(rng.permutation(np.prod(xs)).reshape(xs) * 0.1, requires_grad=True)
    assert gradcheck(lambda a: max_pool1d(a, k, s, p, 1, ceil), (x,))
    assert gradcheck(lambda a: avg_pool1d(a, k, s, p, ceil, False), (x,))
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    _torch_compare(lambda a: max_pool1d(a, k, s, p, 1, ceil), lambda a: F.max_pool1d(a, k, s, p, 1, ceil),
                   [x.numpy()])
    _torch_compare(lambda a: avg_pool1d(a, k, s, p, ceil, False), lambda a: F.avg_pool1d(a, k, s, p, ceil, False),
                   [x.numpy()])
    _, idx = max_pool1d(x, k, s, p, 1, ceil, return_indices=True)
    _, ref_idx = F.max_pool1d(torch.tensor(x.numpy()), k, s, p, 1, ceil, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())


@pytest.mark.parametrize("xs,osize", [((2, 3, 7, 9), (3, 4)), ((1, 2, 5, 5), 1), ((1, 1, 3, 5), (5, 7)),
                                      ((2, 6, 6), (None, 4))])
def test_adaptive_pool2d(rng, xs, osize):
    x = ag.Tensor(rng.permutation(np.prod(xs)).reshape(xs) * 0.1, requires_grad=True)
    assert gradcheck(lambda a: adaptive_avg_pool2d(a, osize), (x,))
    assert gradgradcheck(lambda a: adaptive_avg_pool2d(a * a, osize), (x,))
    assert gradcheck(lambda a: adaptive_max_pool2d(a, osize), (x,))
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    _torch_compare(lambda a: adaptive_avg_pool2d(a, osize), lambda a: F.adaptive_avg_pool2d(a, osize), [x.numpy()])
    _torch_compare(lambda a: adaptive_max_pool2d(a, osize), lambda a: F.adaptive_max_pool2d(a, osize), [x.numpy()])
    _, idx = adaptive_max_pool2d(x, osize, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), F.adaptive_max_pool2d(torch.tensor(x.numpy()), osize, True)[1])


def test_adaptive_pool1d(rng):
    x = _t(rng, (2, 3, 10))
    assert gradcheck(lambda a: adaptive_avg_pool1d(a, 4), (x,))
    assert gradcheck(lambda a: adaptive_max_pool1d(a, 3), (x,))
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    _torch_compare(lambda a: adaptive_avg_pool1d(a, 4), lambda a: F.adaptive_avg_pool1d(a, 4), [x.numpy()])
    _torch_compare(lambda a: adaptive_max_pool1d(a, 3), lambda a: F.adaptive_max_pool1d(a, 3), [x.numpy()])


def test_max_pool_saves_indices_and_input(rng):
    # the input is saved by reference (no copy), as PyTorch's node saves it: changing it in place is an error
    x = _t(rng, (2, 3, 6, 6))
    y = max_pool2d(x, 2)
    saved, inp = y.grad_fn.saved_tensors
    assert saved.dtype == np.int64 and saved.shape == y.shape
    assert inp is x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_pool_errors(rng):
    x = _t(rng, (1, 2, 5, 5))
    with pytest.raises(ShapeError, match=r"max_pool2d: padding should be at most half of kernel size.*\(1, 2, 5, 5\)"):
        max_pool2d(x, 2, padding=2)
    with pytest.raises(ShapeError, match="avg_pool2d: padding should be at most half"):
        avg_pool2d(x, 3, padding=2)
    with pytest.raises(ShapeError, match=r"max_pool2d: output size .* too small .*\(1, 2, 5, 5\)"):
        max_pool2d(x, 6)
    with pytest.raises(ValueError, match="stride .*must be positive"):
        max_pool2d(x, 2, stride=0)
    with pytest.raises(ShapeError, match=r"max_pool2d: expected a 3-D or 4-D input.*\(5, 5\)"):
        max_pool2d(_t(rng, (5, 5)), 2)
    with pytest.raises(ShapeError, match="max_pool1d: expected a 2-D or 3-D input"):
        max_pool1d(x, 2)
    with pytest.raises(ValueError, match="divisor_override"):
        avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ShapeError, match="adaptive_avg_pool2d: output_size"):
        adaptive_avg_pool2d(x, 0)
    with pytest.raises(TypeError, match="float32 or float64"):
        max_pool2d(ag.Tensor(np.zeros((1, 1, 4, 4), dtype=np.int64)), 2)
