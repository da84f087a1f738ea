"""What runs inside a DataLoader worker process, and the fetchers shared with the main process.

Workers are started with ``spawn`` (or ``forkserver``), never ``fork``: a process that forks after numba's OpenMP
runtime ran a parallel kernel aborts in the child. A spawned worker starts a fresh interpreter, imports this
module and receives the dataset, ``collate_fn`` and ``worker_init_fn`` by pickling, so those must be picklable
(defined at module level; no lambdas or local classes) -- PyTorch has the same constraint under ``spawn``.

Messages on a worker's index queue: ``(epoch, idx, index)`` a task, ``("reset", epoch)`` a new epoch (an
iterable dataset's iterator is made afresh), ``None`` stop. Replies on the shared result queue:
``(epoch, idx, worker_id, payload)`` where ``payload`` is the pickle of a batch, an :class:`_IterationEnd` or an
:class:`_ExceptionWrapper`.
"""
import dataclasses
import os
import pickle
import queue
import random
import traceback

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_S = 1.0
_worker_info = None


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """About the current DataLoader worker: ``id`` (0 .. num_workers - 1), ``num_workers``, ``seed`` (the one
    its generators were seeded with) and ``dataset`` (this worker's copy)."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """A :class:`WorkerInfo` inside a DataLoader worker process, ``None`` in the main process.

    Use it in an ``IterableDataset.__iter__`` to give each worker its own share of the data, or in a
    ``worker_init_fn`` to configure each worker's copy of the dataset.
    """
    return _worker_info


class _IterationEnd:
    """A worker's iterable dataset is exhausted for this epoch."""


class _ExceptionWrapper:
    """An exception raised in a worker, carried to the main process (tracebacks do not pickle)."""

    def __init__(self, exc, where):
        self.exc_type = type(exc)
        self.where = where
        self.text = "".join(traceback.format_exception(exc))

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.text}"
        if self.exc_type is KeyError:  # KeyError's str() quotes its argument: keep the text readable
            msg = KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class KeyErrorMessage(str):
    def __repr__(self):
        return self


def fetch_map(dataset, index, auto_collation, collate_fn):
    """One batch of a map-style dataset: ``index`` is a list of indices (automatic batching) or one index.

    With the default collate and a dataset that has ``get_batch``, the batch is one ``get_batch`` call (array
    datasets answer it with one fancy-indexing operation per array); else ``__getitems__`` if the dataset has
    it, else one ``dataset[i]`` per index, then ``collate_fn``.
    """
    from .collate import default_collate

    if not auto_collation:
        return collate_fn(dataset[index])
    get_batch = getattr(dataset, "get_batch", None)
    if collate_fn is default_collate and callable(get_batch):
        batch = get_batch(np.asarray(index, dtype=np.int64))
        return list(batch) if type(batch) is tuple else batch  # default_collate turns tuples into lists
    getitems = getattr(dataset, "__getitems__", None)
    data = getitems(index) if callable(getitems) else [dataset[i] for i in index]
    return collate_fn(data)


class IterableFetcher:
    """Batches from one pass over an iterable dataset; ``fetch(batch_size)`` raises StopIteration at the end."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.iterator = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, batch_size):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        data = []
        for _ in range(batch_size):
            try:
                data.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < batch_size):
            raise StopIteration
        return self.collate_fn(data)


def _one_thread():
    """Workers compute with one numba thread, as PyTorch's workers call ``torch.set_num_threads(1)``: several
    workers each running a full thread pool would oversubscribe the cores the main process trains on."""
    try:
        import numba
        numba.set_num_threads(1)
    except (ImportError, ValueError, RuntimeError):
        pass


def _seed_worker(seed):
    from .. import random as _random

    random.seed(seed)
    np.random.seed(seed % 2**32)
    _random.manual_seed(seed)


def _worker_loop(iterable, dataset, index_queue, result_queue, done_event, auto_collation, collate_fn, drop_last,
                 seed, init_fn, worker_id, num_workers):
    global _worker_info
    try:
        _one_thread()
        _seed_worker(seed)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            if iterable:
                fetcher = IterableFetcher(dataset, auto_collation, collate_fn, drop_last)
        except Exception as e:
            init_error = _ExceptionWrapper(e, f"in DataLoader worker process {worker_id}")
        iteration_end = False
        parent = os.getppid()
        while True:
            try:
                message = index_queue.get(timeout=_POLL_S)
            except queue.Empty:
                if os.getppid() != parent:  # the main process died: nobody will read our results
                    break
                continue
            if message is None:
                break
            if message[0] == "reset":
                iteration_end = False
                if iterable and init_error is None:
                    try:
                        fetcher = IterableFetcher(dataset, auto_collation, collate_fn, drop_last)
                    except Exception as e:
                        init_error = _ExceptionWrapper(e, f"in DataLoader worker process {worker_id}")
                continue
            if done_event.is_set() or iteration_end:
                continue
            epoch, idx, index = message
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    if iterable:
                        data = fetcher.fetch(index)
                    else:
                        data = fetch_map(dataset, index, auto_collation, collate_fn)
                except StopIteration as e:
                    if iterable:
                        data = _IterationEnd()
                        iteration_end = True
                    else:
                        data = _ExceptionWrapper(e, f"in DataLoader worker process {worker_id}")
                except Exception as e:
                    data = _ExceptionWrapper(e, f"in DataLoader worker process {worker_id}")
            try:  # pickled here, not in the queue's feeder thread, so that an unpicklable batch is reported
                payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as e:
                where = f"in DataLoader worker process {worker_id} (pickling the batch)"
                payload = pickle.dumps(_ExceptionWrapper(e, where), protocol=pickle.HIGHEST_PROTOCOL)
            result_queue.put((epoch, idx, worker_id, payload))
            del data, payload
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        result_queue.cancel_join_thread()
        result_queue.close()
