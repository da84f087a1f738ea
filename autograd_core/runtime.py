"""Process settings that let numba's kernels and numpy's BLAS share a small CPU; applied once, at import.

A CNN training step allocates and frees about 170 MB of large arrays (activations, im2col columns, gradients) and
alternates numba parallel kernels with multi-threaded BLAS calls. Two process-wide defaults cost more than the
arithmetic on a 2-core machine (CNN of ``bench/``, batch 64; ``bench/results_conv.md``):

* **Page faults.** glibc's ``free`` hands blocks above 32 MiB, and heap tops above 64 MiB, back to the kernel, so
  every step faults its big temporaries in again: ~7,000 minor faults and ~40 ms of system time per step.
  On glibc we call ``mallopt`` so that freed memory stays in the process for the next step
  (``M_MMAP_THRESHOLD`` 256 MiB, ``M_TRIM_THRESHOLD`` 1 GiB); the process's resident size then stays at its peak,
  as with PyTorch's caching allocators.
* **Spinning threads.** numba's parallel kernels run on GNU OpenMP and numpy's GEMMs on OpenBLAS's own threads.
  Both pools keep their idle threads spinning after a call (OpenMP about 300,000 times, OpenBLAS for 2**28
  cycles, ~0.1 s), so on two cores each steals the CPU from the other in the call that follows: a step costs
  ~40% more CPU time. ``GOMP_SPINCOUNT=10000`` (a fraction of a millisecond) is put in ``os.environ``; libgomp reads
  it when it is loaded, i.e. at numba's first parallel kernel. If another library (torch) loaded OpenMP before
  ``autograd_core`` was imported, that is too late; numba then gets its own ``workqueue`` threading layer instead
  (``NUMBA_THREADING_LAYER``), whose idle threads sleep. ``OPENBLAS_THREAD_TIMEOUT=4`` (2**4 cycles) is
  put there too; OpenBLAS reads it when it starts its threads, so if numpy is already imported we ask the loaded
  OpenBLAS to re-read its environment (``openblas_read_env``) and to stop its idle threads
  (``blas_thread_shutdown_``, what OpenBLAS itself does before a ``fork``); its next parallel call starts them
  again with the short timeout.

Each setting is skipped when the user already chose (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``,
``GLIBC_TUNABLES``, ``GOMP_SPINCOUNT``, ``OMP_WAIT_POLICY``, ``NUMBA_THREADING_LAYER``, ``OPENBLAS_THREAD_TIMEOUT``
in the environment); ``AUTOGRAD_CORE_TUNE_RUNTIME=0`` skips all of them. :func:`runtime_settings` says what was
applied and why not.

Example::

    >>> import autograd_core
    >>> autograd_core.runtime_settings()["openmp"]
    'set GOMP_SPINCOUNT=10000'
"""
import ctypes
import os
import platform
import sys

MMAP_THRESHOLD = 256 << 20
TRIM_THRESHOLD = 1 << 30
GOMP_SPINCOUNT = "10000"
OPENBLAS_THREAD_TIMEOUT = "4"
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3   # glibc's mallopt parameter numbers (malloc.h)
OPT_OUT = "AUTOGRAD_CORE_TUNE_RUNTIME"

_settings = {}


def runtime_settings():
    """What :func:`apply` did: ``{"malloc": ..., "openmp": ..., "openblas_thread_timeout": ...}``, one
    human-readable line each."""
    return dict(_settings)


def apply(environ=None, libc_loader=None, loaded_libraries=None):
    """Apply the settings described in the module docstring (once per process; later calls only report).

    Args:
        environ: the environment mapping to read and update (``os.environ``; tests pass a dict).
        libc_loader: returns the C library handle (tests pass a fake); default ``ctypes.CDLL(None)``.
        loaded_libraries: returns the paths of the shared libraries in the process (tests pass a fake);
            default: read from ``/proc/self/maps``.
    """
    environ = os.environ if environ is None else environ
    if _settings and environ is os.environ:
        return runtime_settings()
    loaded = _loaded_libraries() if loaded_libraries is None else loaded_libraries
    if environ.get(OPT_OUT, "1").strip().lower() in ("0", "false", "no", "off"):
        settings = dict.fromkeys(("malloc", "openmp", "openblas_thread_timeout"), f"skipped: {OPT_OUT}=0")
    else:
        settings = {"malloc": _tune_malloc(environ, libc_loader), "openmp": _tune_openmp(environ, loaded),
                    "openblas_thread_timeout": _tune_openblas(environ, loaded)}
    if environ is os.environ:
        _settings.update(settings)
    return settings


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
    environ["GOMP_SPINCOUNT"] = GOMP_SPINCOUNT
    if not any("libgomp" in os.path.basename(path) for path in loaded):
        return f"set GOMP_SPINCOUNT={GOMP_SPINCOUNT}"
    # OpenMP is already running with its long spin (torch was imported first); numba would share it, so give
    # numba its own workqueue layer instead, whose idle threads sleep (measured faster in that case, slower
    # than OpenMP with the short spin otherwise)
    late = "OpenMP was loaded before autograd_core, so GOMP_SPINCOUNT has no effect"
    if "NUMBA_THREADING_LAYER" in environ:
        return f"{late}; NUMBA_THREADING_LAYER kept as set by the user"
    environ["NUMBA_THREADING_LAYER"] = "workqueue"
    numba = sys.modules.get("numba")
    if environ is os.environ and numba is not None:   # numba read its config at import: set it there too
        numba.config.THREADING_LAYER = "workqueue"
    return f"{late}; set NUMBA_THREADING_LAYER=workqueue"


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
