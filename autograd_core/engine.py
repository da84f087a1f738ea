"""The backward pass: an iterative topological walk of the recorded graph applying the chain rule.

1. Walk the graph from the root(s) with an explicit stack (no recursion: a 100,000-node chain is fine) to get the
   nodes in topological order.
2. Visit them in reverse order: call each node's ``backward`` with the gradient of its output; every returned
   gradient is reduced to its input's shape (the one place broadcasting is undone, ``ops.shape.sum_to``), cast to the
   input's dtype, then added to the gradient of the node that made that input, or to a leaf's ``.grad``.
3. Unless ``retain_graph``, each node frees its saved tensors once used.

This is the only chain-rule loop of the project. Whoever wants to watch it (the backprop replay and the
gradient pictures of ``autograd_core/viz``) passes an *observer* to :func:`run_backward`: an object with

* ``on_node(node, grad)``: ``node`` is about to run its backward with ``grad``, the gradient of its output;
* ``on_edge(node, index, raw, grad)``: ``node`` sent ``raw`` (as its backward returned it) to input ``index``,
  which receives ``grad`` (after ``sum_to`` and the dtype cast).
"""
import sys

import numpy as np

from . import grad_mode
from .errors import fmt_shape
from .ops.shape import sum_to
from .tensor import Tensor


_refcount = sys.getrefcount


def toposort(roots):
    """Nodes reachable from ``roots`` (grad_fn nodes), each after all nodes that consume its output.

    A depth-first walk with an explicit stack (two parallel lists: the nodes and how many of each node's grad_fns
    were looked at), so the walk keeps no object per node alive: a million-node chain is as deep as the stack gets,
    and a tuple per level would be a million objects for Python's cyclic GC to walk."""
    order = []
    seen = set()
    for root in roots:
        if root is None or root in seen:
            continue
        seen.add(root)
        nodes, pos = [root], [0]
        while nodes:
            node = nodes[-1]
            fns = node._e
            if fns is None:         # one or two inputs, kept as attributes (Function._edges)
                fns = (node._f0,) if len(node.needs_input_grad) == 1 else (node._f0, node._f1)
                first = 0
            else:
                first = len(fns) >> 1   # the grad_fns are the second half of the tuple
            i, n = first + pos[-1], len(fns)
            while i < n:
                child = fns[i]
                i += 1
                if child is not None and child not in seen:
                    seen.add(child)
                    pos[-1] = i - first
                    nodes.append(child)
                    pos.append(0)
                    break
            else:
                pos.pop()
                order.append(nodes.pop())
    order.reverse()  # consumers before producers
    return order


def _seed(t, gradient):
    if gradient is None:
        if t._data.size != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs: backward() was called on a "
                               f"tensor of shape {fmt_shape(t.shape)}; pass gradient= (a tensor of that shape)")
        return Tensor._make(np.ones_like(t._data))
    g = gradient if isinstance(gradient, Tensor) else Tensor(np.asarray(gradient, dtype=t.dtype))
    if g.shape != t.shape:
        raise RuntimeError(f"backward: gradient has shape {fmt_shape(g.shape)} but the tensor has shape "
                           f"{fmt_shape(t.shape)}")
    return g


def _check_finite(node, i, g):
    if g is not None and g._data.dtype.kind == "f" and not np.isfinite(g._data).all():
        where = ("\nThe forward call that created it:\n" + node.creation_trace) if node.creation_trace else ""
        raise RuntimeError(f"Function '{node.name()}' returned nan or inf values in its {i}th output "
                           f"(detect_anomaly).{where}")


def _run_hooks(hooks, g):
    for hook in list(hooks):
        r = hook(g)
        if r is not None:
            g = r
    return g


def _clone(g):
    """A copy of ``g`` that stays in the graph (``create_graph``): a leaf's ``.grad`` never aliases a tensor the
    caller holds."""
    return g.clone() if g._requires_grad else Tensor._make(g._data.copy())


