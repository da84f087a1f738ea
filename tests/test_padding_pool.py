"""Padding layers and the pooling layers of issue 15 (3-D max/avg pooling, adaptive pooling, max unpooling, LP and
fractional max pooling) against PyTorch after loading its state_dict (outputs, indices and gradients, float64 and
float32), gradchecks through the modules, F.pad's negative padding, and the argument checks."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.errors import ArgumentError, ShapeError
from parity_helpers import check_module, gradcheck_module

DTYPES = [np.float64, np.float32]


def _is_torch(m):
    return type(m).__module__.startswith("torch")


def _functional(m):
    import torch
    return torch.nn.functional if _is_torch(m) else F


def _tensor_of(m, array):
    """A tensor of the library that ``m`` (a module namespace or a module) belongs to."""
    if getattr(m, "__name__", "").startswith("torch") or _is_torch(m):
        import torch
        return torch.tensor(array)
    return ag.tensor(array)


# ------------------------------------------------------------------------------------------------ padding

PADS = [
    (lambda m: m.ZeroPad1d(2), (2, 3, 4)),
    (lambda m: m.ZeroPad1d((1, -2)), (3, 5)),
    (lambda m: m.ZeroPad2d((1, 2, 0, 3)), (2, 3, 4, 5)),
    (lambda m: m.ZeroPad2d((-1, 2, -2, 1)), (3, 4, 5)),
    (lambda m: m.ZeroPad3d(1), (1, 2, 2, 3, 4)),
    (lambda m: m.ConstantPad1d((3, 1), 3.5), (2, 3, 4)),
    (lambda m: m.ConstantPad2d(2, -1.0), (2, 3, 4, 5)),
    (lambda m: m.ConstantPad3d((1, 0, 2, 1, 0, 1), 0.25), (1, 2, 2, 3, 4)),
    (lambda m: m.ReflectionPad1d((3, 1)), (2, 3, 4)),
    (lambda m: m.ReflectionPad1d((-1, 2)), (2, 3, 4)),
    (lambda m: m.ReflectionPad2d((1, 2, 3, 0)), (2, 3, 4, 5)),
    (lambda m: m.ReflectionPad2d(2), (3, 4, 5)),
    (lambda m: m.ReflectionPad3d(1), (1, 2, 2, 3, 4)),
    (lambda m: m.ReplicationPad1d((0, 4)), (2, 3, 4)),
    (lambda m: m.ReplicationPad2d((2, -1, 1, 3)), (2, 3, 4, 5)),
    (lambda m: m.ReplicationPad3d((1, 2, 0, 1, 2, 0)), (1, 2, 2, 3, 4)),
    (lambda m: m.CircularPad1d((2, 3)), (2, 3, 4)),
    (lambda m: m.CircularPad2d((1, 2, -1, 3)), (2, 3, 4, 5)),
    (lambda m: m.CircularPad2d(1), (3, 4, 5)),
    (lambda m: m.CircularPad3d((1, 1, 0, 2, 1, 0)), (1, 2, 2, 3, 4)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("build,shape", PADS, ids=[f"pad{i}" for i in range(len(PADS))])
def test_padding_layers_match_torch(build, shape, dtype):
    check_module(build, shape, dtype=dtype)


@pytest.mark.parametrize("build,shape", [PADS[i] for i in (3, 9, 14, 17)], ids=["zero", "reflect", "replicate",
                                                                              "circular"])
def test_padding_layers_gradcheck(build, shape):
    gradcheck_module(build, shape)


def test_padding_attributes_follow_torch():
    assert nn.ZeroPad2d(1).padding == (1, 1, 1, 1) and nn.ZeroPad2d(1).value == 0.0
    assert nn.ConstantPad3d(2, 1.5).padding == (2,) * 6
    assert repr(nn.ConstantPad1d((1, 2), 3.5)) == "ConstantPad1d(padding=(1, 2), value=3.5)"
    assert repr(nn.ReflectionPad2d((1, 2, 3, 4))) == "ReflectionPad2d((1, 2, 3, 4))"
    assert repr(nn.ZeroPad1d(3)) == "ZeroPad1d((3, 3))"


@pytest.mark.parametrize("call,exc,match", [
    (lambda: nn.ZeroPad2d(1.5), TypeError, "padding"),
    (lambda: nn.ReflectionPad2d((1, 2, 3)), ValueError, "pairs"),
    (lambda: nn.CircularPad2d(1)(ag.randn(2, 3)), ValueError, "expected 3D or 4D input"),
    (lambda: nn.ReflectionPad2d(1)(ag.randn(2, 3, 4, 5, 6)), NotImplementedError, "not supported"),
    (lambda: nn.ReflectionPad1d(3)(ag.randn(1, 2, 3)), ValueError, "invalid for mode 'reflect'"),
    (lambda: nn.CircularPad1d(4)(ag.randn(1, 2, 3)), ShapeError, "more than once"),
])
def test_padding_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("pad", [(-4, 0), (0, -4), (-4, 2), (-2, -2), (1, -5)])
def test_pad_negative_padding_larger_than_the_size_raises(pad):
    """F.pad used to return an empty tensor silently; PyTorch raises (RuntimeError)."""
    with pytest.raises(RuntimeError, match="negative padding"):
        F.pad(ag.randn(2, 3), pad)
    with pytest.raises(ShapeError):
        F.pad(ag.randn(2, 3), pad)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(-3, 0), (-2, -1), (1, -3), (-3, 3), (-1, 2), (2, -1), (-1, -1)])
def test_pad_negative_widths_crop_as_torch(mode, pad):
    torch = pytest.importorskip("torch")
    x = np.arange(1, 4.0).reshape(1, 1, 3)
    try:
        expected = torch.nn.functional.pad(torch.tensor(x), pad, mode=mode).numpy()
    except RuntimeError:
        with pytest.raises((RuntimeError, ValueError)):
            F.pad(ag.tensor(x), pad, mode=mode)
        return
    if mode == "circular" and pad in ((1, -3), (-3, 3)):
        pytest.skip("PyTorch reads uninitialized memory here (circular padding of an emptied dim)")
    np.testing.assert_array_equal(F.pad(ag.tensor(x), pad, mode=mode).numpy(), expected)


# ------------------------------------------------------------------------------------------------ 3-D and adaptive

POOLS = [
    (lambda m: m.MaxPool3d(2), (2, 3, 4, 5, 6), {}),
    (lambda m: m.MaxPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), dilation=(2, 1, 1), ceil_mode=True),
     (1, 2, 5, 6, 5), {}),
    (lambda m: m.MaxPool3d(3, stride=2, padding=1, return_indices=True), (2, 4, 5, 5), {}),
    (lambda m: m.AvgPool3d(2), (2, 3, 4, 5, 6), {}),
    (lambda m: m.AvgPool3d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True), (1, 2, 5, 6, 7), {}),
    (lambda m: m.AvgPool3d((2, 3, 2), stride=(2, 1, 3), padding=(1, 1, 0), divisor_override=5), (2, 4, 5, 6), {}),
    (lambda m: m.AdaptiveAvgPool1d(3), (2, 3, 7), {}),
    (lambda m: m.AdaptiveAvgPool1d(5), (3, 9), {}),
    (lambda m: m.AdaptiveAvgPool2d((None, 3)), (2, 3, 5, 7), {}),
    (lambda m: m.AdaptiveAvgPool3d((2, None, 3)), (2, 2, 5, 4, 7), {}),
    (lambda m: m.AdaptiveAvgPool3d(1), (2, 3, 4, 5), {}),
    (lambda m: m.AdaptiveMaxPool1d(4), (2, 3, 9), {}),
    (lambda m: m.AdaptiveMaxPool1d(3, return_indices=True), (3, 8), {}),
    (lambda m: m.AdaptiveMaxPool2d((2, 3)), (2, 3, 5, 7), {}),
    (lambda m: m.AdaptiveMaxPool2d((None, 2), return_indices=True), (2, 3, 5, 7), {}),
    (lambda m: m.AdaptiveMaxPool2d(3, return_indices=True), (3, 7, 8), {}),
    (lambda m: m.LPPool1d(2, 3, stride=2), (2, 3, 9), dict(positive=True)),
    (lambda m: m.LPPool2d(1.5, (2, 3), stride=(1, 2)), (2, 3, 4, 7), dict(positive=True)),
    (lambda m: m.LPPool2d(float("inf"), 2, ceil_mode=True), (2, 3, 5, 5), {}),
    (lambda m: m.LPPool2d(3, 2), (3, 4, 5), dict(positive=True)),
    (lambda m: m.LPPool3d(2, 2), (1, 2, 4, 4, 5), dict(positive=True)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("build,shape,kw", POOLS, ids=[f"pool{i}" for i in range(len(POOLS))])
def test_pooling_layers_match_torch(build, shape, kw, dtype):
    check_module(build, shape, dtype=dtype, **kw)


@pytest.mark.parametrize("build,shape,kw", [POOLS[i] for i in (4, 5, 9, 17, 20)],
                         ids=["avg3d", "avg3d_divisor", "adaptive_avg3d", "lp2d", "lp3d"])
def test_pooling_layers_gradcheck(build, shape, kw):
    small = tuple(min(s, 5) for s in shape)
    gradcheck_module(build, small, **kw)


def test_max_pool3d_gradcheck():
    # distinct values, far apart: no ties for the finite differences to cross
    x = ag.tensor(np.random.default_rng(0).permutation(60).reshape(1, 2, 3, 2, 5) * 0.1, requires_grad=True)
    assert ag.gradcheck(lambda t: F.max_pool3d(t, 2, stride=1, padding=1), [x])


# ------------------------------------------------------------------------------------------------ unpooling

UNPOOLS = [
    (1, dict(kernel_size=2), (2, 3, 8), None),
    (1, dict(kernel_size=3, stride=2, padding=1), (2, 3, 9), [9]),
    (2, dict(kernel_size=2), (2, 3, 6, 8), None),
    (2, dict(kernel_size=3, stride=2, padding=1), (2, 3, 6, 7), (6, 7)),
    (2, dict(kernel_size=(2, 3), stride=(2, 1)), (3, 5, 7), [1, 3, 5, 7]),
    (3, dict(kernel_size=2), (1, 2, 4, 6, 6), None),
    (3, dict(kernel_size=2, stride=(1, 2, 2)), (1, 2, 3, 5, 4), [3, 5, 4]),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("nd,kwargs,shape,output_size", UNPOOLS, ids=[f"unpool{i}" for i in range(len(UNPOOLS))])
def test_max_unpool_matches_torch(nd, kwargs, shape, output_size, dtype):
    """MaxPoolNd(return_indices=True) then MaxUnpoolNd, both libraries; gradients through both."""
    def build(m):
        return getattr(m, f"MaxUnpool{nd}d")(**kwargs)

    def forward(m, x):
        out, idx = getattr(_functional(m), f"max_pool{nd}d")(x, return_indices=True, **kwargs)
        return m(out, idx, output_size=output_size)

    check_module(build, shape, dtype=dtype, forward=forward)


def test_max_unpool_puts_values_at_indices_and_gradchecks():
    x = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    up = nn.MaxUnpool2d(2)(out, idx)
    np.testing.assert_array_equal(up.numpy()[0, 0], [[0, 0, 0, 0], [0, 5, 0, 7], [0, 0, 0, 0], [0, 13, 0, 15]])
    v = ag.tensor(np.random.default_rng(0).standard_normal(out.shape), requires_grad=True)
    assert ag.gradcheck(lambda t: F.max_unpool2d(t, idx, 2), [v])
    assert ag.gradgradcheck(lambda t: F.max_unpool2d(t, idx, 2), [v])


@pytest.mark.parametrize("call,exc,match", [
    (lambda i: F.max_unpool2d(ag.randn(1, 1, 2, 2), i, 2, output_size=(6, 4)), ValueError, "invalid output_size"),
    (lambda i: F.max_unpool2d(ag.randn(1, 1, 2, 2), i, 2, output_size=(4, 4, 4)), ValueError, "2 or 4 elements"),
    (lambda i: F.max_unpool2d(ag.randn(1, 1, 2, 3), i, 2), ShapeError, "same as that of the input"),
    (lambda i: F.max_unpool2d(ag.randn(1, 1, 2, 2), i.to(np.int32), 2), TypeError, "int64"),
    (lambda i: F.max_unpool2d(ag.randn(1, 1, 2, 2), i + 100, 2), RuntimeError, "invalid max index"),
])
def test_max_unpool_errors(call, exc, match):
    _, idx = F.max_pool2d(ag.randn(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(exc, match=match):
        call(idx)


# ------------------------------------------------------------------------------------------------ fractional

def _samples(m, shape, seed=0):
    return _tensor_of(m, np.random.default_rng(seed).random(shape))


FRACTIONAL = [
    (lambda m: m.FractionalMaxPool2d(2, output_size=(4, 5), _random_samples=_samples(m, (2, 3, 2))), (2, 3, 9, 8)),
    (lambda m: m.FractionalMaxPool2d((3, 2), output_ratio=(0.5, 0.7), return_indices=True,
                                     _random_samples=_samples(m, (1, 3, 2))), (3, 9, 8)),
    (lambda m: m.FractionalMaxPool3d(2, output_size=(3, 4, 5), _random_samples=_samples(m, (2, 2, 3))),
     (2, 2, 7, 8, 9)),
    (lambda m: m.FractionalMaxPool3d(2, output_ratio=0.5, return_indices=True,
                                     _random_samples=_samples(m, (1, 2, 3))), (1, 2, 6, 7, 8)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("build,shape", FRACTIONAL, ids=[f"frac{i}" for i in range(len(FRACTIONAL))])
def test_fractional_max_pool_matches_torch_for_the_same_samples(build, shape, dtype):
    """The ``_random_samples`` buffer travels in the state_dict; the same samples give PyTorch's windows."""
    check_module(build, shape, dtype=dtype)


