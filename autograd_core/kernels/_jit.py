"""The one ``njit`` decorator every kernel uses: ``cache=True`` when numba can cache, and a safe fallback when not.

numba's ``cache=True`` looks for a writable place at *decoration* time: next to the source file (``__pycache__``),
then under ``$HOME/.cache``. When both are read-only (a system-wide install used from a locked-down account, a
read-only container) and ``NUMBA_CACHE_DIR`` is unset, it raises
``RuntimeError: cannot cache function ...: no locator available`` and the package would fail to import.

:func:`njit` catches exactly that error and falls back, in order, to

1. a private per-user cache directory under the temp dir (``<tmp>/autograd_core-numba-<uid>``), used only when it
   is a real directory (not a symlink) owned by the current user with no group/other permission bits. numba's
   cache index files are pickles, so a directory others can write to would let them run code in our process;
   we never create or reuse such a directory.
2. ``cache=False``: every process compiles its kernels once (about a second in all), nothing is written.

The private locator uses numba internals (``numba.core.caching``); if they change, step 1 quietly yields to step 2.

numba is a required dependency (``pyproject.toml``): there is no pure-numpy fallback for a missing numba. The
slow numpy versions in ``reference.py`` are test oracles and benchmark baselines only.
"""
import contextlib
import functools
import os
import stat
import tempfile
import threading

import numba
from numba import prange  # noqa: F401  (re-exported: kernels write ``from ._jit import njit, prange``)

_NO_LOCATOR = "no locator available"
# Below this many elements a kernel runs serially: waking numba's thread pool costs ~10 us on an idle machine and
# up to a scheduler tick (ms) on a busy one, more than the work itself.
PARALLEL_MIN_WORK = 1 << 16
_PRIVATE_DIR_NAME = "autograd_core-numba-{uid}"


def njit(*args, **options):
    """``numba.njit`` with ``cache=True`` by default and a fallback when no cache location is writable.

    Use exactly like ``numba.njit``: ``@njit``, ``@njit(parallel=True)``, ``@njit(cache=False)``.
    """
    if len(args) == 1 and callable(args[0]) and not options:
        return _jit(args[0], {})
    if args:
        raise TypeError("njit takes only keyword options (pass signatures via numba.njit directly)")
    return lambda func: _jit(func, options)


# One numba parallel region at a time in this process: a thread that finds another one inside a parallel kernel runs
# the serial version instead. Every threading layer is then safe to call from several threads (numba's
# ``workqueue`` layer aborts the process on concurrent parallel regions), and two threads never each start a
# thread team on a small machine. Scoped to our own kernels: numba's configuration is not touched.
_PARALLEL_REGION = threading.Lock()


# numba's OpenMP pool and a multi-threaded BLAS pool fight when they take turns: each one's idle threads spin after
# a call and steal the cores from the other (on 2 cores the course CNN's step ran 1.5-1.8x PyTorch's with both
# pools, 1.05x with our kernels serial beside OpenBLAS's 2 threads; bench/run.py --numba-serial, idle machine).
# So our kernels run serially while numpy's BLAS has more than one thread, and in parallel when it has one
# (OPENBLAS_NUM_THREADS=1, threadpoolctl limits). PARALLEL_BESIDE_BLAS = True restores parallel kernels anyway.
PARALLEL_BESIDE_BLAS = False
_blas_getters = None
_blas_setters = None


def blas_threads():
    """Threads of numpy's BLAS (OpenBLAS, read through ctypes each call); None when it cannot be told."""
    if _blas_getters is None:
        _find_blas()
    if not _blas_getters:
        return None
    return max(get() for get in _blas_getters)


def set_blas_threads(n):
    """Set numpy's BLAS (OpenBLAS) to ``n`` threads; returns the count before, or None when it cannot be set
    (nothing was changed). For scoped use around our own calls (``kernels/team.py``): restore it after."""
    before = blas_threads()
    if before is None or not _blas_setters:
        return None
    for set_ in _blas_setters:
        set_(int(n))
    return before


_limit_lock = threading.Lock()
_limit_depth = 0
_limit_before = None


@contextlib.contextmanager
def one_blas_thread():
    """numpy's BLAS on one thread inside the block (our own calls that run their own threads: ``kernels/team.py``),
    restored when the last of the nested or concurrent blocks ends; a no-op when the BLAS thread count can't be
    set. Counted, so two threads' blocks that overlap never restore each other's setting."""
    global _limit_depth, _limit_before
    with _limit_lock:
        if _limit_depth == 0:
            _limit_before = set_blas_threads(1)
        _limit_depth += 1
    try:
        yield
    finally:
        with _limit_lock:
            if _limit_depth > 0:         # (0 in a child forked inside the block: reset there)
                _limit_depth -= 1
            if _limit_depth == 0 and _limit_before is not None:
                set_blas_threads(_limit_before)
                _limit_before = None


