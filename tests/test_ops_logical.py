"""Logical, bitwise and counting ops against PyTorch: values, dtypes, the operators on integer/bool tensors, and
the errors PyTorch raises. None of these ops has a gradient."""
import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")

INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8"]


def _same(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", "")), (ours.dtype, theirs.dtype)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _both(values, dtype):
    a = np.asarray(values).astype(dtype)
    return ag.tensor(a), torch.tensor(a)


# ------------------------------------------------------------------------------ bitwise ops and operators
@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_bitwise_ops_and_operators_match_torch(dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(-100, 100, 12) if dtype != "uint8" else rng.integers(0, 255, 12)
    y = rng.integers(-100, 100, 12) if dtype != "uint8" else rng.integers(0, 255, 12)
    (a, t), (b, u) = _both(x, dtype), _both(y, dtype)
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        _same(getattr(ag, name)(a, b), getattr(torch, name)(t, u))
        _same(getattr(a, name)(b), getattr(t, name)(u))
    _same(ag.bitwise_not(a), torch.bitwise_not(t))
    _same(a & b, t & u)
    _same(a | b, t | u)
    _same(a ^ b, t ^ u)
    _same(~a, ~t)
    _same(a & 1, t & 1)
    _same(3 | a, 3 | t)
    _same(True ^ a, True ^ t)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_shifts_match_torch_including_out_of_range_counts(dtype):
    bits = np.dtype(dtype).itemsize * 8
    x = [3, -7, 5, 100, -1, 0, 77, 1] if dtype != "uint8" else [3, 7, 5, 200, 255, 0, 77, 1]
    s = [0, 1, bits - 1, bits, bits + 3, 2, 3, bits - 2]
    (a, t), (b, u) = _both(x, dtype), _both(s, dtype)
    _same(a << b, t << u)
    _same(a >> b, t >> u)
    _same(ag.bitwise_left_shift(a, 2), torch.bitwise_left_shift(t, 2))
    _same(a.bitwise_right_shift(3), t.bitwise_right_shift(3))
    _same(a << 2, t << 2)
    _same(2 << b, 2 << u)
    if dtype != "uint8":
        neg, tneg = _both([-1, -5, 1], dtype)
        _same(a[:3] << neg, t[:3] << tneg)
        _same(a[:3] >> neg, t[:3] >> tneg)


def test_bitwise_promotion_across_dtypes_matches_torch():
    (i, ti), (j, tj), (b, tb) = _both([3, -7, 5], "int64"), _both([2, 3, 70], "int32"), _both([1, 0, 1], "bool")
    _same(j | i, tj | ti)
    _same(b & i, tb & ti)
    _same(b & True, tb & True)
    _same(b & 1, tb & 1)
    _same(b << 1, tb << 1)
    _same(j ^ 3, tj ^ 3)


def test_inplace_bitwise_and_operator_assignment():
    for lib in (ag, torch):
        x = lib.tensor([12, 10, 7])
        x &= 6
        x |= lib.tensor([1, 0, 0])
        x ^= 2
        x <<= 1
        x >>= lib.tensor([1, 0, 2])
        x.bitwise_and_(lib.tensor([15, 15, 15]))
        x.bitwise_left_shift_(1)
        x.bitwise_not_()
        if lib is ag:
            ours = x.tolist()
        else:
            assert ours == x.tolist()


@pytest.mark.parametrize("call, exc, match", [
    (lambda L: L.tensor([1.5]) & L.tensor([1.0]), NotImplementedError, "bitwise_and_cpu"),
    (lambda L: L.bitwise_or(L.tensor([1.5]), 1), NotImplementedError, "bitwise_or_cpu"),
    (lambda L: L.bitwise_xor(L.tensor([1]), 1.5), NotImplementedError, "bitwise_xor_cpu"),
    (lambda L: L.bitwise_not(L.tensor([1.5])), NotImplementedError, "bitwise_not_cpu"),
    (lambda L: ~L.tensor([1.5]), TypeError, "only implemented on integer and Boolean"),
    (lambda L: L.tensor([1.5]) << 1, NotImplementedError, "lshift_cpu"),
    (lambda L: L.bitwise_right_shift(L.tensor([True]), L.tensor([True])), NotImplementedError, "rshift_cpu"),
    (lambda L: L.isclose(L.tensor([1]), L.tensor([1.0])), RuntimeError, "Long did not match Float"),
    (lambda L: L.isclose(L.tensor([1.0]), L.tensor([1.0]), rtol=-1.0), RuntimeError, "rtol must be greater"),
    (lambda L: L.isclose(L.tensor([1.0]), L.tensor([1.0]), atol=-1.0), RuntimeError, "atol must be greater"),
    (lambda L: L.bincount(L.tensor([-1, 1])), RuntimeError, "non-negative"),
    (lambda L: L.bincount(L.tensor([[1]])), RuntimeError, "1-d"),
    (lambda L: L.bincount(L.tensor([1.0])), NotImplementedError, "bincount_cpu"),
    (lambda L: L.bincount(L.tensor([True])), NotImplementedError, "bincount_cpu"),
    (lambda L: L.bincount(L.tensor([0, 1]), weights=L.tensor([1.0])), RuntimeError, "same length"),
    (lambda L: L.bincount(L.tensor([0, 1]), minlength=-1), RuntimeError, "minlength should be >= 0"),
    (lambda L: L.histc(L.tensor([1, 2]), bins=2), NotImplementedError, "histogram_cpu"),
    (lambda L: L.histc(L.tensor([1.0, 2.0]), bins=2, min=3, max=1), RuntimeError, "max must be larger than min"),
    (lambda L: L.histc(L.tensor([1.0, 2.0]), bins=0), RuntimeError, "bins must be > 0"),
    (lambda L: L.histc(L.tensor([1.0, float("inf")]), bins=2), RuntimeError, "is not finite"),
    (lambda L: L.all(L.tensor([[1, 2]]), dim=2), IndexError, "out of range"),
])
def test_errors_match_torch(call, exc, match):
    with pytest.raises(exc, match=match):
        call(torch)
    with pytest.raises(exc, match=match):
        call(ag)


# ------------------------------------------------------------------------------ tests of values, all/any, isclose
def test_isposinf_isneginf_isclose_match_torch():
    a, t = _both([1.0, float("inf"), -float("inf"), float("nan"), 0.0], "float32")
    _same(ag.isposinf(a), torch.isposinf(t))
    _same(a.isneginf(), t.isneginf())
    i, ti = _both([3, -7], "int64")
    _same(ag.isposinf(i), torch.isposinf(ti))
    x, tx = _both([1.0, float("nan"), 2.0, float("inf"), -float("inf"), 1e-9, 100.0], "float64")
    y, ty = _both([1.0 + 1e-9, float("nan"), 2.1, float("inf"), float("inf"), 0.0, 100.001], "float64")
    _same(ag.isclose(x, y), torch.isclose(tx, ty))
    _same(x.isclose(y, equal_nan=True), tx.isclose(ty, equal_nan=True))
    _same(ag.isclose(x, y, rtol=1e-2, atol=0.0), torch.isclose(tx, ty, rtol=1e-2, atol=0.0))
    _same(ag.isclose(x, y, rtol=0.0, atol=0.0), torch.isclose(tx, ty, rtol=0.0, atol=0.0))
    j, tj = _both([3, -7, 5], "int64")
    k, tk = _both([4, -7, 9], "int64")
    _same(ag.isclose(j, k, atol=1), torch.isclose(tj, tk, atol=1))
    b, tb = _both([True, False], "bool")
    _same(ag.isclose(b, b), torch.isclose(tb, tb))


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "uint8"])
def test_all_any_match_torch(dtype):
    x = np.array([[[1, 0, 2], [3, 4, 5]], [[0, 0, 0], [1, 1, 1]]]).astype(dtype)
    a, t = ag.tensor(x), torch.tensor(x)
    for name in ("all", "any"):
        _same(getattr(ag, name)(a), getattr(torch, name)(t))
        _same(getattr(a, name)(), getattr(t, name)())
        for dim in (0, -1, (0, 2), (1,)):
            for keepdim in (False, True):
                _same(getattr(ag, name)(a, dim=dim, keepdim=keepdim), getattr(torch, name)(t, dim=dim,
                                                                                         keepdim=keepdim))
    _same(ag.all(ag.tensor(np.ones(0, dtype))), torch.all(torch.tensor(np.ones(0, dtype))))
    _same(ag.any(ag.tensor(np.ones(0, dtype))), torch.any(torch.tensor(np.ones(0, dtype))))


