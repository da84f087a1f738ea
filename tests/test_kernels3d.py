"""The 3-D numba kernels (``kernels/im2col3d.py``, ``kernels/pooling3d.py``) vs the numpy oracles of
``kernels/reference.py`` (a different algorithm: tap loops over a padded copy), serial and parallel, float64 exactly
and float32 to rounding; and vs PyTorch where installed. Same style as ``test_kernels.py``."""
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import kernels as K
from autograd_core.kernels import _jit
from autograd_core.kernels import reference as R

im2col3d_mod = importlib.import_module("autograd_core.kernels.im2col3d")
pooling3d_mod = importlib.import_module("autograd_core.kernels.pooling3d")
DTYPES = [np.float64, np.float32]


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


# (input shape, kernel, stride, padding, dilation)
CONV3D_CASES = [
    ((1, 1, 4, 4, 4), 3, 1, 0, 1),
    ((2, 3, 5, 6, 7), 3, 2, 1, 1),
    ((1, 2, 6, 5, 4), (2, 3, 1), (2, 1, 3), (1, 0, 0), (2, 1, 1)),
    ((2, 2, 3, 3, 3), 1, 1, 0, 1),
    ((1, 1, 3, 4, 5), (3, 4, 5), 1, 0, 1),             # kernel == input
    ((1, 2, 3, 3, 3), 3, 1, 4, 1),                     # outputs entirely in the padding
    ((1, 1, 1, 5, 6), (1, 3, 3), (1, 2, 1), (0, 2, 1), (1, 1, 2)),   # D == 1 (conv2d as 3-D)
    ((2, 1, 5, 2, 1), (3, 1, 3), (2, 1, 1), (1, 0, 2), (2, 1, 1)),   # a tap that misses every output column
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,s,p,d", CONV3D_CASES)
def test_im2col3d_col2im3d_match_reference(shape, k, s, p, d, dtype, mode):
    x = _rand(shape, dtype)
    cols = K.im2col3d(x, k, s, p, d)
    np.testing.assert_array_equal(cols, R.im2col3d(x, k, s, p, d))
    assert cols.dtype == dtype and cols.flags.c_contiguous
    g = _rand(cols.shape, dtype, seed=1)
    back = K.col2im3d(g, shape, k, s, p, d)
    assert back.dtype == dtype and back.shape == shape
    np.testing.assert_allclose(back, R.col2im3d(g, shape, k, s, p, d), **_close(dtype))


@pytest.mark.parametrize("shape,k,s,p,d", CONV3D_CASES)
def test_col2im3d_is_adjoint_of_im2col3d(shape, k, s, p, d):
    x = _rand(shape)
    cols = K.im2col3d(x, k, s, p, d)
    g = _rand(cols.shape, seed=1)
    np.testing.assert_allclose(np.vdot(cols, g), np.vdot(x, K.col2im3d(g, shape, k, s, p, d)), rtol=1e-10)


def test_im2col3d_of_a_flat_volume_is_im2col():
    """D == 1 with a depth-1 kernel: the 3-D columns are the 2-D ones."""
    x = _rand((2, 3, 1, 6, 7))
    np.testing.assert_array_equal(K.im2col3d(x, (1, 3, 2), (1, 2, 1), (0, 1, 1), (1, 1, 2)),
                                  K.im2col(x[:, :, 0], (3, 2), (2, 1), (1, 1), (1, 2)))


@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 2), c=st.integers(1, 3), size=st.tuples(*[st.integers(1, 6)] * 3),
       k=st.tuples(*[st.integers(1, 3)] * 3), s=st.tuples(*[st.integers(1, 3)] * 3),
       p=st.tuples(*[st.integers(0, 2)] * 3), d=st.tuples(*[st.integers(1, 2)] * 3))
def test_im2col3d_random_geometry(n, c, size, k, s, p, d):
    shape = (n, c) + size
    if any(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1 < 0 for i in range(3)):
        with pytest.raises(ValueError, match="larger than the padded input"):
            K.im2col3d(np.zeros(shape), k, s, p, d)
        return
    x = _rand(shape)
    cols = K.im2col3d(x, k, s, p, d)
    np.testing.assert_array_equal(cols, R.im2col3d(x, k, s, p, d))
    np.testing.assert_allclose(K.col2im3d(cols, shape, k, s, p, d), R.col2im3d(cols, shape, k, s, p, d),
                               rtol=1e-12)


def test_im2col3d_matches_torch_unfold_of_conv3d():
    """conv3d through the columns equals torch's conv3d."""
    torch = pytest.importorskip("torch")
    x, w = _rand((2, 3, 5, 6, 4)), _rand((4, 3, 2, 3, 2), seed=1)
    cols = K.im2col3d(x, (2, 3, 2), (2, 1, 1), (1, 1, 0), (1, 1, 2))
    out = (w.reshape(4, -1) @ cols).reshape(4, 2, -1).transpose(1, 0, 2)
    ref = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(w), stride=(2, 1, 1), padding=(1, 1, 0),
                                     dilation=(1, 1, 2)).numpy()
    np.testing.assert_allclose(out.reshape(ref.shape), ref, rtol=1e-10, atol=1e-12)


