"""The autograd engine: accumulation, graph freeing, higher order, grad(), hooks, in-place checks, anomaly mode."""
import time

import numpy as np
import pytest

import autograd_core as ag


def leaf(*shape, dtype=np.float64, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=True)


def test_diamond_accumulates():
    x = leaf(3)
    y = x * 2
    z = y * y + y          # y used twice
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (8 * x.numpy() + 2))


def test_grad_accumulates_across_backward_calls():
    x = leaf(3)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6.0)


def test_leaf_grads_do_not_alias():
    a, b = leaf(3), leaf(3, seed=1)
    (a + b).sum().backward()
    a.grad.mul_(2)         # in-place change of one grad must not change the other
    np.testing.assert_allclose(b.grad.numpy(), 1.0)


def test_second_backward_through_freed_graph_raises():
    x = leaf(3)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf(3)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * x.numpy())


def test_backward_non_scalar_needs_gradient():
    x = leaf(3)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(ag.ones(3, dtype=np.float64))
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_backward_gradient_shape_checked():
    x = leaf(3)
    with pytest.raises(RuntimeError, match=r"\(2,\).*\(3,\)"):
        (x * 2).backward(ag.ones(2))


def test_backward_without_requires_grad_says_so():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0, 2.0]).sum().backward()


def test_long_chain_100k_nodes_is_iterative_and_linear():
    x = ag.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = x
    for i in range(100_000):
        y = y * 1.0000001 if i % 2 else y + 0.5
    t = time.perf_counter()
    y.backward()
    elapsed = time.perf_counter() - t
    assert x.grad.item() == pytest.approx(1.0000001 ** 50_000, rel=1e-5)
    assert elapsed < 60


def test_higher_order_tanh():
    x = leaf(5)
    (g,) = ag.grad(x.tanh().sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    t = np.tanh(x.numpy())
    np.testing.assert_allclose(g.numpy(), 1 - t ** 2)
    np.testing.assert_allclose(gg.numpy(), -2 * t * (1 - t ** 2))


def test_hessian_vector_product():
    A = np.random.default_rng(2).standard_normal((4, 4))
    A = A + A.T
    x = leaf(4)
    f = 0.5 * (x @ ag.tensor(A) @ x) + (x ** 3).sum()
    (g,) = ag.grad(f, x, create_graph=True)
    v = ag.tensor(np.arange(4.0))
    (hv,) = ag.grad((g * v).sum(), x)
    H = A + np.diag(6 * x.numpy())
    np.testing.assert_allclose(hv.numpy(), H @ v.numpy(), rtol=1e-10)


def test_backward_create_graph_fills_differentiable_grad():
    x = leaf(3)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    x.grad.sum().backward(inputs=[x])


def test_grad_functional_api():
    x, w = leaf(3), leaf(3, seed=1)
    y = (x * w).sum()
    gx, gw = ag.grad(y, [x, w], retain_graph=True)
    np.testing.assert_allclose(gx.numpy(), w.numpy())
    np.testing.assert_allclose(gw.numpy(), x.numpy())
    assert x.grad is None                        # grad() does not accumulate
    z = leaf(2, seed=3)
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad(y, [x, z], retain_graph=True)
    gx, gz = ag.grad(y, [x, z], allow_unused=True)
    assert gz is None


def test_grad_wrt_intermediate():
    x = leaf(3)
    h = x * 2
    y = (h * h).sum()
    (gh,) = ag.grad(y, h)
    np.testing.assert_allclose(gh.numpy(), 2 * h.numpy())


def test_grad_outputs_vector_jacobian():
    x = leaf(3)
    y = x * x
    (g,) = ag.grad(y, x, grad_outputs=ag.tensor([1.0, 0.0, 2.0], dtype=np.float64))
    np.testing.assert_allclose(g.numpy(), 2 * x.numpy() * [1, 0, 2])


def test_backward_inputs_restricts_accumulation():
    x, w = leaf(3), leaf(3, seed=1)
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad is not None


def test_no_grad_and_enable_grad():
    x = leaf(3)
    with ag.no_grad():
        y = x * 2
        with ag.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @ag.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad
    assert ag.is_grad_enabled()
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ag.is_grad_enabled()


def test_detach_and_requires_grad_():
    x = leaf(3)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    t = ag.tensor([1.0]).requires_grad_()
    assert t.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2]).requires_grad_()


