"""A small pool for the library's own large temporaries (im2col columns and their gradients).

Why: glibc's ``malloc`` serves blocks above its mmap threshold (which adapts up to 32 MiB, no further) with a
fresh ``mmap`` and unmaps them on ``free``, so a training step that allocates and frees the same 40 MB column
buffer every time faults all of its pages in again: about 8 ms of system time per 40 MB (the course CNN at batch
64, measured single-threaded). Raising the threshold with ``mallopt`` would fix it for the whole process, which a
library must not do (``autograd_core.tune_runtime()`` offers it as an opt-in); this pool keeps *our* buffers
instead.

Rules, so that a pooled buffer is never seen by anyone else:

* only code in ``ops/conv*.py`` takes buffers, for arrays that never leave the op (columns, column gradients);
* a buffer is given back exactly where its last use ends (``give``); one that is not given back is simply
  garbage-collected;
* pools are per thread (``threading.local``), so two threads never share a buffer, and a thread's pool dies with
  it;
* buffers are keyed by size in bytes and dtype: ``take`` returns a reshaped view of a flat buffer, so the forward
  columns ``(C*KK, N*L)`` and the input-gradient columns ``(N*L, C*KK)`` of one layer share one buffer;
* at most :data:`MAX_BYTES` are kept per thread (least recently given back are dropped first), and only buffers of
  at least :data:`MIN_BYTES` (smaller ones come from malloc's heap without page faults).

``take`` returns uninitialised memory, like ``np.empty``.
"""
import threading

import numpy as np

MIN_BYTES = 1 << 20
MAX_BYTES = 256 << 20

_local = threading.local()


def _pool():
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}     # (nbytes, dtype) -> list of flat arrays; insertion order = age
    return pool


def take(shape, dtype):
    """An uninitialised C-contiguous array of ``shape`` and ``dtype`` (from the pool when one fits)."""
    dtype = np.dtype(dtype)
    size = 1
    for s in shape:
        size *= int(s)
    nbytes = size * dtype.itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    free = _pool().get((nbytes, dtype))
    flat = free.pop() if free else np.empty(size, dtype)
    return flat.reshape(-1).reshape(shape)


def give(array):
    """Return an array obtained from :func:`take` (or any C-contiguous array the caller owns and will not touch
    again) to this thread's pool."""
    if array is None or array.nbytes < MIN_BYTES:
        return
    flat = array
    while flat.base is not None and isinstance(flat.base, np.ndarray):
        flat = flat.base
    if not flat.flags.c_contiguous or flat.nbytes != array.nbytes:
        return
    pool = _pool()
    key = (flat.nbytes, flat.dtype)
    free = pool.pop(key, [])        # re-inserted last: the most recently used size is dropped last
    if not any(f is flat for f in free):     # given back twice: keep it once, never hand it out twice
        free.append(flat)
    pool[key] = free
    total = sum(k[0] * len(v) for k, v in pool.items())
    while total > MAX_BYTES and pool:
        oldest = next(iter(pool))
        total -= oldest[0] * len(pool[oldest])
        del pool[oldest]


def pooled_bytes():
    """Bytes held in this thread's pool (for tests and diagnostics)."""
    return sum(k[0] * len(v) for k, v in _pool().items())


def clear():
    """Drop this thread's pooled buffers."""
    _pool().clear()
