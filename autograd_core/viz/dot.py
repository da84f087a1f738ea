"""Turn a traced graph into DOT text: styles, module clusters, collapsing by depth, truncation at ``max_nodes``.

The DOT text is written here directly (no graphviz import), so it is available without the graphviz package and
is the same on every run: node ids come from :func:`trace` (``n0, n1, ...``), clusters are numbered in creation
order (``cluster_c0, ...``), collapsed modules are ``m<cluster id>``, and values are printed with fixed precision.

Three pictures share one layout code:

* ``forward``: data flows from leaves (parameters blue, inputs green, constants grey) through ops (yellow boxes,
  each standing for the op and the tensor it made) to the root (red);
* ``backward``: the gradient functions (``MulBackward0``) in the order backward visits them (``#1`` first), each
  edge from a node to the node it sends a gradient to, labeled with that gradient's shape; leaves that require
  grad appear as ``AccumulateGrad``;
* ``both``: the forward picture plus dashed red gradient edges running backward (they do not move the layout).

Large graphs: ``max_nodes`` keeps the nodes nearest the output and adds a note saying how many were cut; a leaf
used by more than ``SHARED_LEAF_LIMIT`` nodes (an RNN weight used at every step) is drawn next to each user,
because edges fanning out over hundreds of ranks make dot's layout take minutes; with ``depth``, a leaf used only
inside collapsed calls of one module disappears into those boxes.
"""
import html

from .fmt import fmt_array, fmt_shape

__all__ = ["DotGraph", "build_dot", "MODES"]

MODES = ("forward", "backward", "both")
FONT = "Helvetica"
GRAD_COLOR = "#cc0000"
HIGHLIGHT_COLOR = "#ff6d00"

NODE_STYLES = {
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#fff2cc", "color": "#bf9000"},
    "grad_fn": {"shape": "box", "style": "rounded,filled", "fillcolor": "#fce5cd", "color": "#b45f06"},
    "param": {"shape": "box", "style": "filled", "fillcolor": "#cfe2f3", "color": "#3d85c6"},
    "input": {"shape": "box", "style": "filled", "fillcolor": "#d9ead3", "color": "#6aa84f"},
    "const": {"shape": "box", "style": "filled,dashed", "fillcolor": "#eeeeee", "color": "#999999"},
    "accumulate": {"shape": "box", "style": "filled", "fillcolor": "#cfe2f3", "color": "#3d85c6"},
    "module": {"shape": "box3d", "style": "filled", "fillcolor": "#e6e0f8", "color": "#674ea7"},
    "note": {"shape": "note", "style": "filled", "fillcolor": "#ffffcc", "color": "#999900"},
}
ROOT_STYLE = {"fillcolor": "#f4cccc", "color": "#990000", "penwidth": "2"}
HIGHLIGHT_STYLE = {"fillcolor": "#ffb74d", "color": HIGHLIGHT_COLOR, "penwidth": "3"}
# A leaf used by more nodes than this (a weight shared by every step of an unrolled RNN) is drawn once next to each
# user: edges fanning out across the whole picture make dot's layout take minutes.
SHARED_LEAF_LIMIT = 8
ABSORBED = object()     # marks a leaf drawn inside the collapsed module boxes that use it


class DotGraph:
    """DOT statements (``body``) of a picture; ``source`` is the full text, ``stats`` counts what was drawn."""

    def __init__(self, body, n_nodes, n_edges, n_hidden, mode):
        self.body = body
        self.n_nodes = n_nodes
        self.n_edges = n_edges
        self.n_hidden = n_hidden    # nodes left out because of max_nodes
        self.mode = mode

    @property
    def source(self):
        # The same text graphviz.Digraph(body=...).source produces.
        return "digraph {\n" + "".join(self.body) + "}\n"


def _attrs(d):
    parts = []
    for k, v in d.items():
        if isinstance(v, str) and v.startswith("<") and v.endswith(">"):
            parts.append(f"{k}={v}")
        else:
            v = str(v).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{k}="{v}"')
    return " [" + " ".join(parts) + "]" if parts else ""


def _esc(s):
    return html.escape(str(s), quote=False)


