"""``set_num_threads`` / ``get_num_threads``: how many threads this engine's own (numba) kernels use.

The setting is numba's (``numba.set_num_threads``), capped at the threads numba started with
(``numba.config.NUMBA_NUM_THREADS``, the CPU count unless ``NUMBA_NUM_THREADS`` was set); like numba's, it
applies to kernels launched from the calling thread. numpy's BLAS threads (matrix products) are not changed: use
``threadpoolctl`` for those. No environment variable is touched.

There is no inter-op parallelism here (ops run one after another), so ``set_num_interop_threads`` only records
the value ``get_num_interop_threads`` returns.
"""
import numba


def _positive_int(n, where):
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"{where} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{where} expects a positive integer")
    return n


def set_num_threads(n):
    """Use ``n`` threads (at most ``numba.config.NUMBA_NUM_THREADS``) in this engine's parallel kernels."""
    n = _positive_int(n, "set_num_threads")
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))


def get_num_threads():
    """The number of threads this engine's parallel kernels use (numba's setting)."""
    return numba.get_num_threads()


_interop_threads = 1


def set_num_interop_threads(n):
    """Record ``n`` (a positive int) as the inter-op thread count; ops run sequentially here, so it has no
    effect on speed."""
    global _interop_threads
    _interop_threads = _positive_int(n, "set_num_interop_threads")


def get_num_interop_threads():
    """The value given to :func:`set_num_interop_threads` (1 unless set; ops run one after another)."""
    return _interop_threads
