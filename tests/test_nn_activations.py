"""Activation modules and functions of issue 15 against PyTorch: reprs, outputs and gradients in float32 and
float64 (PyTorch's weights loaded into PReLU), gradchecks through each module, in-place variants inside a graph,
RReLU's random slopes, and PyTorch's errors; plus F.normalize, F.cosine_similarity, F.pairwise_distance and
F.one_hot corner cases."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor
from parity import check_module, gradcheck_module, inputs

ACTIVATIONS = [
    ("selu", lambda m: m.SELU(), [(3, 4)]),
    ("celu", lambda m: m.CELU(alpha=0.5), [(3, 4)]),
    ("mish", lambda m: m.Mish(), [(3, 4)]),
    ("logsigmoid", lambda m: m.LogSigmoid(), [(3, 4)]),
    ("softsign", lambda m: m.Softsign(), [(3, 4)]),
    ("tanhshrink", lambda m: m.Tanhshrink(), [(3, 4)]),
    ("glu", lambda m: m.GLU(), [(3, 4)]),
    ("glu_dim", lambda m: m.GLU(dim=1), [(2, 6, 3)]),
    ("softmin", lambda m: m.Softmin(dim=1), [(3, 4)]),
    ("softmax2d", lambda m: m.Softmax2d(), [(2, 3, 4, 2)]),
    ("softmax2d_3d", lambda m: m.Softmax2d(), [(3, 4, 2)]),
    ("threshold", lambda m: m.Threshold(0.1, 20.0), [(3, 4)]),
    ("hardtanh", lambda m: m.Hardtanh(-0.5, 1.5), [(3, 4)]),
    ("relu6", lambda m: m.ReLU6(), [(3, 4)]),
    ("hardsigmoid", lambda m: m.Hardsigmoid(), [(3, 4)]),
    ("hardswish", lambda m: m.Hardswish(), [(3, 4)]),
    ("hardshrink", lambda m: m.Hardshrink(0.3), [(3, 4)]),
    ("softshrink", lambda m: m.Softshrink(), [(3, 4)]),
    ("rrelu", lambda m: m.RReLU(0.1, 0.3), [(3, 4)]),
    ("prelu", lambda m: m.PReLU(), [(3, 4)]),
    ("prelu_channels", lambda m: m.PReLU(3, init=0.1), [(2, 3, 4)]),
    # in place inside a graph: the activation overwrites the first Linear's output
    ("inplace_chain", lambda m: m.Sequential(*[layer for act in (
        m.Hardtanh(inplace=True), m.SELU(inplace=True), m.Hardswish(inplace=True), m.Mish(inplace=True),
        m.CELU(inplace=True), m.Threshold(0.0, -1.0, inplace=True), m.RReLU(inplace=True), m.ReLU6(inplace=True),
        m.Hardsigmoid(inplace=True), m.ELU(inplace=True), m.LeakyReLU(inplace=True))
        for layer in (m.Linear(4, 4), act)]), [(5, 4)]),
]
_IDS = [c[0] for c in ACTIVATIONS]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,factory,specs", ACTIVATIONS, ids=_IDS)
def test_activation_matches_torch(name, factory, specs, dtype):
    pytest.importorskip("torch")
    # train then eval; RReLU is compared in eval mode only (its training slopes are random)
    modes = (False,) if "rrelu" in name or "inplace" in name else (True, False)
    # PyTorch's hardsigmoid gradient is 1.0f / 6.0f, a float32 constant (3e-8 off in float64)
    tol = 1e-7 if name == "hardsigmoid" and dtype == np.float64 else None
    check_module(factory, specs, dtype, modes=modes, call=lambda m, x: m(x * 4.0), tol=tol)


@pytest.mark.parametrize("name,factory,specs", [c for c in ACTIVATIONS if c[0] != "inplace_chain"],
                         ids=[i for i in _IDS if i != "inplace_chain"])
def test_activation_gradcheck(name, factory, specs):
    gradcheck_module(factory(nn), specs, modes=(False,))


def test_inplace_returns_the_input_and_refuses_leaves():
    x = ag.randn(3, 4, requires_grad=True)
    for f in (lambda t: F.hardtanh(t, inplace=True), lambda t: F.relu6(t, True), lambda t: F.selu(t, True),
              lambda t: F.celu(t, 1.0, True), lambda t: F.mish(t, True), lambda t: F.hardsigmoid(t, True),
              lambda t: F.hardswish(t, True), lambda t: F.threshold(t, 0.0, 1.0, True),
              lambda t: F.rrelu(t, inplace=True), F.hardtanh_, F.selu_, F.celu_, F.rrelu_, F.relu_, F.elu_,
              F.leaky_relu_, lambda t: F.threshold_(t, 0.0, 1.0)):
        h = x * 1.0
        assert f(h) is h
        with pytest.raises(RuntimeError, match="leaf"):
            f(x)
        x.grad = None
        h.sum().backward()
        assert x.grad.shape == (3, 4)


def test_inplace_on_a_tensor_without_grad():
    x = ag.tensor([-4.0, -1.0, 0.5, 4.0])
    F.hardswish(x, inplace=True)
    np.testing.assert_allclose(x.numpy(), [0.0, -1.0 / 3, 0.5 * 3.5 / 6, 4.0], rtol=1e-6)


def test_rrelu_training_draws_slopes_in_range_from_the_library_generator():
    x = ag.tensor(-np.ones((200, 50)), dtype=ag.float64, requires_grad=True)
    ag.manual_seed(3)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005 and slopes.std() > 0.05
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)           # the gradient is the drawn slope
    ag.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x.detach(), 0.1, 0.3, training=True).numpy(), y.numpy())
    pos = ag.tensor([0.5, 2.0])
    np.testing.assert_array_equal(F.rrelu(pos, training=True).numpy(), [0.5, 2.0])
    m = nn.RReLU()
    m.eval()
    np.testing.assert_allclose(m(ag.tensor([-1.0])).numpy(), [-(1 / 8 + 1 / 3) / 2], rtol=1e-6)


def test_kinks_follow_torch():
    torch = pytest.importorskip("torch")
    pts = np.array([-3.0, -1.0, 0.0, 0.5, 1.0, 3.0, 6.0, -0.5])
    fns = [lambda L, x: L.hardtanh(x), lambda L, x: L.relu6(x), lambda L, x: L.hardsigmoid(x),
           lambda L, x: L.hardswish(x), lambda L, x: L.hardshrink(x, 0.5), lambda L, x: L.softshrink(x, 0.5),
           lambda L, x: L.threshold(x, 0.5, 2.0), lambda L, x: L.selu(x), lambda L, x: L.celu(x, 0.5),
           lambda L, x: L.softsign(x), lambda L, x: L.rrelu(x)]
    for f in fns:
        a, t = Tensor(pts.copy(), requires_grad=True), torch.tensor(pts.copy(), requires_grad=True)
        ya, yt = f(F, a), f(torch.nn.functional, t)
        np.testing.assert_allclose(ya.numpy(), yt.detach().numpy(), rtol=1e-7, atol=1e-12)
        ya.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_activation_errors_match_torch():
    x = ag.randn(3, 3)
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(x, 1)
    with pytest.raises(RuntimeError, match="scalars"):
        F.glu(ag.tensor(1.0))
    with pytest.raises(ValueError, match="min_val cannot be greater"):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        nn.Hardtanh(1.0, 1.0)
    with pytest.raises(RuntimeError, match="lambda must be in range"):
        F.softshrink(x, -1.0)
    with pytest.raises(RuntimeError, match="alpha cannot be 0"):
        F.celu(x, 0.0)
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal"):
        F.rrelu(x, 0.5, 0.1)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(ag.randn(2, 3, 4), ag.randn(4))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(ag.randn(3), ag.randn(3))
    with pytest.raises(RuntimeError, match="scalar or 1D"):
        F.prelu(x, ag.randn(1, 1))
    with pytest.raises(ValueError, match="3D or 4D"):
        nn.Softmax2d()(x)
    with pytest.warns(UserWarning, match="min_value"):
        assert nn.Hardtanh(min_value=-2.0).min_val == -2.0


def test_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for build in (lambda m: m.Threshold(0.1, 20), lambda m: m.Threshold(0.1, 20, inplace=True),
                  lambda m: m.Hardtanh(-2, 2), lambda m: m.ReLU6(inplace=True), lambda m: m.RReLU(),
                  lambda m: m.RReLU(0.1, 0.2, True), lambda m: m.Hardshrink(), lambda m: m.Softshrink(0.3),
                  lambda m: m.CELU(0.5, True), lambda m: m.SELU(True), lambda m: m.Mish(True),
                  lambda m: m.Hardsigmoid(True), lambda m: m.Hardswish(), lambda m: m.GLU(1),
                  lambda m: m.Softmin(0), lambda m: m.Softmax2d(), lambda m: m.PReLU(4), lambda m: m.LogSigmoid(),
                  lambda m: m.Softsign(), lambda m: m.Tanhshrink()):
        assert repr(build(nn)) == repr(build(torch.nn))
    assert nn.PReLU(3, 0.1).init == 0.1 and nn.PReLU(3).num_parameters == 3
    assert nn.PReLU(dtype=np.float64).weight.dtype == np.float64


def test_prelu_trains_its_slope():
    m = nn.PReLU(2).double()
    x = Tensor(-np.ones((4, 2, 3)))
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), [-12.0, -12.0])


# ---------------------------------------------------------------------- distances and normalize
DISTANCES = [
    ("normalize", lambda L, a: L.normalize(a)),
    ("normalize_p1_dim0", lambda L, a: L.normalize(a, p=1, dim=0)),
    ("normalize_p3_last", lambda L, a: L.normalize(a, p=3.0, dim=-1)),
    ("normalize_inf", lambda L, a: L.normalize(a, p=float("inf"), dim=1)),
]


@pytest.mark.parametrize("name,f", DISTANCES, ids=[d[0] for d in DISTANCES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_normalize_matches_torch(name, f, dtype):
    torch = pytest.importorskip("torch")
    (x,) = inputs([(3, 5)], dtype=dtype)
    _compare(torch, f, [x], dtype)
    if dtype == np.float64:
        assert ag.gradcheck(lambda t: f(F, t), (Tensor(x, requires_grad=True),))


def _compare(torch, f, arrays, dtype=np.float64):
    tol = 1e-9 if dtype == np.float64 else 2e-5
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    yo, yt = f(F, *ours), f(torch.nn.functional, *theirs)
    assert yo.shape == tuple(yt.shape) and yo.dtype == np.dtype(dtype)
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(5).standard_normal(yo.shape).astype(dtype)
    yo.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


PAIRS = [
    ("cosine", lambda L, a, b: L.cosine_similarity(a, b), [(4, 5), (4, 5)]),
    ("cosine_dim0_broadcast", lambda L, a, b: L.cosine_similarity(a, b, dim=0), [(5, 1, 3), (5, 2, 1)]),
    ("cosine_1d", lambda L, a, b: L.cosine_similarity(a, b, dim=0), [(6,), (6,)]),
    ("cosine_eps", lambda L, a, b: L.cosine_similarity(a * 1e-5, b, dim=-1, eps=1e-3), [(3, 4), (1, 4)]),
    ("pairwise", lambda L, a, b: L.pairwise_distance(a, b), [(4, 5), (4, 5)]),
    ("pairwise_p1_keepdim", lambda L, a, b: L.pairwise_distance(a, b, p=1.0, keepdim=True), [(4, 5), (5,)]),
    ("pairwise_p3", lambda L, a, b: L.pairwise_distance(a, b, p=3.0, eps=1e-3), [(2, 3, 5), (3, 5)]),
    ("pairwise_1d", lambda L, a, b: L.pairwise_distance(a, b), [(5,), (5,)]),
    ("pairwise_inf", lambda L, a, b: L.pairwise_distance(a, b, p=float("inf")), [(4, 5), (4, 5)]),
]


@pytest.mark.parametrize("name,f,specs", PAIRS, ids=[p[0] for p in PAIRS])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_distances_match_torch(name, f, specs, dtype):
    torch = pytest.importorskip("torch")
    _compare(torch, f, inputs(specs, dtype=dtype), dtype)
    # cosine_eps clamps a norm to eps; PyTorch's gradient then passes through the clamp, which is not the
    # derivative (the comparison above checks it is PyTorch's)
    if dtype == np.float64 and name != "cosine_eps":
        xs = [Tensor(a, requires_grad=True) for a in inputs(specs)]
        assert ag.gradcheck(lambda *t: f(F, *t), xs)


def test_distance_modules_match_torch():
    pytest.importorskip("torch")
    for factory in (lambda m: m.CosineSimilarity(), lambda m: m.CosineSimilarity(dim=0, eps=1e-6),
                    lambda m: m.PairwiseDistance(), lambda m: m.PairwiseDistance(p=1.0, eps=0.0, keepdim=True)):
        check_module(factory, [(3, 4), (3, 4)], modes=(True,))


def test_distances_at_zero_follow_torch():
    """Zero vectors: the norm's subgradient is 0 (PyTorch's), so the gradients stay finite."""
    torch = pytest.importorskip("torch")
    z = np.zeros((2, 3))
    z[1] = [1.0, 0.0, 2.0]
    _compare(torch, lambda L, a: L.normalize(a), [z])
    _compare(torch, lambda L, a, b: L.cosine_similarity(a, b), [z, z[::-1].copy()])
    _compare(torch, lambda L, a, b: L.pairwise_distance(a, b, eps=0.0), [z, z.copy()])
    _compare(torch, lambda L, a: L.normalize(a, p=0.5), [z])


def test_one_hot_corner_cases_match_torch():
    torch = pytest.importorskip("torch")
    for idx, n in (([1, 0, 2], -1), ([[1], [3]], 5), ([], 3), (2, 4), ([0, 0], 1)):
        ours = F.one_hot(ag.tensor(idx, dtype=ag.int64), n)
        theirs = torch.nn.functional.one_hot(torch.tensor(idx, dtype=torch.int64), n)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError, match="empty tensor"):
        F.one_hot(ag.tensor([], dtype=ag.int64))
    for bad in (ag.tensor([1, 2], dtype=ag.int32), ag.tensor([1.0]), ag.tensor([True])):
        with pytest.raises(RuntimeError, match="LongTensor"):
            F.one_hot(bad, 3)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ag.tensor([1, 5]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(ag.tensor([1, -1]), 3)
