"""Group graph nodes into module clusters, one cluster per *call* of a module.

``node.scope`` is the tuple of modules whose forward was running when the op ran, outermost first. Each call of a
module builds a new tuple (``nn.Module.__call__`` appends to a stack), so ops created directly in one call share
the same tuple object, while ops of another call of the same module get another tuple. That is what lets an
unrolled RNN draw one box per time step instead of one box holding every step.

An op made inside a sub-module has no direct link to the call of its parent it belongs to; it inherits it from a
consumer of its output inside the same module (``cell.ih(x)`` feeds the ``add`` of the same ``cell`` call), which
is why ops are visited consumers first. Ops whose parent call cannot be told this way share one cluster.

Leaves are placed in the innermost cluster holding all their consumers (a weight used by every step of an RNN
sits in the RNN's cluster, not in one step); data inputs stay outside every cluster.
"""

__all__ = ["Cluster", "group"]


class Cluster:
    """One call of one module: its ops, leaves and sub-calls."""

    __slots__ = ("id", "module", "level", "parent", "children", "nodes", "name", "label", "rank")

    def __init__(self, cid, module, level, parent):
        self.id = cid
        self.module = module
        self.level = level          # 0 for a module called from outside any module
        self.parent = parent
        self.children = []
        self.nodes = []
        self.name = ""
        self.label = ""
        self.rank = 0               # the largest forward rank among its ops: later calls have larger ranks

    def chain(self):
        """This cluster and its ancestors, outermost first."""
        out = []
        c = self
        while c is not None:
            out.append(c)
            c = c.parent
        out.reverse()
        return out

    def ancestor_at(self, level):
        c = self
        while c.level > level:
            c = c.parent
        return c

    def __repr__(self):
        return f"Cluster(c{self.id}, {self.label!r})"


def _prefix_same(a, b, n):
    """True if the first ``n`` modules of two scope tuples are the same objects."""
    return len(a) >= n and len(b) >= n and all(a[i] is b[i] for i in range(n))


def group(graph):
    """Assign ``node.cluster`` for every node of ``graph``; returns the list of all clusters (ids in order)."""
    clusters = []
    by_key = {}          # (level, id(module), call key) -> Cluster
    inst = {}            # id(op node) -> list of call keys, one per level of its scope

    def cluster_for(scope, level, key, parent):
        k = (level, id(scope[level]), key)
        c = by_key.get(k)
        if c is None:
            c = Cluster(len(clusters), scope[level], level, parent)
            by_key[k] = c
            clusters.append(c)
            if parent is not None:
                parent.children.append(c)
        return c

    # the distinct calls made of each module path (tuple of module ids, outermost first)
    calls = {}
    for n in graph.ops:
        scope = n.fn.scope
        if scope:
            calls.setdefault(tuple(id(m) for m in scope), {})[id(scope)] = None

    # forward rank: 1 + the largest rank among an op's inputs (leaves 0). Calls of a module are numbered in the
    # order of their parents' ranks, then their own: a later call produces its output further from the inputs.
    rank = {}
    for n in reversed(graph.ops):             # producers before consumers
        rank[id(n)] = 1 + max((rank.get(id(src), 0) for src, _ in n.inputs), default=0)

    for n in graph.ops:                       # consumers before producers
        scope = n.fn.scope or ()
        path = tuple(id(m) for m in scope)
        keys = []
        parent = None
        for level in range(len(scope)):
            if level == len(scope) - 1:
                key = id(scope)               # the tuple made by this very call
            else:
                made = calls.get(path[:level + 1], {})
                if len(made) <= 1:            # called once (or only through sub-modules): no ambiguity
                    key = next(iter(made), ("shared",))
                else:
                    key = _from_consumers(n, scope, level, keys, inst)
            keys.append(key)
            parent = cluster_for(scope, level, key, parent)
        inst[id(n)] = keys
        n.cluster = parent
        if parent is not None:
            parent.nodes.append(n)
            c = parent
            r = rank[id(n)]
            while c is not None and c.rank < r:
                c.rank = r
                c = c.parent

    for n in graph.nodes:
        if n.fn is not None:
            continue
        if n.kind == "input" or not n.consumers:
            n.cluster = None
            continue
        n.cluster = _common_cluster([c.cluster for c, _ in n.consumers])
        if n.cluster is not None:
            n.cluster.nodes.append(n)
    _name_clusters(clusters, graph.module_names)
    return clusters


def _from_consumers(n, scope, level, keys, inst):
    """The call of ``scope[level]`` an op belongs to, taken from a consumer inside the same call: preferably one in
    the same call of the sub-module (exact), then one made directly by the module, then any."""
    own_child_call = id(scope) if len(scope) == level + 2 else None
    best, rank = ("shared",), 3
    for c, _ in n.consumers:
        cs = c.fn.scope or ()
        ckeys = inst[id(c)]
        if not _prefix_same(scope, cs, level + 1) or ckeys[:level] != keys:
            continue
        if own_child_call is not None and len(ckeys) > level + 1 and ckeys[level + 1] == own_child_call:
            return ckeys[level]
        r = 1 if len(cs) == level + 1 else 2
        if r < rank:
            best, rank = ckeys[level], r
    return best


def _common_cluster(cs):
    if any(c is None for c in cs):
        return None
    chains = [c.chain() for c in cs]
    common = None
    for level in range(min(len(ch) for ch in chains)):
        first = chains[0][level]
        if all(ch[level] is first for ch in chains):
            common = first
        else:
            break
    return common


def _name_clusters(clusters, names):
    """Dotted names from the module tree; ``#k`` (in forward order) when a module was called several times."""
    calls = {}
    for c in clusters:
        calls.setdefault(id(c.module), []).append(c)
    for same in calls.values():
        same.sort(key=lambda c: [(a.rank, a.id) for a in c.chain()])
        for k, c in enumerate(same, 1):
            cls = type(c.module).__name__
            name = names.get(id(c.module))
            if name is None:
                name = cls          # not registered under any traced root module
            c.name = name
            label = f"{name} ({cls})" if name and name != cls else cls
            if len(same) > 1:
                label += f" #{k}"
            c.label = label