def test_fractional_max_pool_draws_samples_from_the_library_generator():
    m = nn.FractionalMaxPool2d(2, output_ratio=0.5)
    assert m.state_dict() == {} and repr(m) == "FractionalMaxPool2d()"
    x = ag.randn(2, 3, 10, 10)
    ag.manual_seed(3)
    a = m(x)
    ag.manual_seed(3)
    np.testing.assert_array_equal(a.numpy(), m(x).numpy())
    assert a.shape == (2, 3, 5, 5)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: nn.FractionalMaxPool2d(2), ValueError, "requires specifying either an output size, or a pooling ratio"),
    (lambda: nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5), ValueError, "only one of"),
    (lambda: nn.FractionalMaxPool2d(2, output_ratio=1.5), ValueError, "between 0 and 1"),
    (lambda: nn.FractionalMaxPool3d(0, output_size=2), ValueError, "kernel_size must be greater than 0"),
    (lambda: nn.FractionalMaxPool2d(3, output_size=4)(ag.randn(1, 1, 5, 5)), ShapeError, "too large"),
    (lambda: F.fractional_max_pool2d(ag.randn(1, 1, 5, 5), 2, output_size=2, _random_samples=ag.randn(1, 2, 2)),
     ShapeError, "_random_samples"),
])
def test_fractional_max_pool_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------------------------------------ argument checks

