"""kernels/buffers.py: the per-thread pool for the convolutions' large temporaries, and the leased pool for large op
outputs (returned when the last view of them is collected)."""
import gc
import resource
import threading

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.kernels import buffers
from autograd_core.ops.conv import conv2d


@pytest.fixture(autouse=True)
def empty_pool():
    buffers.clear()
    buffers.clear_leased()
    yield
    buffers.clear()
    buffers.clear_leased()


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


# ------------------------------------------------------------------------------------------------ leased arrays

def test_a_leased_block_comes_back_only_when_its_last_view_dies():
    a = buffers.lease((512, 1024), np.float32)          # 2 MiB
    addr = a.ctypes.data
    assert a.shape == (512, 1024) and a.dtype == np.float32 and a.flags.c_contiguous and a.flags.writeable
    row = a[3]                                          # a view keeps the block leased
    del a
    assert buffers.leased_free_bytes() == 0
    other = buffers.lease((512, 1024), np.float32)
    assert other.ctypes.data != addr                    # still in use (by ``row``): not handed out again
    row[:] = 7
    assert (row == 7).all()
    del row
    assert buffers.leased_free_bytes() == 512 * 1024 * 4
    again = buffers.lease((1024, 512), np.float32)      # same bytes and dtype, another shape: the same block
    assert again.ctypes.data == addr and again.shape == (1024, 512)
    assert buffers.leased_free_bytes() == 0
    del other


def test_leased_small_arrays_dtypes_zeros_and_the_cap(monkeypatch):
    small = buffers.lease((10,), np.float32)
    assert small.flags.owndata                          # below MIN_BYTES: a plain array
    a = buffers.lease((1 << 18,), np.float32)
    addr = a.ctypes.data
    a.fill(5)
    del a
    b = buffers.lease((1 << 17,), np.float64)           # same bytes, other dtype: a fresh block
    assert b.ctypes.data != addr
    z = buffers.lease_zeros((1 << 18,), np.float32)     # the float32 block again, zeroed
    assert z.ctypes.data == addr and not z.any()
    del b, z
    monkeypatch.setattr(buffers, "LEASE_MAX_BYTES", 3 << 20)
    arrays = [buffers.lease((1 << 18, k + 1), np.float32) for k in range(4)]   # 1, 2, 3, 4 MiB
    del arrays
    assert buffers.leased_free_bytes() <= 3 << 20


def test_a_lease_can_die_on_another_thread():
    box = [buffers.lease((1 << 18,), np.float32)]
    addr = box[0].ctypes.data
    t = threading.Thread(target=box.clear)
    t.start()
    t.join()
    assert buffers.lease((1 << 18,), np.float32).ctypes.data == addr


def test_a_lease_in_a_reference_cycle_returns_when_collected():
    class Holder:
        pass
    h = Holder()
    h.me, h.array = h, buffers.lease((1 << 18,), np.float32)
    del h
    gc.collect()
    assert buffers.leased_free_bytes() == 1 << 20


def test_training_steps_fault_no_pages_in_for_their_activations():
    """The course CNN's activations and their gradients (ReLU, max pooling, the Winograd conv output) reuse the
    last step's pages: a few steps in, a step faults (almost) no fresh pages in. Without the leased pool it faults
    about 5,000 (20 MB) at batch 64; this batch 32 faults about 1,900."""
    import optim
    from nn.functional import cross_entropy
    from nn.models import CNN
    ag.manual_seed(0)
    model = CNN()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = ag.Tensor(rng.standard_normal((32, 1, 28, 28)).astype(np.float32))
    y = ag.Tensor(rng.integers(0, 10, 32))

    def step():
        opt.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    losses = [step() for _ in range(4)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    losses += [step() for _ in range(3)]
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 3
    assert faults < 500, faults
    assert losses[-1] < losses[0]