def _look_closer(node, g, node_grads, captured, capture_nodes, observer, hooks, accumulate, create_graph):
    """The rare cases of a node in the walk: its output's hooks and ``retain_grad``, a captured gradient
    (``autograd.grad``), the observer, one output of a several-output node (its gradient is gathered for the parent:
    returns None) and a node already freed. Returns the gradient to run the node's backward with."""
    if node._special:
        if node._hooks and hooks:
            g = _run_hooks(node._hooks, g)
        if node._retain is not None and accumulate:
            out = node._retain()
            if out is not None:
                out.grad = _clone(g) if create_graph else Tensor._make(g._data.copy())
    if capture_nodes:
        key = capture_nodes.get(id(node))
        if key is not None:
            prev = captured.get(key)
            captured[key] = g if prev is None else prev + g
    if observer is not None:
        observer.on_node(node, g)
    if node._special:
        sel = node._select
        if sel is not None:     # one output of a several-output node: its gradient goes in that node's list
            parent, index = sel
            slots = node_grads.get(parent)
            if slots is None:
                slots = node_grads[parent] = [None] * parent._n_outputs
            slots[index] = g if slots[index] is None else slots[index] + g
            return None
        if node._released:
            raise node.freed_error()
    return g


def run_backward(roots, grads, retain_graph, create_graph, capture=None, accumulate=True, observer=None,
                 hooks=True):
    """The engine. ``capture`` maps id(tensor) -> tensor whose gradients are wanted (``autograd_core.grad``);
    their gradients are returned in a dict instead of (or besides, if ``accumulate``) filling ``.grad``.
    ``observer`` watches the walk (see the module docstring); ``hooks=False`` skips the tensor hooks (the replay
    does not run a user's hooks a second time).

    A leaf's gradient is summed over all its uses first; then its hooks run once on the sum, and the result is
    added to ``.grad``. A new ``.grad`` is always an array of the engine's own (never the caller's seed, an
    upstream gradient passed through, or another leaf's gradient), so later in-place accumulation changes
    nothing else."""
    captured = {}
    node_grads = {}
    leaf_grads = {}    # id(leaf) -> [leaf, summed gradient, fresh (an array made by this pass's own sum)]
    capture_nodes = {id(t.grad_fn): k for k, t in capture.items() if t.grad_fn is not None} if capture else {}
    anomaly = grad_mode._state.anomaly
    # IEEE semantics in backward (sqrt'(0) = inf is not an error; detect_anomaly reports it), as in PyTorch
    with grad_mode.set_grad_enabled(create_graph), np.errstate(divide="ignore", invalid="ignore", over="ignore"):

        def to_leaf(t, g):
            e = leaf_grads.get(id(t))
            if e is None:
                leaf_grads[id(t)] = [t, g, False]
            else:
                e[1] = e[1] + g
                e[2] = True

        for r, g in zip(roots, grads):
            if r.grad_fn is None:
                to_leaf(r, g)
            else:
                prev = node_grads.get(r.grad_fn)
                node_grads[r.grad_fn] = g if prev is None else prev + g
        watch = anomaly or observer is not None
        pop, get = node_grads.pop, node_grads.get
        for node in toposort([r.grad_fn for r in roots]):
            g = pop(node, None)
            if g is None:
                continue
            if node._special or capture_nodes or observer is not None:
                g = _look_closer(node, g, node_grads, captured, capture_nodes, observer, hooks, accumulate,
                                 create_graph)
                if g is None:
                    continue
            in_grads = node.backward(g)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            e = node._e
            n = len(node.needs_input_grad) if e is None else len(e) >> 1
            if len(in_grads) != n:
                raise RuntimeError(f"{node.name()} returned {len(in_grads)} gradients for {n} inputs")
            if not retain_graph:
                node.release()
                e = node._e         # read after release: freed inputs are their InputMeta now
            i = -1
            for gi, need in zip(in_grads, node.needs_input_grad):
                i += 1
                if gi is None or not need:
                    continue
                if e is None:       # one or two inputs, kept as attributes (Function._edges)
                    if i == 0:
                        t, child = node._x0, node._f0
                    else:
                        t, child = node._x1, node._f1
                else:
                    t, child = e[i], e[n + i]
                if watch:
                    if anomaly:
                        _check_finite(node, i, gi)
                    raw = gi
                gd, td = gi._data, t._data
                if gd.shape != td.shape:
                    gi = sum_to(gi, td.shape)
                if gd.dtype != td.dtype:
                    gi = gi.to(t.dtype)
                if observer is not None:
                    observer.on_edge(node, i, raw, gi)
                if child is None:
                    to_leaf(t, gi)
                else:
                    prev = get(child)
                    node_grads[child] = gi if prev is None else prev + gi

        in_grads = gi = g = raw = gd = td = None     # the walk's last gradients: no reference may keep them
        for t, g, fresh in leaf_grads.values():
            if t._hooks and hooks:
                h = _run_hooks(t._hooks, g)
                if h is not g:
                    g, fresh = h, False
            if capture is not None and id(t) in capture:
                captured[id(t)] = g
            if not accumulate:
                continue
            if t.grad is None:
                if create_graph:
                    t.grad = g if fresh else _clone(g)
                else:
                    arr = g._data
                    # A gradient nobody else holds becomes .grad as it is (PyTorch steals a gradient whose use count
                    # is 1 the same way): only this loop holds the tensor (leaf_grads' entry, ``g``, getrefcount's
                    # argument) and only the tensor holds the array (``g._data``, ``arr``, the argument), which owns
                    # its memory. Anything else (the caller's seed, a hook or an observer that kept it, a view of the
                    # array) and it is copied, so later in-place accumulation into .grad changes nothing else.
                    if not (arr.flags.owndata and arr.flags.writeable
                            and (fresh or _refcount(g) <= 3 and _refcount(arr) <= 3)):
                        arr = arr.copy()
                    t.grad = Tensor._make(arr)
            elif create_graph:
                t.grad = t.grad + g
            else:
                np.add(t.grad._data, g._data, out=t.grad._data, casting="unsafe")
    return captured


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors`` (``torch.autograd.backward``).

    Args:
        tensors: a tensor or a sequence of tensors; their gradients are summed.
        grad_tensors: the gradient of each tensor (None for a one-element tensor).
        retain_graph: keep the saved tensors for another backward (defaults to ``create_graph``).
        create_graph: record the backward pass, for higher-order derivatives.
        inputs: accumulate only into these tensors' ``.grad``.
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors) if grad_tensors is None else [grad_tensors]
    grad_tensors = list(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"backward: got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    for i, t in enumerate(tensors):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn: "
                               f"backward() needs a tensor computed from tensors with requires_grad=True")
    if retain_graph is None:
        retain_graph = create_graph
    seeds = [_seed(t, g) for t, g in zip(tensors, grad_tensors)]
    if inputs is None:
        run_backward(tensors, seeds, retain_graph, create_graph)
        return
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    captured = run_backward(tensors, seeds, retain_graph, create_graph,
                            capture={id(t): t for t in inputs}, accumulate=False)
    for t in inputs:
        g = captured.get(id(t))
        if g is None:
            continue
        if t.grad is None:
            t.grad = _clone(g) if create_graph else Tensor._make(g._data.copy())
        else:
            t.grad = t.grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated into ``.grad``).

    Args:
        outputs: a tensor or sequence of tensors.
        inputs: a tensor or sequence of tensors (leaves or intermediate results).
        grad_outputs: the vector in the vector-Jacobian product, one per output (needed for non-scalars).
        retain_graph: keep the graph for another backward (defaults to ``create_graph``).
        create_graph: record the computation, so the result can be differentiated again.
        allow_unused: return None for inputs the outputs do not depend on, instead of raising.

    Returns:
        a tuple with one gradient per input.

    Example::

        >>> x = tensor(2.0, requires_grad=True)
        >>> (g,) = grad(x ** 3, x, create_graph=True)   # 3x^2 = 12
        >>> grad(g, x)                                   # 6x = 12
    """
    single_out = isinstance(outputs, Tensor)
    outputs = [outputs] if single_out else list(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    roots, seeds = [], []
    for o, g in zip(outputs, grad_outputs):
        if not o._requires_grad:
            raise RuntimeError("grad: an output does not require grad and does not have a grad_fn")
        roots.append(o)
        seeds.append(_seed(o, g))
    captured = run_backward(roots, seeds, retain_graph, create_graph,
                            capture={id(t): t for t in inputs}, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {fmt_shape(t.shape)}) was not used in the graph of the "
                               f"outputs; pass allow_unused=True to get None for it")
        result.append(g)
    return tuple(result)
