"""PyTorch-style ``autograd.Function``: static forward/backward, ctx API, several outputs, higher order; vs torch."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import Function, once_differentiable

torch = pytest.importorskip("torch")


def both(*arrays):
    """The same float64 leaves for us and for torch."""
    ours = [ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    return ours, theirs


def make_functions(base):
    """The examples of torch's documentation, written once against a base class (ours or torch's)."""

    class Exp(base):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    class LinearFunction(base):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    class MulConstant(base):
        @staticmethod
        def forward(ctx, tensor, constant):
            ctx.constant = constant
            return tensor * constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.constant, None

    class MulConstantNew(base):            # the newer style: forward without ctx, setup_context apart
        @staticmethod
        def forward(tensor, constant):
            return tensor * constant

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.constant = inputs[1]

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.constant, None

    class Cube(base):                      # backward in tensor ops: differentiable again
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class SplitSquare(base):               # two outputs, one of them used alone later
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x, x * 2

        @staticmethod
        def backward(ctx, ga, gb):
            (x,) = ctx.saved_tensors
            return ga * 2 * x + gb * 2

    class SortNd(base):                    # an integer output marked non-differentiable
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return values, idx

        @staticmethod
        def backward(ctx, g, gidx):
            (idx,) = ctx.saved_tensors
            out = g.new_zeros(g.shape) if hasattr(g, "new_zeros") else g * 0
            return out.scatter(0, idx, g)

    class AddOneInplace(base):             # mark_dirty
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    return dict(Exp=Exp, LinearFunction=LinearFunction, MulConstant=MulConstant, MulConstantNew=MulConstantNew,
                Cube=Cube, SplitSquare=SplitSquare, SortNd=SortNd, AddOneInplace=AddOneInplace)


OURS = make_functions(Function)
THEIRS = make_functions(torch.autograd.Function)
rng = np.random.default_rng(0)


def check(name, arrays, run, extra=()):
    (ours, theirs) = both(*arrays)
    yo, yt = run(OURS[name], ours), run(THEIRS[name], theirs)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    yo.sum().backward()
    yt.sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_docs_examples_match_torch():
    check("Exp", [rng.standard_normal(4)], lambda F, t: F.apply(t[0]))
    check("LinearFunction", [rng.standard_normal((3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)],
          lambda F, t: F.apply(*t))
    check("MulConstant", [rng.standard_normal(3)], lambda F, t: F.apply(t[0], 2.5))
    check("MulConstantNew", [rng.standard_normal(3)], lambda F, t: F.apply(t[0], -1.5))


def test_ctx_is_the_node_and_named_like_torch():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = OURS["MulConstant"].apply(x, 3.0)
    assert y.grad_fn.name() == "MulConstantBackward"
    assert type(y.grad_fn).__name__ == type(THEIRS["MulConstant"].apply(torch.ones(1, requires_grad=True),
                                                                           3.0).grad_fn).__name__
    assert y.grad_fn.constant == 3.0
    assert y.grad_fn.needs_input_grad == (True, False)


def test_needs_input_grad_and_default_argument():
    x = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 4)))            # no grad: backward skips its gradient
    y = OURS["LinearFunction"].apply(x, w)                 # bias defaults to None
    assert y.grad_fn.needs_input_grad == (True, False, False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((3, 2)) @ w.numpy(), rtol=1e-6)
    assert w.grad is None


def test_no_node_without_grad():
    x = ag.tensor([1.0, 2.0])
    y = OURS["Exp"].apply(x)
    assert y.grad_fn is None and not y.requires_grad
    with ag.no_grad():
        y = OURS["Exp"].apply(ag.tensor([1.0], requires_grad=True))
    assert y.grad_fn is None


def test_higher_order_and_gradcheck():
    x = ag.tensor(rng.standard_normal(3), dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(OURS["Cube"].apply, (x,))
    assert ag.gradgradcheck(OURS["Cube"].apply, (x,))
    (g,) = ag.grad(OURS["Cube"].apply(x).sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * x.numpy())
    y = OURS["Exp"].apply(x)                               # a saved output is differentiable again too
    (g,) = ag.grad(y.sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp(x.numpy()))


def test_several_outputs():
    (xo,), (xt,) = both(rng.standard_normal(4))
    ao, bo = OURS["SplitSquare"].apply(xo)
    at, bt = THEIRS["SplitSquare"].apply(xt)
    (ao * 3 + bo).sum().backward()
    (at * 3 + bt).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy())
    # only one output used: the other's gradient is materialized as zeros
    (xo,), (xt,) = both(rng.standard_normal(4))
    OURS["SplitSquare"].apply(xo)[1].sum().backward()
    THEIRS["SplitSquare"].apply(xt)[1].sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy())


def test_mark_non_differentiable():
    x = ag.tensor([3.0, 1.0, 2.0], dtype=ag.float64, requires_grad=True)
    v, i = OURS["SortNd"].apply(x)
    assert v.requires_grad and not i.requires_grad and i.grad_fn is None
    (v * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 1.0, 2.0])


def test_set_materialize_grads_false_gives_none():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append((ga is None, gb is None))
            return (ga if ga is not None else 0) + (gb * 2 if gb is not None else 0)

    x = ag.tensor([1.0], requires_grad=True)
    Two.apply(x)[1].sum().backward()
    assert seen == [(True, False)] and x.grad.item() == 2.0


def test_mark_dirty_inplace():
    (xo,), (xt,) = both(rng.standard_normal(3))
    ao, at = xo * 2, xt * 2
    bo, bt = OURS["AddOneInplace"].apply(ao), THEIRS["AddOneInplace"].apply(at)
    assert bo is ao and bt is at                            # the input itself, now produced by the node
    assert ao._version[0] == at._version
    (bo * bo).sum().backward()
    (bt * bt).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy())
    leaf = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        OURS["AddOneInplace"].apply(leaf)


def test_input_returned_unchanged_is_a_new_alias():
    class Ident(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = Ident.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_wrong_number_of_gradients_and_non_tensor_gradient():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g

    class Bad2(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x, 2.0).sum().backward()
    with pytest.raises(RuntimeError, match="was not a Variable"):
        Bad2.apply(x, 2.0).sum().backward()


def test_saved_tensor_freed_and_inplace_checked():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = OURS["Exp"].apply(x)
    z = y.sum()
    z.backward()
    with pytest.raises(RuntimeError, match="second time"):
        z.backward()
    y2 = OURS["Exp"].apply(x)
    y2.mul_(2)                       # the saved output was changed in place
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y2.sum().backward()


def test_once_differentiable_and_keyword_arguments():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x, scale=1.0):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * x * scale

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert not ag.is_grad_enabled()
            return g * 2 * x * ctx.scale, None

    x = ag.tensor([3.0], requires_grad=True)
    Sq.apply(x, scale=2.0).sum().backward()
    assert x.grad.item() == 12.0


def test_instance_style_ops_unchanged():
    class Twice(Function):           # the project's own style: forward(self, *tensors) returns an ndarray
        def forward(self, a):
            return a._data * 2

        def backward(self, grad):
            return grad * 2

    x = ag.tensor([1.0], requires_grad=True)
    Twice.apply(x).sum().backward()
    assert x.grad.item() == 2.0
