"""Our own small thread team: a batch split into chunks of samples, each chunk's whole pipeline on one thread.

Why: a convolution on the Winograd path is three passes (transform, GEMMs, transform back) over domain buffers
several times larger than the input. Run pass after pass over the whole batch, each pass streams them through
memory, and two thread pools take turns (numpy's OpenBLAS for the GEMMs, ours for the transforms), each spinning
while the other works. Run chunk by chunk, a chunk's buffers stay in cache, and one team of threads does all of it:
each thread takes the next chunk (so a core taken by another process just does fewer chunks), with numpy's BLAS on
one thread inside. Measured (conv2d 32->64, 14x14, 5x5, batch 64, forward, idle 2-core AMD EPYC): 15-16 ms pass by
pass, 7-9 ms chunked on two threads.

:func:`run` calls ``fn(lo, hi, slot)`` over ``range(0, n)`` in chunks; ``slot`` (``0 .. threads - 1``) names the
thread, so each can own scratch buffers. ``fn`` must release the GIL for its heavy parts (numpy's BLAS does, our
kernels declare ``nogil=True``) and call serial kernels only.

Scoped, like the rest of our threading (``_jit.py``): the team is created on first use (nothing at import), one run
at a time (a thread that finds the team busy does its chunks itself), numpy's BLAS thread count is set to one for
the run and restored after, and numba's and other libraries' settings are not touched.
"""
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba

from . import _jit

_RUN = threading.Lock()     # one team run at a time
_pool = None
_pool_size = 0


def threads():
    """Threads a run may use: numpy's BLAS thread count when it is above one (the cores the caller gave our
    GEMMs) and it can be set to one for the run, else numba's (the cores our parallel kernels would use beside a
    one-thread BLAS); one when the BLAS can't be read, or is multi-threaded and can't be set."""
    b = _jit.blas_threads()
    if b is None:
        return 1
    if b > 1:
        return b if _jit._blas_setters else 1
    return numba.get_num_threads()


def chunk_size(n, per_sample_bytes, nthreads, target_bytes):
    """Samples per chunk: a chunk's buffers (``per_sample_bytes`` a sample) near ``target_bytes``, and at least two
    chunks per thread when the batch allows (so a thread slowed by another process does fewer)."""
    return max(1, min(-(-n // (2 * nthreads)), target_bytes // max(per_sample_bytes, 1)))


def run(fn, n, chunk, nthreads=None):
    """Call ``fn(lo, hi, slot)`` for ``[lo, hi)`` = ``[0, chunk), [chunk, 2*chunk), ...`` up to ``n``, on up to
    ``nthreads`` threads (default :func:`threads`) of which the caller is one. Returns when all chunks are done;
    the first exception raised by a chunk is re-raised here (after the other threads finished theirs)."""
    nthreads = threads() if nthreads is None else nthreads
    nthreads = max(1, min(nthreads, -(-n // chunk)))
    if nthreads == 1 or not _RUN.acquire(blocking=False):
        for lo in range(0, n, chunk):
            fn(lo, min(lo + chunk, n), 0)
        return
    try:
        starts = itertools.count(0, chunk)      # next() on a count is atomic under the GIL

        def work(slot):
            for lo in starts:
                if lo >= n:
                    return
                fn(lo, min(lo + chunk, n), slot)

        with _jit.one_blas_thread():
            futures = [_workers(nthreads - 1).submit(work, s) for s in range(1, nthreads)]
            error = None
            try:
                work(0)
            except BaseException as exc:    # let the workers finish before re-raising
                error = exc
            for f in futures:
                exc = f.exception()
                error = error or exc
            if error is not None:
                raise error
    finally:
        _RUN.release()


def _workers(k):
    global _pool, _pool_size
    if _pool is None or _pool_size < k:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool = ThreadPoolExecutor(max_workers=k, thread_name_prefix="autograd_core-team")
        _pool_size = k
    return _pool


def _forget_pool():         # a forked child has none of the parent's threads
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
