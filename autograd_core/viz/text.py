"""A plain-text tree of the graph, for terminals and logs.

Example::

    >>> print(graph_text(loss))
    n0 MeanBackward0 ()
    └── n1 AddBackward0 (4, 2)  [fc (Linear)]
        ├── n2 MatMulBackward0 (4, 2)  [fc (Linear)]
        │   └── n3 AccumulateGrad fc.weight (3, 2)
        └── n4 AccumulateGrad fc.bias (2,)
"""
from .fmt import fmt_array, fmt_shape
from .grads import GraphFreedError, StoredGrads, compute_grads
from .grouping import group
from .trace import trace

__all__ = ["graph_text", "print_graph"]

INDENT_LIMIT = 24   # indentation levels before a deep branch restarts at the left margin
DEFAULT_MAX_NODES = 500   # as draw_graph: a 60,000-node graph would otherwise print 80,000 lines


def _describe(n, mode, show_shapes, show_values, state):
    parts = [n.id]
    if n.fn is not None:
        parts.append(n.fn.name() if mode == "backward" else n.label)
        if n.name:
            parts.append(f"-> {n.name}")          # a result named with ag.name()
    elif mode == "backward":
        parts.append("AccumulateGrad " + (n.name or n.kind))
    elif n.kind == "const":
        parts.append("const " + fmt_array(n.tensor.numpy()))
    else:
        parts.append(f"{n.name or n.kind} [{n.kind}]" if n.name else f"[{n.kind}]")
    if show_shapes and n.tensor is not None and n.kind != "const":
        parts.append(fmt_shape(n.tensor.shape))
    if show_values and n.tensor is not None and n.kind != "const":
        parts.append("data " + fmt_array(n.tensor.numpy()))
    if state is not None:
        g = state.node_grad(n)
        if g is not None:
            parts.append("grad " + fmt_array(g))
    text = " ".join(parts)
    if n.fn is not None and n.cluster is not None:
        text += f"  [{n.cluster.label}]"
    return text


def graph_text(root, mode="backward", show_shapes=True, show_values=False, show_grads=False, params=None,
               max_depth=None, gradient=None, max_nodes=DEFAULT_MAX_NODES):
    """The graph of ``root`` as an indented tree, from the output down to the leaves.

    Args:
        root: output tensor (or a sequence of them).
        mode: ``'backward'`` (PyTorch's node names, ``AccumulateGrad`` for leaves that require grad, other leaves
            left out) or ``'forward'`` (op names, every leaf: parameters, inputs, constants).
        show_shapes, show_values, show_grads, params, gradient: as in :func:`draw_graph`.
        max_depth: stop descending below this depth (``...`` marks the cut).
        max_nodes: write at most this many nodes (default 500, as :func:`draw_graph`); a last line says how many
            were left out. None: all of them.

    A node reached a second time (its tensor is used twice) is written once; later mentions say ``(see nK)``.
    """
    if mode not in ("forward", "backward", "both"):
        raise ValueError(f"mode must be 'forward' or 'backward', got {mode!r}")
    if mode == "both":
        mode = "forward"
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be None or an int >= 1, got {max_nodes!r}")
    graph = trace(root, params)
    group(graph)
    state = None
    if show_grads:
        try:
            state = compute_grads(graph, gradient) if len(graph.roots) == 1 else StoredGrads()
        except GraphFreedError:
            state = StoredGrads()
    lines = []
    seen = set()
    # explicit stack (a 10,000-step chain must not hit the recursion limit): (node, prefix, connector, depth)
    stack = [(r, "", "", 0) for r in reversed(graph.roots)]
    hidden = 0        # nodes reached after max_nodes were written: counted, not written
    while stack:
        n, prefix, connector, depth = stack.pop()
        if id(n) in seen:
            if not hidden:
                lines.append(f"{prefix}{connector}(see {n.id})")
            continue
        seen.add(id(n))
        children = [src for src, _ in n.inputs if mode != "backward" or src.requires_grad]
        if hidden or (max_nodes is not None and len(seen) > max_nodes):
            hidden += 1
            stack.extend((c, "", "", depth + 1) for c in children)
            continue
        lines.append(prefix + connector + _describe(n, mode, show_shapes, show_values, state))
        if not children:
            continue
        child_prefix = prefix + ("" if not connector else ("    " if connector.startswith("└") else "│   "))
        if len(child_prefix) > 4 * INDENT_LIMIT:
            # a long chain (an unrolled RNN) would push lines thousands of characters to the right
            lines.append(f"↓ depth {depth + 1} continues at the left margin")
            child_prefix = ""
        if max_depth is not None and depth >= max_depth:
            lines.append(f"{child_prefix}└── ...")
            continue
        for i in reversed(range(len(children))):
            last = i == len(children) - 1
            stack.append((children[i], child_prefix, "└── " if last else "├── ", depth + 1))
    if hidden:
        lines.append(f"… {hidden} more node{'s' if hidden != 1 else ''} not shown (max_nodes={max_nodes}); pass a "
                     f"larger max_nodes (None: all), or max_depth= to cut by depth")
    return "\n".join(lines)


def print_graph(root, **kwargs):
    """Print :func:`graph_text` (same arguments, ``max_nodes`` included: 500 by default)."""
    print(graph_text(root, **kwargs))