def test_logical_ops_give_bool_for_every_dtype():
    (f, tf), (i, ti) = _both([0.0, 1.5, -2.0], "float32"), _both([0, 0, 3], "int32")
    for name in ("logical_and", "logical_or", "logical_xor"):
        _same(getattr(ag, name)(f, i), getattr(torch, name)(tf, ti))
    _same(ag.logical_not(i), torch.logical_not(ti))
    x, tx = _both([1.0, 2.0, 0.0], "float32")
    x.logical_and_(f)
    tx.logical_and_(tf)
    _same(x, tx)


# ------------------------------------------------------------------------------ counting
def test_count_nonzero_matches_torch():
    a, t = _both([[0, 1, 2], [3, 0, 0]], "int64")
    for dim in (None, 0, 1, -1, (0, 1)):
        _same(ag.count_nonzero(a, dim=dim), torch.count_nonzero(t, dim=dim))
    f, tf = _both([[0.0, float("nan")], [-0.0, 2.0]], "float32")
    _same(f.count_nonzero(), tf.count_nonzero())


@pytest.mark.parametrize("flags", [(False, False), (True, False), (False, True), (True, True)])
def test_unique_matches_torch(flags):
    inv, cnt = flags
    a, t = _both([3, 1, 2, 3, 1, 5, 0, 2], "int64")
    _same(ag.unique(a, return_inverse=inv, return_counts=cnt), torch.unique(t, return_inverse=inv,
                                                                              return_counts=cnt))
    _same(a.unique(sorted=False, return_inverse=inv, return_counts=cnt),
          t.unique(sorted=False, return_inverse=inv, return_counts=cnt))
    m, tm = _both([[1, 2], [3, 4], [1, 2], [0, 9]], "int32")
    _same(ag.unique(m, return_inverse=inv, return_counts=cnt), torch.unique(tm, return_inverse=inv,
                                                                              return_counts=cnt))
    for dim in (0, 1, -1):
        _same(ag.unique(m, dim=dim, return_inverse=inv, return_counts=cnt),
              torch.unique(tm, dim=dim, return_inverse=inv, return_counts=cnt))
    f, tf = _both([1.0, float("nan"), float("nan"), 0.0, 1.0], "float32")
    np.testing.assert_array_equal(ag.unique(f).numpy(), torch.unique(tf).numpy())
    b, tb = _both([True, False, True], "bool")
    _same(ag.unique(b, return_counts=cnt), torch.unique(tb, return_counts=cnt))


