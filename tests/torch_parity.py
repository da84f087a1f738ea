"""Helpers to run one ``fn(lib, *tensors)`` with ``lib = autograd_core`` and ``lib = torch`` and compare what comes
back: tensors (shape, dtype, values, NaN where NaN), tuples and named result tuples, Python values, and the type of
the exception when one is raised. Used by the op tests that are not in the op table (non-differentiable ops, errors,
dtypes, ties)."""
import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")


def np_dtype(torch_dtype):
    return torch.empty(0, dtype=torch_dtype).numpy().dtype


def tensors(lib, arrays, requires_grad=False):
    out = []
    for a in arrays:
        if isinstance(a, np.ndarray):
            grad = requires_grad and a.dtype.kind == "f"
            out.append(ag.tensor(a, requires_grad=grad) if lib is ag else torch.tensor(a, requires_grad=grad))
        else:
            out.append(a)
    return out


def compare(ours, theirs, values=True, where=""):
    """Assert ``ours`` matches ``theirs`` (``values=False``: only shapes and dtypes)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ag.Tensor), f"{where}: got {type(ours).__name__}, expected a Tensor"
        assert ours.shape == tuple(theirs.shape), f"{where}: shape {ours.shape} vs {tuple(theirs.shape)}"
        assert ours.dtype == np_dtype(theirs.dtype), f"{where}: dtype {ours.dtype} vs {theirs.dtype}"
        if values:
            np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-6, equal_nan=True,
                                       err_msg=where)
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{where}: {ours!r} vs {theirs!r}"
        if type(theirs).__module__ == "torch.return_types":
            assert type(ours).__name__ == type(theirs).__name__, f"{where}: {type(ours)} vs {type(theirs)}"
            assert all(hasattr(theirs, f) for f in ours._fields), f"{where}: fields {ours._fields}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            compare(o, t, values, f"{where}[{i}]")
    else:
        assert ours == theirs, f"{where}: {ours!r} vs {theirs!r}"


def same(fn, *arrays, values=True):
    """``fn`` gives the same result in both libraries on these numpy inputs (converted to tensors)."""
    theirs = fn(torch, *tensors(torch, arrays))
    ours = fn(ag, *tensors(ag, arrays))
    compare(ours, theirs, values)
    return ours


def same_grads(fn, *arrays):
    """Forward and the gradient of ``sum(out * upstream)`` with respect to every float input agree."""
    ts, os_ = tensors(torch, arrays, True), tensors(ag, arrays, True)
    theirs, ours = fn(torch, *ts), fn(ag, *os_)
    compare(ours, theirs)
    up = np.random.default_rng(3).standard_normal(tuple(theirs.shape))
    theirs.backward(torch.tensor(up, dtype=theirs.dtype))
    ours.backward(ag.tensor(up.astype(ours.dtype)))
    for o, t in zip(os_, ts):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert o.grad is None or not o.grad.numpy().any()
            else:
                np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-6)


def raises_same(fn, *arrays):
    """Both libraries raise, and ours raises PyTorch's exception type (or a subclass of it)."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *tensors(torch, arrays))
    with pytest.raises(type(theirs.value)):
        fn(ag, *tensors(ag, arrays))
