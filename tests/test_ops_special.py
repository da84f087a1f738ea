"""Special functions, elementwise math and rounding ops against PyTorch (values, dtypes, edge values, errors) and the
special-function kernels against their numpy oracles (kernels/reference.py) and mpmath.

Gradients are checked by the op table (tests/op_table/special.py, elementwise.py via tests/test_ops.py); this file
covers what the op table can't: non-differentiable results, dtype rules, edge values and error cases.
"""
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.kernels import reference as R
from autograd_core.kernels import special as K

torch = pytest.importorskip("torch")

F64 = np.float64


def _same(ours, theirs, rtol=1e-12, atol=0.0):
    """Same dtype, shape and values (NaN where PyTorch has NaN, infinities equal)."""
    theirs = theirs.detach()
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", "")), (ours.dtype, theirs.dtype)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=atol, equal_nan=True)


def _both(x, dtype=None):
    x = np.asarray(x, dtype=dtype)
    return ag.tensor(x), torch.tensor(x)


# ------------------------------------------------------------------------------ kernels: oracle and PyTorch
GRID = np.concatenate([np.linspace(-30, 30, 241), [1e-9, -1e-9, 0.5, 12.0, 19.99, 20.01, 25.5]])


@pytest.mark.parametrize("name, ours, ref, x", [
    ("erfinv", K.erfinv, R.erfinv,
     np.concatenate([np.linspace(-0.999999, 0.999999, 301), 1 - np.logspace(-15, -2, 20)])),
    ("ndtri", K.ndtri, R.ndtri, np.concatenate([np.logspace(-250, -1, 40), np.linspace(0.1, 0.999, 40)])),
    ("erfcx", K.erfcx, R.erfcx, np.linspace(-5, 80, 300)),
    ("digamma", K.digamma, R.digamma, np.linspace(0.05, 60, 300)),
    ("i0", lambda x: K.bessel_i(0, x), lambda x: R.bessel_i(0, x), GRID),
    ("i0e", lambda x: K.bessel_i(0, x, True), lambda x: R.bessel_i(0, x, True), GRID * 20),
    ("i1", lambda x: K.bessel_i(1, x), lambda x: R.bessel_i(1, x), GRID[np.abs(GRID) > 1e-3]),
    ("i1e", lambda x: K.bessel_i(1, x, True), lambda x: R.bessel_i(1, x, True), GRID[np.abs(GRID) > 1e-3] * 20),
])
def test_kernel_matches_reference(name, ours, ref, x):
    # digamma crosses zero near 1.4616: there the reference's long sum decides the absolute error (~1e-14)
    np.testing.assert_allclose(ours(x), ref(x), rtol=5e-14, atol=1e-13 if name == "digamma" else 1e-300)


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_polygamma_kernel_matches_zeta_reference(n):
    x = np.linspace(0.05, 40, 200)
    expected = (-1) ** (n + 1) * math.factorial(n) * R.zeta(n + 1, x)
    np.testing.assert_allclose(K.polygamma(n, x), expected, rtol=5e-14)
    np.testing.assert_allclose(K.zeta(n + 1.5, x), R.zeta(n + 1.5, x), rtol=5e-14)


