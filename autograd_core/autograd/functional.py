"""``torch.autograd.functional``: Jacobians, Hessians and their products with vectors, from the reverse-mode engine.

Each function calls ``func`` on fresh leaves made from ``inputs`` (a Tensor or a tuple of Tensors), so the caller's
tensors get no ``.grad``; results have the structure of PyTorch's (a Tensor for a Tensor, tuples for tuples;
``jacobian`` of a tuple of outputs w.r.t. a tuple of inputs is a tuple of tuples, entry ``[i][j]`` of shape
``outputs[i].shape + inputs[j].shape``). With ``create_graph=True`` the results are differentiable again;
otherwise they are detached. With ``strict=True`` an output that does not depend on an input is an error, as in
PyTorch; otherwise its derivative is zeros. ``vectorize`` is accepted (the rows are computed one backward pass
each either way, with the same result).

``jvp`` and ``hvp`` use the double-backward trick (a vector-Jacobian product is linear in its vector, so
differentiating it again with respect to that vector gives the Jacobian-vector product).
"""
import numpy as np

from .. import grad_mode
from ..engine import grad as _grad
from ..tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x, arg_name, fn_name):
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, el in enumerate(xs):
        if not isinstance(el, Tensor):
            if is_tuple:
                raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                                f"the value at index {i} has type {type(el)}.")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"the given {arg_name} has type {type(el)}.")
    return is_tuple, xs


def _prepare(inputs, create_graph):
    """Fresh leaves for ``func`` (views keeping the graph when ``create_graph`` and the input requires grad)."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True) if t.dtype.kind in "fc" else t.detach())
    return tuple(out)


def _post(xs, create_graph, is_tuple):
    res = tuple(x if x is None or create_graph else x.detach() for x in xs)
    return res if is_tuple else res[0]


def _call(func, inputs, fn_name):
    with grad_mode.enable_grad():
        out = func(*inputs)
    is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    return is_tuple, outs


def _zeros_like(t):
    return Tensor._make(np.zeros(t.shape, dtype=t.dtype))


def _autograd_grad(outputs, inputs, grad_outputs, create_graph, retain_graph=None):
    """``grad`` over the outputs that require grad; None for inputs they do not reach."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    with grad_mode.enable_grad():
        return _grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs], create_graph=create_graph,
                     retain_graph=True if retain_graph is None else retain_graph, allow_unused=True)


def _fill(grads, refs, strict, what, fn_name):
    out = []
    for i, (g, r) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is "
                                   f"not allowed in strict mode.")
            g = _zeros_like(r)
        out.append(g)
    return tuple(out)


def _check_v(v, outs, name, fn_name, against="output"):
    if v is None:
        if len(outs) != 1 or outs[0].numel() != 1:
            what = "user-provided function returns" if against == "output" else "input to the user-provided function is"
            raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor with a single element.")
        return tuple(Tensor._make(np.ones(o.shape, dtype=o.dtype)) for o in outs)
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(outs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(outs)} but got {len(vs)}.")
    for i, (a, b) in enumerate(zip(vs, outs)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"Entry {i} in v has invalid size: should be {tuple(b.shape)} but got "
                               f"{tuple(a.shape)}.")
    return vs


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), vᵀ·J)``: the vector-Jacobian product at ``inputs``."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outs = _call(func, inputs, "vjp")
    vs = _check_v(v, outs, "v", "vjp")
    grads = _autograd_grad(outs, inputs, vs, create_graph)
    grads = _fill(grads, inputs, strict, "output", "vjp")
    return _post(outs, create_graph, out_tuple), _post(grads, create_graph, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J·v)``: the Jacobian-vector product at ``inputs`` (double-backward trick)."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare(inputs, create_graph)
    vs = _check_v(v, inputs, "v", "jvp", against="input")
    out_tuple, outs = _call(func, inputs, "jvp")
    dummies = tuple(Tensor._make(np.zeros(o.shape, dtype=o.dtype), True) for o in outs)
    grads = _autograd_grad(outs, inputs, dummies, create_graph=True)
    used = [(g, v_) for g, v_ in zip(grads, vs) if g is not None]
    if strict and len(used) != len(grads):
        i = next(k for k, g in enumerate(grads) if g is None)
        raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                           f"allowed in strict mode.")
    if used:
        res = _autograd_grad([g for g, _ in used], dummies, [v_ for _, v_ in used], create_graph)
    else:
        res = (None,) * len(dummies)
    res = _fill(res, outs, strict, "output", "jvp")
    return _post(outs, create_graph, out_tuple), _post(res, create_graph, out_tuple)


