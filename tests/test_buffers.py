"""kernels/buffers.py: the per-thread pool for the convolutions' large temporaries."""
import threading

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.kernels import buffers
from autograd_core.ops.conv import conv2d


@pytest.fixture(autouse=True)
def empty_pool():
    buffers.clear()
    yield
    buffers.clear()


def test_a_given_back_buffer_is_reused_under_another_shape_of_the_same_size():
    a = buffers.take((256, 1024), np.float32)          # 1 MiB
    a_addr = a.ctypes.data
    buffers.give(a.T)                                   # a transposed view counts as the same buffer
    assert buffers.pooled_bytes() == a.nbytes
    b = buffers.take((1024, 256), np.float32)
    assert b.shape == (1024, 256) and b.flags.c_contiguous and b.ctypes.data == a_addr
    assert buffers.pooled_bytes() == 0


def test_dtype_small_arrays_and_double_give():
    a = buffers.take((1 << 18,), np.float32)
    buffers.give(a)
    buffers.give(a)                                     # given back twice: still handed out once
    assert buffers.pooled_bytes() == a.nbytes
    assert buffers.take((1 << 17,), np.float64).ctypes.data != a.ctypes.data   # other dtype: a fresh array
    small = buffers.take((10,), np.float32)
    buffers.give(small)                                 # below MIN_BYTES: not kept
    assert buffers.pooled_bytes() == a.nbytes


def test_the_pool_is_capped(monkeypatch):
    monkeypatch.setattr(buffers, "MAX_BYTES", 3 << 20)
    arrays = [buffers.take((1 << 18,), np.float32) for _ in range(5)]    # 1 MiB each
    for a in arrays:
        buffers.give(a)
    assert buffers.pooled_bytes() <= 3 << 20


def test_pools_are_per_thread():
    a = buffers.take((1 << 18,), np.float32)
    buffers.give(a)
    seen = []
    t = threading.Thread(target=lambda: seen.append((buffers.pooled_bytes(), buffers.take((1 << 18,),
                                                                                          np.float32).ctypes.data)))
    t.start()
    t.join()
    assert seen[0][0] == 0 and seen[0][1] != a.ctypes.data


@pytest.mark.parametrize("path", ["winograd", "rows", "cols"])
def test_conv_steps_reuse_their_buffers_and_stay_correct(monkeypatch, path):
    """Training steps of a conv whose temporaries go through the pool give the same gradients every step, and the
    pool stops growing after the first step (each path: Winograd, im2row's rows, im2col's columns)."""
    from autograd_core.ops import conv, conv_winograd
    monkeypatch.setattr(conv_winograd, "ENABLED", path == "winograd")
    monkeypatch.setattr(conv, "ROWS_ENABLED", path == "rows")
    rng = np.random.default_rng(0)
    x = ag.Tensor(rng.standard_normal((32, 16, 16, 16)), requires_grad=True)
    w = ag.Tensor(rng.standard_normal((8, 16, 3, 3)), requires_grad=True)
    grads, pooled = [], []
    for _ in range(3):
        x.grad = w.grad = None
        (conv2d(x, w, padding=1) ** 2).sum().backward()
        grads.append((x.grad.numpy().copy(), w.grad.numpy().copy()))
        pooled.append(buffers.pooled_bytes())
    assert pooled[0] > 0 and pooled[1] == pooled[2] == pooled[0]
    for gx, gw in grads[1:]:
        np.testing.assert_array_equal(gx, grads[0][0])
        np.testing.assert_array_equal(gw, grads[0][1])
    with ag.no_grad():                                  # inference: the temporaries go back after use
        conv2d(x, w, padding=1)
    assert buffers.pooled_bytes() == pooled[0]