@pytest.mark.parametrize("name, ours, theirs, x, rtol", [
    ("erf", lambda t: ag.erf(t), torch.erf, GRID / 5, 1e-15),
    ("erfc", lambda t: ag.erfc(t), torch.erfc, GRID / 3, 1e-13),
    ("erfinv", lambda t: ag.erfinv(t), torch.erfinv, np.linspace(-0.9999, 0.9999, 401), 1e-13),
    ("erfcx", ag.special.erfcx, torch.special.erfcx, np.linspace(-20, 50, 400), 1e-12),
    ("ndtri", ag.special.ndtri, torch.special.ndtri,
     np.concatenate([np.logspace(-300, -1, 50), np.linspace(0.1, 0.99, 50)]), 1e-12),
    ("log_ndtr", ag.special.log_ndtr, torch.special.log_ndtr, np.concatenate([np.linspace(-40, 8, 300), [-1e5]]),
     1e-12),
    ("lgamma", lambda t: ag.lgamma(t), torch.lgamma, np.linspace(-9.75, 60, 400), 1e-12),
    ("digamma", lambda t: ag.digamma(t), torch.digamma, np.linspace(-9.75, 60, 400), 1e-12),
    ("trigamma", lambda t: ag.polygamma(1, t), lambda t: torch.polygamma(1, t), np.linspace(0.1, 30, 300), 1e-9),
    ("polygamma2", lambda t: ag.polygamma(2, t), lambda t: torch.polygamma(2, t), np.linspace(0.1, 30, 300), 1e-12),
    ("polygamma5", lambda t: t.polygamma(5), lambda t: t.polygamma(5), np.linspace(-4.75, 30, 300), 1e-11),
    ("i0", lambda t: ag.i0(t), torch.i0, GRID, 1e-13),
    ("i0e", ag.special.i0e, torch.special.i0e, GRID * 20, 1e-13),
    ("i1", ag.special.i1, torch.special.i1, GRID, 1e-13),
    ("i1e", ag.special.i1e, torch.special.i1e, GRID * 20, 1e-13),
    ("entr", ag.special.entr, torch.special.entr, np.linspace(0, 30, 100), 1e-14),
    ("sinc", lambda t: ag.sinc(t), torch.sinc, np.linspace(-5, 5, 101), 1e-12),
])
def test_values_match_torch_float64(name, ours, theirs, x, rtol):
    a, t = _both(x, F64)
    _same(ours(a), theirs(t), rtol=rtol, atol=1e-300)


def test_polygamma_one_is_more_accurate_than_torch():
    """PyTorch's trigamma is a short asymptotic series (~5e-10 relative error); ours is Hurwitz zeta (~1e-15)."""
    mpmath = pytest.importorskip("mpmath")
    x = np.array([0.3, 1.0, 1.1519, 2.5, 6.01, -1.5])
    exact = np.array([float(mpmath.polygamma(1, v)) for v in x])
    np.testing.assert_allclose(ag.polygamma(1, ag.tensor(x)).numpy(), exact, rtol=1e-14)


def test_kernels_against_mpmath_in_the_tails():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    y = np.array([1 - 1e-15, -(1 - 1e-12), 0.5 + 1e-9, 1e-300])
    np.testing.assert_allclose(K.erfinv(y), [float(mpmath.erfinv(v)) for v in y], rtol=1e-15)
    x = np.array([-38.0, -10.0, -1.5, 3.0])
    np.testing.assert_allclose(K.log_ndtr(x), [float(mpmath.log(mpmath.ncdf(v))) for v in x], rtol=1e-14)
    x = np.array([27.5, 100.0, 1e4])
    np.testing.assert_allclose(K.erfcx(x), [float(mpmath.exp(mpmath.mpf(v) ** 2) * mpmath.erfc(v)) for v in x],
                               rtol=1e-15)
    x = np.array([-7.25, 0.001, 1e6])
    np.testing.assert_allclose(K.digamma(x), [float(mpmath.digamma(v)) for v in x], rtol=1e-13)
    x = np.array([0.25, 45.0, -30.5])
    np.testing.assert_allclose(K.bessel_i(1, x), [float(mpmath.besseli(1, v)) for v in x], rtol=1e-14)


def test_edge_values_match_torch():
    cases = [
        (ag.erfinv, torch.erfinv, [1.0, -1.0, 1.5, -2.0, 0.0, -0.0, float("nan")]),
        (ag.digamma, torch.digamma, [0.0, -0.0, -1.0, -2.0, float("inf"), float("nan"), 1e-300]),
        (ag.lgamma, torch.lgamma, [0.0, -1.0, -2.0, 1e-300, float("inf"), float("-inf")]),
        (ag.i0, torch.i0, [0.0, 720.0, -720.0, float("inf")]),
        (ag.special.i1, torch.special.i1, [0.0, -0.0, 800.0, -800.0]),
        (ag.special.ndtri, torch.special.ndtri, [0.0, 1.0, -0.5, 1.5, 0.5]),
        (ag.special.log_ndtr, torch.special.log_ndtr, [float("-inf"), float("inf"), 0.0]),
        (ag.special.entr, torch.special.entr, [0.0, -1.0, float("nan"), float("inf")]),
        (ag.special.erfcx, torch.special.erfcx, [float("inf"), -30.0, 0.0, float("nan")]),
        (lambda t: ag.polygamma(2, t), lambda t: torch.polygamma(2, t), [0.0, -1.0, -2.5, float("inf")]),
        (ag.sinc, torch.sinc, [0.0, 1.0, float("inf")]),
        (ag.logit, torch.logit, [0.0, 1.0, 0.5, -0.5]),
    ]
    for ours, theirs, values in cases:
        a, t = _both(values, F64)
        with np.errstate(all="ignore"):
            _same(ours(a), theirs(t), rtol=1e-13)


