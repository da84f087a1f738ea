"""kernels/team.py (our own thread team, chunks of samples) and the Winograd convolution run chunk by chunk on it
(ops/conv_winograd.py: conv2d_chunked, gradients_chunked) against the whole-batch path."""
import threading

import numpy as np
import pytest

from autograd_core.kernels import _jit, team
from autograd_core.ops import conv_winograd


@pytest.mark.parametrize("n,chunk,threads", [(10, 3, 2), (7, 7, 2), (1, 4, 2), (64, 3, 4), (5, 2, 1)])
def test_run_covers_every_index_once(n, chunk, threads):
    seen = np.zeros(n, int)
    slots = set()
    lock = threading.Lock()

    def fn(lo, hi, slot):
        assert 0 <= lo < hi <= n and hi - lo <= chunk
        with lock:
            seen[lo:hi] += 1
            slots.add(slot)

    team.run(fn, n, chunk, threads)
    np.testing.assert_array_equal(seen, 1)
    assert slots <= set(range(threads))


def test_run_reraises_a_chunk_error_after_the_others_finish():
    done = []

    def fn(lo, hi, slot):
        if lo == 4:
            raise ValueError("chunk 4 failed")
        done.append(lo)

    with pytest.raises(ValueError, match="chunk 4 failed"):
        team.run(fn, 12, 2, 2)
    assert team._RUN.acquire(blocking=False)      # the team is free again
    team._RUN.release()


def test_run_restores_numpys_blas_threads_and_sets_one_inside():
    before = _jit.blas_threads()
    if before is None or before < 2 or not _jit._blas_setters:
        pytest.skip("numpy's BLAS thread count cannot be read and set here, or it has one thread")
    inside = []
    team.run(lambda lo, hi, slot: inside.append(_jit.blas_threads()), 8, 2, 2)
    assert set(inside) == {1}
    assert _jit.blas_threads() == before


def test_overlapping_one_blas_thread_blocks_restore_the_first_setting():
    """Two threads' blocks that overlap (A enters, B enters, A leaves, B leaves): BLAS stays at one thread until the
    last one leaves, then is back where it was (with a plain save-and-restore, B would restore A's 1)."""
    before = _jit.blas_threads()
    if before is None or before < 2 or not _jit._blas_setters:
        pytest.skip("needs numpy's OpenBLAS with 2+ threads and a thread-count setter")
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with _jit.one_blas_thread():
            a_in.set()
            b_in.wait()
        a_out.set()

    def b():
        a_in.wait()
        with _jit.one_blas_thread():
            b_in.set()
            a_out.wait()
            seen["after A left"] = _jit.blas_threads()

    threads = [threading.Thread(target=f) for f in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["after A left"] == 1
    assert _jit.blas_threads() == before
    with _jit.one_blas_thread():
        with _jit.one_blas_thread():        # nested on one thread
            assert _jit.blas_threads() == 1
        assert _jit.blas_threads() == 1
    assert _jit.blas_threads() == before


def test_a_busy_team_runs_the_second_caller_on_its_own_thread():
    """Two threads at once: one gets the team, the other does its chunks itself (slot 0 only), both complete."""
    started, release = threading.Event(), threading.Event()
    results = {}

    def first(lo, hi, slot):
        started.set()
        release.wait(5)

    t = threading.Thread(target=lambda: team.run(first, 4, 1, 2))
    t.start()
    assert started.wait(5)
    slots = []
    team.run(lambda lo, hi, slot: slots.append(slot), 6, 2, 2)
    results["second"] = slots
    release.set()
    t.join(5)
    assert results["second"] == [0, 0, 0]


CASES = [(3, (5, 9, 7, 11), 16, (1, 0)), (3, (6, 16, 14, 14), 24, (1, 1)), (5, (3, 8, 9, 6), 8, (2, 1)),
         (5, (7, 8, 5, 5), 12, (0, 0)), (5, (9, 16, 14, 14), 16, (2, 2))]


@pytest.mark.parametrize("r,shape,k,padding", CASES)
@pytest.mark.parametrize("threads", [1, 2])
def test_chunked_conv_matches_the_whole_batch_path(monkeypatch, r, shape, k, padding, threads):
    """Forward and both gradients, many small chunks (CHUNK_BYTES tiny), one or two threads, float64 (equal up to
    the GEMMs' rounding: a chunk is a smaller GEMM)."""
    monkeypatch.setattr(conv_winograd, "CHUNK_BYTES", 1)          # one sample per chunk
    monkeypatch.setattr(team, "threads", lambda: threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((k, shape[1], r, r))
    b = rng.standard_normal(k)
    y = conv_winograd.conv2d_chunked(x, w, b, padding)
    np.testing.assert_allclose(y, conv_winograd.conv2d(x, w, b, padding), rtol=1e-10, atol=1e-10)
    g = rng.standard_normal(y.shape)
    dx, dw = conv_winograd.gradients_chunked(x, g, w, padding)
    np.testing.assert_allclose(dx, conv_winograd.input_grad(g, w, padding, shape[2:]), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dw, conv_winograd.weight_grad(x, g, padding), rtol=1e-10, atol=1e-10)
    only_x = conv_winograd.gradients_chunked(x, g, w, padding, need_weight=False)
    only_w = conv_winograd.gradients_chunked(x, g, w, padding, need_input=False)
    assert only_x[1] is None and only_w[0] is None
    np.testing.assert_array_equal(only_x[0], dx)
    np.testing.assert_allclose(only_w[1], dw, rtol=1e-10, atol=1e-10)


def test_chunked_conv_in_float32_matches_float64():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((8, 16, 14, 14)), rng.standard_normal((32, 16, 5, 5)) * 0.1
    g = rng.standard_normal((8, 32, 14, 14))
    y64 = conv_winograd.conv2d_chunked(x, w, None, (2, 2))
    y32 = conv_winograd.conv2d_chunked(x.astype(np.float32), w.astype(np.float32), None, (2, 2))
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, y64, rtol=1e-4, atol=1e-4)
    dx32, dw32 = conv_winograd.gradients_chunked(x.astype(np.float32), g.astype(np.float32), w.astype(np.float32),
                                                 (2, 2))
    dx64, dw64 = conv_winograd.gradients_chunked(x, g, w, (2, 2))
    np.testing.assert_allclose(dx32, dx64, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dw32, dw64, rtol=1e-4, atol=2e-3)


def test_chunked_weight_gradient_is_deterministic_whichever_thread_does_which_chunk(monkeypatch):
    """Chunks go to whichever thread is free; the weight gradient is summed in chunk order, so it is bitwise the
    same every run and with one thread or two."""
    monkeypatch.setattr(conv_winograd, "CHUNK_BYTES", 1)
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((12, 16, 9, 9)), rng.standard_normal((16, 16, 5, 5))
    g = rng.standard_normal((12, 16, 9, 9))
    runs = []
    for threads in (2, 2, 2, 1):
        monkeypatch.setattr(team, "threads", lambda threads=threads: threads)
        runs.append(conv_winograd.gradients_chunked(x, g, w, (2, 2))[1])
    for dw in runs[1:]:
        np.testing.assert_array_equal(dw, runs[0])


def test_a_multithreaded_blas_that_cannot_be_set_means_no_team(monkeypatch):
    if not _jit.blas_threads() or _jit.blas_threads() < 2:
        pytest.skip("numpy's BLAS has one thread here (or can't be read)")
    monkeypatch.setattr(_jit, "_blas_setters", [])
    assert team.threads() == 1
