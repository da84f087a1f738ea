"""DataLoader with torch.utils.data's signature: argument checks, batching, collate rules, worker processes.

Worker tests are few and small: each spawned worker costs about a second or two to start.
"""
import collections
import os
import pickle
import time

import numpy as np
import pytest

import autograd_core as ac
from autograd_core.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset,
                                SequentialSampler, StackDataset, TensorDataset, default_collate,
                                default_convert, get_worker_info, random_split)


def _torch():
    return pytest.importorskip("torch")


def _dtype_name(dtype):
    """'float32' for numpy's float32, torch.float32 and autograd_core.float32 alike."""
    return str(dtype).split(".")[-1]


def _ds(n=10):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


class ListDataset(Dataset):
    """Per-sample path (no get_batch override): samples are (x, label)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full(2, i, np.float32), int(i)


# ---------------------------------------------------------------------------------------------- argument checks
def _bad_loader_arguments():
    sampler = SequentialSampler(range(10))
    bs = BatchSampler(range(10), 2, False)
    return [
        (dict(num_workers=-1), "num_workers option should be non-negative"),
        (dict(timeout=-1), "timeout option should be non-negative"),
        (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
        (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
        (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
        (dict(sampler=sampler, shuffle=True), "sampler option is mutually exclusive with shuffle"),
        (dict(batch_sampler=bs, batch_size=4), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=bs, shuffle=True), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=bs, sampler=sampler), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=bs, drop_last=True), "batch_sampler option is mutually exclusive"),
        (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
        (dict(batch_size=0), "batch_size should be a positive integer value"),
        (dict(multiprocessing_context="spawn"), "multiprocessing_context can only be used with multi-process"),
        (dict(num_workers=1, multiprocessing_context="no-such-method"), "should specify a valid start method"),
    ]


@pytest.mark.parametrize("kwargs, message", _bad_loader_arguments())
def test_bad_arguments_raise_torchs_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(_ds(), **kwargs)
    torch = pytest.importorskip("torch")
    tkwargs = dict(kwargs)
    for key in ("sampler", "batch_sampler"):
        if key in tkwargs:
            tkwargs[key] = (torch.utils.data.SequentialSampler(range(10)) if key == "sampler"
                            else torch.utils.data.BatchSampler(range(10), 2, False))
    with pytest.raises(ValueError, match=message):
        torch.utils.data.DataLoader(list(range(10)), **tkwargs)


def test_fork_and_bad_context_types_are_refused():
    with pytest.raises(ValueError, match="'fork' is not supported.*numba's OpenMP"):
        DataLoader(_ds(), num_workers=1, multiprocessing_context="fork")
    import multiprocessing
    with pytest.raises(ValueError, match="'fork' is not supported"):
        DataLoader(_ds(), num_workers=1, multiprocessing_context=multiprocessing.get_context("fork"))
    with pytest.raises(TypeError, match="multiprocessing_context option should be a valid context object"):
        DataLoader(_ds(), num_workers=1, multiprocessing_context=3)
    with pytest.raises(TypeError, match="generator must be"):
        DataLoader(_ds(), shuffle=True, generator="seed")


class Stream(IterableDataset):
    """range(start, end), sharded over workers by get_worker_info (PyTorch's documented pattern)."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __len__(self):
        return self.end - self.start

    def __iter__(self):
        info = get_worker_info()
        first, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(self.start + first, self.end, step))


def test_iterable_dataset_rejects_samplers_and_shuffle():
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        DataLoader(Stream(0, 5), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(0, 5), sampler=[0, 1])
    with pytest.raises(ValueError, match="expected unspecified batch_sampler option"):
        DataLoader(Stream(0, 5), batch_sampler=[[0, 1]])
    with pytest.raises(TypeError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Stream(0, 2)])
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset"):
        ChainDataset([_ds()])


def test_attributes_cannot_be_reassigned_after_init():
    loader = DataLoader(_ds(), batch_size=2)
    for name in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset", "persistent_workers"):
        with pytest.raises(ValueError, match=f"{name} attribute should not be set"):
            setattr(loader, name, None)
    loader.timeout = 3  # others may change, as in PyTorch


def test_timeout_needs_workers():
    loader = DataLoader(_ds(), timeout=1)
    with pytest.raises(ValueError, match="timeout=1 needs num_workers > 0"):
        iter(loader)


def test_pin_memory_warns_and_is_a_no_op():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        batches = list(DataLoader(_ds(4), batch_size=2, pin_memory=True))
    assert len(batches) == 2


# ---------------------------------------------------------------------------------------------- batching
def test_batches_match_torch_in_single_process():
    torch = _torch()
    X, y = np.arange(14, dtype=np.float32).reshape(7, 2), np.arange(7)
    for kwargs in [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                   dict(sampler=[6, 0, 3], batch_size=2), dict(batch_sampler=[[1, 2], [5], [0, 6, 4]])]:
        ours = list(DataLoader(TensorDataset(X, y), **kwargs))
        theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)),
                                                  **kwargs))
        assert len(ours) == len(theirs) == len(DataLoader(TensorDataset(X, y), **kwargs))
        for a, b in zip(ours, theirs):
            assert type(a) is type(b) is list  # torch collates a tuple sample into a list
            for ta, tb in zip(a, b):
                np.testing.assert_array_equal(ta.numpy(), tb.numpy())
                assert _dtype_name(ta.dtype) == _dtype_name(tb.dtype)