def _reset_limit_after_fork():
    """A forked child has only the forking thread: blocks other threads were in never end there."""
    global _limit_lock, _limit_depth, _limit_before
    _limit_lock = threading.Lock()
    if _limit_depth and _limit_before is not None:
        set_blas_threads(_limit_before)
    _limit_depth, _limit_before = 0, None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_limit_after_fork)


def _find_blas():
    global _blas_getters, _blas_setters
    import ctypes
    getters, setters = [], []
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1].lower()})
    except OSError:
        paths = []
    for path in paths:
        if "numpy" not in path:          # numpy's own BLAS (torch may bundle another one)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
                               ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                getters.append(get)
                if set_ is not None:
                    set_.restype, set_.argtypes = None, [ctypes.c_int]
                    setters.append(set_)
                break
    # a getter without its setter: nothing is ever set (set_blas_threads returns None)
    _blas_setters = setters if len(setters) == len(getters) else []
    _blas_getters = getters


def pick(serial, parallel, work):
    """The kernel to call: ``serial`` for small ``work`` (elements touched) or while numpy's BLAS is
    multi-threaded (or its thread count is unknown; see above), else one that runs ``parallel`` when no other
    thread is in a parallel kernel of ours, and ``serial`` when one is."""
    if work < PARALLEL_MIN_WORK:
        return serial
    if not PARALLEL_BESIDE_BLAS and (blas_threads() or 2) > 1:
        return serial
    return functools.partial(_one_region_at_a_time, serial, parallel)


def _one_region_at_a_time(serial, parallel, *args):
    if not _PARALLEL_REGION.acquire(blocking=False):
        return serial(*args)
    try:
        return parallel(*args)
    finally:
        _PARALLEL_REGION.release()


def _jit(func, options):
    options = dict(options)
    if not options.pop("cache", True):
        return _numba_njit(func, cache=False, **options)
    try:
        return _numba_njit(func, cache=True, **options)
    except RuntimeError as exc:
        if _NO_LOCATOR not in str(exc):
            raise
    dispatcher = _numba_njit(func, cache=False, **options)
    cache = _private_function_cache(func)
    if cache is not None:
        # Dispatcher(cache=False) holds a NullCache in ``_cache``; numba's own ``enable_caching`` would
        # swap in a FunctionCache the same way, only with the default locators that just failed.
        dispatcher._cache = cache
    return dispatcher


def _numba_njit(func, **options):
    """The real decorator; a module attribute so tests can simulate a failing cache."""
    return numba.njit(**options)(func)


def private_cache_dir():
    """Return the per-user cache directory under the temp dir, creating it 0o700; None when it is not safe to use.

    Safe means: a real directory (``lstat``, so a planted symlink is refused), owned by this user, with no
    permission bits for group or others, and writable by us.
    """
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: no uid to check ownership against; do not cache
        return None
    uid = getuid()
    path = os.path.join(tempfile.gettempdir(), _PRIVATE_DIR_NAME.format(uid=uid))
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid or st.st_mode & 0o077:
        return None
    if not os.access(path, os.W_OK | os.X_OK):
        return None
    return path


def _private_function_cache(func):
    """A numba FunctionCache rooted in :func:`private_cache_dir`; None if that dir or numba's internals don't fit."""
    root = private_cache_dir()
    if root is None:
        return None
    try:
        from numba.core import caching

        class _PrivateDirLocator(caching.UserProvidedCacheLocator):
            """numba's NUMBA_CACHE_DIR locator, pointed at our private dir instead of ``numba.config.CACHE_DIR``."""

            def __init__(self, py_func, py_file):
                self._py_file = py_file
                self._lineno = py_func.__code__.co_firstlineno
                self._cache_path = os.path.join(root, self.get_suitable_cache_subpath(py_file))

            @classmethod
            def from_function(cls, py_func, py_file):
                # Skip UserProvidedCacheLocator's "is NUMBA_CACHE_DIR set" test; keep the source-file checks.
                return super(caching.UserProvidedCacheLocator, cls).from_function(py_func, py_file)

        class _PrivateImpl(caching.CompileResultCacheImpl):
            _locator_classes = [_PrivateDirLocator]

        class _PrivateFunctionCache(caching.FunctionCache):
            _impl_class = _PrivateImpl

        return _PrivateFunctionCache(func)
    except Exception:  # numba internals moved or the locator refused the dir: compile without a cache
        return None