def test_xlogy_xlog1py_zeta_values_and_conventions():
    x = [0.0, 0.0, 0.0, 2.0, -1.0, 3.0]
    y = [0.0, float("nan"), -1.0, 0.5, 2.0, float("inf")]
    (a, t), (b, u) = _both(x, F64), _both(y, F64)
    with np.errstate(all="ignore"):
        _same(ag.xlogy(a, b), torch.xlogy(t, u))
        _same(ag.special.xlog1py(a, b), torch.special.xlog1py(t, u))
        _same(ag.xlogy(2.0, b), torch.xlogy(2.0, u))
        _same(ag.xlogy(a, 3.0), torch.xlogy(t, 3.0))
    s, q = _both([2.0, 3.5, 1.0, 0.5, 4.0, 3.0], F64), _both([1.0, 0.25, 2.0, 1.0, -2.5, -2.0], F64)
    _same(ag.special.zeta(s[0], q[0]), torch.special.zeta(s[1], q[1]))
    _same(ag.special.zeta(s[0], 2.0), torch.special.zeta(s[1], 2.0))


def test_mvlgamma_matches_torch_and_checks_p():
    a, t = _both([[2.5, 3.0], [7.25, 1.75]], F64)
    for p in (1, 2, 3):
        _same(ag.mvlgamma(a, p), torch.mvlgamma(t, p))
        _same(ag.special.multigammaln(a, p), torch.special.multigammaln(t, p))
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        ag.mvlgamma(a, 0)


# ------------------------------------------------------------------------------ dtype rules
UNARY_FLOAT = ["erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "tan", "asin", "acos", "atan", "sinh", "cosh",
               "asinh", "acosh", "atanh", "sinc", "deg2rad", "rad2deg", "log2", "log10", "exp2", "logit"]


@pytest.mark.parametrize("name", UNARY_FLOAT)
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32", "float64"])
def test_unary_result_dtypes_match_torch(name, dtype):
    values = np.array([0, 1, 2, 3]) if dtype != "bool" else np.array([True, False, True, True])
    a, t = ag.tensor(values.astype(dtype)), torch.tensor(values.astype(dtype))
    with np.errstate(all="ignore"):
        ours, theirs = getattr(ag, name)(a), getattr(torch, name)(t)
    _same(ours, theirs, rtol=1e-6 if dtype in ("float32", "int64", "int32", "bool") else 1e-12)


@pytest.mark.parametrize("name", ["i0e", "i1", "i1e", "ndtri", "log_ndtr", "entr", "erfcx", "expit", "gammaln"])
def test_special_namespace_promotes_integers(name):
    a, t = ag.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    with np.errstate(all="ignore"):
        _same(getattr(ag.special, name)(a), getattr(torch.special, name)(t), rtol=1e-6)


