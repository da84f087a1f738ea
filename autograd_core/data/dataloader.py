"""``DataLoader``: batches of a dataset as Tensors, with ``torch.utils.data.DataLoader``'s signature and rules.

Fast path: with the default collate and a dataset that has ``get_batch(indices)`` (every
:class:`~autograd_core.data.Dataset` does; array-backed ones implement it with one fancy-indexing operation per
array), a batch is one call with the batch's index array, in the main process or in a worker.

Randomness: the sampler draws its order in the main process from the loader's ``generator`` (else the
library-wide generator, ``autograd_core.manual_seed``), whatever ``num_workers`` is, so the same seed gives the
same batches in the same order with or without workers. When workers start, a base seed is derived from that
generator's state (without drawing from it, unlike PyTorch, which draws one); worker ``i`` seeds Python's
``random``, numpy's legacy global generator (modulo 2**32) and the library-wide generator with ``base_seed + i``
(persistent workers keep the seed they started with, as in PyTorch). Random transforms then draw in the
workers, not in the main process: with them the batches' contents differ from ``num_workers=0`` (the order of
samples is still the same in the first epoch; later epochs' orders agree when the dataset draws nothing from
the generator the sampler uses).

Workers (``num_workers > 0``) are separate processes started with ``spawn`` (default) or ``forkserver``; ``fork``
is refused, because a process that forks after numba's OpenMP runtime ran a parallel kernel aborts in the child.
The dataset, ``collate_fn`` and ``worker_init_fn`` are pickled into each worker, so they must be picklable, and
a script that uses workers needs the ``if __name__ == "__main__":`` guard (both as in PyTorch under ``spawn``).
Each worker computes with one numba thread, as PyTorch's workers use one thread. ``pin_memory`` is accepted and
does nothing (there is no accelerator), with PyTorch's warning.
"""
import hashlib
import itertools
import math
import multiprocessing
import numbers
import pickle
import queue
import time
import warnings
import weakref

import numpy as np

from ._worker import IterableFetcher, WorkerInfo, _ExceptionWrapper, _IterationEnd, _worker_loop, fetch_map
from ._worker import get_worker_info
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _check_generator, _rng_from

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info", "WorkerInfo"]

_FORK_MESSAGE = ("multiprocessing_context='fork' is not supported: a process that forks after numba's OpenMP "
                 "runtime ran a parallel kernel aborts in the child; use 'spawn' (the default) or 'forkserver'")


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the sampler of an iterable dataset (the dataset decides what comes next)."""

    def __iter__(self):
        while True:
            yield None


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


class DataLoader:
    """Iterate over a dataset in batches (``torch.utils.data.DataLoader``).

    Args:
        dataset: map-style (``__getitem__``/``__len__``) or an :class:`IterableDataset`.
        batch_size: samples per batch; ``None`` turns automatic batching off (each sample goes through
            ``collate_fn``, default :func:`default_convert`).
        shuffle: a new random order every epoch (a :class:`RandomSampler`); default ``None`` (= False).
        sampler: the indices to read, in order (exclusive with ``shuffle``).
        batch_sampler: yields lists of indices (exclusive with batch_size, shuffle, sampler, drop_last).
        num_workers: worker processes; 0 loads in the main process.
        collate_fn: list of samples -> batch; default :func:`default_collate`.
        pin_memory: accepted; no effect on the CPU (warns, as PyTorch does without an accelerator).
        drop_last: drop the last incomplete batch.
        timeout: seconds to wait for a batch from the workers (0: forever); needs workers.
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker after seeding.
        multiprocessing_context: ``'spawn'``, ``'forkserver'`` or a context object; default spawn.
        generator: for the base seed and the default RandomSampler: a ``numpy.random.Generator`` or a
            Generator object (default: the library-wide generator).
        prefetch_factor: batches loaded in advance per worker (default 2 with workers; needs workers).
        persistent_workers: keep the workers between epochs (needs workers).
        pin_memory_device: deprecated in PyTorch; accepted.
        in_order: deliver batches in sampler order (``False``: as soon as they are ready).
        seed: (this library) shorthand for ``generator=numpy.random.default_rng(seed)``, made once, so epochs
            differ but the whole run repeats.

    Shape:
        A dataset of ``(x, y)`` samples with ``x`` of shape ``S`` yields ``[X, Y]`` with ``X`` of shape
        ``(B, *S)`` and ``Y`` of shape ``(B,)``; ``B = batch_size`` except possibly for the last batch.

    Example::

        >>> loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True, num_workers=2,
        ...                     persistent_workers=True)
        >>> for xb, yb in loader:
        ...     loss = F.cross_entropy(model(xb), yb)
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True, seed=None):
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             f"multiprocessing. (got num_workers={num_workers!r})")
        if not isinstance(timeout, numbers.Real) or timeout < 0:
            raise ValueError(f"timeout option should be non-negative (got timeout={timeout!r})")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and (not _is_int(prefetch_factor) or prefetch_factor < 0):
            raise ValueError(f"prefetch_factor option should be non-negative (got prefetch_factor={prefetch_factor!r})")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass either generator or seed, not both")
        _check_generator(generator)
        if seed is not None:
            generator = np.random.default_rng(seed)

        self.dataset = dataset
        self.num_workers = int(num_workers)
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = self._check_context(multiprocessing_context)
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._iterable = True
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        else:
            self._iterable = False
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._epochs_started = 0
        self._initialized = True

    def _check_context(self, context):
        if context is None:
            return None
        if self.num_workers == 0:
            raise ValueError("multiprocessing_context can only be used with multi-process loading "
                             f"(num_workers > 0), but got num_workers={self.num_workers}")
        if isinstance(context, str):
            methods = multiprocessing.get_all_start_methods()
            if context not in methods:
                raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                                 f"{methods!r}, but got multiprocessing_context={context!r}")
            context = multiprocessing.get_context(context)
        if not isinstance(context, multiprocessing.context.BaseContext):
            raise TypeError("multiprocessing_context option should be a valid context object or a string "
                            f"specifying the start method, but got multiprocessing_context={context}")
        if context.get_start_method() == "fork":
            raise ValueError(_FORK_MESSAGE)
        return context

    def __setattr__(self, name, value):
        if self._initialized and name in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def __iter__(self):
        if self.pin_memory:
            if self.pin_memory_device:
                warnings.warn("pin_memory_device is deprecated, the current accelerator will be used as the device,"
                              f"ignore pin_memory_device='{self.pin_memory_device}'.", stacklevel=2)
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", stacklevel=2)
        if self.num_workers == 0:
            if self.timeout:
                raise ValueError(f"DataLoader: timeout={self.timeout} needs num_workers > 0 (batches loaded in the "
                                 f"main process are not timed; PyTorch refuses this too)")
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return _MultiProcessIter(self)

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"num_workers={self.num_workers}, drop_last={self.drop_last})")


