"""nn.init: gains and fans as PyTorch computes them, statistics of the random initializers, in-place semantics."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import Tensor
from nn import init

GAIN_CASES = [("linear", None), ("conv1d", None), ("conv2d", None), ("conv_transpose2d", None), ("sigmoid", None),
              ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0),
              ("leaky_relu", math.sqrt(5)), ("selu", None)]


@pytest.mark.parametrize("nonlinearity,param", GAIN_CASES)
def test_calculate_gain_matches_torch(nonlinearity, param):
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12)


def test_calculate_gain_values_and_errors():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", 0.01) == pytest.approx(math.sqrt(2 / 1.0001))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


@pytest.mark.parametrize("shape,fans", [((30, 20), (20, 30)), ((8, 4, 3, 3), (36, 72)), ((5, 2, 7), (14, 35))])
def test_fans(shape, fans):
    assert init._calculate_fan_in_and_fan_out(ag.empty(*shape)) == fans
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ag.empty(5))


def _stats(fn, shape=(256, 128, 3, 3), **kw):
    t = ag.empty(*shape, dtype=ag.float64)
    out = fn(t, **kw)
    assert out is t
    return t.numpy()


@pytest.mark.parametrize("kw,fan", [({}, 1152), ({"mode": "fan_out"}, 2304), ({"a": 0.2}, 1152),
                                    ({"nonlinearity": "relu"}, 1152), ({"nonlinearity": "tanh"}, 1152)])
def test_kaiming_statistics(kw, fan):
    gain = init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
    std = gain / math.sqrt(fan)
    u = _stats(init.kaiming_uniform_, **kw)
    assert np.abs(u).max() <= math.sqrt(3) * std and np.abs(u).max() > 0.99 * math.sqrt(3) * std
    assert u.std() == pytest.approx(std, rel=0.01)
    n = _stats(init.kaiming_normal_, **kw)
    assert n.std() == pytest.approx(std, rel=0.01) and abs(n.mean()) < 0.01 * std * 10


@pytest.mark.parametrize("gain", [1.0, init.calculate_gain("relu")])
def test_xavier_statistics(gain):
    std = gain * math.sqrt(2.0 / (1152 + 2304))
    u = _stats(init.xavier_uniform_, gain=gain)
    assert np.abs(u).max() <= math.sqrt(3) * std and u.std() == pytest.approx(std, rel=0.01)
    assert _stats(init.xavier_normal_, gain=gain).std() == pytest.approx(std, rel=0.01)


def test_uniform_normal_trunc_constant():
    u = _stats(init.uniform_, shape=(200, 500), a=-2.0, b=3.0)
    assert u.min() >= -2 and u.max() < 3 and u.mean() == pytest.approx(0.5, abs=0.02)
    n = _stats(init.normal_, shape=(200, 500), mean=1.0, std=0.5)
    assert n.mean() == pytest.approx(1.0, abs=0.01) and n.std() == pytest.approx(0.5, rel=0.01)
    t = _stats(init.trunc_normal_, shape=(200, 500), mean=0.0, std=1.0, a=-1.0, b=2.0)
    assert t.min() >= -1 and t.max() <= 2
    # the mean of N(0,1) truncated to [-1, 2]: (phi(-1) - phi(2)) / (Phi(2) - Phi(-1))
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    Phi = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    assert t.mean() == pytest.approx((phi(-1) - phi(2)) / (Phi(2) - Phi(-1)), abs=0.01)
    assert (_stats(init.constant_, shape=(3, 2), val=0.25) == 0.25).all()
    assert (_stats(init.ones_, shape=(3, 2)) == 1).all() and (_stats(init.zeros_, shape=(3, 2)) == 0).all()
    np.testing.assert_array_equal(_stats(init.eye_, shape=(2, 3)), np.eye(2, 3))
    with pytest.raises(ValueError):
        init.eye_(ag.empty(2, 2, 2))


def test_orthogonal_and_dirac():
    for shape in [(6, 4), (4, 6), (5, 2, 3)]:
        w = _stats(init.orthogonal_, shape=shape, gain=2.0).reshape(shape[0], -1)
        small = w.T @ w if shape[0] >= w.shape[1] else w @ w.T
        np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-10)
    torch = pytest.importorskip("torch")
    ours, theirs = ag.empty(4, 2, 3, 3), torch.empty(4, 2, 3, 3)
    init.dirac_(ours, groups=2)
    torch.nn.init.dirac_(theirs, groups=2)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_init_is_in_place_no_grad_bumps_version_and_keeps_dtype():
    p = nn.Parameter(ag.empty(4, 3))
    v = p._version[0]
    init.kaiming_uniform_(p)
    assert p._version[0] > v and p.dtype == np.float32 and p.requires_grad and p.grad_fn is None
    y = (p * p).sum()     # a graph that saved p sees the change (p * 2 would not save p, as in PyTorch)
    init.zeros_(p)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_generator_argument_and_manual_seed_reproduce():
    a, b = ag.empty(3, 3), ag.empty(3, 3)
    init.normal_(a, generator=np.random.default_rng(5))
    init.normal_(b, generator=np.random.default_rng(5))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    ag.manual_seed(3)
    l1 = nn.Linear(4, 4)
    ag.manual_seed(3)
    l2 = nn.Linear(4, 4)
    np.testing.assert_array_equal(l1.weight.numpy(), l2.weight.numpy())
    np.testing.assert_array_equal(l1.bias.numpy(), l2.bias.numpy())


def test_zero_sized_tensors_are_left_alone():
    t = Tensor(np.empty((0, 3)))
    assert init.kaiming_uniform_(t) is t and init.orthogonal_(t) is t


@pytest.mark.parametrize("name", ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
                                  "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                  "kaiming_normal_", "orthogonal_"])
def test_signatures_match_torch(name):
    import inspect
    torch = pytest.importorskip("torch")

    def sig(f):
        return [(p.name, p.default) for p in inspect.signature(f).parameters.values()]
    assert sig(getattr(init, name)) == sig(getattr(torch.nn.init, name))