@pytest.mark.parametrize("expr", [
    lambda L, i, j, f: L.atan2(i, j), lambda L, i, j, f: L.copysign(i, j), lambda L, i, j, f: L.fmod(i, j),
    lambda L, i, j, f: L.remainder(i, j), lambda L, i, j, f: L.floor_divide(i, j), lambda L, i, j, f: i // j,
    lambda L, i, j, f: i % j, lambda L, i, j, f: i % 2.5, lambda L, i, j, f: 7 % j, lambda L, i, j, f: i // 2.5,
    lambda L, i, j, f: L.fmod(f, j), lambda L, i, j, f: L.float_power(i, 2), lambda L, i, j, f: L.float_power(f, j),
    lambda L, i, j, f: L.xlogy(i, j), lambda L, i, j, f: L.clamp_min(i, 0.5), lambda L, i, j, f: L.clamp_max(i, 2),
    lambda L, i, j, f: L.clamp_min(f, L.tensor(1.5, dtype=L.float64)), lambda L, i, j, f: L.addcmul(i, i, j),
    lambda L, i, j, f: L.addcmul(i, i, j, value=0.5), lambda L, i, j, f: L.addcdiv(f, i, f, value=2),
    lambda L, i, j, f: L.floor(i), lambda L, i, j, f: L.round(i), lambda L, i, j, f: L.trunc(j),
    lambda L, i, j, f: L.sign(i), lambda L, i, j, f: L.sgn(j), lambda L, i, j, f: L.nan_to_num(i),
    lambda L, i, j, f: L.square(i), lambda L, i, j, f: L.hypot(f, L.tensor([1.0, 2.0, 3.0], dtype=L.float64)),
    lambda L, i, j, f: L.logaddexp(f, f * 2), lambda L, i, j, f: f + L.tensor(2.0, dtype=L.float64),
])
def test_binary_dtype_promotion_matches_torch(expr):
    vals_i, vals_j, vals_f = [3, -7, 5], [2, 3, -2], [1.5, -2.5, 0.5]
    ours = expr(ag, ag.tensor(vals_i), ag.tensor(vals_j, dtype=ag.int32), ag.tensor(vals_f))
    theirs = expr(torch, torch.tensor(vals_i), torch.tensor(vals_j, dtype=torch.int32), torch.tensor(vals_f))
    _same(ours, theirs, rtol=1e-6)


# ------------------------------------------------------------------------------ values of non-differentiable results
def test_rounding_values_match_torch():
    vals = [0.5, 1.5, 2.5, -0.5, -2.5, 1.25, 2.675, -0.125, 1234.5, 1250.0, -150.0, float("nan"), float("inf")]
    for dtype in ("float32", "float64"):
        a, t = _both(vals, dtype)
        for d in (0, 1, 2, -1, -2):
            _same(ag.round(a, decimals=d), torch.round(t, decimals=d))
        for name in ("floor", "ceil", "trunc", "fix", "frac", "sign", "sgn"):
            with np.errstate(all="ignore"):
                _same(getattr(ag, name)(a), getattr(torch, name)(t))
    assert ag.round(ag.tensor([3, -7])).dtype == np.int64


