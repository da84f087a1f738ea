"""Winograd F(2x2, 3x3) (kernels/winograd.py, ops/conv_winograd.py) against the plain im2col path, its oracle."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import kernels
from autograd_core.kernels import reference, winograd
from autograd_core.ops import conv_winograd
from autograd_core.ops.conv import ConvGeometry, conv2d


def _plain_conv(x, w, b, padding):
    """im2col (the numpy oracle of kernels/reference.py) + one GEMM, in NCHW."""
    n = x.shape[0]
    cols = reference.im2col(x, 3, 1, padding)
    oh, ow = x.shape[2] + 2 * padding[0] - 2, x.shape[3] + 2 * padding[1] - 2
    y = (w.reshape(w.shape[0], -1) @ cols).reshape(w.shape[0], n, oh, ow).transpose(1, 0, 2, 3)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


@pytest.mark.parametrize("shape,k,padding", [((2, 8, 7, 9), 8, (1, 1)), ((3, 9, 6, 6), 11, (0, 0)),
                                             ((1, 8, 5, 8), 8, (2, 1)), ((2, 16, 3, 3), 8, (0, 2)),
                                             ((2, 8, 14, 14), 16, (1, 1))])
def test_forward_matches_im2col_in_float64(shape, k, padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((k, shape[1], 3, 3))
    b = rng.standard_normal(k)
    got = conv_winograd.conv2d(x, w, b, padding)
    np.testing.assert_allclose(got, _plain_conv(x, w, b, padding), rtol=1e-12, atol=1e-12)
    assert got.dtype == np.float64 and got.flags.c_contiguous


def test_float32_is_close_to_float64():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 32, 14, 14))
    w = rng.standard_normal((64, 32, 3, 3)) * 0.1
    got = conv_winograd.conv2d(x.astype(np.float32), w.astype(np.float32), None, (1, 1))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _plain_conv(x, w, None, (1, 1)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding", [(0, 0), (1, 1), (2, 1)])
def test_input_grad_is_the_adjoint_of_the_forward(padding):
    """<conv(x), g> == <x, input_grad(g)> for random x, g (float64)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 8, 7, 6))
    w = rng.standard_normal((10, 8, 3, 3))
    y = conv_winograd.conv2d(x, w, None, padding)
    g = rng.standard_normal(y.shape)
    gx = conv_winograd.input_grad(g, w, padding, x.shape[2:])
    assert gx.shape == x.shape
    np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, gx), rtol=1e-11)
    np.testing.assert_allclose(gx, conv_winograd.input_grad_by_flipped_conv(g, w, padding), rtol=1e-10, atol=1e-10)
    shared = conv_winograd.grad_domain(g)
    np.testing.assert_array_equal(conv_winograd.input_grad(g, w, padding, x.shape[2:], shared), gx)


def test_weight_transform_layout():
    w = np.random.default_rng(3).standard_normal((5, 4, 3, 3))
    u = winograd.weight_transform(w)
    assert u.shape == (16, 4, 5)
    np.testing.assert_allclose(u.reshape(4, 4, 4, 5)[:, :, 2, 3], winograd.G @ w[3, 2] @ winograd.G.T)


