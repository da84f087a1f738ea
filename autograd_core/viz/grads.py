"""Recompute the backward pass node by node, keeping every gradient, without touching ``.grad``.

This is the engine's loop (``engine.run_backward``) written out so each step can be looked at: in the engine's
topological order, call the node's ``backward`` with the gradient of its output, reduce each returned gradient to
its input's shape (``shapes.sum_to``), cast it to the input's dtype and add it to the producer's gradient.
Tensor hooks are *not* run (they may have side effects, such as recording statistics), so a hook that changes
gradients is not reflected here.

The saved tensors must still be there: call it before ``backward()``, or after ``backward(retain_graph=True)``.
"""
import numpy as np

from ..grad_mode import no_grad
from ..shapes import sum_to
from ..tensor import Tensor

__all__ = ["GraphFreedError", "GradState", "StoredGrads", "compute_grads"]


class GraphFreedError(RuntimeError):
    """The graph's saved tensors were freed by an earlier ``backward()``."""


class Step:
    """What one node did in the backward pass."""

    __slots__ = ("index", "node", "upstream", "sent", "raw_shapes")

    def __init__(self, index, node, upstream):
        self.index = index
        self.node = node            # trace.Node of the op
        self.upstream = upstream    # ndarray: gradient of the op's output
        self.sent = []              # one entry per input: ndarray after sum_to, or None
        self.raw_shapes = []        # shape returned by backward (before sum_to), or None


class GradState:
    """All gradients of one backward pass, and when (at which step) each became known.

    ``at(k)`` gives the view after step ``k`` (``None``: the end), used to draw replay frames.
    """

    tracks_edges = True

    def __init__(self, steps, leaf_history):
        self.steps = steps                  # list of Step, in visit order
        self.leaf_history = leaf_history    # id(leaf tensor) -> [(step index, accumulated ndarray)]
        self._step_of = {id(s.node): s for s in steps}

    def step_of(self, node):
        return self._step_of.get(id(node))

    def leaf_grad(self, tensor, upto=None):
        """The gradient accumulated into a leaf up to step ``upto`` (inclusive), or None."""
        hist = self.leaf_history.get(id(tensor))
        if not hist:
            return None
        last = None
        for k, g in hist:
            if upto is not None and k > upto:
                break
            last = g
        return last

    def node_grad(self, node, upto=None):
        """Gradient of a node's tensor: an op's output once the op has been visited, a leaf's running sum."""
        if node.fn is None:
            return self.leaf_grad(node.tensor, upto)
        s = self._step_of.get(id(node))
        if s is None or (upto is not None and s.index > upto):
            return None
        return s.upstream

    def edge_grad(self, edge, upto=None):
        """Gradient sent along a forward edge (from ``edge.dst`` back to ``edge.src``), or None."""
        s = self._step_of.get(id(edge.dst))
        if s is None or (upto is not None and s.index > upto):
            return None
        return s.sent[edge.index]


def _seed(root, gradient):
    if gradient is None:
        if root.numel() != 1:
            raise RuntimeError(f"the root has shape {tuple(root.shape)}: pass gradient= (a tensor of that shape) "
                               f"to replay the backward pass of a non-scalar tensor")
        return np.ones_like(root.numpy())
    g = gradient.numpy() if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=root.dtype)
    if g.shape != tuple(root.shape):
        raise RuntimeError(f"gradient has shape {g.shape} but the root has shape {tuple(root.shape)}")
    return g


def compute_grads(graph, gradient=None):
    """Run the backward pass of ``graph`` (from :func:`trace`, single root) step by step.

    Returns:
        a :class:`GradState`.

    Raises:
        GraphFreedError: the saved tensors were already freed by ``backward()``.
    """
    (root_node,) = graph.roots
    root = root_node.tensor
    if root_node.fn is None:
        seed = _seed(root, gradient)
        return GradState([], {id(root): [(-1, seed)]} if root.requires_grad else {})
    pending = {id(root_node): Tensor._make(_seed(root, gradient))}
    steps, leaf_history = [], {}
    with no_grad():
        for node in graph.ops:
            g = pending.pop(id(node), None)
            if g is None:
                continue
            step = Step(len(steps), node, g.numpy())
            try:
                in_grads = node.fn.backward(g)
            except RuntimeError as exc:
                if "second time" in str(exc) or "freed" in str(exc):
                    raise GraphFreedError(
                        "the graph's saved tensors were freed by an earlier backward(): draw or replay the graph "
                        "before calling backward(), or call backward(retain_graph=True)") from None
                raise
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            for (src, i), gi in zip(node.inputs, in_grads):
                t = node.fn.inputs[i]
                if gi is None or not t.requires_grad:
                    step.sent.append(None)
                    step.raw_shapes.append(None)
                    continue
                step.raw_shapes.append(tuple(gi.shape))
                if gi.shape != t.shape:
                    gi = sum_to(gi, t.shape)
                if gi.dtype != t.dtype:
                    gi = gi.to(t.dtype)
                step.sent.append(gi.numpy())
                if src.fn is None:
                    hist = leaf_history.setdefault(id(t), [])
                    total = gi.numpy() if not hist else hist[-1][1] + gi.numpy()
                    hist.append((step.index, total))
                else:
                    prev = pending.get(id(src))
                    pending[id(src)] = gi if prev is None else prev + gi
            steps.append(step)
    return GradState(steps, leaf_history)


class StoredGrads:
    """Gradients already stored on tensors (``.grad`` of leaves and of tensors that called ``retain_grad()``),
    used where the graph was freed and the backward pass cannot be replayed."""

    tracks_edges = False

    def node_grad(self, node, upto=None):
        t = node.tensor
        g = getattr(t, "grad", None) if t is not None else None
        return None if g is None else g.numpy()

    def edge_grad(self, edge, upto=None):
        return None
