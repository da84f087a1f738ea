"""autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp), inference_mode, autograd.backward, no_grad forms."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import functional as AF

torch = pytest.importorskip("torch")
TF = torch.autograd.functional
rng = np.random.default_rng(0)
A, B = rng.standard_normal((2, 3)), rng.standard_normal(3)


def ours(*arrays):
    return tuple(ag.tensor(a, dtype=ag.float64) for a in arrays)


def theirs(*arrays):
    return tuple(torch.tensor(a, dtype=torch.float64) for a in arrays)


def close(o, t):
    if isinstance(t, tuple):
        assert isinstance(o, tuple) and len(o) == len(t)
        for a, b in zip(o, t):
            close(a, b)
        return
    assert tuple(o.shape) == tuple(t.shape)
    np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)


def two_out(x, y):
    return (x * y).exp().sum(0), (x ** 2).sum() * y


def one_out(x):
    return x.tanh() * 2


def scalar2(x, y):
    return (x.sin() * y).sum() + (y ** 3).sum()


def test_jacobian_shapes_and_values_as_torch():
    close(AF.jacobian(two_out, ours(A, B)), TF.jacobian(two_out, theirs(A, B)))
    close(AF.jacobian(one_out, ours(A)[0]), TF.jacobian(one_out, theirs(A)[0]))
    close(AF.jacobian(one_out, ours(A)), TF.jacobian(one_out, theirs(A)))              # tuple in: tuple out
    close(AF.jacobian(lambda x: (x * 2,), ours(B)[0]), TF.jacobian(lambda x: (x * 2,), theirs(B)[0]))
    close(AF.jacobian(lambda x: x.sum(), ours(A)[0], vectorize=True),
          TF.jacobian(lambda x: x.sum(), theirs(A)[0], vectorize=True))


def test_hessian_as_torch():
    close(AF.hessian(scalar2, ours(A, B)), TF.hessian(scalar2, theirs(A, B)))
    f = lambda x: (x ** 3).sum()                                                     # noqa: E731
    close(AF.hessian(f, ours(A)[0]), TF.hessian(f, theirs(A)[0]))


def test_vector_products_as_torch():
    vo = ours(rng.standard_normal((2, 3)), rng.standard_normal(3))
    vt = theirs(*[v.numpy() for v in vo])
    wo = ours(np.ones(3), rng.standard_normal(3))
    wt = theirs(*[v.numpy() for v in wo])
    close(AF.vjp(two_out, ours(A, B), wo), TF.vjp(two_out, theirs(A, B), wt))
    close(AF.jvp(two_out, ours(A, B), vo), TF.jvp(two_out, theirs(A, B), vt))
    close(AF.vhp(scalar2, ours(A, B), vo), TF.vhp(scalar2, theirs(A, B), vt))
    close(AF.hvp(scalar2, ours(A, B), vo), TF.hvp(scalar2, theirs(A, B), vt))
    close(AF.vjp(lambda x: x.sum(), ours(A)[0]), TF.vjp(lambda x: x.sum(), theirs(A)[0]))   # v None: scalar out


def test_create_graph_results_are_differentiable():
    x = ag.tensor(B, dtype=ag.float64, requires_grad=True)
    xt = torch.tensor(B, dtype=torch.float64, requires_grad=True)
    f = lambda x: (x ** 3).sum()                                                     # noqa: E731
    h, ht = AF.hessian(f, x, create_graph=True), TF.hessian(f, xt, create_graph=True)
    assert h.requires_grad
    h.sum().backward()
    ht.sum().backward()
    close(x.grad, xt.grad)
    _, g = AF.vjp(f, x)
    assert not g.requires_grad and x.grad is not None


def test_independent_outputs_zero_or_strict_error():
    f = lambda x, y: x * 2                                                           # noqa: E731
    close(AF.jacobian(f, ours(B, B)), TF.jacobian(f, theirs(B, B)))
    for lib, args in ((AF, ours(B, B)), (TF, theirs(B, B))):
        with pytest.raises(RuntimeError, match="independent of input 1"):
            lib.jacobian(f, args, strict=True)
    with pytest.raises(RuntimeError, match="strict mode"):
        AF.vjp(f, ours(B, B), ag.ones(3, dtype=ag.float64), strict=True)


def test_bad_arguments_as_torch():
    for lib, x in ((AF, ours(A)[0]), (TF, theirs(A)[0])):
        with pytest.raises(RuntimeError, match="v can only be None"):
            lib.vjp(one_out, x)
        with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
            lib.jacobian(one_out, [1.0])
        with pytest.raises(RuntimeError, match="should contain a single element"):
            lib.hessian(one_out, x)
        with pytest.raises(RuntimeError, match="invalid size"):
            lib.vjp(one_out, x, x[0])


def test_inference_mode_context_decorator_and_false():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.inference_mode():
        assert ag.is_inference_mode_enabled() and not ag.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert not ag.is_inference_mode_enabled() and ag.is_grad_enabled()
    with ag.inference_mode(False):
        assert (x * 2).requires_grad

    @ag.inference_mode
    def f(t):
        return t * 2

    @ag.autograd.inference_mode()
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad and ag.is_grad_enabled()
    tx = torch.ones(1, requires_grad=True)
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() and not (tx * 2).requires_grad


def test_no_grad_with_and_without_parentheses_and_on_generators():
    x = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad
    def a(t):
        return t * 2

    @ag.no_grad()
    def b(t):
        return t * 2

    @ag.no_grad()
    def gen(t):
        for _ in range(2):
            yield t * 2, ag.is_grad_enabled()

    @ag.enable_grad
    def c(t):
        return t * 2

    assert not a(x).requires_grad and not b(x).requires_grad and ag.is_grad_enabled()
    outs = list(gen(x))
    assert [o.requires_grad for o, _ in outs] == [False, False] and [m for _, m in outs] == [False, False]
    with ag.no_grad():
        assert c(x).requires_grad
        assert not ag.is_grad_enabled()


def test_autograd_backward_several_roots():
    xo = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    xt = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    for lib, x in ((ag, xo), (torch, xt)):
        y, z = x * 3, (x ** 2).sum()
        lib.autograd.backward([y, z], [lib.ones(2, dtype=lib.float64), None])
    close(xo.grad, xt.grad)
    ag.autograd.backward((xo * 2).sum(), inputs=[xo])
    close(xo.grad, xt.grad + 2)