def _stack(rows, out, inp):
    """Rows (one gradient per output element) into a tensor of shape ``out.shape + inp.shape``."""
    from ..ops import stack   # late: the ops import the core
    if not rows:
        return Tensor._make(np.zeros(tuple(out.shape) + tuple(inp.shape), dtype=inp.dtype))
    return stack(rows).reshape(tuple(out.shape) + tuple(inp.shape))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for one input and one output a tensor of shape
    ``output.shape + input.shape``; tuples (of tuples) for tuple inputs/outputs, as PyTorch's."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                         'function has a single input or output, "reverse-mode" is faster.')
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("torch.autograd.functional.jacobian: `strategy=\"forward-mode\"` requires "
                                  "`vectorize=True`.")
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outs = _call(func, inputs, "jacobian")
    jac = []
    for i, out in enumerate(outs):
        rows = [[] for _ in inputs]
        n = out.numel()
        for j in range(n):
            e = np.zeros(n, dtype=out.dtype)
            e[j] = 1
            g = _autograd_grad([out], inputs, [Tensor._make(e.reshape(out.shape))], create_graph)
            for k, (gk, inp) in enumerate(zip(g, inputs)):
                if gk is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is independent of input {k}. "
                                           f"This is not allowed in strict mode.")
                    gk = _zeros_like(inp)
                rows[k].append(gk)
        jac.append(tuple(_stack(rows[k], out, inp) for k, inp in enumerate(inputs)))
    jac = tuple(tuple(x if create_graph else x.detach() for x in row) for row in jac)
    if out_tuple:
        return jac if in_tuple else tuple(row[0] for row in jac)
    return jac[0] if in_tuple else jac[0][0]


def _single_output(func, fn_name):
    def f(*inp):
        out = func(*inp)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
        if is_tuple or len(outs) != 1:
            raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
        if outs[0].numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single "
                               f"element")
        return outs[0].squeeze()
    return f


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of the scalar ``func`` at ``inputs``: shape ``input.shape + input.shape`` for one input; a
    tuple of tuples (block ``[i][j]`` of shape ``inputs[i].shape + inputs[j].shape``) for a tuple."""
    in_tuple, inputs_t = _as_tuple(inputs, "inputs", "hessian")
    f = _single_output(func, "hessian")

    def jac_func(*inp):
        return jacobian(f, inp, create_graph=True, strict=strict)

    res = jacobian(jac_func, inputs_t, create_graph=create_graph, strict=strict, vectorize=vectorize)
    return res if in_tuple else res[0][0] if isinstance(res[0], tuple) else res[0]


def _gradient_with_graph(func, inputs, v, create_graph, strict, name):
    """What ``vhp`` and ``hvp`` share: the checked inputs and ``v``, ``func``'s scalar output and its gradient
    with respect to the inputs (recorded, to differentiate again); in strict mode a gradient that does not depend
    on the inputs is refused."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _prepare(inputs, create_graph)
    vs = _check_v(v, inputs, "v", name, against="input")
    out_tuple, outs = _call(func, inputs, name)
    if out_tuple or outs[0].numel() != 1:
        raise RuntimeError(f"The function given to {name} should return a single Tensor with a single element.")
    jac = _autograd_grad(outs, inputs, [Tensor._make(np.ones(outs[0].shape, dtype=outs[0].dtype))], True)
    jac = _fill(jac, inputs, strict, "output", name)
    if strict and not all(j.requires_grad for j in jac):
        raise RuntimeError("The jacobian of the user-provided function is independent of input "
                           f"{next(k for k, j in enumerate(jac) if not j.requires_grad)}. This is not allowed in "
                           f"strict mode.")
    return in_tuple, inputs, vs, outs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), vᵀ·H)`` for a scalar ``func``."""
    in_tuple, inputs, vs, outs, jac = _gradient_with_graph(func, inputs, v, create_graph, strict, "vhp")
    used = [(j, v_) for j, v_ in zip(jac, vs) if j.requires_grad]
    if used:
        res = _autograd_grad([j for j, _ in used], inputs, [v_ for _, v_ in used], create_graph)
    else:
        res = (None,) * len(inputs)
    res = _fill(res, inputs, strict, "jacobian", "vhp")
    return _post(outs, create_graph, False), _post(res, create_graph, in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), H·v)`` for a scalar ``func`` (equal to ``vhp``'s for twice continuously differentiable
    functions, whose Hessian is symmetric)."""
    in_tuple, inputs, vs, outs, jac = _gradient_with_graph(func, inputs, v, create_graph, strict, "hvp")
    dummies = tuple(Tensor._make(np.zeros(t.shape, dtype=t.dtype), True) for t in inputs)
    used = [(j, d) for j, d in zip(jac, dummies) if j.requires_grad]
    res = (None,) * len(inputs)
    if used:
        back = _autograd_grad([j for j, _ in used], inputs, [d for _, d in used], create_graph=True)
        pairs = [(b, v_) for b, v_ in zip(back, vs) if b is not None and b.requires_grad]
        if pairs:
            res = _autograd_grad([b for b, _ in pairs], dummies, [v_ for _, v_ in pairs], create_graph)
    res = _fill(res, inputs, strict, "jacobian", "hvp")
    return _post(outs, create_graph, False), _post(res, create_graph, in_tuple)