def test_fast_path_and_per_sample_path_agree():
    fast = list(DataLoader(_ds(9), batch_size=4, shuffle=True, seed=3))
    slow = list(DataLoader(ListDataset(9), batch_size=4, shuffle=True, seed=3))
    for (xf, yf), (xs, ys) in zip(fast, slow):
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
    assert [type(b) for b in fast] == [type(b) for b in slow] == [list] * 3


def test_shuffle_order_is_the_samplers_and_reproducible():
    ac.manual_seed(5)
    a = [y.tolist() for _, y in DataLoader(_ds(20), batch_size=5, shuffle=True)]
    ac.manual_seed(5)
    b = [y.tolist() for _, y in DataLoader(_ds(20), batch_size=5, shuffle=True)]
    assert a == b and sorted(sum(a, [])) == list(range(20))


def test_batch_size_none_converts_each_sample():
    out = list(DataLoader(ListDataset(3), batch_size=None))
    assert len(out) == 3
    x, label = out[1]
    assert isinstance(x, ac.Tensor) and x.tolist() == [1.0, 1.0] and label == 1


def test_iterable_dataset_single_process_and_len():
    loader = DataLoader(Stream(0, 7), batch_size=3)
    assert len(loader) == 3
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(0, 7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert [b.tolist() for b in DataLoader(ChainDataset([Stream(0, 2), Stream(5, 7)]), batch_size=2)] == \
        [[0, 1], [5, 6]]


def test_custom_collate_and_getitems():
    class Batched(ListDataset):
        def __getitems__(self, indices):
            return [("batched", i) for i in indices]

    loader = DataLoader(Batched(5), batch_size=2, collate_fn=lambda samples: samples)
    assert list(loader)[0] == [("batched", 0), ("batched", 1)]


# ---------------------------------------------------------------------------------------------- collate
def test_default_collate_matches_torch():
    torch = _torch()
    Point = collections.namedtuple("Point", "x y")
    cases = [
        [1.5, 2.0], [1, 2], [True, False], [np.float32(1), np.float32(2)], [np.int16(3), np.int16(4)],
        [np.zeros((2, 3), np.float64), np.ones((2, 3), np.float64)], [np.arange(3, dtype=np.uint8)] * 2,
        [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}], [Point(1, 2.0), Point(3, 4.0)],
        [(1, "x"), (2, "y")], [[1, 2], [3, 4]],
    ]

    def flat(v):
        if isinstance(v, dict):
            return [("dict", sorted(v))] + [x for k in sorted(v) for x in flat(v[k])]
        if isinstance(v, (list, tuple)) and not (v and isinstance(v[0], str)):
            return [(type(v).__name__, len(v))] + [x for e in v for x in flat(e)]
        if hasattr(v, "numpy"):
            return [(_dtype_name(v.dtype), tuple(v.shape), np.asarray(v.numpy()).tolist())]
        return [v]

    for batch in cases:
        assert flat(default_collate(batch)) == flat(torch.utils.data.default_collate(batch)), batch
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_default_collate_errors_as_torch():
    torch = _torch()
    for bad, err in [([np.zeros(2), np.zeros(3)], RuntimeError), ([[1, 2], [3]], RuntimeError),
                     ([object(), object()], TypeError), ([np.array(["a"]), np.array(["b"])], TypeError)]:
        with pytest.raises(err) as theirs:
            torch.utils.data.default_collate(bad)
        with pytest.raises(err) as ours:
            default_collate(bad)
        assert str(ours.value).split(",")[0].split(":")[0] == str(theirs.value).split(",")[0].split(":")[0]
    with pytest.raises(ValueError, match="empty batch"):
        default_collate([])


def test_default_collate_keeps_the_graph_of_tensors_that_require_grad():
    a = ac.tensor([1.0, 2.0], requires_grad=True)
    out = default_collate([a, a * 2])
    out.sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


def test_default_convert():
    torch = _torch()
    data = {"x": np.array([0, 1]), "n": 3, "t": (np.float32(2.0), "s")}
    ours, theirs = default_convert(data), torch.utils.data.default_convert(data)
    assert isinstance(ours["x"], ac.Tensor) and ours["x"].tolist() == theirs["x"].tolist()
    assert ours["n"] == 3 and isinstance(ours["t"], list) and ours["t"][1] == "s"
    assert float(ours["t"][0]) == 2.0


