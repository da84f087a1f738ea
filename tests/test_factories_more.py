"""logspace, tril/triu_indices, randint_like, poisson, and the grid composites' forms and errors, against PyTorch."""
import numpy as np
import pytest

import autograd_core as ag


def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("args", [(0, 2, 5), (-1, 1, 4, 2.0), (1, 1, 1), (0, 3, 0)])
def test_logspace_as_torch(args):
    torch = _torch()
    np.testing.assert_allclose(ag.logspace(*args).numpy(), torch.logspace(*args).numpy(), rtol=1e-6)
    assert ag.logspace(*args).dtype == ag.float32


@pytest.mark.parametrize("row,col,offset", [(3, 3, 0), (4, 3, 1), (3, 5, -1), (0, 3, 0), (3, 4, 7), (3, 4, -9)])
def test_triangle_indices_as_torch(row, col, offset):
    torch = _torch()
    for name in ("tril_indices", "triu_indices"):
        ours, theirs = getattr(ag, name)(row, col, offset), getattr(torch, name)(row, col, offset)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == ag.int64
        assert ours.tolist() == theirs.tolist(), name


def test_triangle_indices_index_a_matrix():
    m = ag.arange(12.0).reshape(3, 4)
    r, c = ag.tril_indices(3, 4)
    assert m[r, c].tolist() == [v for i in range(3) for j, v in enumerate(m[i].tolist()) if j <= i]


def test_negative_triangle_size_is_named():
    with pytest.raises(ValueError, match="row must be non-negative, got row=-1"):
        ag.tril_indices(-1, 3)


def test_randint_like():
    x = ag.zeros(3, 4, dtype=ag.int32)
    y = ag.randint_like(x, 5)
    assert y.shape == (3, 4) and y.dtype == ag.int32 and 0 <= y.min().item() and y.max().item() < 5
    z = ag.randint_like(ag.zeros(50), 3, 6, generator=ag.Generator().manual_seed(1))
    assert z.dtype == ag.float32 and set(z.tolist()) <= {3.0, 4.0, 5.0}
    with pytest.raises(RuntimeError, match="from=4 >= to=2"):
        ag.randint_like(x, 4, 2)


def test_poisson():
    rates = ag.full((20000,), 3.0, dtype=ag.float64)
    s = ag.poisson(rates, generator=ag.Generator().manual_seed(0))
    assert s.dtype == ag.float64 and abs(s.mean().item() - 3.0) < 0.05 and (s.numpy() == np.round(s.numpy())).all()
    assert ag.poisson(ag.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.poisson(ag.tensor([-1.0]))


def test_meshgrid_and_cartesian_prod_as_torch():
    torch = _torch()
    a, b, c = [1.0, 2.0, 3.0], [4.0, 5.0], [6.0]
    for indexing in ("ij", "xy"):
        ours = ag.meshgrid(ag.tensor(a), ag.tensor(b), ag.tensor(c), indexing=indexing)
        theirs = torch.meshgrid(torch.tensor(a), torch.tensor(b), torch.tensor(c), indexing=indexing)
        for o, t in zip(ours, theirs):
            assert o.tolist() == t.tolist()
    assert [g.shape for g in ag.meshgrid([ag.tensor(a), ag.tensor(b)])] == [(3, 2), (3, 2)]
    assert ag.cartesian_prod(ag.tensor(a), ag.tensor(b)).tolist() == \
        torch.cartesian_prod(torch.tensor(a), torch.tensor(b)).tolist()
    assert ag.broadcast_tensors([ag.zeros(3, 1), ag.zeros(2)])[1].shape == (3, 2)


def test_diff_as_torch():
    torch = _torch()
    x = np.array([[1.0, 3.0, 6.0, 10.0], [2.0, 2.0, 5.0, 1.0]])
    for kw in ({}, {"n": 2}, {"dim": 0}, {"n": 5}, {"prepend": [[0.0], [0.0]]}, {"append": [[1.0], [1.0]], "n": 2}):
        tkw = {k: (torch.tensor(v) if isinstance(v, list) else v) for k, v in kw.items()}
        okw = {k: (ag.tensor(v) if isinstance(v, list) else v) for k, v in kw.items()}
        assert ag.diff(ag.tensor(x), **okw).tolist() == torch.diff(torch.tensor(x), **tkw).tolist(), kw
    flags = [True, True, False, True]
    assert ag.diff(ag.tensor(flags)).tolist() == torch.diff(torch.tensor(flags)).tolist()


@pytest.mark.parametrize("call,err,match", [
    (lambda: ag.meshgrid(ag.zeros(2, 2)), RuntimeError, "0D or 1D"),
    (lambda: ag.meshgrid(ag.zeros(2), indexing="yx"), ValueError, "indexing"),
    (lambda: ag.cartesian_prod(ag.zeros(2, 2), ag.zeros(2)), RuntimeError, "1D tensors"),
    (lambda: ag.broadcast_tensors(ag.zeros(2), ag.zeros(3)), RuntimeError, "cannot be broadcast"),
    (lambda: ag.diff(ag.tensor(1.0)), RuntimeError, "at least one-dimensional"),
    (lambda: ag.diff(ag.zeros(3), n=-1), RuntimeError, "non-negative"),
    (lambda: ag.diff(ag.zeros(2, 3), prepend=ag.zeros(3)), RuntimeError, "same dimension"),
])
def test_bad_arguments(call, err, match):
    with pytest.raises(err, match=match):
        call()
