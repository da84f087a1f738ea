"""The generated F(2x2, 5x5) transforms (kernels/winograd_f2x5.py) against the generic kernels they unroll
(kernels/winograd_general.py): bitwise the same, and the checked-in file is what the generator writes."""
import numpy as np
import pytest

from autograd_core.kernels import winograd_codegen, winograd_f2x5, winograd_general

M, R = 2, 5
A = M + R - 1


def test_checked_in_module_is_what_the_generator_writes():
    assert winograd_codegen.TARGET.read_text() == winograd_codegen.module_source(), \
        "kernels/winograd_f2x5.py is stale: run python -m autograd_core.kernels.winograd_codegen"


def _generic(name, lmat, dtype):
    ptr, idx, val = winograd_general._sparse_rows(lmat, dtype)
    if name.startswith("to"):
        a, t = lmat.shape
        return lambda src, flat, th, tw: winograd_general._to_serial(src, ptr, idx, val, a, t, M, th, tw, flat)
    t, a = lmat.shape
    return lambda flat, dst, th, tw: winograd_general._from_serial(flat, ptr, idx, val, t, a, M, th, tw, dst)


CASES = [(1, 1, 1, 1), (2, 3, 4, 5), (3, 7, 7, 32), (1, 2, 5, 17)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,th,tw,c", CASES)
@pytest.mark.parametrize("name,kind,lmat", winograd_codegen.kernels(M, R), ids=lambda v: v if isinstance(v, str)
                         else None)
def test_generated_kernel_is_bitwise_the_generic_one(name, kind, lmat, n, th, tw, c, dtype):
    rng = np.random.default_rng(n * 100 + c)
    fast, slow = getattr(winograd_f2x5, name), _generic(name, lmat, dtype)
    if kind == "to":
        t = lmat.shape[1]
        src = rng.standard_normal((n, M * th + t - M, M * tw + t - M, c)).astype(dtype)
        # a wider flat buffer than needed, as the chunked paths pass (rows of a pooled, larger buffer)
        got, want = (np.full((A * A, n * th * tw * c + 7), np.nan, dtype) for _ in range(2))
        fast(src, got, th, tw)
        slow(src, want, th, tw)
        np.testing.assert_array_equal(got[:, :n * th * tw * c], want[:, :n * th * tw * c])
        assert np.isnan(got[:, n * th * tw * c:]).all()          # nothing written past the tiles
    else:
        t = lmat.shape[0]
        flat = rng.standard_normal((A * A, n * th * tw * c + 3)).astype(dtype)
        start = rng.standard_normal((n, M * th + t - M, M * tw + t - M, c)).astype(dtype)   # windows are added
        got, want = start.copy(), start.copy()
        fast(flat, got, th, tw)
        slow(flat, want, th, tw)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == dtype


def test_generated_transforms_are_the_matrix_products():
    """Independent of the generic kernels: one tile through each transform is L tile L^T."""
    rng = np.random.default_rng(3)
    at, _, bt = winograd_general.matrices(M, R)
    x = rng.standard_normal((1, A, A, 1))
    flat = np.zeros((A * A, 1))
    winograd_f2x5.to_input(x, flat, 1, 1)
    np.testing.assert_allclose(flat.reshape(A, A), bt @ x[0, :, :, 0] @ bt.T, rtol=1e-12, atol=1e-12)
    y = np.zeros((1, M, M, 1))
    winograd_f2x5.from_output(flat, y, 1, 1)
    np.testing.assert_allclose(y[0, :, :, 0], at @ flat.reshape(A, A) @ at.T, rtol=1e-12, atol=1e-12)
    g = rng.standard_normal((1, M, M, 1))
    winograd_f2x5.to_grad(g, flat, 1, 1)
    np.testing.assert_allclose(flat.reshape(A, A), at.T @ g[0, :, :, 0] @ at, rtol=1e-12, atol=1e-12)
    dx = np.zeros((1, A, A, 1))
    winograd_f2x5.from_input_grad(flat, dx, 1, 1)
    np.testing.assert_allclose(dx[0, :, :, 0], bt.T @ flat.reshape(A, A) @ bt, rtol=1e-12, atol=1e-12)


def test_chunked_conv_is_bitwise_the_same_with_generated_or_generic_kernels(monkeypatch):
    """ops/conv_winograd's chunked forward and gradients take the generated kernels (UNROLLED) for 5x5."""
    from autograd_core.ops import conv_winograd
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 8, 11, 9)).astype(np.float32)
    w = (rng.standard_normal((12, 8, 5, 5)) * 0.1).astype(np.float32)
    b = rng.standard_normal(12).astype(np.float32)
    results = []
    for unrolled in (True, False):
        monkeypatch.setattr(conv_winograd, "UNROLLED", unrolled)
        y = np.array(conv_winograd.conv2d_chunked(x, w, b, (2, 2)))
        g = np.cos(y)
        dx, dw = conv_winograd.gradients_chunked(x, g, w, (2, 2))
        results.append((y, np.array(dx), dw))
    for fast, generic in zip(*results):
        np.testing.assert_array_equal(fast, generic)