# ---------------------------------------------------------------------------------------------- datasets
def test_stack_dataset_and_random_split_generator():
    s = StackDataset(_ds(4), ListDataset(4))
    (x, y), (x2, y2) = s[2]
    assert int(y) == y2 == 2 and len(s) == 4
    d = StackDataset(a=ListDataset(3), b=ListDataset(3))
    assert set(d[0]) == {"a", "b"}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(ListDataset(3), ListDataset(4))
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        StackDataset()
    with pytest.raises(ValueError, match="but both types are given"):
        StackDataset(ListDataset(3), b=ListDataset(3))
    a = random_split(_ds(10), [0.5, 0.5], generator=np.random.default_rng(0))
    b = random_split(_ds(10), [0.5, 0.5], generator=np.random.default_rng(0))
    assert [p.indices.tolist() for p in a] == [p.indices.tolist() for p in b]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset"):
        random_split(_ds(10), [3, 3])
    assert isinstance(Stream(0, 2) + Stream(2, 4), ChainDataset)


# ---------------------------------------------------------------------------------------------- workers
class Probe(Dataset):
    """Each sample says which worker made it and with which seed (-1 in the main process)."""

    def __init__(self, n):
        self.n = n
        self.tag = "main"

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        wid, seed = (-1, -1) if info is None else (info.id, info.seed)
        import numba
        return {"i": i, "worker": wid, "seed": seed, "tag": self.tag, "draw": float(np.random.random()),
                "threads": numba.get_num_threads()}


def set_tag(worker_id):
    get_worker_info().dataset.tag = f"init{worker_id}"


def _indices(batches):
    return [b["i"].tolist() for b in batches]


def test_workers_give_the_same_batches_as_the_main_process():
    ds = Probe(23)
    ac.manual_seed(11)
    single = [_indices(DataLoader(ds, batch_size=4, shuffle=True)) for _ in range(2)]
    ac.manual_seed(11)
    loader = DataLoader(ds, batch_size=4, shuffle=True, num_workers=2, persistent_workers=True,
                        worker_init_fn=set_tag, prefetch_factor=3)
    epochs = [list(loader) for _ in range(2)]
    assert [_indices(e) for e in epochs] == single  # same order, epoch after epoch
    assert len(loader) == 6
    for e in epochs:
        workers = [b["worker"].tolist() for b in e]
        assert workers == [[k % 2] * len(w) for k, w in enumerate(workers)]  # round-robin, each batch one worker
        seeds = {b["worker"][0].item(): b["seed"][0].item() for b in e}
        assert seeds[1] == seeds[0] + 1  # base_seed + worker_id
        assert all(tag == f"init{b['worker'][0].item()}" for b in e for tag in b["tag"])
        assert all(b["threads"].tolist() == [1] * len(b["threads"]) for b in e)  # one compute thread per worker
    # persistent workers keep their seeded generators: the second epoch's draws continue, not repeat
    assert epochs[0][0]["draw"].tolist() != epochs[1][0]["draw"].tolist()
    loader.in_order = False  # batches as they come: the same batches, in some order
    unordered = _indices(loader)
    assert len(unordered) == 6 and sorted(sum(unordered, [])) == list(range(23))
    assert get_worker_info() is None  # in the main process


class Failing(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 1:
            raise ValueError(f"bad sample {i}")
        if i == 2:
            time.sleep(1.0)
        if i == 3:
            os._exit(3)
        return i


def failing_init(worker_id):
    raise KeyError(f"no config for worker {worker_id}")


def test_worker_errors_timeouts_and_deaths_reach_the_main_process():
    batches = [[0], [0], [1]]  # the batch sampler is a plain list, read afresh every epoch
    loader = DataLoader(Failing(), batch_sampler=batches, num_workers=1, persistent_workers=True,
                        worker_init_fn=failing_init)
    it = iter(loader)
    with pytest.raises(KeyError, match=r"Caught KeyError in DataLoader worker process 0(.|\n)*no config for worker 0"):
        next(it)  # worker_init_fn's error comes with the first batch
    assert next(it).tolist() == [0]
    with pytest.raises(ValueError, match=r"Caught ValueError in DataLoader worker process 0(.|\n)*bad sample 1"):
        next(it)
    batches[:] = [[2]]
    loader.timeout = 0.3
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        next(iter(loader))
    batches[:] = [[3]]
    loader.timeout = 0
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        next(iter(loader))


def test_iterable_dataset_is_sharded_across_workers():
    loader = DataLoader(Stream(0, 11), batch_size=2, num_workers=2, prefetch_factor=0)  # 0: one task per worker
    batches = [b.tolist() for b in loader]
    # worker 0 has 0, 2, 4, 6, 8, 10 and worker 1 has 1, 3, 5, 7, 9; batches alternate between them
    assert batches == [[0, 2], [1, 3], [4, 6], [5, 7], [8, 10], [9]]
    assert len(loader) == 6


class Unpicklable(Dataset):
    def __init__(self):
        self.fn = lambda i: i

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return self.fn(i)


def test_unpicklable_dataset_gets_a_clear_error():
    with pytest.raises(pickle.PicklingError, match="must be picklable"):
        iter(DataLoader(Unpicklable(), num_workers=1))