def test_im2col3d_errors():
    with pytest.raises(ValueError, match=r"5-D .* got shape \(3, 4, 5, 6\)"):
        K.im2col3d(np.zeros((3, 4, 5, 6)), 2)
    with pytest.raises(ValueError, match="stride"):
        K.im2col3d(np.zeros((1, 1, 4, 4, 4)), 2, stride=0)
    with pytest.raises(ValueError, match="larger than the padded input"):
        K.im2col3d(np.zeros((1, 1, 4, 4, 4)), (2, 5, 2))
    with pytest.raises(TypeError, match="float32 or float64"):
        K.im2col3d(np.zeros((1, 1, 4, 4, 4), dtype=np.int64), 2)
    with pytest.raises(ValueError, match="do not fit"):
        K.col2im3d(np.zeros((8, 5)), (1, 1, 3, 3, 3), 2)


# ------------------------------------------------------------------------------------------------------ max pool

# (input shape, kernel, stride, padding, dilation, ceil_mode)
POOL3D_CASES = [
    ((1, 1, 4, 4, 4), 2, None, 0, 1, False),
    ((2, 3, 7, 6, 5), 2, None, 0, 1, True),
    ((1, 2, 7, 6, 5), 3, 2, 1, 1, True),
    ((2, 1, 8, 7, 9), (3, 2, 2), (2, 3, 1), (1, 1, 0), (2, 1, 3), True),
    ((1, 1, 5, 6, 5), 3, 1, 1, 2, False),
    ((1, 2, 1, 5, 6), (1, 3, 2), (1, 2, 2), (0, 1, 1), 1, True),     # D == 1
    ((1, 1, 5, 5, 5), 5, 1, 2, 1, True),
    ((2, 2, 8, 8, 8), 4, 3, 2, 1, True),                              # last window partly in the right padding
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k,s,p,d,ceil", POOL3D_CASES)
def test_max_pool3d_matches_reference(shape, k, s, p, d, ceil, dtype, mode):
    x = _rand(shape, dtype)
    out, idx = K.max_pool3d_forward(x, k, s, p, d, ceil)
    ref_out, ref_idx = R.max_pool3d_forward(x, k, s, p, d, ceil)
    assert out.dtype == dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(idx, ref_idx)
    g = _rand(out.shape, dtype, seed=2)
    # the backward is the flat-index scatter of 2-D pooling, for any rank
    np.testing.assert_allclose(K.max_pool2d_backward(g, idx, shape),
                               R.max_pool2d_backward(g, idx, shape), **_close(dtype))


@pytest.mark.parametrize("shape,k,s,p,d,ceil", POOL3D_CASES)
def test_max_pool3d_matches_torch(shape, k, s, p, d, ceil):
    torch = pytest.importorskip("torch")
    x = _rand(shape)
    out, idx = K.max_pool3d_forward(x, k, s, p, d, ceil)
    t_out, t_idx = torch.nn.functional.max_pool3d(torch.tensor(x), k, s, p, d, ceil, return_indices=True)
    np.testing.assert_array_equal(out, t_out.numpy())
    np.testing.assert_array_equal(idx, t_idx.numpy())


def test_max_pool3d_ties_nan_and_inf(mode):
    x = np.random.default_rng(3).integers(0, 3, size=(2, 2, 5, 6, 5)).astype(np.float64)
    x[0, 0, 1, 1, 1] = np.nan
    x[0, 0, 1, 2, 1] = np.nan
    x[1, 1, :3, :3, :3] = -np.inf
    for args in [(2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False)]:
        out, idx = K.max_pool3d_forward(x, *args)
        ref_out, ref_idx = R.max_pool3d_forward(x, *args)
        np.testing.assert_array_equal(out, ref_out)
        np.testing.assert_array_equal(idx, ref_idx)
    out, idx = K.max_pool3d_forward(x, 3)
    assert np.isnan(out[0, 0, 0, 0, 0]) and idx[0, 0, 0, 0, 0] == (1 * 6 + 2) * 5 + 1   # the last NaN


def test_max_pool3d_errors():
    with pytest.raises(ValueError, match="5-D"):
        K.max_pool3d_forward(np.zeros((1, 4, 4, 4)), 2)
    with pytest.raises(ValueError, match="at most half of kernel size"):
        K.max_pool3d_forward(np.zeros((1, 1, 4, 4, 4)), 2, padding=(0, 2, 0))
    with pytest.raises(ValueError, match="too small"):
        K.max_pool3d_forward(np.zeros((1, 1, 2, 4, 4)), 3)
    with pytest.raises(ValueError, match="must be positive"):
        K.max_pool3d_forward(np.zeros((1, 1, 4, 4, 4)), 2, stride=(1, 0, 1))


def test_one_specialisation_per_dtype_3d(monkeypatch):
    """Generic signatures: new shapes and layouts never add a compile; only float32/float64 do."""
    monkeypatch.setattr(_jit, "PARALLEL_MIN_WORK", 100)
    monkeypatch.setattr(_jit, "PARALLEL_BESIDE_BLAS", True)   # parallel even beside a threaded BLAS
    for shape in [(1, 1, 3, 4, 5), (2, 3, 4, 4, 3)]:
        for dtype in DTYPES:
            x = _rand(shape, dtype)
            K.col2im3d(K.im2col3d(x[:, :, ::-1], 2, 1, 1), shape, 2, 1, 1)
            K.max_pool3d_forward(x.transpose(0, 1, 4, 3, 2), 2, 1, 1)
    kernels = [getattr(mod, name) for mod in (im2col3d_mod, pooling3d_mod) for name in dir(mod)
               if name.endswith(("_serial", "_parallel"))]
    assert len(kernels) == 6
    for kernel in kernels:
        assert len(kernel.signatures) <= 2, (kernel, kernel.signatures)
