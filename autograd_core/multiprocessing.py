"""``autograd_core.multiprocessing``: Python's :mod:`multiprocessing` under ``torch.multiprocessing``'s name.

Tensors here are plain numpy memory, so a tensor sent to another process is a copy (pickled), never shared
memory: ``Tensor.share_memory_()`` raises, and Hogwild-style training (workers updating one shared model) is not
possible. Processes, queues, pools and start methods are exactly Python's. Use the ``spawn`` or ``forkserver``
start method once a parallel kernel ran: numba's OpenMP runtime aborts a child made by ``fork`` after that.
"""
import multiprocessing as _mp
from multiprocessing import (Array, Barrier, Condition, Event, JoinableQueue, Lock, Manager, Pipe, Pool,  # noqa: F401
                             Process, Queue, RLock, Semaphore, SimpleQueue, Value, active_children, cpu_count,
                             current_process, get_all_start_methods, get_context, get_start_method,
                             set_start_method)


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Run ``fn(i, *args)`` in ``nprocs`` new processes (``i`` = 0..nprocs-1), as ``torch.multiprocessing.spawn``.

    With ``join=True`` waits for all and raises ``ProcessExitedException``-like RuntimeError naming the first
    process that failed; with ``join=False`` returns the started processes.
    """
    if isinstance(nprocs, bool) or not isinstance(nprocs, int) or nprocs < 1:
        raise ValueError(f"spawn(): nprocs must be a positive int, got {nprocs!r}")
    ctx = _mp.get_context(start_method)
    procs = [ctx.Process(target=fn, args=(i, *args), daemon=daemon) for i in range(nprocs)]
    for p in procs:
        p.start()
    if not join:
        return procs
    for p in procs:
        p.join()
    for i, p in enumerate(procs):
        if p.exitcode != 0:
            raise RuntimeError(f"process {i} terminated with exit code {p.exitcode}")
    return None


__all__ = ["Array", "Barrier", "Condition", "Event", "JoinableQueue", "Lock", "Manager", "Pipe", "Pool", "Process",
           "Queue", "RLock", "Semaphore", "SimpleQueue", "Value", "active_children", "cpu_count", "current_process",
           "get_all_start_methods", "get_context", "get_start_method", "set_start_method", "spawn"]
