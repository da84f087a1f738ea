"""numba kernels (autograd_core.kernels) vs the NumPy oracles of kernels/reference.py, and vs torch where installed.

Oracle and kernel are different algorithms (tap loop over padded slices vs clipped per-output windows), so a
grid of geometries, odd sizes and batch 1 compares them exactly (float64) or to float32 rounding.
"""
import importlib
import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import kernels as K
from autograd_core.kernels import _jit
from autograd_core.kernels import reference as R

# the package re-exports the functions im2col/col2im, which shadow the submodule attribute of the same name
im2col_mod = importlib.import_module("autograd_core.kernels.im2col")
pooling_mod = importlib.import_module("autograd_core.kernels.pooling")

DTYPES = [np.float64, np.float32]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(params=["serial", "parallel"])
def mode(request, monkeypatch):
    """Run a test with the serial kernels (small arrays) and again forcing the prange kernels."""
    if request.param == "parallel":
        monkeypatch.setattr(_jit, "PARALLEL_MIN_WORK", 0)
        monkeypatch.setattr(_jit, "PARALLEL_BESIDE_BLAS", True)   # parallel even beside a threaded BLAS
    return request.param


def _rand(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _close(dtype):
    return dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------------------------ im2col / col2im

# (input shape, kernel, stride, padding, dilation)
CONV_CASES = [
    ((1, 1, 5, 5), 3, 1, 0, 1),
    ((2, 3, 7, 6), 3, 2, 1, 1),
    ((1, 2, 9, 8), (3, 2), (2, 1), (1, 0), (2, 3)),
    ((3, 2, 4, 4), 1, 1, 0, 1),
    ((2, 4, 8, 8), 3, 1, 1, 1),
    ((1, 3, 1, 11), (1, 3), (1, 2), (0, 2), (1, 2)),    # conv1d as H == 1
    ((2, 1, 5, 7), (5, 7), 1, 0, 1),                    # kernel == input
    ((1, 2, 6, 5), 2, 3, 2, 2),                         # padding larger than half the kernel is fine for conv
    ((1, 1, 3, 3), 3, 1, 4, 1),                         # outputs entirely in the padding
    ((3, 1, 2, 1), (1, 3), (3, 1), (0, 2), (1, 2)),     # a tap that misses every output column
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,s,p,d", CONV_CASES)
def test_im2col_col2im_match_reference(shape, k, s, p, d, dtype, mode):
    x = _rand(shape, dtype)
    cols = K.im2col(x, k, s, p, d)
    np.testing.assert_array_equal(cols, R.im2col(x, k, s, p, d))
    assert cols.dtype == dtype and cols.flags.c_contiguous
    g = _rand(cols.shape, dtype, seed=1)
    back = K.col2im(g, shape, k, s, p, d)
    assert back.dtype == dtype and back.shape == shape
    np.testing.assert_allclose(back, R.col2im(g, shape, k, s, p, d), **_close(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,s,p,d", CONV_CASES)
def test_col2im_reads_transposed_columns_in_place(shape, k, s, p, d, dtype, mode):
    """An F-contiguous ``cols`` (the transpose of a GEMM's ``(N*L, C*KK)`` output) gives the same image."""
    cols = K.im2col(_rand(shape, dtype), k, s, p, d)
    g = np.ascontiguousarray(_rand(cols.shape[::-1], dtype, seed=1)).T       # F-contiguous view
    assert g.flags.f_contiguous and not g.flags.c_contiguous
    np.testing.assert_allclose(K.col2im(g, shape, k, s, p, d), R.col2im(np.ascontiguousarray(g), shape, k, s, p, d),
                               **_close(dtype))
    with pytest.raises(ValueError, match="do not fit"):
        K.col2im(np.zeros((cols.shape[1] + 1, cols.shape[0])).T, shape, k, s, p, d)


@pytest.mark.parametrize("shape,k,s,p,d", CONV_CASES)
def test_col2im_is_adjoint_of_im2col(shape, k, s, p, d):
    x = _rand(shape)
    cols = K.im2col(x, k, s, p, d)
    g = _rand(cols.shape, seed=1)
    np.testing.assert_allclose(np.vdot(cols, g), np.vdot(x, K.col2im(g, shape, k, s, p, d)), rtol=1e-10)


@settings(deadline=None, max_examples=40)
@given(n=st.integers(1, 3), c=st.integers(1, 3), h=st.integers(1, 9), w=st.integers(1, 9),
       kh=st.integers(1, 4), kw=st.integers(1, 4), sh=st.integers(1, 3), sw=st.integers(1, 3),
       ph=st.integers(0, 3), pw=st.integers(0, 3), dh=st.integers(1, 3), dw=st.integers(1, 3))
def test_im2col_col2im_random_geometry(n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw):
    if (h + 2 * ph - dh * (kh - 1) - 1) < 0 or (w + 2 * pw - dw * (kw - 1) - 1) < 0:
        with pytest.raises(ValueError, match="larger than the padded input"):
            K.im2col(np.zeros((n, c, h, w)), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
        return
    args = ((kh, kw), (sh, sw), (ph, pw), (dh, dw))
    x = _rand((n, c, h, w))
    cols = K.im2col(x, *args)
    np.testing.assert_array_equal(cols, R.im2col(x, *args))
    np.testing.assert_allclose(K.col2im(cols, x.shape, *args), R.col2im(cols, x.shape, *args), rtol=1e-12)


def test_im2col_accepts_noncontiguous_input_and_out_buffer():
    x = _rand((2, 3, 8, 10))[:, :, ::2, 1::2]
    buf = np.empty((3 * 4, 2 * 3 * 4))
    cols = K.im2col(x, 2, 1, 0, 1, out=buf)
    assert cols is buf
    np.testing.assert_array_equal(cols, R.im2col(np.ascontiguousarray(x), 2))
    with pytest.raises(ValueError, match="out must be"):
        K.im2col(x, 2, out=np.empty((1, 1)))


def test_im2col_errors():
    with pytest.raises(ValueError, match=r"4-D .* got shape \(3, 4\)"):
        K.im2col(np.zeros((3, 4)), 2)
    with pytest.raises(ValueError, match="stride"):
        K.im2col(np.zeros((1, 1, 4, 4)), 2, stride=0)
    with pytest.raises(ValueError, match=r"kernel \(5, 5\).*larger than the padded input \(4, 4\)"):
        K.im2col(np.zeros((1, 1, 4, 4)), 5)
    with pytest.raises(TypeError, match="float32 or float64"):
        K.im2col(np.zeros((1, 1, 4, 4), dtype=np.int64), 2)
    with pytest.raises(ValueError, match="do not fit"):
        K.col2im(np.zeros((4, 5)), (1, 1, 3, 3), 2)


def test_one_specialisation_per_dtype(monkeypatch):
    """Generic signatures: new shapes, strides and layouts never add a compile; only float32/float64 do."""
    monkeypatch.setattr(_jit, "PARALLEL_MIN_WORK", 100)   # the larger shapes take the parallel kernels
    monkeypatch.setattr(_jit, "PARALLEL_BESIDE_BLAS", True)   # parallel even beside a threaded BLAS
    for shape in [(1, 1, 5, 5), (2, 3, 7, 9), (4, 2, 3, 3)]:
        for dtype in DTYPES:
            x = _rand(shape, dtype)
            K.col2im(K.im2col(x[:, :, ::1, ::-1], 3, 2, 1), shape, 3, 2, 1)
            K.col2im(np.ascontiguousarray(K.im2col(x, 3, 2, 1).T).T, shape, 3, 2, 1)   # the transposed layout
            out, idx = K.max_pool2d_forward(x.transpose(0, 1, 3, 2), 2, 1, 1)
            K.max_pool2d_backward(out, idx, out.shape[:2] + x.shape[:1:-1])
            K.max_pool2d_forward(x[:, :, ::-1], 2)      # the 2x2 / stride-2 kernel
    kernels = [getattr(mod, name) for mod in (im2col_mod, pooling_mod) for name in dir(mod)
               if name.endswith(("_serial", "_parallel"))]
    assert len(kernels) == 16
    for kernel in kernels:
        assert len(kernel.signatures) <= 2, (kernel, kernel.signatures)


# ------------------------------------------------------------------------------------------------------ max pool

# (input shape, kernel, stride, padding, dilation, ceil_mode)
POOL_CASES = [
    ((1, 1, 4, 4), 2, None, 0, 1, False),
    ((2, 3, 7, 7), 2, None, 0, 1, True),
    ((2, 3, 7, 7), 2, None, 0, 1, False),
    ((1, 2, 9, 8), 3, 2, 1, 1, True),
    ((1, 2, 9, 8), 3, 2, 1, 1, False),
    ((2, 1, 10, 11), (3, 2), (2, 3), (1, 1), (2, 1), True),
    ((1, 1, 5, 6), 3, 1, 1, 2, False),
    ((3, 2, 6, 6), (1, 3), (1, 2), (0, 1), 1, True),  # pool1d-like
    ((1, 1, 1, 9), (1, 4), (1, 3), (0, 2), 1, True),   # H == 1
    ((1, 1, 5, 5), 5, 1, 2, 1, True),
    ((2, 2, 8, 8), 4, 3, 2, 1, True),                  # last window partly in the right padding
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,s,p,d,ceil", POOL_CASES)
def test_max_pool_matches_reference(shape, k, s, p, d, ceil, dtype, mode):
    x = _rand(shape, dtype)
    out, idx = K.max_pool2d_forward(x, k, s, p, d, ceil)
    ref_out, ref_idx = R.max_pool2d_forward(x, k, s, p, d, ceil)
    assert out.dtype == dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(idx, ref_idx)
    g = _rand(out.shape, dtype, seed=2)
    np.testing.assert_allclose(K.max_pool2d_backward(g, idx, shape), R.max_pool2d_backward(g, idx, shape),
                               **_close(dtype))


def test_max_pool_ties_nan_and_inf(mode):
    # small integers force ties; the first maximum in row-major window order wins
    x = np.random.default_rng(3).integers(0, 3, size=(2, 2, 7, 7)).astype(np.float64)
    x[0, 0, 1, 1] = np.nan
    x[0, 0, 1, 3] = np.nan
    x[1, 1, :3, :3] = -np.inf
    for args in [(2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False)]:
        out, idx = K.max_pool2d_forward(x, *args)
        ref_out, ref_idx = R.max_pool2d_forward(x, *args)
        np.testing.assert_array_equal(out, ref_out)
        np.testing.assert_array_equal(idx, ref_idx)
    out, idx = K.max_pool2d_forward(x, 4)
    assert np.isnan(out[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 1 * 7 + 3   # the last NaN, as PyTorch


@pytest.mark.parametrize("window", [[np.nan, 5, 1, 2], [1, np.nan, 7, np.nan], [3, 3, 3, 3], [-np.inf] * 4,
                                    [0, 2, 2, np.nan]])
def test_max_pool_2x2_kernel_ties_and_nan(window, mode):
    """The 2x2 / stride-2 kernel keeps PyTorch's rules: first maximum on ties, a NaN wins, the last NaN stays."""
    x = np.zeros((1, 1, 4, 6))
    x[0, 0, 2:, 2:4] = np.reshape(window, (2, 2))
    for ceil_mode in (False, True):
        out, idx = K.max_pool2d_forward(x, 2, 2, 0, 1, ceil_mode)
        ref_out, ref_idx = R.max_pool2d_forward(x, 2, 2, 0, 1, ceil_mode)
        np.testing.assert_array_equal(out, ref_out)
        np.testing.assert_array_equal(idx, ref_idx)


def test_max_pool_window_without_input():
    # H = W = 2, kernel 2 dilated by 3, padding 1: the window reads positions -1 and 2 only
    x = _rand((1, 1, 2, 2))
    out, idx = K.max_pool2d_forward(x, 2, 1, 1, 3, True)
    assert out.shape == (1, 1, 1, 1) and out[0, 0, 0, 0] == -np.inf and idx[0, 0, 0, 0] == -1
    np.testing.assert_array_equal(K.max_pool2d_backward(np.ones_like(out), idx, x.shape), 0.0)
    np.testing.assert_array_equal(idx, R.max_pool2d_forward(x, 2, 1, 1, 3, True)[1])


@settings(deadline=None, max_examples=40)
@given(h=st.integers(1, 10), w=st.integers(1, 10), kh=st.integers(1, 4), kw=st.integers(1, 4),
       sh=st.integers(1, 3), sw=st.integers(1, 3), ph=st.integers(0, 2), pw=st.integers(0, 2),
       dh=st.integers(1, 3), dw=st.integers(1, 2), ceil=st.booleans(), seed=st.integers(0, 2**16))
def test_max_pool_random_geometry(h, w, kh, kw, sh, sw, ph, pw, dh, dw, ceil, seed):
    args = ((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil)
    x = np.random.default_rng(seed).integers(-2, 3, size=(2, 2, h, w)).astype(np.float64)
    try:
        ref_out, ref_idx = R.max_pool2d_forward(x, *args)
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            K.max_pool2d_forward(x, *args)
        return
    out, idx = K.max_pool2d_forward(x, *args)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(idx, ref_idx)


# ------------------------------------------------------------------------------------------------------ avg pool

AVG_CASES = [  # (input shape, kernel, stride, padding, ceil_mode)
    ((1, 1, 4, 4), 2, None, 0, False),
    ((2, 3, 7, 7), 2, None, 0, True),
    ((1, 2, 9, 8), 3, 2, 1, True),
    ((1, 2, 9, 8), 3, 2, 1, False),
    ((2, 1, 10, 11), (3, 2), (2, 3), (1, 1), True),
    ((1, 1, 5, 5), 5, 1, 2, True),
    ((2, 2, 8, 8), 4, 3, 2, True),
    ((1, 1, 1, 9), (1, 4), (1, 3), (0, 2), True),
    ((1, 1, 5, 5), 3, 4, 1, True),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("include_pad,divisor", [(True, None), (False, None), (True, 3), (False, 7)])
@pytest.mark.parametrize("shape,k,s,p,ceil", AVG_CASES)
def test_avg_pool_matches_reference(shape, k, s, p, ceil, include_pad, divisor, dtype, mode):
    x = _rand(shape, dtype)
    args = (k, s, p, ceil, include_pad, divisor)
    out = K.avg_pool2d_forward(x, *args)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, R.avg_pool2d_forward(x, *args), **_close(dtype))
    g = _rand(out.shape, dtype, seed=2)
    grad = K.avg_pool2d_backward(g, shape, *args)
    assert grad.dtype == dtype and grad.shape == shape
    np.testing.assert_allclose(grad, R.avg_pool2d_backward(g, shape, *args), **_close(dtype))
    # backward is the adjoint of forward
    np.testing.assert_allclose(np.vdot(out.astype(np.float64), g), np.vdot(x.astype(np.float64), grad), rtol=1e-4)


def test_pool_errors():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match="at most half of kernel size"):
        K.max_pool2d_forward(x, 2, padding=2)
    with pytest.raises(ValueError, match="at most half of kernel size"):
        K.avg_pool2d_forward(x, 3, padding=2)
    with pytest.raises(ValueError, match="too small"):
        K.max_pool2d_forward(x, 3, dilation=2)
    with pytest.raises(ValueError, match="positive"):
        K.avg_pool2d_forward(x, 2, stride=0)
    with pytest.raises(ValueError, match="4-D"):
        K.max_pool2d_forward(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match="divisor_override"):
        K.avg_pool2d_forward(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match="do not fit"):
        K.max_pool2d_backward(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 2, 3), dtype=np.int64), (1, 1, 4, 4))
    with pytest.raises(ValueError, match="does not match"):
        K.avg_pool2d_backward(np.zeros((1, 1, 3, 3)), (1, 1, 4, 4), 2)


@pytest.mark.parametrize("size,k,s,p,d,ceil,expected", [
    (7, 2, 2, 0, 1, False, 3), (7, 2, 2, 0, 1, True, 4),
    (5, 2, 2, 1, 1, True, 3),      # (3-1)*2 = 4 < 5+1: the last window starts in the input, kept
    (6, 3, 3, 1, 1, True, 3),      # (3-1)*3 = 6 < 6+1: kept
    (4, 3, 3, 1, 1, True, 2),      # ceil gives 3, but (3-1)*3 = 6 >= 4+1: that window would start in the right pad
    (9, 3, 2, 1, 2, False, 4),
])
def test_pool_output_size(size, k, s, p, d, ceil, expected):
    assert K.pool_output_size(size, k, s, p, d, ceil) == expected


# ------------------------------------------------------------------------------------------------- adaptive pool

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,osize", [((2, 3, 7, 9), (3, 4)), ((1, 1, 5, 5), 1), ((1, 2, 4, 6), (4, 6)),
                                         ((1, 1, 3, 5), (5, 7)), ((2, 1, 10, 3), (None, 2))])
def test_adaptive_pools_match_reference(shape, osize, dtype):
    x = _rand(shape, dtype)
    out = K.adaptive_avg_pool2d_forward(x, osize)
    np.testing.assert_allclose(out, R.adaptive_avg_pool2d_forward(x, osize), **_close(dtype))
    g = _rand(out.shape, dtype, seed=4)
    np.testing.assert_allclose(K.adaptive_avg_pool2d_backward(g, shape), R.adaptive_avg_pool2d_backward(g, shape),
                               **_close(dtype))
    xi = np.random.default_rng(5).integers(0, 3, size=shape).astype(dtype)
    xi.flat[3] = np.nan
    m, idx = K.adaptive_max_pool2d_forward(xi, osize)
    rm, ridx = R.adaptive_max_pool2d_forward(xi, osize)
    np.testing.assert_array_equal(m, rm)
    np.testing.assert_array_equal(idx, ridx)
    assert out.dtype == dtype and m.dtype == dtype


# ------------------------------------------------------------------------------------------------ against torch

def _torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,s,p,d", CONV_CASES)
def test_im2col_col2im_match_torch_unfold_fold(shape, k, s, p, d, dtype):
    torch = _torch()
    F = torch.nn.functional
    x = _rand(shape, dtype)
    n, c = shape[:2]
    cols = K.im2col(x, k, s, p, d)
    unfold = cols.reshape(cols.shape[0], n, -1).transpose(1, 0, 2)          # (N, C*KK, L)
    np.testing.assert_array_equal(unfold, F.unfold(torch.from_numpy(x), k, d, p, s).numpy())
    folded = F.fold(torch.from_numpy(np.ascontiguousarray(unfold)), shape[2:], k, d, p, s).numpy()
    np.testing.assert_allclose(K.col2im(cols, shape, k, s, p, d), folded, **_close(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,s,p,d,ceil", POOL_CASES)
def test_max_pool_matches_torch(shape, k, s, p, d, ceil, dtype):
    torch = _torch()
    x = _rand(shape, dtype)
    xt = torch.from_numpy(x).requires_grad_()
    ref, ref_idx = torch.nn.functional.max_pool2d(xt, k, s if s is not None else k, p, d, ceil, return_indices=True)
    out, idx = K.max_pool2d_forward(x, k, s, p, d, ceil)
    np.testing.assert_array_equal(out, ref.detach().numpy())
    np.testing.assert_array_equal(idx, ref_idx.numpy())
    g = _rand(out.shape, dtype, seed=2)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(K.max_pool2d_backward(g, idx, shape), xt.grad.numpy(), **_close(dtype))


def test_max_pool_ties_and_nan_match_torch():
    torch = _torch()
    x = np.random.default_rng(3).integers(0, 3, size=(2, 2, 9, 9)).astype(np.float64)
    x[0, 0, 1, 1] = x[0, 0, 1, 3] = x[1, 0, 5, 5] = np.nan
    for args in [(2, 2, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False), (4, 3, 2, 1, True)]:
        ref, ref_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), *args, return_indices=True)
        out, idx = K.max_pool2d_forward(x, *args)
        np.testing.assert_array_equal(out, ref.numpy())
        np.testing.assert_array_equal(idx, ref_idx.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("include_pad,divisor", [(True, None), (False, None), (False, 5)])
@pytest.mark.parametrize("shape,k,s,p,ceil", AVG_CASES)
def test_avg_pool_matches_torch(shape, k, s, p, ceil, include_pad, divisor, dtype):
    torch = _torch()
    x = _rand(shape, dtype)
    xt = torch.from_numpy(x).requires_grad_()
    ref = torch.nn.functional.avg_pool2d(xt, k, s, p, ceil, include_pad, divisor)
    out = K.avg_pool2d_forward(x, k, s, p, ceil, include_pad, divisor)
    np.testing.assert_allclose(out, ref.detach().numpy(), **_close(dtype))
    g = _rand(out.shape, dtype, seed=2)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(K.avg_pool2d_backward(g, shape, k, s, p, ceil, include_pad, divisor),
                               xt.grad.numpy(), **_close(dtype))


@pytest.mark.parametrize("shape,osize", [((2, 3, 7, 9), (3, 4)), ((1, 1, 5, 5), 1), ((1, 1, 3, 5), (5, 7)),
                                         ((2, 2, 13, 6), (4, 5))])
def test_adaptive_pools_match_torch(shape, osize):
    torch = _torch()
    F = torch.nn.functional
    x = _rand(shape)
    xt = torch.from_numpy(x).requires_grad_()
    ref = F.adaptive_avg_pool2d(xt, osize)
    np.testing.assert_allclose(K.adaptive_avg_pool2d_forward(x, osize), ref.detach().numpy(), rtol=1e-12)
    g = _rand(ref.shape, seed=1)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(K.adaptive_avg_pool2d_backward(g, shape), xt.grad.numpy(), rtol=1e-12)
    ref_m, ref_idx = F.adaptive_max_pool2d(torch.from_numpy(x), osize, return_indices=True)
    m, idx = K.adaptive_max_pool2d_forward(x, osize)
    np.testing.assert_array_equal(m, ref_m.numpy())
    np.testing.assert_array_equal(idx, ref_idx.numpy())


# ------------------------------------------------------------------------------------------- njit cache fallback

def _double(a):
    return a * 2.0


def test_njit_caches_normally():
    kernel = _jit.njit(_double)
    assert kernel._cache.__class__.__name__ == "FunctionCache"
    assert kernel(np.ones(2)).tolist() == [2.0, 2.0]


def test_njit_falls_back_to_private_dir_when_no_locator(monkeypatch, tmp_path):
    """Simulate a read-only package dir and $HOME: numba finds no cache locator and raises at decoration."""
    from numba.core import caching
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    with pytest.raises(RuntimeError, match="no locator available"):
        import numba
        numba.njit(cache=True)(_double)
    monkeypatch.setattr(_jit.tempfile, "gettempdir", lambda: str(tmp_path))
    kernel = _jit.njit(parallel=False)(_double)
    assert kernel(np.arange(3.0)).tolist() == [0.0, 2.0, 4.0]
    private = tmp_path / f"autograd_core-numba-{os.getuid()}"
    assert private.is_dir() and (private.stat().st_mode & 0o777) == 0o700
    assert any(f.suffix == ".nbi" for f in private.rglob("*")), "the compiled kernel should be cached there"


def test_njit_falls_back_to_no_cache_when_private_dir_is_unsafe(monkeypatch, tmp_path):
    from numba.core import caching
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    monkeypatch.setattr(_jit.tempfile, "gettempdir", lambda: str(tmp_path))
    private = tmp_path / f"autograd_core-numba-{os.getuid()}"
    private.mkdir()
    private.chmod(0o777)   # someone made it shared: its pickles could be planted, so never use it
    assert _jit.private_cache_dir() is None
    kernel = _jit.njit(_double)
    assert kernel(np.ones(1)).tolist() == [2.0]
    assert kernel._cache.__class__.__name__ == "NullCache"
    assert not any(private.iterdir())


def test_private_cache_dir_refuses_symlink(monkeypatch, tmp_path):
    monkeypatch.setattr(_jit.tempfile, "gettempdir", lambda: str(tmp_path))
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (tmp_path / f"autograd_core-numba-{os.getuid()}").symlink_to(target)
    assert _jit.private_cache_dir() is None


def test_njit_reraises_other_errors(monkeypatch):
    def broken(func, **options):
        raise RuntimeError("something else")
    monkeypatch.setattr(_jit, "_numba_njit", broken)
    with pytest.raises(RuntimeError, match="something else"):
        _jit.njit(_double)