@pytest.mark.parametrize("flags", [(False, False), (True, False), (False, True), (True, True)])
def test_unique_consecutive_matches_torch(flags):
    inv, cnt = flags
    a, t = _both([1, 1, 2, 2, 3, 1, 1, 2], "int64")
    _same(ag.unique_consecutive(a, return_inverse=inv, return_counts=cnt),
          torch.unique_consecutive(t, return_inverse=inv, return_counts=cnt))
    m, tm = _both([[1, 2], [1, 2], [3, 4], [1, 2], [1, 2]], "int64")
    _same(m.unique_consecutive(return_inverse=inv, return_counts=cnt),
          tm.unique_consecutive(return_inverse=inv, return_counts=cnt))
    for dim in (0, 1):
        _same(ag.unique_consecutive(m, dim=dim, return_inverse=inv, return_counts=cnt),
              torch.unique_consecutive(tm, dim=dim, return_inverse=inv, return_counts=cnt))
    e, te = _both([], "int64")
    _same(ag.unique_consecutive(e, return_inverse=inv, return_counts=cnt),
          torch.unique_consecutive(te, return_inverse=inv, return_counts=cnt))


def test_bincount_matches_torch():
    a, t = _both([0, 1, 1, 4, 2, 1], "int64")
    _same(ag.bincount(a), torch.bincount(t))
    _same(a.bincount(minlength=8), t.bincount(minlength=8))
    for wdtype in ("float32", "float64", "int64"):
        w, tw = _both([0.5, 1.0, 2.0, 3.0, 0.25, 1.5], wdtype)
        _same(ag.bincount(a, weights=w), torch.bincount(t, weights=tw))
    for dtype in ("int32", "uint8", "int8"):
        i, ti = _both([3, 0, 3], dtype)
        _same(ag.bincount(i), torch.bincount(ti))
    e, te = _both([], "int64")
    _same(ag.bincount(e), torch.bincount(te))
    _same(ag.bincount(e, minlength=3), torch.bincount(te, minlength=3))


def test_histc_matches_torch():
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        x = rng.standard_normal((7, 13)).astype(dtype)
        a, t = ag.tensor(x), torch.tensor(x)
        _same(ag.histc(a), torch.histc(t))
        _same(ag.histc(a, bins=7, min=-1, max=1), torch.histc(t, bins=7, min=-1, max=1))
        _same(a.histc(5, 0.0, 3.0), t.histc(5, 0.0, 3.0))
    edges, tedges = _both([0.0, 0.75, 1.5, 2.25, 3.0, 1.0, 2.0, float("nan")], "float32")
    _same(ag.histc(edges, bins=4, min=0, max=3), torch.histc(tedges, bins=4, min=0, max=3))
    c, tc = _both([2.0, 2.0], "float32")
    _same(ag.histc(c, bins=4), torch.histc(tc, bins=4))
    e, te = _both([], "float32")
    _same(ag.histc(e, bins=3), torch.histc(te, bins=3))


def test_counting_ops_have_no_gradient():
    x = ag.tensor([1.0, 2.0, 2.0], requires_grad=True)
    for out in (ag.histc(x, bins=2), ag.unique(x), ag.count_nonzero(x), ag.isclose(x, x), ag.all(x)):
        assert not out.requires_grad


@pytest.mark.parametrize("name", ["isposinf", "isneginf", "isclose", "all", "any", "logical_and", "logical_or",
                                  "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
                                  "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "count_nonzero",
                                  "unique", "unique_consecutive", "bincount", "histc", "equal", "isnan"])
def test_function_method_and_inplace_forms_exist_as_in_torch(name):
    assert hasattr(ag, name) == hasattr(torch, name)
    assert hasattr(ag.Tensor, name) == hasattr(torch.Tensor, name)
    assert hasattr(ag.Tensor, name + "_") == hasattr(torch.Tensor, name + "_"), name + "_"
