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

**Leased arrays** (:func:`lease`, :func:`lease_zeros`) are for large arrays that *do* leave the op (an op's output,
a gradient handed to the engine), whose last use nobody knows. Their memory is a pooled block owned by a small
``_Lease`` object: the array (and every view of it) keeps the lease alive through its ``base`` chain, and when the
last of them is collected the lease puts the block on a queue that the next :func:`lease` drains into one
process-wide pool (a lock guards it; the queue itself needs none, so a lease dying on any thread, or inside the
garbage collector, is safe). So the activations and gradients of one training step reuse the pages of the last
one instead of faulting fresh ones in (the course CNN at batch 64: about 5,000 minor faults a step without it).
The leased pool keeps at most :data:`LEASE_MAX_BYTES` of free blocks (least recently returned are dropped first).
A leased array does not own its data (``flags.owndata`` is False): resize it and numpy refuses, as for any view.
"""
import collections
import os
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


# --------------------------------------------------------------------------------------------- leased arrays

LEASE_MAX_BYTES = 256 << 20

_returned = collections.deque()     # blocks whose lease died; drained into _free by lease()
_free = {}                          # (nbytes, dtype) -> list of flat blocks; insertion order = age
_free_bytes = [0]
_lease_lock = threading.Lock()


class _Lease:
    """Owns a pooled block while arrays made from it live; gives the block back when it is collected."""

    __slots__ = ("block", "__array_interface__")

    def __init__(self, block):
        self.block = block
        self.__array_interface__ = block.__array_interface__

    def __del__(self):
        try:
            _returned.append(self.block)
        except Exception:       # interpreter shutdown: the module's globals may be gone already
            pass


def _drain():
    while _returned:
        block = _returned.popleft()
        key = (block.nbytes, block.dtype)
        free = _free.pop(key, [])   # re-inserted last: the most recently returned size is dropped last
        free.append(block)
        _free[key] = free
        _free_bytes[0] += block.nbytes
    while _free_bytes[0] > LEASE_MAX_BYTES and _free:
        oldest = next(iter(_free))
        _free_bytes[0] -= oldest[0] * len(_free.pop(oldest))


def lease(shape, dtype):
    """An uninitialised C-contiguous array of ``shape`` and ``dtype`` whose memory returns to a process-wide
    pool when the array and all its views are gone (a plain ``np.empty`` below :data:`MIN_BYTES`)."""
    dtype = np.dtype(dtype)
    size = 1
    for s in shape:
        size *= int(s)
    nbytes = size * dtype.itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    key = (nbytes, dtype)
    with _lease_lock:
        _drain()
        free = _free.get(key)
        block = None
        if free:
            block = free.pop()
            _free_bytes[0] -= nbytes
            if not free:
                del _free[key]
    if block is None:
        block = np.empty(size, dtype)
    return np.asarray(_Lease(block)).reshape(shape)


def lease_zeros(shape, dtype):
    """:func:`lease`, filled with zeros."""
    out = lease(shape, dtype)
    out.fill(0)
    return out


def leased_free_bytes():
    """Bytes of free blocks in the leased pool (for tests and diagnostics)."""
    with _lease_lock:
        _drain()
        return _free_bytes[0]


def clear_leased():
    """Drop the leased pool's free blocks (arrays still alive give theirs back later)."""
    with _lease_lock:
        _drain()
        _free.clear()
        _free_bytes[0] = 0


def _after_fork():
    global _lease_lock
    _lease_lock = threading.Lock()      # a lock held by another thread at fork time would never be released


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