def _base_seed(loader):
    """The workers' base seed, derived from the generator's current state without drawing from it, so that
    loading with or without workers leaves the random stream (and so the sampler's order) the same."""
    loader._epochs_started += 1  # so that epochs whose sampler drew nothing (no shuffle) still differ
    state = f"{_rng_from(loader.generator).bit_generator.state!r} {loader._epochs_started}".encode()
    return int.from_bytes(hashlib.sha256(state).digest()[:8], "little") >> 1


class _SingleProcessIter:
    def __init__(self, loader):
        self._loader = loader
        self._sampler_iter = iter(loader._index_sampler)
        self._auto = loader._auto_collation
        self._fetcher = (IterableFetcher(loader.dataset, self._auto, loader.collate_fn, loader.drop_last)
                         if loader._iterable else None)

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def __next__(self):
        index = next(self._sampler_iter)
        loader = self._loader
        if self._fetcher is not None:
            return self._fetcher.fetch(loader.batch_size)
        return fetch_map(loader.dataset, index, self._auto, loader.collate_fn)


def _shutdown_workers(state):
    """Stop the workers in ``state`` (a dict, so a finalizer can hold it without holding the iterator)."""
    if state.get("down"):
        return
    state["down"] = True
    state["done"].set()
    for q in state["index_queues"]:
        try:
            q.put(None)
        except (OSError, ValueError):
            pass
    for p in state["workers"]:
        p.join(timeout=5)
        if p.is_alive():
            p.terminate()
            p.join(timeout=1)
    for q in state["index_queues"] + [state["results"]]:
        q.cancel_join_thread()
        q.close()