def test_remainder_fmod_and_floor_divide_signs_match_torch():
    x = [5.5, -5.5, 5.5, -5.5, 3.0, -3.0, 0.0, 7.0]
    y = [2.0, 2.0, -2.0, -2.0, 3.0, 3.0, -1.0, 0.0]
    (a, t), (b, u) = _both(x, "float32"), _both(y, "float32")
    with np.errstate(all="ignore"):
        for name in ("fmod", "remainder", "floor_divide"):
            _same(getattr(ag, name)(a, b), getattr(torch, name)(t, u))
        _same(a % b, t % u)
        _same(a // b, t // u)
    i, ti = _both([7, -7, 7, -7, 0], "int64")
    j, tj = _both([2, 2, -2, -2, 3], "int64")
    for name in ("fmod", "remainder", "floor_divide"):
        _same(getattr(ag, name)(i, j), getattr(torch, name)(ti, tj))
    _same(7 % j, 7 % tj)
    _same(i % -3, ti % -3)


def test_copysign_heaviside_nan_to_num_clamp_values_match_torch():
    a, t = _both([-1.0, 0.0, -0.0, 2.0, float("nan")], "float32")
    b, u = _both([1.0, -1.0, 1.0, -0.0, -2.0], "float32")
    _same(ag.copysign(a, b), torch.copysign(t, u))
    _same(ag.copysign(a, -1.0), torch.copysign(t, -1.0))
    _same(ag.heaviside(a, b), torch.heaviside(t, u))
    _same(ag.heaviside(a, ag.tensor([0.5])), torch.heaviside(t, torch.tensor([0.5])))
    c, v = _both([float("nan"), float("inf"), float("-inf"), 1.0], "float32")
    _same(ag.nan_to_num(c), torch.nan_to_num(v))
    _same(ag.nan_to_num(c, 1.0, 2.0, -3.0), torch.nan_to_num(v, 1.0, 2.0, -3.0))
    _same(c.to(ag.float64).nan_to_num(posinf=9.0), v.double().nan_to_num(posinf=9.0))
    i, ti = _both([3, -7, 5], "int64")
    bl, tb = _both([True, False], "bool")
    _same(ag.clamp_min(i, 2), torch.clamp_min(ti, 2))
    _same(ag.clamp_max(bl, 0), torch.clamp_max(tb, 0))
    _same(ag.clamp_min(i, ag.tensor(0.5)), torch.clamp_min(ti, torch.tensor(0.5)))


def test_clamp_with_tensor_bounds_gives_ties_to_the_input():
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        m = lib.tensor([2.0, 2.0, 2.0], requires_grad=True)
        lib.clamp(x, min=m).sum().backward()
        assert x.grad.tolist() == [0.0, 1.0, 1.0] and m.grad.tolist() == [1.0, 0.0, 0.0]


def test_zero_gradient_ops_still_record_a_node_like_torch():
    for name in ("floor", "ceil", "round", "trunc", "sign", "sgn"):
        x = ag.tensor([0.3, -1.7], requires_grad=True)
        y = getattr(ag, name)(x)
        assert y.requires_grad
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    assert not ag.floor_divide(x, 0.7).requires_grad and not ag.heaviside(x, x).requires_grad


def test_lerp_addcmul_addcdiv_values_match_torch():
    (a, t), (b, u), (w, v) = _both([1.0, 2.0, -3.0], "float32"), _both([3.0, -5.0, 4.0], "float32"), \
        _both([0.0, 0.7, 1.0], "float32")
    for weight in (0.0, 0.25, 0.5, 1.0, -2.0):
        _same(ag.lerp(a, b, weight), torch.lerp(t, u, weight), rtol=1e-7)
    _same(ag.lerp(a, b, w), torch.lerp(t, u, v), rtol=1e-7)
    _same(a.addcmul(b, w, value=-1.5), t.addcmul(u, v, value=-1.5), rtol=1e-7)
    _same(a.addcdiv(b, b, value=3), t.addcdiv(u, u, value=3), rtol=1e-7)


# ------------------------------------------------------------------------------ errors, as PyTorch raises them
@pytest.mark.parametrize("call, exc, match", [
    (lambda L: L.hypot(L.tensor([1]), L.tensor([2])), NotImplementedError, "hypot_cpu"),
    (lambda L: L.logaddexp(L.tensor([1]), L.tensor([2])), NotImplementedError, "logaddexp_cpu"),
    (lambda L: L.frac(L.tensor([1])), NotImplementedError, "frac_cpu"),
    (lambda L: L.round(L.tensor([1]), decimals=1), NotImplementedError, "round_cpu"),
    (lambda L: L.floor(L.tensor([True])), NotImplementedError, "floor"),
    (lambda L: L.floor_divide(L.tensor([True]), L.tensor([True])), NotImplementedError, "div_floor_cpu"),
    (lambda L: L.lerp(L.tensor([1.0]), L.tensor([2.0], dtype=L.float64), 0.5), RuntimeError, "expected dtype float"),
    (lambda L: L.lerp(L.tensor([1.0]), L.tensor([2.0]), L.tensor([0.5], dtype=L.float64)), RuntimeError, "weight"),
    (lambda L: L.addcdiv(L.tensor([1]), L.tensor([2]), L.tensor([3])), RuntimeError, "Integer division"),
    (lambda L: L.fmod(L.tensor([1, 2]), L.tensor([1, 0])), RuntimeError, "ZeroDivisionError"),
    (lambda L: L.remainder(L.tensor([1, 2]), 0), RuntimeError, "ZeroDivisionError"),
    (lambda L: L.tensor([1, 2]) // 0, RuntimeError, "ZeroDivisionError"),
    (lambda L: L.heaviside(L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)), RuntimeError, "different dtypes"),
    (lambda L: L.polygamma(-1, L.tensor([1.0])), RuntimeError, "negative n"),
    (lambda L: L.tensor([1.0, 2.0]).float_power_(2), RuntimeError, "float_power_"),
    (lambda L: L.tensor([1, 2]).sin_(), RuntimeError, "can't be cast to the desired output type Long"),
    (lambda L: L.tensor([1, 2]).add_(1.5), RuntimeError, "can't be cast"),
    (lambda L: L.tensor([True]).add_(1), RuntimeError, "can't be cast to the desired output type Bool"),
])
def test_errors_match_torch(call, exc, match):
    with pytest.raises(exc, match=match):
        call(torch)
    with pytest.raises(exc, match=match):
        call(ag)


# ------------------------------------------------------------------------------ names and in-place variants
FAMILY_OPS = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "tan", "asin", "arcsin",
              "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh", "arcsinh", "acosh", "arccosh", "atanh",
              "arctanh", "atan2", "arctan2", "hypot", "sinc", "deg2rad", "rad2deg", "log2", "log10", "exp2",
              "logaddexp", "logaddexp2", "xlogy", "logit", "float_power", "floor", "ceil", "round", "trunc", "fix",
              "frac", "fmod", "remainder", "floor_divide", "copysign", "heaviside", "nan_to_num", "clamp_min",
              "clamp_max", "sign", "sgn", "lerp", "addcmul", "addcdiv", "square", "sigmoid"]


