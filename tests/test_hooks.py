"""Tensor hooks (once per tensor on the summed gradient, replacements), retain_grad, leaf flags, Module hooks."""
import numpy as np
import pytest

import autograd_core as ag
import nn

torch = pytest.importorskip("torch")


def pair(a):
    return (ag.tensor(a, dtype=ag.float64, requires_grad=True),
            torch.tensor(a, dtype=torch.float64, requires_grad=True))


def test_leaf_hook_runs_once_on_the_summed_gradient():
    for lib, x in zip(("ours", "torch"), pair([1.0, 2.0, 3.0])):
        seen = []
        x.register_hook(lambda g: seen.append(np.array(g.detach().numpy())))
        (x * x + x).sum().backward()
        assert len(seen) == 1, lib
        np.testing.assert_allclose(seen[0], 2 * np.array([1.0, 2.0, 3.0]) + 1)


def test_hook_replacement_goes_into_grad_and_hooks_chain():
    xo, xt = pair([1.0, -2.0])
    for x in (xo, xt):
        x.register_hook(lambda g: g * 10)
        x.register_hook(lambda g: g + 1)           # sees the first hook's result
        (x * 3).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy())
    np.testing.assert_allclose(xo.grad.numpy(), 31.0)


def test_nonleaf_hook_once_and_replacement_flows_on():
    res = []
    for x in pair([1.0, 2.0]):
        y = x * 2
        calls = []
        y.register_hook(lambda g: calls.append(1) or g * 0.5)
        (y * y + y).sum().backward()
        res.append((len(calls), x.grad.detach().numpy().copy()))
    assert res[0][0] == res[1][0] == 1
    np.testing.assert_allclose(res[0][1], res[1][1])


def test_hook_handle_remove_and_no_hook_without_grad():
    x = ag.tensor([1.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(1))
    h.remove()
    (x * 2).sum().backward()
    assert seen == []
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ag.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_and_flags_as_torch():
    outs = []
    for x in pair([1.0, 2.0]):
        y = x * 3
        assert x.is_leaf and not y.is_leaf and not y.retains_grad
        y.retain_grad()
        y.retain_grad()                       # twice is fine
        x.retain_grad()                       # a leaf: no-op
        assert y.retains_grad and not x.retains_grad
        (y * y).sum().backward()
        outs.append(y.grad.detach().numpy().copy())
    np.testing.assert_allclose(outs[0], outs[1])
    c = ag.tensor([1.0])
    assert c.is_leaf and c.requires_grad_() is c and c.requires_grad
    d = (c * 2).detach_()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    with pytest.raises(RuntimeError):
        ag.tensor([1, 2]).requires_grad_()   # integer tensors can't require grad
    with pytest.raises(RuntimeError):
        (c * 2).requires_grad_(False)        # non-leaf


def _both_models():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    om = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    for po, pt in zip(om.parameters(), tm.parameters()):
        po.data = ag.tensor(pt.detach().numpy().copy())
    return om, tm


def test_full_backward_hook_matches_torch():
    om, tm = _both_models()
    x = np.random.default_rng(0).standard_normal((5, 3))
    got = {}
    for name, m, X in (("ours", om, ag.tensor(x, requires_grad=True)),
                       ("torch", tm, torch.tensor(x, requires_grad=True))):
        rec = got.setdefault(name, [])

        def hook(mod, gin, gout, rec=rec):
            rec.append(("full", len(gin), len(gout), [None if g is None else g.detach().numpy().copy()
                                                      for g in gin + gout]))
            return (gin[0] * 2,)

        def pre(mod, gout, rec=rec):
            rec.append(("pre", len(gout), gout[0].detach().numpy().copy()))
            return (gout[0] * 3,)

        m[2].register_full_backward_hook(hook)
        m[2].register_full_backward_pre_hook(pre)
        m(X).sum().backward()
        rec.append(("xgrad", X.grad.detach().numpy().copy()))
        rec.append(("wgrad", m[0].weight.grad.detach().numpy().copy()))
    assert [r[0] for r in got["ours"]] == [r[0] for r in got["torch"]] == ["pre", "full", "xgrad", "wgrad"]
    for a, b in zip(got["ours"], got["torch"]):
        flat_a = [v for v in a[1:] if not isinstance(v, list)] + (a[-1] if isinstance(a[-1], list) else [])
        flat_b = [v for v in b[1:] if not isinstance(v, list)] + (b[-1] if isinstance(b[-1], list) else [])
        for u, v in zip(flat_a, flat_b):
            np.testing.assert_allclose(u, v, rtol=1e-12)


def test_full_backward_hook_input_without_grad_and_two_inputs():
    class Mul(nn.Module):
        def forward(self, a, b):
            return a * b

    class TMul(torch.nn.Module):
        def forward(self, a, b):
            return a * b

    res = []
    for m, A, B in ((Mul(), ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([3.0, 4.0])),
                    (TMul(), torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0]))):
        seen = []
        m.register_full_backward_hook(lambda mod, gin, gout, seen=seen: seen.append(
            [None if g is None else g.detach().numpy().copy() for g in gin]))
        m(A, B).sum().backward()
        res.append(seen)
    assert len(res[0]) == len(res[1]) == 1
    for a, b in zip(res[0][0], res[1][0]):          # torch gives zeros for the input that needs no grad
        np.testing.assert_allclose(a, b)
    # no input requires grad: the hook still runs, with grad_input all None
    w = nn.Linear(2, 1)
    seen = []
    w.register_full_backward_hook(lambda mod, gin, gout: seen.append((gin, gout[0].shape)))
    w(ag.ones(3, 2)).sum().backward()
    assert seen == [((None,), (3, 1))]


def test_backward_hook_wrong_count_raises():
    m = nn.Linear(2, 2)
    m.register_full_backward_pre_hook(lambda mod, gout: (gout[0], gout[0]))
    with pytest.raises(RuntimeError, match="invalid number"):
        m(ag.ones(1, 2, requires_grad=True)).sum().backward()


def test_forward_hooks_prepend_and_kwargs():
    m = nn.Linear(2, 2)
    order = []
    m.register_forward_hook(lambda mod, args, out: order.append("a"))
    m.register_forward_hook(lambda mod, args, out: order.append("b"), prepend=True)
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, kwargs) if order.append("pre") is None else None,
                                with_kwargs=True)
    h = m.register_forward_hook(lambda mod, args, kwargs, out: out * 0, with_kwargs=True)
    y = m(ag.ones(1, 2))
    assert order == ["pre", "b", "a"] and float(y.abs().sum()) == 0.0
    h.remove()
    assert float(m(ag.ones(1, 2)).abs().sum()) != 0.0
