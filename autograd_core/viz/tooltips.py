"""Tooltips of the graph pictures: the full statistics of each node's value and gradient, and of the gradient each
edge carries (Graphviz writes them as SVG ``title`` attributes: hover over a node in Jupyter or a browser).

The functions take the :class:`.dot._Builder` drawing the picture (its folded view, gradient state and step).
"""
from .fmt import fmt_shape, fmt_stats

__all__ = ["node_tooltip", "edge_tooltip"]


def node_tooltip(builder, n):
    """Full statistics of the node's value and gradient (shown when hovering over the SVG)."""
    name = builder.view.name_of(n)
    head = f"{n.id}: " + (f"{n.label} ({n.fn.name()})" if n.fn is not None else f"{name or n.kind} [{n.kind}]")
    if n.fn is not None and name:
        head += f", output named {name}"
    parts = [head]
    if n.cluster is not None:
        parts.append(f"in {n.cluster.label}")
    rows = builder.view.ports.get(id(n))
    if rows:
        parts.append("one node for the whole sequence; build the layer with fused=False to see each step's "
                     "gates")
    targets = [(p, sl) for p, sl in rows] if rows else [(None, n)]
    for port, m in targets:
        t = m.tensor
        prefix = f"{port}: " if port else ""
        if t is not None:
            parts.append(prefix + "value " + fmt_stats(t.numpy()).replace("\n", "\n  "))
        g = builder.grad_of(m) if builder.state is not None else None
        if g is not None:
            parts.append(prefix + "grad " + fmt_stats(g).replace("\n", "\n  "))
    if n.fn is not None and getattr(type(n.fn), "derivative", None):
        parts.append("local derivative: " + type(n.fn).derivative)
    return "\n".join(parts)


def edge_tooltip(builder, e, grad=None):
    """What an edge carries: from which node (and output) to which op, through which folded ops, and the full
    statistics of the gradient sent back along it when known."""
    src = builder.view.name_of(e.src) or e.src.label
    what = f"{src}{'.' + e.port if e.port else ''} -> {e.dst.label} (input {e.index})"
    if e.via:
        what += " through " + ", ".join(e.via)
    if grad is not None:
        return f"gradient sent back along {what}\n" + fmt_stats(grad)
    if e.src.tensor is not None:
        what += f"\nshape {fmt_shape(e.src.tensor.shape)}"
    return what
