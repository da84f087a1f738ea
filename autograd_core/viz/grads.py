"""Run the backward pass once more, keeping every gradient of every step, without touching ``.grad``.

There is no second chain-rule loop here: :func:`compute_grads` runs the engine itself (``engine.run_backward``,
with ``retain_graph=True`` and nothing accumulated) and watches it through the engine's observer interface,
recording for each node the gradient that arrives and what it sends to each input. Tensor hooks are *not* run
(they may have side effects, such as recording statistics), so a hook that changes gradients is not reflected.

The saved tensors must still be there: call it before ``backward()``, or after ``backward(retain_graph=True)``;
otherwise the engine raises :class:`~autograd_core.errors.GraphFreedError`.
"""
import numpy as np

from ..engine import run_backward
from ..errors import GraphFreedError
from ..tensor import Tensor

__all__ = ["GraphFreedError", "GradState", "StoredGrads", "compute_grads"]


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
        """Gradient of a node's tensor: an op's output once every consumer has sent its part (at the latest when
        the op is visited), a leaf's running sum."""
        if node.fn is None:
            return self.leaf_grad(node.tensor, upto)
        s = self._step_of.get(id(node))
        if s is None:
            return None
        if upto is not None and s.index > upto:
            # complete once every consumer has sent its part (shown before the node itself is processed)
            steps = [self._step_of.get(id(c)) for c, _ in node.consumers]
            if not steps or any(c is None or c.index > upto for c in steps):
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


class _Recorder:
    """The engine's observer: one :class:`Step` per node visited, and the running sum of every leaf's gradient."""

    def __init__(self, graph):
        self.node_of = {id(n.fn): n for n in graph.ops}
        self.steps = []
        self.current = {}          # id(Function) -> its Step
        self.leaf_history = {}     # id(leaf tensor) -> [(step index, accumulated ndarray)]

    def on_node(self, fn, grad):
        step = Step(len(self.steps), self.node_of[id(fn)], grad.numpy())
        step.sent = [None] * len(fn.inputs)
        step.raw_shapes = [None] * len(fn.inputs)
        self.steps.append(step)
        self.current[id(fn)] = step

    def on_edge(self, fn, index, raw, grad):
        step = self.current[id(fn)]
        step.raw_shapes[index] = tuple(raw.shape)
        step.sent[index] = grad.numpy()
        if fn.input_fns[index] is None:
            hist = self.leaf_history.setdefault(id(fn.inputs[index]), [])
            total = grad.numpy() if not hist else hist[-1][1] + grad.numpy()
            hist.append((step.index, total))


def compute_grads(graph, gradient=None):
    """Run the backward pass of ``graph`` (from :func:`trace`, single root) step by step.

    Returns:
        a :class:`GradState`.

    Raises:
        GraphFreedError: the saved tensors were already freed by ``backward()``.
    """
    (root_node,) = graph.roots
    root = root_node.tensor
    seed = _seed(root, gradient)
    if root_node.fn is None:
        return GradState([], {id(root): [(-1, seed)]} if root.requires_grad else {})
    recorder = _Recorder(graph)
    try:
        run_backward([root], [Tensor._make(seed)], retain_graph=True, create_graph=False, accumulate=False,
                     observer=recorder, hooks=False)
    except GraphFreedError:
        raise GraphFreedError(
            "the graph's saved tensors were freed by an earlier backward(): draw or replay the graph before "
            "calling backward(), or call backward(retain_graph=True)") from None
    return GradState(recorder.steps, recorder.leaf_history)


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
