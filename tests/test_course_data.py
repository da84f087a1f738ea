"""autograd_core.data.course: fast mode and Fashion-MNIST splits for the notebooks."""
import numpy as np
import pytest

from autograd_core.data import DatasetNotFoundError, FashionMNIST
from autograd_core.data.course import FAST_ENV, fashion_mnist, fast_mode, pick


def test_fast_mode_and_pick(monkeypatch):
    monkeypatch.delenv(FAST_ENV, raising=False)
    assert not fast_mode() and pick(10, 1) == 10
    for value in ("1", "true", "YES"):
        monkeypatch.setenv(FAST_ENV, value)
        assert fast_mode() and pick(10, 1) == 1
    monkeypatch.setenv(FAST_ENV, "0")
    assert not fast_mode()


def test_embedded_splits_are_disjoint_and_sized():
    d = fashion_mnist(n_train=300, n_val=100, n_test=50, seed=0)
    assert (len(d.train), len(d.val), len(d.test)) == (300, 100, 50)
    assert repr(d) == "CourseData(source='embedded', train=300, val=100, test=50)"
    x, y = d.arrays("train")
    xv, _ = d.arrays("val")
    assert x.shape == (300, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    rows = {r.tobytes() for r in x.reshape(300, -1)}
    assert not any(r.tobytes() in rows for r in xv.reshape(100, -1))
    assert len(d.classes) == 10
    train, val, test = d.loaders(batch_size=64)
    xb, yb = next(iter(train))
    assert xb.shape == (64, 1, 28, 28) and len(test) == 1


def test_options_and_reproducibility():
    a = fashion_mnist(n_train=50, n_test=20, flatten=True, normalize=False, seed=3)
    b = fashion_mnist(n_train=50, n_test=20, flatten=True, normalize=False, seed=3)
    np.testing.assert_array_equal(a.arrays()[0], b.arrays()[0])
    assert a.arrays()[0].shape == (50, 784) and 0 <= a.arrays()[0].min() and a.arrays()[0].max() <= 1
    assert a.val is None and a.loaders()[1] is None
    with pytest.raises(ValueError):
        a.arrays("val")
    with pytest.raises(ValueError):
        fashion_mnist(n_val=10 ** 6)


def test_full_switch():
    try:
        FashionMNIST(train=False)
    except DatasetNotFoundError:
        with pytest.raises(DatasetNotFoundError):
            fashion_mnist(full=True)
        return
    d = fashion_mnist(full=True, n_train=100, n_test=100)
    assert d.source == "full" and len(d.train) == 100