def test_conv2d_forward_and_backward_with_and_without_winograd(monkeypatch):
    rng = np.random.default_rng(4)
    x0, w0, b0 = rng.standard_normal((3, 8, 9, 10)), rng.standard_normal((12, 8, 3, 3)), rng.standard_normal(12)
    geom = ConvGeometry((3, 3), (1, 1), (1, 1), (1, 1), 1)
    assert conv_winograd.applies(geom, x0.shape, w0.shape)
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(conv_winograd, "ENABLED", enabled)
        x, w, b = (ag.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        y = conv2d(x, w, b, padding=1)
        (y * y).sum().backward()
        results.append([t.numpy() for t in (y, x.grad, w.grad, b.grad)])
    for fast, plain in zip(*results):
        np.testing.assert_allclose(fast, plain, rtol=1e-11, atol=1e-11)


def test_gradcheck_through_the_winograd_path():
    rng = np.random.default_rng(5)
    x = ag.tensor(rng.standard_normal((1, 8, 4, 5)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((8, 8, 3, 3)), requires_grad=True)
    assert ag.gradcheck(lambda x, w: conv2d(x, w, padding=1), (x, w))


@pytest.mark.parametrize("kernel,stride,dilation,groups,channels,applies", [
    ((3, 3), (1, 1), (1, 1), 1, 32, True),
    ((5, 5), (1, 1), (1, 1), 1, 32, True),      # F(2x2, 5x5), kernels/winograd_general.py
    ((7, 7), (1, 1), (1, 1), 1, 32, False),
    ((3, 3), (2, 2), (1, 1), 1, 32, False),
    ((3, 3), (1, 1), (2, 2), 1, 32, False),
    ((3, 3), (1, 1), (1, 1), 2, 32, False),
    ((3, 3), (1, 1), (1, 1), 1, 3, False),      # too few channels: the transforms cost more than they save
])
def test_selection(kernel, stride, dilation, groups, channels, applies):
    geom = ConvGeometry(kernel, stride, (1, 1), dilation, groups)
    assert conv_winograd.applies(geom, (64, channels, 14, 14), (64, channels // groups) + kernel) is applies


def test_plain_kernels_are_still_the_oracle():
    """The im2col kernel the Winograd path is checked against is itself checked against the numpy oracle."""
    x = np.random.default_rng(6).standard_normal((2, 8, 6, 6))
    np.testing.assert_allclose(kernels.im2col(x, 3, 1, 1), reference.im2col(x, 3, 1, 1))


# ---------------------------------------------------------------------------------------------- im2row fast path

@pytest.mark.parametrize("shape,k,kernel,stride,padding,dilation", [
    ((2, 8, 9, 10), 6, (5, 5), 1, 2, 1), ((2, 9, 11, 8), 5, (3, 2), (2, 1), (1, 0), 1),
    ((1, 8, 12, 12), 4, (3, 3), 1, 2, 2), ((3, 16, 7, 7), 8, (1, 1), 1, 0, 1)])
def test_im2row_path_matches_im2col_in_float64(monkeypatch, shape, k, kernel, stride, padding, dilation):
    from autograd_core.ops import conv
    rng = np.random.default_rng(7)
    x0, w0, b0 = rng.standard_normal(shape), rng.standard_normal((k, shape[1]) + kernel), rng.standard_normal(k)
    assert ConvGeometry(kernel, groups=1).uses_rows(shape[1])
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(conv, "ROWS_ENABLED", enabled)
        monkeypatch.setattr(conv_winograd, "ENABLED", False)
        x, w, b = (ag.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        y = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
        (y * y).sum().backward()
        results.append([t.numpy() for t in (y, x.grad, w.grad, b.grad)])
    for fast, plain in zip(*results):
        np.testing.assert_allclose(fast, plain, rtol=1e-11, atol=1e-11)


def test_im2row_rows_are_im2cols_columns_reordered():
    from autograd_core.kernels import im2row
    x = np.random.default_rng(8).standard_normal((2, 8, 6, 7))
    rows = im2row.im2row(x, (3, 2), (1, 2), (1, 1), (1, 1), (6, 4))
    cols = reference.im2col(x, (3, 2), (1, 2), 1)
    np.testing.assert_array_equal(rows, cols.reshape(8, 3, 2, -1).transpose(3, 1, 2, 0).reshape(rows.shape))
    w = np.random.default_rng(9).standard_normal((5, 8, 3, 2))
    np.testing.assert_array_equal(im2row.weight_from_rows(im2row.weight_rows(w), w.shape), w)


@pytest.mark.parametrize("shape,padding", [((2, 8, 7, 9), (1, 1)), ((1, 9, 6, 6), (0, 0)), ((2, 8, 5, 8), (2, 1))])
def test_weight_grad_is_the_adjoint_in_the_weight(shape, padding):
    """<conv(x, w), g> == <w, weight_grad(x, g)> (float64), with and without the forward's transformed input."""
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((10, shape[1], 3, 3))
    y, kept = conv_winograd.conv2d(x, w, None, padding, keep_input=True)
    g = rng.standard_normal(y.shape)
    for transformed in (kept, None):
        gw = conv_winograd.weight_grad(x, g, padding, transformed)
        assert gw.shape == w.shape and gw.dtype == np.float64
        np.testing.assert_allclose(np.vdot(y, g), np.vdot(w, gw), rtol=1e-11)


# ---------------------------------------------------------------------------------------------- F(2x2, 5x5)

def test_cook_toom_matrices_reproduce_the_hand_written_f23_up_to_signs():
    from autograd_core.kernels import winograd_general
    at, g, bt = winograd_general.matrices(2, 3)
    d, w = np.random.default_rng(11).standard_normal(4), np.random.default_rng(12).standard_normal(3)
    np.testing.assert_allclose(at @ ((g @ w) * (bt @ d)), [d[0:3] @ w, d[1:4] @ w])
    assert np.array_equal(bt, np.round(bt))


@pytest.mark.parametrize("shape,k,padding", [((2, 8, 9, 10), 8, (2, 2)), ((1, 9, 7, 7), 10, (0, 1)),
                                             ((2, 8, 14, 14), 16, (2, 2))])
def test_f25_forward_and_gradients_in_float64(shape, k, padding):
    rng = np.random.default_rng(13)
    x, w, b = rng.standard_normal(shape), rng.standard_normal((k, shape[1], 5, 5)), rng.standard_normal(k)
    n = shape[0]
    y, kept = conv_winograd.conv2d(x, w, b, padding, keep_input=True)
    oh, ow = y.shape[2:]
    ref = (w.reshape(k, -1) @ reference.im2col(x, 5, 1, padding)).reshape(k, n, oh, ow).transpose(1, 0, 2, 3)
    np.testing.assert_allclose(y, ref + b.reshape(1, -1, 1, 1), rtol=1e-11, atol=1e-11)
    g = rng.standard_normal(y.shape)
    y0 = y - b.reshape(1, -1, 1, 1)
    gw = conv_winograd.weight_grad(x, g, padding, kept)
    gx = conv_winograd.input_grad(g, w, padding, shape[2:])
    np.testing.assert_allclose(np.vdot(w, gw), np.vdot(y0, g), rtol=1e-11)
    np.testing.assert_allclose(np.vdot(x, gx), np.vdot(y0, g), rtol=1e-11)


def test_f25_float32_accuracy():
    rng = np.random.default_rng(14)
    x, w = rng.standard_normal((4, 32, 14, 14)), rng.standard_normal((64, 32, 5, 5)) * 0.05
    got = conv_winograd.conv2d(x.astype(np.float32), w.astype(np.float32), None, (2, 2))
    np.testing.assert_allclose(got, conv_winograd.conv2d(x, w, None, (2, 2)), rtol=1e-4, atol=1e-4)


def test_conv2d_5x5_with_and_without_winograd(monkeypatch):
    rng = np.random.default_rng(15)
    x0, w0, b0 = rng.standard_normal((2, 8, 9, 9)), rng.standard_normal((8, 8, 5, 5)), rng.standard_normal(8)
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(conv_winograd, "ENABLED", enabled)
        x, w, b = (ag.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        y = conv2d(x, w, b, padding=2)
        (y * y).sum().backward()
        results.append([t.numpy() for t in (y, x.grad, w.grad, b.grad)])
    for fast, plain in zip(*results):
        np.testing.assert_allclose(fast, plain, rtol=1e-10, atol=1e-10)
