"""kernels/_jit.pick: our numba kernels run serially beside a multi-threaded numpy BLAS (the two thread pools
would fight), in parallel when BLAS has one thread, and one parallel region at a time."""
import numpy as np
import pytest

from autograd_core.kernels import _jit


def serial(*args):
    return "serial"


def parallel(*args):
    return "parallel"


def test_small_work_is_serial():
    assert _jit.pick(serial, parallel, _jit.PARALLEL_MIN_WORK - 1) is serial


def test_serial_beside_a_threaded_blas_and_parallel_beside_a_single_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    np.ones((4, 4)) @ np.ones((4, 4))
    if _jit.blas_threads() is None:
        pytest.skip("numpy's BLAS is not an OpenBLAS we can ask")
    work = _jit.PARALLEL_MIN_WORK
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        if _jit.blas_threads() < 2:
            pytest.skip("BLAS has a single thread here")
        assert _jit.pick(serial, parallel, work) is serial
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        assert _jit.blas_threads() == 1
        assert _jit.pick(serial, parallel, work)() == "parallel"


def test_parallel_beside_blas_can_be_asked_for(monkeypatch):
    monkeypatch.setattr(_jit, "PARALLEL_BESIDE_BLAS", True)
    assert _jit.pick(serial, parallel, _jit.PARALLEL_MIN_WORK)() == "parallel"


def test_a_thread_that_finds_a_parallel_region_runs_serially(monkeypatch):
    monkeypatch.setattr(_jit, "PARALLEL_BESIDE_BLAS", True)
    with _jit._PARALLEL_REGION:       # another thread is inside a parallel kernel
        assert _jit.pick(serial, parallel, _jit.PARALLEL_MIN_WORK)() == "serial"
    assert _jit.pick(serial, parallel, _jit.PARALLEL_MIN_WORK)() == "parallel"
