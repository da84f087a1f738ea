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

What is left out by default (:mod:`.fold`): shape-only ops (``reshape``, ``permute``...) are folded into edges,
the slices of a fused recurrent node become named rows of that node (``LSTM`` with ``output``, ``h_n``, ``c_n``),
and edges carry no labels (``edge_labels=True`` shows gradient values and shapes on them). Every node and edge has
an SVG tooltip with full statistics (shape, dtype, mean, std, min, max, norm of the value and of the gradient).
Repeated calls of one module that feed each other (the steps of an unrolled RNN) are laid out in call order.

Large graphs: ``max_nodes`` keeps the nodes nearest the output and adds a note saying how many were cut; a leaf
used by more than ``SHARED_LEAF_LIMIT`` nodes (an RNN weight used at every step) is drawn next to each user,
because edges fanning out over hundreds of ranks make dot's layout take minutes; with ``depth``, a leaf used only
inside collapsed calls of one module disappears into those boxes.
"""
import html

from .fmt import fmt_array, fmt_shape
from .fold import TRANSPOSES, fold
from .order import emit_order
from .tooltips import edge_tooltip, node_tooltip

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
            v = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")   # DOT's line break
            parts.append(f'{k}="{v}"')
    return " [" + " ".join(parts) + "]" if parts else ""


WRAP = 30   # a value's text longer than this is written as statistics on two lines


def _value_lines(prefix, a, kind):
    """``[(text, kind)]`` for a value or gradient in a node: in full when short, else mean / min, max on two lines
    (long single lines make wide pictures)."""
    text = fmt_array(a)
    if len(text) + len(prefix) > WRAP and text.startswith("["):
        text = fmt_array(a, max_elems=0)
    if len(text) + len(prefix) > WRAP and " min=" in text:
        head, tail = text.split(" min=", 1)
        return [(f"{prefix} {head}", kind), ("min=" + tail, kind)]
    return [(f"{prefix} {text}", kind)]


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
        elif kind.startswith("hidden:"):      # written in the fill color: takes its place, shows nothing
            t = f'<font point-size="10" color="{kind[7:]}">{t}</font>'
        out.append(t)
    return "<" + "<br/>".join(out) + ">"


class _Builder:
    def __init__(self, graph, clusters, mode, show_shapes, show_values, show_grads, state, upto, depth,
                 highlight, group_by_module, fold_shapes=True, edge_labels=False, reserve=False):
        self.g = graph
        self.view = fold(graph, fold_shapes)
        self.edge_labels = edge_labels
        self.reserve = reserve and state is not None and upto is not None
        self.emit = group_by_module
        self.mode = mode
        self.show_shapes, self.show_values, self.show_grads = show_shapes, show_values, show_grads
        self.state, self.upto, self.depth = state, upto, depth
        self.highlight = self.view.rep(highlight) if highlight is not None else None
        self.clusters = clusters

    # ------------------------------------------------------------------ labels
    def grad_of(self, n):
        if self.state is None:
            return None
        return self.state.node_grad(n, self.upto)

    def hidden_grad(self, n):
        """The final gradient of a node not reached yet (replay frames write it invisibly, so every frame has the
        same layout), or None."""
        if not self.reserve or self.grad_of(n) is not None:
            return None
        return self.state.node_grad(n, None)

    def node_label(self, n, extra=None):
        if id(n) in self.view.ports:
            return self.ported_label(n)
        lines = []
        t = n.tensor
        backward = self.mode == "backward"
        name = self.view.name_of(n)
        if n.fn is not None:
            if backward:
                lines.append((n.fn.name(), "title"))
                lines.append((f"#{n.step + 1}" + (f" (grad of {name})" if name else ""), "small"))
            else:
                lines.append((f"{name} = {n.label}" if name else n.label, "title"))
        elif backward:
            lines.append(("AccumulateGrad", "title"))
            lines.append((name or n.kind, ""))
        elif n.kind == "const":
            lines.append((fmt_array(t.numpy()), "title"))
        else:
            lines.append((name or n.kind, "title"))
        if self.show_shapes and t is not None and n.kind != "const":
            lines.append((fmt_shape(t.shape), "small"))
        if self.show_values and t is not None and n.kind != "const" and not backward:
            lines += _value_lines("data", t.numpy(), "value")
        if self.show_grads:
            g = self.grad_of(n)
            if g is not None:
                lines += _value_lines("grad", g, "grad")
            else:
                g = self.hidden_grad(n)
                if g is not None:
                    lines += _value_lines("grad", g, "hidden:" + self.node_style(n)["fillcolor"])
        if extra:
            lines.append((extra, "small"))
        return _html(lines)

    def ported_label(self, n):
        """A multi-output node (a fused LSTM layer): its name, then one row (a DOT port) per named output."""
        title = n.label if self.mode != "backward" else f"{n.fn.name()} #{n.step + 1}"
        rows = [f'<tr><td port="_in"><b>{_esc(title)}</b></td></tr>']
        fill = self.node_style(n)["fillcolor"]
        for port, sl in self.view.ports[id(n)]:
            lines = [(port, "")]
            if self.show_shapes and sl.tensor is not None:
                lines[0] = (f"{port} {fmt_shape(sl.tensor.shape)}", "")
            if self.show_values and sl.tensor is not None and self.mode != "backward":
                lines += _value_lines("data", sl.tensor.numpy(), "value")
            if self.show_grads:
                g = self.grad_of(sl)
                if g is not None:
                    lines += _value_lines("grad", g, "grad")
                elif self.hidden_grad(sl) is not None:
                    lines += _value_lines("grad", self.hidden_grad(sl), "hidden:" + fill)
            rows.append(f'<tr><td port="{_esc(port)}" border="1" sides="t" color="#bf9000">'
                        f'{_html(lines)[1:-1]}</td></tr>')
        return '<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>>"

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
        if not self.edge_labels:
            return None
        t = e.src.tensor
        lines = []
        if self.show_shapes and self.mode == "backward":    # in 'both' the nodes already show the shapes
            lines.append((fmt_shape(t.shape), "small"))
        if self.show_grads and self.state is not None:
            g = self.state.edge_grad(e, None if self.reserve else self.upto)
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
        consumers = self.view.consumers_of(n)
        if self.depth is None or n.kind == "input" or not consumers:
            return False
        users = [self.box_of(c) for c, _ in consumers]
        if any(b is None for b in users) or len({id(b.module) for b in users}) != 1:
            return False
        for b in dict.fromkeys(users):
            box_item(b)[2].append(n)
        return True

    def collect(self, max_nodes):
        """The visible items, in id order (``['node', Node]`` or ``['box', Cluster, members]``), the visible key
        of each node (``vis``: node id, box id, None when cut by ``max_nodes``), and how many nodes were cut."""
        shown = [n for n in self.view.nodes if self.mode != "backward" or n.requires_grad]
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

    def shared_leaves(self, items, vis):
        """``id(leaf) -> visible keys of its users`` for the leaves drawn once per user."""
        split = {}
        for it in items:
            n = it[1]
            if it[0] == "node" and n.fn is None:
                users = list(dict.fromkeys(vis[id(c)] for c, _ in self.view.consumers_of(n)
                                           if vis.get(id(c)) is not None))
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
                attrs = {'label': self.node_label(n), **self.node_style(n), 'tooltip': node_tooltip(self, n)}
                if id(n) in self.view.ports:
                    attrs["margin"] = "0.04,0.02"
                stmt = f"{n.id}{_attrs(attrs)}"
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
                    stmt = f"{n.id}_{d}{_attrs({'label': label, **style, 'tooltip': node_tooltip(self, n)})}"
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
        for e in self.view.edges:
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
            sp = f"{s}:{e.port}" if e.port and s == e.src.id else s       # from the named output's row
            if self.mode in ("forward", "both") and ("f", sp, d) not in seen:
                seen.add(("f", sp, d))
                attrs = {"color": "#444444"}
                if not (s.startswith("m") or d.startswith("m")):        # (no tooltip naming ops inside a box)
                    attrs["tooltip"] = edge_tooltip(self, e)
                if self.show_shapes and (s.startswith("m") or d.startswith("m")):
                    attrs["xlabel"] = _html([(fmt_shape(e.src.tensor.shape), "small")])
                elif e.via and e.via[-1] in TRANSPOSES and e.src.tensor is not None and e.src.tensor.ndim == 2:
                    attrs.update(headlabel="ᵀ", labelfontsize="12", labeldistance="1.4")  # x @ W.T: a folded permute
                body.append(f"\t{sp} -> {d}{_attrs(attrs)}\n")
                count += 1
            if self.mode == "forward" or not e.src.requires_grad or ("b", d, sp) in seen:
                continue
            known = (self.state is None or not self.state.tracks_edges
                     or self.state.edge_grad(e, self.upto) is not None)
            later = (not known and self.reserve and self.state.edge_grad(e, None) is not None)
            if self.mode == "both" and not known and not later:
                continue
            seen.add(("b", d, sp))
            attrs = {"color": GRAD_COLOR if known else "#bbbbbb"}
            if self.mode == "both":
                attrs.update({"style": "dashed", "constraint": "false"})
            elif not known:
                attrs["style"] = "dashed"
            if later:
                attrs["style"] = "invis"             # keeps its place in the layout until it is computed
            label = self.grad_edge_label(e)
            if label is not None:
                attrs["fontcolor"] = GRAD_COLOR if self.mode == "both" else "#333333"
                attrs["label"] = label
            if not (s.startswith("m") or d.startswith("m")):
                g = self.state.edge_grad(e, self.upto) if self.state is not None else None
                attrs["tooltip"] = edge_tooltip(self, e, g)
            if hl is not None and e.dst is hl and not later:
                attrs.update({"color": HIGHLIGHT_COLOR, "penwidth": "2.5"})
            body.append(f"\t{d} -> {sp}{_attrs(attrs)}\n")
            count += 1
        count += emit_order(self, vis, body)
        return count

def build_dot(graph, clusters=(), *, mode="forward", show_shapes=True, show_values=False, show_grads=False,
              state=None, upto=None, group_by_module=True, depth=None, rankdir="TB", max_nodes=None,
              highlight=None, title=None, fold_shapes=True, edge_labels=False, reserve=False):
    """DOT statements for ``graph`` (from :func:`trace`); ``clusters`` from :func:`grouping.group` (empty: none).

    ``state`` (a :class:`grads.GradState`) supplies gradients, ``upto`` limits them to the first steps of the
    backward pass, and ``highlight`` (a trace Node) marks the node being processed (replay frames). ``reserve``
    (with ``upto``) writes the gradients not computed yet invisibly, so that every frame of a replay has the same
    layout. ``fold_shapes`` folds shape-only ops into edges; ``edge_labels`` writes gradients (and, backward, their
    shapes) on the edges.
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
                 group_by_module, fold_shapes=fold_shapes, edge_labels=edge_labels, reserve=reserve)
    return b.build(max_nodes, rankdir, title)
