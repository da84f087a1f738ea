"""Module parity with PyTorch, shared by tests/test_nn_activations.py, test_nn_normalization.py,
test_nn_containers.py and test_nn_losses_more.py.

:func:`check_module` builds one layer in both libraries from the same factory (``factory(nn)`` and
``factory(torch.nn)``), checks the repr, parameter names and ``state_dict`` keys and shapes, loads PyTorch's
``state_dict`` strictly, then runs both on the same inputs and upstream gradient in each mode: outputs, input and
parameter gradients and every ``state_dict`` entry (running statistics) must agree.
"""
import numpy as np

import autograd_core as ag
from autograd_core import Tensor

TOL = {np.float64: 1e-9, np.float32: 2e-5}


def inputs(specs, seed=0, dtype=np.float64):
    """Shape tuples -> normal arrays of ``dtype``; ``("int", shape, high)`` -> int64 in ``[0, high)``; an ndarray is
    used as it is (cast to ``dtype`` when floating)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in specs:
        if isinstance(s, np.ndarray):
            out.append(s.astype(dtype) if s.dtype.kind == "f" else s)
        elif s and s[0] == "int":
            out.append(rng.integers(0, s[2], size=s[1]).astype(np.int64))
        else:
            out.append(rng.standard_normal(s).astype(dtype))
    return out


def torch_dtype(torch, dtype):
    return getattr(torch, np.dtype(dtype).name)


def pair(factory, dtype=np.float64):
    """The layer in both libraries, PyTorch's weights copied into ours (strict load); structure compared."""
    import torch
    import nn
    torch.manual_seed(0)
    theirs = factory(torch.nn).to(torch_dtype(torch, dtype))
    ours = factory(nn).to(dtype)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_o) == list(sd_t)
    for k, v in sd_t.items():
        assert sd_o[k].shape == tuple(v.shape), k
    ours.load_state_dict({k: v.detach().numpy() for k, v in sd_t.items()}, strict=True)
    return torch, ours, theirs


def run_both(torch, ours, theirs, arrays, dtype=np.float64, seed=1, call=None, tol=None):
    """One forward + backward on both; compares outputs, gradients of float inputs and parameters, state_dict."""
    tol = tol or TOL[dtype]
    xo = [Tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    xt = [torch.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    call = call or (lambda m, *xs: m(*xs))
    yo, yt = call(ours, *xo), call(theirs, *xt)
    assert yo.shape == tuple(yt.shape)
    assert yo.dtype == np.dtype(dtype)
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), atol=tol, rtol=tol)
    if yt.requires_grad:
        g = np.random.default_rng(seed).standard_normal(yt.shape).astype(dtype)
        yo.backward(Tensor(g))
        yt.backward(torch.tensor(g))
        for a, b in zip(xo, xt):
            if b.grad is not None:
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=tol, rtol=tol)
        params_t = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            gt = params_t[name].grad
            if gt is None:
                assert p.grad is None or not np.any(p.grad.numpy()), name
            else:
                np.testing.assert_allclose(p.grad.numpy(), gt.numpy(), atol=tol, rtol=tol, err_msg=name)
    sd_t = theirs.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.numpy(), sd_t[k].numpy(), atol=tol, rtol=tol, err_msg=k)
    ours.zero_grad()
    theirs.zero_grad()


def check_module(factory, specs, dtype=np.float64, modes=(True, True, False), call=None, tol=None):
    """:func:`pair`, then :func:`run_both` once per mode (``True`` = train), each on fresh inputs."""
    torch, ours, theirs = pair(factory, dtype)
    for i, mode in enumerate(modes):
        ours.train(mode)
        theirs.train(mode)
        run_both(torch, ours, theirs, inputs(specs, seed=i, dtype=dtype), dtype, seed=10 + i, call=call, tol=tol)
    return ours, theirs


def gradcheck_module(module, specs, modes=(True,), call=None):
    """float64 gradcheck of the module's output with respect to its float inputs and its trainable parameters."""
    module = module.double()
    xs = [Tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs(specs)]
    n = len(xs)
    params = [p for p in module.parameters() if p.requires_grad]
    call = call or (lambda m, *a: m(*a))
    for mode in modes:
        module.train(mode)
        assert ag.gradcheck(lambda *args: call(module, *args[:n]), tuple(xs) + tuple(params))
