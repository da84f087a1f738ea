"""Process-wide tuning for numba's kernels and numpy's BLAS on a small CPU: opt-in, never applied at import.

``import autograd_core`` changes nothing in the process it is imported into: no environment variable is written,
no allocator setting is changed, no other library's threads are restarted and numba's threading layer is left as
numba chooses it. What the library needs for speed it does inside its own calls (pools in ``kernels/buffers.py``
for the convolutions' large temporaries and for large op outputs, so a training step reuses the last one's pages
instead of faulting fresh ones in; one numba parallel region at a time in ``kernels/_jit.py``).

:func:`tune_runtime` is the explicit, process-wide tuning that an application (the ``autograd-train`` CLI, the
benchmarks in ``bench/``) may choose to apply, ideally first thing, before numpy and torch are imported:

* **Allocator (glibc).** ``free`` hands blocks above 32 MiB, and heap tops above 64 MiB, back to the kernel, so a
  training loop faults its big temporaries in again every step. ``mallopt`` (``M_MMAP_THRESHOLD`` 256 MiB,
  ``M_TRIM_THRESHOLD`` 1 GiB) keeps freed memory in the process; its resident size then stays at its peak.
* **OpenMP spinning.** numba's parallel kernels run on GNU OpenMP, whose idle threads spin (about 300,000 times)
  after each parallel region and steal the CPU from the BLAS call that follows. ``GOMP_SPINCOUNT=10000`` is put in
  ``os.environ``; libgomp reads it when it loads, so it only helps if no library has loaded OpenMP yet (then it is
  reported as having no effect; the threading layer is *not* changed).
* **OpenBLAS spinning.** ``OPENBLAS_THREAD_TIMEOUT=4`` (idle OpenBLAS threads sleep after 2**4 cycles instead of
  2**28) is put in ``os.environ``; if OpenBLAS is already loaded it re-reads its environment and stops its idle
  threads (``blas_thread_shutdown_``, what OpenBLAS does before a ``fork``); the next call starts them again.

Each setting is skipped when the user already chose (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``,
``GLIBC_TUNABLES``, ``GOMP_SPINCOUNT``, ``OMP_WAIT_POLICY``, ``OPENBLAS_THREAD_TIMEOUT``);
``AUTOGRAD_CORE_TUNE_RUNTIME=0`` makes :func:`tune_runtime` do nothing. Environment variables written here are
inherited by subprocesses; that is why this is a call you make, not something the import does.

Example::

    >>> import autograd_core
    >>> autograd_core.runtime_settings()["openmp"]
    'not applied (call autograd_core.tune_runtime())'
    >>> autograd_core.tune_runtime()["openmp"]      # doctest: +SKIP
    'set GOMP_SPINCOUNT=10000'
"""
import ctypes
import os
import platform

MMAP_THRESHOLD = 256 << 20
TRIM_THRESHOLD = 1 << 30
GOMP_SPINCOUNT = "10000"
OPENBLAS_THREAD_TIMEOUT = "4"
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3   # glibc's mallopt parameter numbers (malloc.h)
OPT_OUT = "AUTOGRAD_CORE_TUNE_RUNTIME"
_KEYS = ("malloc", "openmp", "openblas_thread_timeout")

_settings = {}


def runtime_settings():
    """What :func:`tune_runtime` did in this process: ``{"malloc": ..., "openmp": ..., "openblas_thread_timeout":
    ...}``, one human-readable line each (``'not applied ...'`` until it is called)."""
    if not _settings:
        return dict.fromkeys(_KEYS, "not applied (call autograd_core.tune_runtime())")
    return dict(_settings)


def tune_runtime(environ=None, libc_loader=None, loaded_libraries=None):
    """Apply the process-wide settings of the module docstring (once per process; later calls only report).

    Opt-in: the library works, and meets its speed targets, without it. Call it early, before numpy, numba or
    torch have started their threads.

    Args:
        environ: the environment mapping to read and update (default ``os.environ``; tests pass a dict).
        libc_loader: returns the C library handle (tests pass a fake); default ``ctypes.CDLL(None)``.
        loaded_libraries: returns the paths of the shared libraries in the process (tests pass a fake list);
            default: read from ``/proc/self/maps``.

    Returns:
        the same dict as :func:`runtime_settings`.
    """
    environ = os.environ if environ is None else environ
    if _settings and environ is os.environ:
        return runtime_settings()
    loaded = _loaded_libraries() if loaded_libraries is None else loaded_libraries
    if environ.get(OPT_OUT, "1").strip().lower() in ("0", "false", "no", "off"):
        settings = dict.fromkeys(_KEYS, f"skipped: {OPT_OUT}=0")
    else:
        settings = {"malloc": _tune_malloc(environ, libc_loader), "openmp": _tune_openmp(environ, loaded),
                    "openblas_thread_timeout": _tune_openblas(environ, loaded)}
    if environ is os.environ:
        _settings.update(settings)
    return dict(settings)


def _tune_malloc(environ, libc_loader):
    chosen = [name for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_") if name in environ]
    if "glibc.malloc" in environ.get("GLIBC_TUNABLES", ""):
        chosen.append("GLIBC_TUNABLES")
    if chosen:
        return f"skipped: {', '.join(chosen)} set by the user"
    if libc_loader is None:
        if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
            return "skipped: not glibc"
        libc_loader = _load_libc
    try:
        mallopt = libc_loader().mallopt
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    except (OSError, AttributeError) as exc:
        return f"skipped: mallopt unavailable ({exc})"
    if not ok:
        return "skipped: mallopt refused the thresholds"
    return f"set M_MMAP_THRESHOLD={MMAP_THRESHOLD >> 20} MiB, M_TRIM_THRESHOLD={TRIM_THRESHOLD >> 20} MiB"


def _load_libc():
    return ctypes.CDLL(None)


def _tune_openmp(environ, loaded):
    for name in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY"):
        if name in environ:
            return f"skipped: {name} set by the user"
    if any("libgomp" in os.path.basename(path) for path in loaded):
        # too late for libgomp to read it; numba's threading layer is left alone (its workqueue layer, whose idle
        # threads sleep, is not thread-safe)
        return "skipped: OpenMP was loaded before tune_runtime(), so GOMP_SPINCOUNT would have no effect"
    environ["GOMP_SPINCOUNT"] = GOMP_SPINCOUNT
    return f"set GOMP_SPINCOUNT={GOMP_SPINCOUNT}"


def _tune_openblas(environ, loaded):
    if "OPENBLAS_THREAD_TIMEOUT" in environ:
        return "skipped: OPENBLAS_THREAD_TIMEOUT set by the user"
    environ["OPENBLAS_THREAD_TIMEOUT"] = OPENBLAS_THREAD_TIMEOUT
    restarted = []
    for path in loaded:
        if "openblas" not in os.path.basename(path).lower():
            continue
        try:
            lib = ctypes.CDLL(path)
            read_env, shutdown = lib.openblas_read_env, lib.blas_thread_shutdown_
        except (OSError, AttributeError):
            continue
        read_env()
        shutdown()   # idle threads stop; the next parallel BLAS call starts them with the new timeout
        restarted.append(os.path.basename(path))
    done = f"set OPENBLAS_THREAD_TIMEOUT={OPENBLAS_THREAD_TIMEOUT}"
    return f"{done}, restarted the threads of {', '.join(restarted)}" if restarted else done


def _loaded_libraries():
    """Paths of the shared libraries mapped into this process (Linux; elsewhere an empty list)."""
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps if ".so" in line.rsplit("/", 1)[-1]})
    except OSError:
        return []
