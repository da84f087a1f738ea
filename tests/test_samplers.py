"""Samplers (torch.utils.data.sampler's names, semantics and argument checks), compared with PyTorch."""
import collections

import numpy as np
import pytest

import autograd_core as ac
from autograd_core.data import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                                WeightedRandomSampler)
from autograd_core.data.sampler import _rng_from


def _torch():
    return pytest.importorskip("torch")


def test_sequential_and_batch_sampler_match_torch():
    torch = _torch()
    for n, bs, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (2, 5, True)]:
        ours = BatchSampler(SequentialSampler(range(n)), bs, drop)
        theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), bs, drop)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3] and len(SequentialSampler(range(4))) == 4
    assert list(BatchSampler([5, 6, 7], 2, False)) == [[5, 6], [7]]  # any iterable of indices


@pytest.mark.parametrize("replacement, num_samples", [(False, None), (False, 25), (False, 3), (True, None),
                                                      (True, 40)])
def test_random_sampler_counts(replacement, num_samples):
    n = 10
    s = RandomSampler(range(n), replacement=replacement, num_samples=num_samples, generator=np.random.default_rng(0))
    k = n if num_samples is None else num_samples
    draws = list(s)
    assert len(draws) == len(s) == k and all(0 <= i < n for i in draws)
    if not replacement:  # whole permutations chained, then a part of one, as in PyTorch
        counts = collections.Counter(draws)
        assert set(counts.values()) <= {k // n, k // n + 1}
        for start in range(0, k - k % n, n):
            assert sorted(draws[start:start + n]) == list(range(n))
    if replacement and k == 40:
        assert len(set(draws)) < k  # with replacement, repeats are (overwhelmingly) likely


def test_random_sampler_reproducible_and_fresh_per_pass():
    s = RandomSampler(range(50), generator=np.random.default_rng(3))
    a, b = list(s), list(s)
    assert a != b  # a new permutation per pass
    s2 = RandomSampler(range(50), generator=np.random.default_rng(3))
    assert list(s2) == a
    ac.manual_seed(7)
    c = list(RandomSampler(range(50)))
    ac.manual_seed(7)
    assert list(RandomSampler(range(50))) == c  # without a generator: the library-wide one


def test_random_sampler_reads_the_length_at_iteration():
    data = list(range(5))
    s = RandomSampler(data)
    data.extend(range(5, 8))
    assert sorted(s) == list(range(8)) and len(s) == 8


def test_subset_random_sampler():
    idx = [3, 9, 4, 1]
    s = SubsetRandomSampler(idx, generator=np.random.default_rng(0))
    out = list(s)
    assert sorted(out) == sorted(idx) and len(s) == 4


def test_weighted_random_sampler():
    rng = np.random.default_rng(0)
    w = [0.0, 1.0, 3.0]
    draws = list(WeightedRandomSampler(w, 4000, generator=rng))
    counts = np.bincount(draws, minlength=3)
    assert counts[0] == 0 and 2.5 < counts[2] / counts[1] < 3.5
    no_repl = list(WeightedRandomSampler([1, 1, 1, 5], 4, replacement=False, generator=rng))
    assert sorted(no_repl) == [0, 1, 2, 3]
    s = WeightedRandomSampler(ac.tensor([1.0, 2.0]), 3)
    assert len(s) == 3 and s.weights.dtype == np.float64


def test_sampler_base_class():
    class Evens(Sampler):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

    assert list(Evens(7)) == [0, 2, 4, 6]
    with pytest.raises(NotImplementedError):
        iter(Sampler())


def _same_error(ours, theirs):
    """Both raise, with the same exception type and PyTorch's message at the start of ours."""
    with pytest.raises(Exception) as theirs_info:
        theirs()
    with pytest.raises(type(theirs_info.value)) as ours_info:
        ours()
    assert str(ours_info.value).startswith(str(theirs_info.value)[:40])


BAD_RANDOM = [dict(replacement=1), dict(replacement="yes"), dict(num_samples=0), dict(num_samples=-3),
              dict(num_samples=2.5)]


@pytest.mark.parametrize("kwargs", BAD_RANDOM)
def test_random_sampler_bad_arguments_as_torch(kwargs):
    torch = _torch()
    _same_error(lambda: RandomSampler(range(5), **kwargs), lambda: torch.utils.data.RandomSampler(range(5), **kwargs))


def test_random_sampler_empty_dataset():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler([])


BAD_WEIGHTED = [([1.0, 2.0], 0, True), ([1.0, 2.0], True, True), ([1.0, 2.0], 2.0, True), ([1.0, 2.0], 2, 1),
                ([[1.0, 2.0]], 2, True), (5.0, 2, True)]


@pytest.mark.parametrize("weights, num_samples, replacement", BAD_WEIGHTED)
def test_weighted_sampler_bad_arguments_as_torch(weights, num_samples, replacement):
    torch = _torch()
    _same_error(lambda: WeightedRandomSampler(weights, num_samples, replacement),
                lambda: torch.utils.data.WeightedRandomSampler(weights, num_samples, replacement))


@pytest.mark.parametrize("weights, num_samples, replacement", [([1.0, -1.0], 2, True), ([0.0, 0.0], 1, True),
                                                               ([1.0, 0.0], 3, False), ([1.0, np.nan], 1, True)])
def test_weighted_sampler_bad_distributions_raise_when_drawn(weights, num_samples, replacement):
    torch = _torch()
    with pytest.raises(RuntimeError):
        list(torch.utils.data.WeightedRandomSampler(weights, num_samples, replacement))
    with pytest.raises(RuntimeError, match="multinomial|n_sample"):
        list(WeightedRandomSampler(weights, num_samples, replacement))


BAD_BATCH = [(0, False), (-1, False), (2.0, False), (True, False), (None, False), (2, 1), (2, None)]


@pytest.mark.parametrize("batch_size, drop_last", BAD_BATCH)
def test_batch_sampler_bad_arguments_as_torch(batch_size, drop_last):
    torch = _torch()
    _same_error(lambda: BatchSampler(range(4), batch_size, drop_last),
                lambda: torch.utils.data.BatchSampler(range(4), batch_size, drop_last))


def test_generator_arguments():
    class Holder:  # any object holding a numpy Generator (the library's Generator, once it exists, is one)
        def __init__(self, seed):
            self._rng = np.random.default_rng(seed)

    assert list(RandomSampler(range(20), generator=Holder(1))) == list(RandomSampler(range(20),
                                                                                     generator=np.random.default_rng(1)))
    assert _rng_from(None) is ac.random.default_generator()
    for make in (RandomSampler, SubsetRandomSampler):
        with pytest.raises(TypeError, match="generator must be"):
            make(range(3), generator="seed")
    with pytest.raises(TypeError, match="generator must be"):
        WeightedRandomSampler([1.0], 1, generator=42)


def test_weighted_sampler_without_replacement_uses_zero_weights_last():
    torch = _torch()
    assert sorted(torch.utils.data.WeightedRandomSampler([1.0, 0.0], 2, False)) == [0, 1]
    for seed in range(5):
        draws = list(WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 3, replacement=False,
                                           generator=np.random.default_rng(seed)))
        assert sorted(draws[:2]) == [1, 3] and draws[2] in (0, 2)


def test_library_generator_objects_work_where_generators_are_taken():
    if not hasattr(ac, "Generator"):
        pytest.skip("autograd_core.Generator comes with issue 13's torch-namespace branch")
    from autograd_core.data import DataLoader, TensorDataset, random_split
    g = ac.Generator().manual_seed(1)
    order = list(RandomSampler(range(20), generator=g))
    assert list(RandomSampler(range(20), generator=ac.Generator().manual_seed(1))) == order
    parts = random_split(TensorDataset(np.arange(10)), [0.5, 0.5], generator=ac.Generator().manual_seed(2))
    again = random_split(TensorDataset(np.arange(10)), [0.5, 0.5], generator=ac.Generator().manual_seed(2))
    assert [p.indices.tolist() for p in parts] == [p.indices.tolist() for p in again]
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=5, shuffle=True,
                        generator=ac.Generator().manual_seed(3))
    assert sorted(sum((b[0].tolist() for b in loader), [])) == list(range(10))
