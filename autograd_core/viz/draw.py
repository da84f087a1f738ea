"""``draw_graph`` and ``to_dot``: the computational graph of a tensor as a picture or as DOT text."""
import warnings

from .dot import build_dot
from .grads import GraphFreedError, StoredGrads, compute_grads
from .grouping import group
from .trace import trace

__all__ = ["draw_graph", "to_dot", "DEFAULT_MAX_NODES"]

DEFAULT_MAX_NODES = 500


def _build(root, mode, show_shapes, show_values, show_grads, params, group_by_module, depth, rankdir, max_nodes,
           gradient, title, fold_shapes=True, edge_labels=False):
    graph = trace(root, params)
    clusters = group(graph) if (group_by_module or depth is not None) else []
    state = None
    if show_grads:
        state = _grads(graph, gradient)
    return build_dot(graph, clusters, mode=mode, show_shapes=show_shapes, show_values=show_values,
                     show_grads=show_grads, state=state, group_by_module=group_by_module, depth=depth,
                     rankdir=rankdir, max_nodes=max_nodes, title=title, fold_shapes=fold_shapes,
                     edge_labels=edge_labels)


def _grads(graph, gradient):
    if len(graph.roots) == 1:
        try:
            return compute_grads(graph, gradient)
        except GraphFreedError:
            warnings.warn("show_grads: the graph was freed by backward(), so only gradients stored in .grad "
                          "(leaves, and tensors that called retain_grad()) are shown; draw before backward() or "
                          "use backward(retain_graph=True) to see every gradient", RuntimeWarning, stacklevel=4)
    return StoredGrads()


def draw_graph(root, mode="forward", show_shapes=True, show_values=False, show_grads=False, params=None,
               group_by_module=True, depth=None, rankdir="TB", max_nodes=DEFAULT_MAX_NODES, gradient=None,
               title=None, fold_shapes=True, edge_labels=False):
    """Draw the computational graph that produced ``root``.

    Args:
        root: the output tensor (e.g. the loss), or a sequence of tensors.
        mode: ``'forward'`` (data flows from inputs and parameters to the output), ``'backward'`` (the gradient
            functions, numbered in the order backward visits them, edges labeled with the gradient shapes they
            pass) or ``'both'`` (forward edges plus dashed red gradient edges).
        show_shapes: print tensor shapes in the nodes (and gradient shapes on backward edges).
        show_values: print each tensor's value (in full for scalars and tiny arrays, else mean/min/max).
        show_grads: print gradients, computed by replaying the backward pass (``.grad`` is not touched). Draw
            before ``backward()`` (or after ``backward(retain_graph=True)``); once the graph is freed only stored
            ``.grad`` values can be shown.
        params: names for parameters, e.g. ``dict(model.named_parameters())``; parameters used inside a module's
            forward are named from the module tree anyway.
        group_by_module: draw the ops made inside an ``nn.Module``'s forward in a box labeled with the module's
            dotted name (one box per call, so an unrolled RNN gets one box per step).
        depth: collapse modules at this depth (0: the modules called from outside any module, 1: their
            children, ...) into one node each.
        rankdir: ``'TB'`` (top to bottom) or ``'LR'`` (left to right).
        max_nodes: draw at most this many nodes (those nearest the output) and say how many were left out.
        gradient: the gradient to start from when ``root`` is not a scalar (as in ``backward(gradient)``).
        title: a caption drawn above the graph.
        fold_shapes: fold shape-only ops (``reshape``, ``permute``, ``expand``, ``squeeze``...) into the edges
            they sit on (a transpose shows as a small ``ᵀ``); False draws every op.
        edge_labels: write the gradients (and in ``'backward'`` mode their shapes) on the edges; by default they
            are only in the edges' tooltips, since the nodes already show them.

    Every node and edge carries an SVG tooltip with full statistics of its value and gradient (hover over it in
    Jupyter or a browser). Tensors named with :func:`autograd_core.name` (or ``tensor(..., label=...)``) are
    drawn with their names.

    Returns:
        a ``graphviz.Digraph`` (a :class:`GraphImage`): shown inline in Jupyter (as DOT text with an install hint
        where Graphviz's ``dot`` is missing), ``.save('graph.svg')``, ``.source`` for the DOT text.

    Example::

        >>> loss = F.cross_entropy(model(x), y)
        >>> draw_graph(loss, show_values=True, show_grads=True)            # in a notebook cell
        >>> draw_graph(loss, mode="backward", depth=1).save("graph.png")
    """
    try:
        from .render import GraphImage
    except ImportError:
        raise ImportError("draw_graph needs the graphviz Python package: pip install graphviz (or pip install "
                          "'autograd-core[viz]'); to_dot() gives the DOT text without it") from None
    dot = _build(root, mode, show_shapes, show_values, show_grads, params, group_by_module, depth, rankdir,
                 max_nodes, gradient, title, fold_shapes, edge_labels)
    return GraphImage.from_dot(dot)


def to_dot(root, mode="forward", show_shapes=True, show_values=False, show_grads=False, params=None,
           group_by_module=True, depth=None, rankdir="TB", max_nodes=DEFAULT_MAX_NODES, gradient=None, title=None,
           fold_shapes=True, edge_labels=False):
    """The DOT text of :func:`draw_graph` (same arguments); needs neither graphviz nor its Python package."""
    return _build(root, mode, show_shapes, show_values, show_grads, params, group_by_module, depth, rankdir,
                  max_nodes, gradient, title, fold_shapes, edge_labels).source
