"""Module-level PyTorch parity for the layer tests (test_conv_transpose, test_resample, test_padding_pool): build the
same layer in both libraries, load PyTorch's ``state_dict`` strictly, then compare outputs and the gradients of a
random weighted sum of the output with respect to every input and parameter."""
import numpy as np
import pytest

import autograd_core as ag
import nn

TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-4, atol=1e-4)}


def module_pair(build, dtype):
    """``build(nn)`` and ``build(torch.nn)`` in ``dtype``, ours loaded strictly from PyTorch's state_dict."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = build(torch.nn).to(getattr(torch, np.dtype(dtype).name))
    ours = build(nn).to(dtype)
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict({k: v.detach().numpy() for k, v in state.items()}, strict=True)
    assert repr(ours) == repr(theirs)
    return torch, ours, theirs


def check_module(build, *shapes, dtype=np.float64, forward=None, positive=False, seed=0):
    """Outputs and gradients of ``build(nn)`` and ``build(torch.nn)`` on the same random inputs of ``shapes``.

    ``forward(module, *inputs)`` (default ``module(*inputs)``) may return a tensor or a tuple whose first item is
    the differentiable output (the others, e.g. indices, must be equal).
    """
    forward = forward or (lambda m, *xs: m(*xs))
    torch, ours, theirs = module_pair(build, dtype)
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    if positive:
        arrays = [np.abs(a) + 0.5 for a in arrays]
    xo = [ag.tensor(a, requires_grad=True) for a in arrays]
    xt = [torch.tensor(a, requires_grad=True) for a in arrays]
    yo, yt = forward(ours, *xo), forward(theirs, *xt)
    if isinstance(yo, tuple):
        for a, b in zip(yo[1:], yt[1:]):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        yo, yt = yo[0], yt[0]
    assert yo.shape == tuple(yt.shape) and yo.dtype == dtype
    tol = TOL[dtype]
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), **tol)
    g = rng.standard_normal(yo.shape).astype(dtype)
    yo.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(xo, xt):
        assert a.grad.dtype == dtype
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[name].grad.numpy(), err_msg=name, **tol)
    return ours


def gradcheck_module(build, *shapes, forward=None, positive=False, seed=0, second_order=True):
    """gradcheck (and gradgradcheck) in float64 through ``build(nn)``, wrt the inputs and the parameters."""
    forward = forward or (lambda m, *xs: m(*xs))
    ag.manual_seed(seed)
    module = build(nn).double()
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    if positive:
        arrays = [np.abs(a) + 0.5 for a in arrays]
    inputs = [ag.tensor(a, requires_grad=True) for a in arrays]
    params = list(module.parameters())

    def fn(*ts):
        out = forward(module, *ts[:len(inputs)])
        return out[0] if isinstance(out, tuple) else out

    # the parameters are leaves of the module; check them through the inputs' function by rebinding them
    assert ag.gradcheck(fn, inputs + params)
    if second_order:
        assert ag.gradgradcheck(fn, inputs + params)
