"""What a picture leaves out by default: shape-only ops folded into edges, multi-output nodes drawn with ports.

A traced graph (:func:`.trace.trace`) has one node per op. Some ops only move numbers around: ``reshape``,
``permute`` (a transpose ``W.T``), ``expand``, ``squeeze``/``unsqueeze``, a ``cat`` of one tensor. In a picture
they add a box per use and teach nothing, so by default they are **folded**: the edge runs from the op that made
the numbers straight to the op that uses them, and remembers the folded ops (``edge.via``, shown in the edge's
tooltip, and as a small ``ᵀ`` for a transpose).

A fused recurrent layer (``FusedLSTMFunction``) computes one array holding the outputs of every step and the final
states; the layer then slices it into ``output``, ``h_n`` (and ``c_n``). Its Function class lists those names
(``viz_outputs``) and names its inputs (``viz_inputs``: ``input``, ``h_0``, ``c_0``, ``weight_ih``, ...), and the
layer names the slices (``tensor.name``). The slices are folded into the node, which is drawn as ``LSTM`` with one
row (a DOT port) per named output and its real shape; an unnamed leaf feeding it is named by its input slot
(``h_0``).

:class:`FoldedView` holds the result; it never changes the traced graph (the replay still walks every node).
"""
from .trace import Edge

__all__ = ["SHAPE_OPS", "FoldedView", "fold"]

#: op names that only change the shape or layout of one input
SHAPE_OPS = frozenset({"reshape", "view", "permute", "transpose", "expand", "squeeze", "unsqueeze", "flatten",
                       "unflatten", "contiguous", "t", "movedim", "view_as", "expand_as"})
TRANSPOSES = frozenset({"permute", "transpose", "t"})


def _is_port(n):
    """A slice of a multi-output node, named after one of its outputs."""
    if n.fn is None or len(n.inputs) != 1 or n.name is None:
        return False
    src = n.inputs[0][0]
    outputs = getattr(src.fn, "viz_outputs", None) if src.fn is not None else None
    return bool(outputs) and n.name in outputs


def _is_shape_only(n):
    if n.fn is None or len(n.inputs) != 1:
        return False
    return n.label in SHAPE_OPS or n.label in ("cat", "stack")


class FoldedView:
    """The drawn graph: visible nodes, rewired edges, consumers after folding, names of ports and of leaves.

    Attributes:
        nodes: visible nodes, in trace order; edges: forward edges between them (:class:`.trace.Edge`, with
            ``via`` and ``port``); consumers: ``id(node) -> [(consumer, input index)]`` over those edges.
        ports: ``id(multi-output node) -> [(port name, slice node)]`` in the order of its ``viz_outputs``.
        hidden: ``id(node) -> visible node standing for it`` (a folded op -> its source).
        slot_names: ``id(leaf) -> name`` for unnamed leaves named by the input slot they feed (``h_0``).
    """

    def __init__(self, graph, fold_shapes=True):
        self.graph = graph
        self.hidden = {}
        self.ports = {}
        port_of = {}
        for n in reversed(graph.ops):                 # producers before consumers
            if n.is_root:
                continue
            if _is_port(n):
                src = n.inputs[0][0]
                self.ports.setdefault(id(src), []).append((n.name, n))
                port_of[id(n)] = n.name
                self.hidden[id(n)] = src
            elif fold_shapes and _is_shape_only(n):
                src = n.inputs[0][0]
                self.hidden[id(n)] = self.hidden.get(id(src), src)
        for key, rows in self.ports.items():
            order = getattr(next(iter(rows))[1].inputs[0][0].fn, "viz_outputs", ())
            rows.sort(key=lambda r: order.index(r[0]) if r[0] in order else len(order))
        self.nodes = [n for n in graph.nodes if id(n) not in self.hidden]
        self.edges = []
        self.consumers = {}
        seen = set()
        for e in graph.edges:
            if id(e.dst) in self.hidden:
                continue
            src, via, port = e.src, [], None
            while id(src) in self.hidden:
                if id(src) in port_of:
                    port = port_of[id(src)]
                else:
                    via.append(src.label)
                src = src.inputs[0][0]
            key = (id(src), id(e.dst), e.index)
            if key in seen:
                continue
            seen.add(key)
            edge = Edge(src, e.dst, e.index, via=reversed(via), port=port) if (via or port) else e
            self.edges.append(edge)
            self.consumers.setdefault(id(src), []).append((e.dst, e.index))
        self.slot_names = {}
        for n in self.nodes:
            if n.fn is not None or n.name is not None:
                continue
            users = self.consumers.get(id(n), [])
            slots = {(id(c), i) for c, i in users}
            if len(slots) != 1:
                continue
            c, i = users[0]
            names = getattr(c.fn, "viz_inputs", None)
            if names and i < len(names):
                self.slot_names[id(n)] = names[i]

    def consumers_of(self, n):
        return self.consumers.get(id(n), [])

    def name_of(self, n):
        """The name drawn for a node: its own (or parameter) name, else the slot it feeds, else None."""
        return n.name or self.slot_names.get(id(n))

    def rep(self, n):
        """The visible node standing for ``n`` (itself when visible)."""
        return self.hidden.get(id(n), n)


def fold(graph, fold_shapes=True):
    """The :class:`FoldedView` of a traced graph (ports of multi-output nodes always; shape-only ops when
    ``fold_shapes``)."""
    return FoldedView(graph, fold_shapes)
