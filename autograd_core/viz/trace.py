"""Walk a recorded graph into plain nodes and edges, with deterministic sequential ids (no graphviz here).

The graph of a tensor is made of ``Function`` nodes (``t.grad_fn``) linked through ``node.inputs`` /
``node.input_fns``. For drawing we turn it into:

* one ``op`` node per Function; it stands for the op *and* the tensor it produced (that tensor is found as the
  consumer's entry in ``consumer.inputs``, or is the root itself);
* one node per leaf tensor met in ``node.inputs``: ``param`` (an ``nn.Parameter``, or named in ``params``),
  ``input`` (any other leaf: data, or a tensor the user created with ``requires_grad=True``) or ``const``
  (an unnamed 0-d tensor that requires no grad: a Python number wrapped by an op, as in ``x * 2``);
* one forward edge per (input tensor, consumer, input index).

Ids are ``n0, n1, ...`` in the order of the engine's topological sort (the order backward visits the ops), each
leaf numbered right after the first op that consumes it. The same program therefore always gives the same ids.

Example::

    >>> g = trace(loss)
    >>> [n.label for n in g.nodes][:3]
    ['mean', 'sub', 'matmul']
"""
from ..engine import toposort
from ..tensor import Tensor

__all__ = ["Node", "Edge", "Graph", "trace", "module_names"]


class Node:
    """One vertex: an op (``fn`` set, ``tensor`` its output) or a leaf tensor (``fn`` None)."""

    __slots__ = ("id", "index", "kind", "fn", "tensor", "name", "inputs", "consumers", "step", "cluster",
                 "is_root")

    def __init__(self, kind, fn=None, tensor=None, name=None):
        self.id = None
        self.index = -1
        self.kind = kind            # 'op' | 'param' | 'input' | 'const'
        self.fn = fn
        self.tensor = tensor
        self.name = name            # parameter / tensor name (leaves; ops whose output was named)
        self.inputs = []            # ops: [(producer Node, input index)], one per fn.inputs entry
        self.consumers = []         # [(consumer op Node, input index)]
        self.step = None            # ops: position in the backward visit order (0 = first)
        self.cluster = None         # set by grouping: the innermost module cluster
        self.is_root = False

    @property
    def is_op(self):
        return self.fn is not None

    @property
    def requires_grad(self):
        return True if self.fn is not None else bool(self.tensor is not None and self.tensor.requires_grad)

    @property
    def shape(self):
        return None if self.tensor is None else tuple(self.tensor.shape)

    @property
    def label(self):
        """Op name (``'mul'``) for ops; the name (or kind) for leaves."""
        if self.fn is not None:
            return type(self.fn).op_name()
        return self.name or self.kind

    def __repr__(self):
        return f"Node({self.id}, {self.kind}, {self.label!r})"


class Edge:
    """Forward data flow: ``src``'s tensor is input number ``index`` of op ``dst``.

    In a folded picture (:mod:`.fold`) an edge may skip shape-only ops: ``via`` lists their names (``['permute']``)
    and ``port`` names the output of a multi-output node (``'h_n'`` of an LSTM) the edge starts from.
    """

    __slots__ = ("src", "dst", "index", "via", "port")

    def __init__(self, src, dst, index, via=(), port=None):
        self.src, self.dst, self.index = src, dst, index
        self.via, self.port = tuple(via), port

    @property
    def tensor(self):
        return self.dst.fn.inputs[self.index]

    def __repr__(self):
        return f"Edge({self.src.id} -> {self.dst.id} [{self.index}])"


class Graph:
    """Nodes (ids ``n0..``) and forward edges of a recorded graph, plus the names found for modules."""

    def __init__(self, nodes, edges, roots, ops, module_names):
        self.nodes = nodes
        self.edges = edges
        self.roots = roots                # Nodes of the traced root tensors
        self.ops = ops                    # op Nodes in backward visit order (consumers before producers)
        self.module_names = module_names  # id(module) -> dotted name ('' for a root module)
        self.top_modules = []             # filled by grouping: modules that were called from outside any module

    def node_of(self, fn):
        for n in self.ops:
            if n.fn is fn:
                return n
        raise KeyError(fn)

    def __len__(self):
        return len(self.nodes)

    def __repr__(self):
        return f"Graph({len(self.nodes)} nodes, {len(self.edges)} edges)"