class _MultiProcessIter:
    def __init__(self, loader):
        self._loader = loader
        self._n = loader.num_workers
        self._prefetch = max(1, loader.prefetch_factor) * self._n  # prefetch_factor=0: one batch per worker
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._iterable = loader._iterable
        self._auto = loader._auto_collation
        self._epoch = 0
        self._sampler_iter = iter(loader._index_sampler)
        seed = _base_seed(loader)
        ctx = loader.multiprocessing_context or multiprocessing.get_context("spawn")
        results = ctx.Queue()
        state = {"done": ctx.Event(), "index_queues": [], "workers": [], "results": results}
        self._state = state
        self._finalizer = weakref.finalize(self, _shutdown_workers, state)
        for wid in range(self._n):
            q = ctx.Queue()
            p = ctx.Process(target=_worker_loop, daemon=True, name=f"DataLoader worker {wid}",
                            args=(self._iterable, loader.dataset, q, results, state["done"], self._auto,
                                  loader.collate_fn, loader.drop_last, seed + wid, loader.worker_init_fn,
                                  wid, self._n))
            state["index_queues"].append(q)
            try:
                p.start()
            except (pickle.PicklingError, AttributeError, TypeError) as e:
                q.close()
                state["index_queues"].pop()
                self._finalizer()
                raise pickle.PicklingError(
                    "DataLoader: with num_workers > 0 the dataset, collate_fn and worker_init_fn are sent to worker "
                    "processes started with 'spawn' and must be picklable (defined at module level: no lambdas, "
                    f"local functions or local classes): {type(e).__name__}: {e}") from e
            state["workers"].append(p)
        self._start_epoch()

    def _start_epoch(self):
        self._active = [True] * self._n
        self._worker_cycle = itertools.cycle(range(self._n))
        self._send_idx = self._rcvd_idx = 0
        self._task_info = {}  # idx -> worker id, for tasks sent and not yet answered
        self._buffer = {}  # idx -> batch received ahead of its turn
        self._sampler_done = False
        for _ in range(self._prefetch):
            self._try_put_index()

    def _reset(self, loader):
        """A new epoch on the persistent workers; anything still in flight from the last one is discarded."""
        self._epoch += 1
        self._timeout, self._in_order = loader.timeout, loader.in_order
        self._sampler_iter = iter(loader._index_sampler)
        for q in self._state["index_queues"]:
            q.put(("reset", self._epoch))
        self._start_epoch()

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def _try_put_index(self):
        if self._sampler_done or len(self._task_info) + len(self._buffer) >= self._prefetch:
            return
        for _ in range(self._n):
            wid = next(self._worker_cycle)
            if self._active[wid]:
                break
        else:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            self._sampler_done = True
            return
        if self._iterable:
            index = self._loader.batch_size
        self._state["index_queues"][wid].put((self._epoch, self._send_idx, index))
        self._task_info[self._send_idx] = wid
        self._send_idx += 1

    def _get(self):
        start = time.monotonic()
        while True:
            wait = 0.5 if not self._timeout else min(0.5, max(0.01, self._timeout - (time.monotonic() - start)))
            try:
                return self._state["results"].get(timeout=wait)
            except queue.Empty:
                if self._timeout and time.monotonic() - start >= self._timeout:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
                dead = [p for p in self._state["workers"] if not p.is_alive()]
                if dead:
                    pids = ", ".join(str(p.pid) for p in dead)
                    self._finalizer()
                    codes = ", ".join(str(p.exitcode) for p in dead)
                    raise RuntimeError(
                        f"DataLoader worker (pid(s) {pids}) exited unexpectedly (exit code(s) {codes}). A worker "
                        f"started with spawn imports the dataset's module afresh: classes defined in a notebook or "
                        f"in a script without an `if __name__ == '__main__':` guard cannot be used there; its "
                        f"error, if any, is on stderr above.") from None

    def _end(self):
        if not self._loader.persistent_workers:
            self._finalizer()
        raise StopIteration

    def __next__(self):
        if self._state.get("down"):
            raise StopIteration
        while True:
            if self._in_order:
                while (self._rcvd_idx < self._send_idx and self._rcvd_idx not in self._buffer
                       and self._rcvd_idx not in self._task_info):
                    self._rcvd_idx += 1  # a task of a worker whose iterable ended
                if self._rcvd_idx in self._buffer:
                    data = self._buffer.pop(self._rcvd_idx)
                    self._rcvd_idx += 1
                    return self._deliver(data)
            if not self._task_info:
                self._try_put_index()
                if not self._task_info:
                    self._end()
            epoch, idx, wid, payload = self._get()
            if epoch != self._epoch or idx not in self._task_info:
                continue
            del self._task_info[idx]
            data = pickle.loads(payload)
            if isinstance(data, _IterationEnd):
                self._active[wid] = False
                self._task_info = {i: w for i, w in self._task_info.items() if w != wid}
                continue
            if not self._in_order or idx == self._rcvd_idx:
                if idx == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._deliver(data)
            self._buffer[idx] = data

    def _deliver(self, data):
        self._try_put_index()
        if isinstance(data, _ExceptionWrapper):
            data.reraise()
        return data