def _html(lines):
    """``[(text, kind), ...]`` -> an HTML-like label; kind is 'title', 'small', 'grad' or ''."""
    out = []
    for text, kind in lines:
        t = _esc(text)
        if kind == "title":
            t = f"<b>{t}</b>"
        elif kind == "small":
            t = f'<font point-size="9" color="#555555">{t}</font>'
        elif kind == "grad":
            t = f'<font point-size="10" color="{GRAD_COLOR}">{t}</font>'
        elif kind == "value":
            t = f'<font point-size="10">{t}</font>'
        out.append(t)
    return "<" + "<br/>".join(out) + ">"


class _Builder:
    def __init__(self, graph, clusters, mode, show_shapes, show_values, show_grads, state, upto, depth,
                 highlight, group_by_module):
        self.g = graph
        self.emit = group_by_module
        self.mode = mode
        self.show_shapes, self.show_values, self.show_grads = show_shapes, show_values, show_grads
        self.state, self.upto, self.depth = state, upto, depth
        self.highlight = highlight
        self.clusters = clusters

    # ------------------------------------------------------------------ labels
    def grad_of(self, n):
        if self.state is None:
            return None
        return self.state.node_grad(n, self.upto)

    def node_label(self, n, extra=None):
        lines = []
        t = n.tensor
        backward = self.mode == "backward"
        if n.fn is not None:
            if backward:
                lines.append((n.fn.name(), "title"))
                lines.append((f"#{n.step + 1}", "small"))
            else:
                lines.append((n.label, "title"))
        elif backward:
            lines.append(("AccumulateGrad", "title"))
            lines.append((n.name or n.kind, ""))
        elif n.kind == "const":
            lines.append((fmt_array(t.numpy()), "title"))
        else:
            lines.append((n.name or n.kind, "title"))
        if self.show_shapes and t is not None and n.kind != "const":
            lines.append((fmt_shape(t.shape), "small"))
        if self.show_values and hasattr(t, "numpy") and n.kind != "const" and not backward:
            lines.append(("data " + fmt_array(t.numpy()), "value"))
        if self.show_grads:
            g = self.grad_of(n)
            if g is not None:
                lines.append(("grad " + fmt_array(g), "grad"))
        if extra:
            lines.append((extra, "small"))
        return _html(lines)

    def node_style(self, n):
        if n.fn is not None:
            style = dict(NODE_STYLES["grad_fn" if self.mode == "backward" else "op"])
        else:
            style = dict(NODE_STYLES["accumulate" if self.mode == "backward" else n.kind])
        if n.is_root:
            style.update(ROOT_STYLE)
        if self.highlight is not None and n is self.highlight:
            style.update(HIGHLIGHT_STYLE)
        return style

    def box_label(self, c, members):
        ops = sum(1 for n in members if n.fn is not None)
        params = [n for n in members if n.kind == "param"]
        lines = [(c.label, "title"), (f"{ops} op{'s' if ops != 1 else ''}", "small")]
        if params:
            size = sum(int(n.tensor.numel()) for n in params)
            lines.append((f"{len(params)} param tensor{'s' if len(params) != 1 else ''}, {size} values", "small"))
        return _html(lines)

    def grad_edge_label(self, e):
        t = e.src.tensor
        lines = []
        if self.show_shapes and self.mode == "backward":    # in 'both' the nodes already show the shapes
            lines.append((fmt_shape(t.shape), "small"))
        if self.show_grads and self.state is not None:
            g = self.state.edge_grad(e, self.upto)
            if g is not None:
                lines.append((fmt_array(g), "grad"))
        return _html(lines) if lines else None

    # ------------------------------------------------------------------ layout
    def box_of(self, n):
        c = n.cluster
        if self.depth is None or c is None or c.level < self.depth:
            return None
        return c.ancestor_at(self.depth)

    def absorbed(self, n, box_item):
        """A leaf used only inside collapsed calls of one module (an RNN cell's weights) disappears into them."""
        if self.depth is None or n.kind == "input" or not n.consumers:
            return False
        users = [self.box_of(c) for c, _ in n.consumers]
        if any(b is None for b in users) or len({id(b.module) for b in users}) != 1:
            return False
        for b in dict.fromkeys(users):
            box_item(b)[2].append(n)
        return True

    def collect(self, max_nodes):
        """The visible items, in id order (``['node', Node]`` or ``['box', Cluster, members]``), the visible key
        of each node (``vis``: node id, box id, None when cut by ``max_nodes``), and how many nodes were cut."""
        shown = [n for n in self.g.nodes if self.mode != "backward" or n.requires_grad]
        vis = {}            # id(node) -> visible key (node id or box id)
        items = []          # visible items in order: ('node', Node) or ('box', Cluster, members)
        boxes = {}

        def box_item(box):
            key = f"m{box.id}"
            if key not in boxes:
                boxes[key] = ["box", box, []]
                items.append(boxes[key])
            return boxes[key]

        for n in shown:
            box = self.box_of(n)
            if box is None and n.fn is None and self.absorbed(n, box_item):
                continue
            if box is None:
                vis[id(n)] = n.id
                items.append(["node", n])
            else:
                vis[id(n)] = f"m{box.id}"
                box_item(box)[2].append(n)
        hidden = 0
        if max_nodes is not None and len(items) > max_nodes:
            hidden = sum(1 if it[0] == "node" else len(it[2]) for it in items[max_nodes:])
            for it in items[max_nodes:]:
                key = it[1].id if it[0] == "node" else f"m{it[1].id}"
                for n in ([it[1]] if it[0] == "node" else it[2]):
                    if vis.get(id(n)) == key:       # (a leaf absorbed in several boxes keeps no key)
                        vis[id(n)] = None
            items = items[:max_nodes]
        return items, vis, hidden

    @staticmethod
    def shared_leaves(items, vis):
        """``id(leaf) -> visible keys of its users`` for the leaves drawn once per user."""
        split = {}
        for it in items:
            n = it[1]
            if it[0] == "node" and n.fn is None:
                users = list(dict.fromkeys(vis[id(c)] for c, _ in n.consumers if vis.get(id(c)) is not None))
                if len(users) > SHARED_LEAF_LIMIT:
                    split[id(n)] = users
        return split

    def build(self, max_nodes, rankdir, title):
        items, vis, hidden = self.collect(max_nodes)
        split = self.shared_leaves(items, vis)
        body = [f"\tgraph{_attrs({'rankdir': rankdir, 'fontname': FONT})}\n",
                f"\tnode{_attrs({'fontname': FONT, 'fontsize': '11', 'margin': '0.12,0.04'})}\n",
                f"\tedge{_attrs({'fontname': FONT, 'fontsize': '9', 'arrowsize': '0.7'})}\n"]
        if title:
            body.append(f"\tgraph{_attrs({'label': _html([(title, 'title')]), 'labelloc': 't'})}\n")

        # statements per container (None = top level), clusters emitted recursively
        per_container = {}
        container_of = {}
        for it in items:
            if it[0] == "node":
                n = it[1]
                if id(n) in split:
                    continue
                stmt = f"{n.id}{_attrs({'label': self.node_label(n), **self.node_style(n)})}"
                container = n.cluster if self.emit else None
                if container is not None and self.depth is not None and container.level >= self.depth:
                    container = container.ancestor_at(self.depth).parent
            else:
                c, members = it[1], it[2]
                style = dict(NODE_STYLES["module"])
                if self.highlight is not None and any(m is self.highlight for m in members):
                    style.update(HIGHLIGHT_STYLE)
                stmt = f"m{c.id}{_attrs({'label': self.box_label(c, members), **style})}"
                container = c.parent if self.emit else None
            container_of[stmt.split(" ", 1)[0]] = container
            per_container.setdefault(id(container) if container is not None else None, []).append(stmt)
        n_copies = 0
        for it in items:
            n = it[1]
            if it[0] == "node" and id(n) in split:
                users = split[id(n)]
                label = self.node_label(n, extra=f"shared by {len(users)} nodes")
                style = dict(self.node_style(n), style=self.node_style(n)["style"] + ",dashed")
                for d in users:
                    container = container_of.get(d)
                    stmt = f"{n.id}_{d}{_attrs({'label': label, **style})}"
                    per_container.setdefault(id(container) if container is not None else None, []).append(stmt)
                    n_copies += 1
        used = set()
        for c in self.clusters:
            if id(c) in per_container:
                while c is not None and id(c) not in used:
                    used.add(id(c))
                    c = c.parent
        for stmt in per_container.get(None, []):
            body.append(f"\t{stmt}\n")
        for c in self.clusters if self.emit else ():
            if c.parent is None and id(c) in used:
                self.emit_cluster(c, per_container, used, body, 1)

        n_edges = self.emit_edges(vis, hidden, body, split)
        if hidden:
            note = (f"… {hidden} more node{'s' if hidden != 1 else ''} not shown (max_nodes={max_nodes}); "
                    f"pass a larger max_nodes, or depth= to collapse modules")
            body.append(f"\ttruncated{_attrs({'label': _html([(note, '')]), **NODE_STYLES['note']})}\n")
        return DotGraph(body, len(items) - len(split) + n_copies + (1 if hidden else 0), n_edges, hidden, self.mode)

    def emit_cluster(self, c, per_container, used, body, indent):
        if self.depth is not None and c.level >= self.depth:
            return
        pad = "\t" * indent
        body.append(f"{pad}subgraph cluster_c{c.id} {{\n")
        attrs = {"label": _html([(c.label, "")]), "style": "rounded,dashed", "color": "#888888",
                 "fontcolor": "#444444", "fontsize": "10"}
        body.append(f"{pad}\tgraph{_attrs(attrs)}\n")
        for stmt in per_container.get(id(c), []):
            body.append(f"{pad}\t{stmt}\n")
        for child in c.children:
            if id(child) in used:
                self.emit_cluster(child, per_container, used, body, indent + 1)
        body.append(f"{pad}}}\n")

    def emit_edges(self, vis, hidden, body, split):
        seen = set()
        count = n_trunc = 0
        hl = self.highlight
        for e in self.g.edges:
            s, d = vis.get(id(e.src), ABSORBED), vis.get(id(e.dst))
            if d is None or s is ABSORBED:
                continue
            if s is None:
                if self.mode == "backward" and not e.src.requires_grad:
                    continue
                if hidden and ("trunc", d) not in seen and n_trunc < SHARED_LEAF_LIMIT:
                    seen.add(("trunc", d))
                    n_trunc += 1
                    arrow = f"truncated -> {d}" if self.mode != "backward" else f"{d} -> truncated"
                    body.append(f"\t{arrow}{_attrs({'style': 'dotted', 'color': '#999999'})}\n")
                    count += 1
                continue
            if s == d:
                continue
            if id(e.src) in split:
                s = f"{s}_{d}"
            if self.mode in ("forward", "both") and ("f", s, d) not in seen:
                seen.add(("f", s, d))
                attrs = {"color": "#444444"}
                if self.show_shapes and (s.startswith("m") or d.startswith("m")):
                    attrs["xlabel"] = _html([(fmt_shape(e.src.tensor.shape), "small")])
                body.append(f"\t{s} -> {d}{_attrs(attrs)}\n")
                count += 1
            if self.mode == "forward" or not e.src.requires_grad or ("b", d, s) in seen:
                continue
            known = (self.state is None or not self.state.tracks_edges
                     or self.state.edge_grad(e, self.upto) is not None)
            if self.mode == "both" and not known:
                continue
            seen.add(("b", d, s))
            attrs = {"color": GRAD_COLOR if known else "#bbbbbb"}
            if self.mode == "both":
                attrs.update({"style": "dashed", "constraint": "false"})
            elif not known:
                attrs["style"] = "dashed"
            label = self.grad_edge_label(e)
            if label is not None:
                attrs["fontcolor"] = GRAD_COLOR if self.mode == "both" else "#333333"
                attrs["label"] = label
            if hl is not None and e.dst is hl:
                attrs.update({"color": HIGHLIGHT_COLOR, "penwidth": "2.5"})
            body.append(f"\t{d} -> {s}{_attrs(attrs)}\n")
            count += 1
        return count


def build_dot(graph, clusters=(), *, mode="forward", show_shapes=True, show_values=False, show_grads=False,
              state=None, upto=None, group_by_module=True, depth=None, rankdir="TB", max_nodes=None,
              highlight=None, title=None):
    """DOT statements for ``graph`` (from :func:`trace`); ``clusters`` from :func:`grouping.group` (empty: none).

    ``state`` (a :class:`grads.GradState`) supplies gradients, ``upto`` limits them to the first steps of the
    backward pass, and ``highlight`` (a trace Node) marks the node being processed (replay frames).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"rankdir must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}")
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"depth must be None or an int >= 0, got {depth!r}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"max_nodes must be None or >= 1, got {max_nodes!r}")
    b = _Builder(graph, list(clusters), mode, show_shapes, show_values, show_grads, state, upto, depth, highlight,
                 group_by_module)
    return b.build(max_nodes, rankdir, title)