def _as_roots(root):
    if isinstance(root, Tensor):
        return [root]
    roots = list(root)
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError("expected a Tensor or a sequence of Tensors as the root of the graph")
    return roots


def module_names(modules):
    """``id(module) -> dotted name`` for these root modules and everything registered below them."""
    names = {}
    for top in modules:
        named = getattr(top, "named_modules", None)
        if named is None:
            continue
        for name, m in named():
            names.setdefault(id(m), name)
    return names


def _param_names(params, top_modules):
    names = {}
    if params is not None:
        if hasattr(params, "named_parameters"):       # a Module
            params = params.named_parameters()
        items = params.items() if hasattr(params, "items") else params
        for name, p in items:
            names.setdefault(id(p), name)
    for top in top_modules:
        named = getattr(top, "named_parameters", None)
        if named is not None:
            for name, p in named():
                names.setdefault(id(p), name)
    return names


def _leaf_kind(t, param_names):
    if id(t) in param_names or type(t).__name__ == "Parameter":
        return "param"
    if not t.requires_grad and t.ndim == 0 and t.name is None:
        return "const"
    return "input"


def trace(root, params=None):
    """Walk the graph that produced ``root`` (a tensor, or a sequence of tensors).

    Args:
        root: the output tensor(s), e.g. the loss.
        params: optional names for parameters: a dict ``name -> tensor``, ``(name, tensor)`` pairs (e.g.
            ``model.named_parameters()``) or a Module. Parameters used inside an ``nn.Module``'s forward are
            named from the module tree automatically.

    Returns:
        a :class:`Graph`.
    """
    roots = _as_roots(root)
    fns = [r.grad_fn for r in roots if r.grad_fn is not None]
    order = toposort(fns)
    tops = {}
    if hasattr(params, "named_modules"):
        tops[id(params)] = params                     # module names relative to the model given
    for fn in order:
        if fn.scope:
            tops.setdefault(id(fn.scope[0]), fn.scope[0])
    top_modules = list(tops.values())
    pnames = _param_names(params, top_modules)

    op_nodes = {id(fn): Node("op", fn=fn) for fn in order}
    for r in roots:
        if r.grad_fn is not None and op_nodes[id(r.grad_fn)].tensor is None:
            op_nodes[id(r.grad_fn)].tensor = r
    leaves = {}
    nodes, edges = [], []

    def number(n):
        n.index = len(nodes)
        n.id = f"n{n.index}"
        nodes.append(n)

    def leaf(t):
        n = leaves.get(id(t))
        if n is None:
            kind = _leaf_kind(t, pnames)
            n = Node(kind, tensor=t, name=pnames.get(id(t)) or t.name)
            leaves[id(t)] = n
            number(n)
        return n

    ops = []
    for step, fn in enumerate(order):
        n = op_nodes[id(fn)]
        n.step = step
        number(n)
        ops.append(n)
        for i, t in enumerate(fn.inputs):
            src_fn = fn.input_fns[i]   # the edge as recorded (an in-place op may have rebound t.grad_fn since)
            if src_fn is not None:
                src = op_nodes[id(src_fn)]
                if src.tensor is None:
                    src.tensor = t
            else:
                src = leaf(t)
            n.inputs.append((src, i))
            src.consumers.append((n, i))
            edges.append(Edge(src, n, i))
    for n in ops:
        if n.tensor is not None and n.tensor.name is not None:
            n.name = n.tensor.name        # ag.name(x * w, "h"): an intermediate the user named
    root_nodes = []
    for r in roots:
        n = op_nodes[id(r.grad_fn)] if r.grad_fn is not None else leaf(r)
        n.is_root = True
        root_nodes.append(n)
    graph = Graph(nodes, edges, root_nodes, ops, module_names(top_modules))
    graph.top_modules = top_modules
    return graph