def test_grad_fn_names_and_leaf():
    x = leaf(3)
    y = x * 2
    assert x.is_leaf and not y.is_leaf
    assert y.grad_fn.name() == "MulBackward0"
    assert "MulBackward" in repr(y)
    assert (x + 1).grad_fn.name() == "AddBackward0"
    fns = y.grad_fn.next_functions
    assert fns[0][0].name() == "AccumulateGrad" and fns[1][0] is None


def test_hooks_on_leaf_and_nonleaf():
    x = leaf(3)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.numpy().copy()))
    y = x * 2
    y.register_hook(lambda g: g * 10)      # replaces the gradient flowing into y's producer
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 20.0)
    np.testing.assert_allclose(seen[0], 20.0)
    h.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert len(seen) == 1


def test_retain_grad():
    x = leaf(3)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    np.testing.assert_allclose(y.grad.numpy(), 2 * y.numpy())
    assert y.retains_grad


def test_inplace_on_saved_tensor_raises_at_backward():
    x = leaf(3)
    y = x * 1.0
    z = y * y                      # saves y
    y.add_(1.0)                    # modifies it
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_on_saved_output_raises():
    x = leaf(3)
    y = x.exp()                    # saves its output
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_inplace_through_view_detected():
    x = leaf(2, 3)
    y = x * 1.0
    z = y.tanh()                   # saves output
    v = z.view(6)
    v.add_(1.0)                    # modifies z through a view
    with pytest.raises(RuntimeError, match="inplace"):
        z.sum().backward()


def test_inplace_ops_correct_when_safe():
    x = leaf(3)
    y = x * 2
    y += 1
    y *= 3          # Mul saved y's old value: the engine kept a copy
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6.0)
    np.testing.assert_allclose(y.numpy(), (2 * x.numpy() + 1) * 3)


def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf(3)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.add_(1.0)
    with ag.no_grad():
        x.add_(1.0)
        x.zero_()
    assert (x.numpy() == 0).all()


def test_detect_anomaly_names_op():
    x = ag.tensor([0.0, 1.0], dtype=np.float64, requires_grad=True)
    with ag.detect_anomaly():
        y = x.sqrt()               # backward at 0: inf
        with pytest.raises(RuntimeError, match="SqrtBackward0.*nan or inf") as e:
            y.sum().backward()
    assert "test_engine.py" in str(e.value)   # where the op was created


def test_nonfinite_is_not_an_error_without_anomaly():
    x = ag.tensor([0.0, 1.0], dtype=np.float64, requires_grad=True)
    x.sqrt().sum().backward()
    assert np.isinf(x.grad.numpy()[0])


def test_broadcast_gradient_shapes_and_dtype():
    a = leaf(3, 1)
    b = ag.tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    assert b.grad.dtype == np.float32 and a.grad.dtype == np.float64


def test_relu_abs_max_conventions():
    x = ag.tensor([0.0, -1.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 1])
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, -1, 1])
    y = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    y.max().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [0, 0.5, 0.5])   # ties share
    y.grad = None
    y.max(dim=0).values.backward()
    np.testing.assert_array_equal(y.grad.numpy(), [0, 1, 0])       # to the returned index
    a = ag.tensor([1.0], requires_grad=True)
    b = ag.tensor([1.0], requires_grad=True)
    ag.maximum(a, b).sum().backward()
    assert a.grad.item() == 0.5 and b.grad.item() == 0.5


