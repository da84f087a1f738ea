"""Layout help for repeated module calls: the steps of an unrolled RNN drawn in call order.

Graphviz ranks nodes by the edges between them; the ops of step k + 1 that read only leaves (its input ``x_t`` and
the shared weights) would otherwise float to the left of step k. Invisible edges from the last op of call k to the
first ops of call k + 1 keep the boxes in order; they are added only when call k feeds call k + 1 and the edge
cannot close a cycle.
"""

__all__ = ["emit_order"]


def emit_order(builder, vis, body):
    """Invisible edges that lay out repeated calls of one module in call order when each call feeds the next
    (the steps of an unrolled RNN): from the last op of call k to the first ops of call k + 1. ``builder`` is the
    :class:`.dot._Builder` drawing the picture; returns how many edges were added to ``body``."""
    if not builder.emit or builder.depth is not None:
        return 0
    rank, ancestors_of = {}, {}
    for n in reversed(builder.g.ops):
        rank[id(n)] = 1 + max((rank.get(id(src), 0) for src, _ in n.inputs), default=0)
    calls = {}
    for c in builder.clusters:
        if "#" in c.label:
            calls.setdefault((id(c.module), id(c.parent)), []).append(c)
    added = 0
    for same in calls.values():
        same.sort(key=lambda c: (c.rank, c.id))
        for first, then in zip(same, same[1:]):
            a_ops = [n for n in first.nodes if n.fn is not None and vis.get(id(n)) == n.id]
            b_ops = [n for n in then.nodes if n.fn is not None and vis.get(id(n)) == n.id]
            if not a_ops or not b_ops:
                continue
            sink = max(a_ops, key=lambda n: (rank[id(n)], -n.index))
            inside = {id(n) for n in b_ops}
            firsts = [n for n in b_ops if not any(id(builder.view.rep(src)) in inside for src, _ in n.inputs)]
            if id(sink) not in ancestors_of:
                ancestors_of[id(sink)] = _ancestors(sink)
            if not any(id(n) in ancestors_of[id(sink)] for n in b_ops):
                if _feeds(a_ops, inside):
                    for f in firsts:
                        if builder.mode == "backward":
                            body.append(f"\t{f.id} -> {sink.id} [style=\"invis\"]\n")
                        else:
                            body.append(f"\t{sink.id} -> {f.id} [style=\"invis\"]\n")
                        added += 1
    return added


def _ancestors(n):
    """ids of every node ``n`` depends on (iterative)."""
    out, stack = set(), [n]
    while stack:
        m = stack.pop()
        for src, _ in m.inputs:
            if id(src) not in out:
                out.add(id(src))
                stack.append(src)
    return out


def _feeds(nodes, targets):
    """Whether any of ``nodes`` reaches a node whose id is in ``targets`` (following consumers)."""
    seen, stack = set(), list(nodes)
    while stack:
        m = stack.pop()
        for c, _ in m.consumers:
            if id(c) in targets:
                return True
            if id(c) not in seen:
                seen.add(id(c))
                stack.append(c)
    return False