@pytest.mark.parametrize("call,exc,match", [
    (lambda: nn.MaxPool2d(-1), RuntimeError, "kernel_size must be greater than zero"),
    (lambda: nn.MaxPool2d(0), RuntimeError, "kernel_size"),
    (lambda: nn.MaxPool3d(2, stride=0), RuntimeError, "stride"),
    (lambda: nn.MaxPool3d(2, padding=2), RuntimeError, "pad should be at most half"),
    (lambda: nn.MaxPool1d(3, dilation=0), RuntimeError, "dilation"),
    (lambda: nn.AvgPool3d(2, padding=-1), RuntimeError, "padding"),
    (lambda: nn.AvgPool2d(2, divisor_override=0), RuntimeError, "divisor_override"),
    (lambda: nn.AvgPool1d(2, stride=(1, 2)), TypeError, "stride"),
    (lambda: nn.MaxUnpool2d(0), RuntimeError, "kernel_size"),
    (lambda: nn.LPPool2d(2, 0), RuntimeError, "kernel_size"),
    (lambda: nn.MaxPool3d(2)(ag.randn(2, 3)), ShapeError, "4-D"),
    (lambda: F.avg_pool3d(ag.randn(1, 1, 2, 2, 2), 3), ShapeError, "too small"),
    (lambda: F.adaptive_avg_pool3d(ag.randn(1, 1, 2, 2, 2), (1, 2)), RuntimeError, "triple"),
])
def test_pooling_argument_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_pool_modules_keep_torch_attributes():
    assert nn.MaxPool3d(2).stride == 2 and nn.AvgPool3d((1, 2, 2)).kernel_size == (1, 2, 2)
    assert nn.MaxUnpool1d(2).kernel_size == (2,) and nn.MaxUnpool3d(2, 1).stride == (1, 1, 1)
    assert nn.LPPool1d(2, 3).stride is None
    assert nn.AdaptiveMaxPool2d((2, None)).output_size == (2, None)
    with pytest.raises(ArgumentError):
        nn.MaxPool2d(2, padding=-1)