def test_gradcheck_reports_worst_entry():
    class BadSquare(ag.Function):
        def forward(self, a):
            self.save_for_backward(a)
            return a._data ** 2

        def backward(self, grad):
            (a,) = self.saved_tensors
            return grad * a * 3.0          # wrong: should be 2a

    x = leaf(3)
    with pytest.raises(ag.GradcheckError, match="input 0 element .* analytical .* numerical"):
        ag.gradcheck(lambda t: BadSquare.apply(t), (x,))
    assert ag.gradcheck(lambda t: BadSquare.apply(t), (x,), raise_exception=False) is False


def test_custom_function_subclass():
    class Cube(ag.Function):
        def forward(self, a):
            self.save_for_backward(a)
            return a._data ** 3

        def backward(self, grad):
            (a,) = self.saved_tensors
            return grad * 3 * a * a

    x = leaf(4)
    assert ag.gradcheck(lambda t: Cube.apply(t), (x,))
    assert ag.gradgradcheck(lambda t: Cube.apply(t), (x,))


def test_inplace_with_operand_computed_from_self():
    # a.mul_(a.exp()): the exp node recorded before the in-place op must keep reading the old a
    w = ag.tensor([0.5, -1.0], dtype=np.float64, requires_grad=True)
    a = w * 1
    a.mul_(a.exp())
    a.sum().backward()
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(w.grad.numpy(), np.exp(x) * (1 + x))


def test_forward_value_errors_are_not_relabelled_as_shape_errors():
    class Checks(ag.Function):
        def forward(self, a):
            raise ValueError("checks: value out of range")

        def backward(self, grad):
            return grad

    with pytest.raises(ValueError) as e:
        Checks.apply(ag.ones(2))
    assert type(e.value) is ValueError


def test_backward_never_changes_the_callers_gradient():
    # the seed reaches the leaf unchanged through x and through x * 3: the leaf's .grad must be a private array
    x = leaf(3)
    up = ag.tensor(np.ones(3))
    (x + x * 3).backward(up)
    np.testing.assert_array_equal(up.numpy(), 1.0)
    np.testing.assert_allclose(x.grad.numpy(), 4.0)
    x2 = leaf(3)
    up2 = np.ones(3)
    x2.backward(up2)                                   # a leaf as the root: its .grad is not the caller's array
    x2.backward(up2)
    np.testing.assert_array_equal(up2, 1.0)
    np.testing.assert_allclose(x2.grad.numpy(), 2.0)
    a, b = leaf(3), leaf(3, seed=1)
    g = ag.tensor(np.ones(3))
    (a + b).backward(g)
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    assert not np.shares_memory(a.grad.numpy(), g.numpy())
    y = a * 2
    y.retain_grad()
    y.backward(g)
    assert not np.shares_memory(y.grad.numpy(), g.numpy())


def test_a_gradient_nobody_else_holds_becomes_grad_without_a_copy_and_shared_ones_are_copied():
    import autograd_core.engine as engine
    counts = []
    real = engine._refcount
    engine._refcount = lambda o: counts.append(real(o) - 1) or counts[-1]
    try:
        w = ag.randn(3, 4, requires_grad=True)
        (ag.randn(5, 3) @ w).sum().backward()        # w's gradient is a fresh matmul result held only by the engine
        assert counts and max(counts) <= 3
    finally:
        engine._refcount = real
    # the same gradient tensor reaching two leaves (a + b sends grad to both): each .grad is an array of its own
    a, b = ag.randn(3, requires_grad=True), ag.randn(3, requires_grad=True)
    (a + b).backward(ag.ones(3))
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[0] = 7.0
    assert b.grad.numpy()[0] == 1.0
    # a gradient a hook kept, and the caller's seed, are never the leaf's .grad
    x = ag.randn(3, requires_grad=True)
    kept = []
    x.register_hook(lambda g: kept.append(g))
    seed = ag.ones(3)
    (x * 1).backward(seed)
    (x * 1).backward(seed)                           # accumulates in place into x.grad
    np.testing.assert_array_equal(kept[0].numpy(), np.ones(3))
    np.testing.assert_array_equal(seed.numpy(), np.ones(3))
    np.testing.assert_array_equal(x.grad.numpy(), 2 * np.ones(3))