@pytest.mark.parametrize("name", FAMILY_OPS)
def test_function_method_and_inplace_forms_exist_as_in_torch(name):
    assert hasattr(ag, name) == hasattr(torch, name)
    assert hasattr(ag.Tensor, name) == hasattr(torch.Tensor, name)
    assert hasattr(ag.Tensor, name + "_") == hasattr(torch.Tensor, name + "_"), name + "_"


@pytest.mark.parametrize("name, args", [
    ("tan", ()), ("asin", ()), ("erf", ()), ("erfinv", ()), ("lgamma", ()), ("digamma", ()), ("i0", ()),
    ("polygamma", (2,)), ("mvlgamma", (1,)), ("floor", ()), ("round", ()), ("frac", ()), ("fix", ()),
    ("fmod", (0.3,)), ("remainder", (0.3,)), ("floor_divide", (0.3,)), ("copysign", (-1.0,)), ("sinc", ()),
    ("clamp_min", (0.2,)), ("clamp_max", (0.2,)), ("lerp", (1.0, 0.25)), ("addcmul", (2.0, 3.0)),
    ("logit", ()), ("xlogy", (2.0,)), ("nan_to_num", ()), ("hypot", (1.0,)), ("atan2", (2.0,)), ("sgn", ()),
    ("exp2", ()), ("log2", ()), ("deg2rad", ()), ("arctanh", ()),
])
def test_inplace_variants_write_what_the_function_computes(name, args):
    x = np.array([0.1, 0.45, 0.8], dtype=np.float32)
    ours = ag.tensor(x)
    theirs = torch.tensor(x)
    tensor_first = name in ("lerp", "addcmul", "hypot", "atan2")    # PyTorch wants a tensor there
    our_args = [ag.tensor(np.full(3, a, np.float32)) if tensor_first and i == 0 else a for i, a in enumerate(args)]
    their_args = [torch.tensor(np.full(3, a, np.float32)) if tensor_first and i == 0 else a
                  for i, a in enumerate(args)]
    if name == "addcmul":
        our_args[1], their_args[1] = ag.tensor(np.full(3, 3.0, np.float32)), torch.tensor(np.full(3, 3.0, np.float32))
    assert getattr(ours, name + "_")(*our_args) is ours
    getattr(theirs, name + "_")(*their_args)
    _same(ours, theirs, rtol=1e-6)


def test_special_namespace_names_exist_in_torch_special():
    for name in ag.special.__all__:
        assert hasattr(torch.special, name), name
        assert callable(getattr(ag.special, name))
    a, t = _both([[0.2, 1.5], [-0.3, 2.0]], F64)
    _same(ag.special.logsumexp(a, 1), torch.special.logsumexp(t, 1))
    _same(ag.special.softmax(a, 0), torch.special.softmax(t, 0))
    _same(ag.special.log_softmax(a, 1), torch.special.log_softmax(t, 1))
    _same(ag.special.expit(a), torch.special.expit(t))
    _same(ag.special.psi(a), torch.special.psi(t))
    _same(ag.special.ndtr(a), torch.special.ndtr(t))
    _same(ag.special.round(a * 3), torch.special.round(t * 3))
    _same(ag.special.polygamma(3, a.abs()), torch.special.polygamma(3, t.abs()))
