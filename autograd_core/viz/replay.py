"""Backpropagation replayed one node at a time: the chain rule made visible.

``backprop_steps(loss)`` returns a :class:`Replay`, a sequence of :class:`Frame` objects, one per node in the
order backward visits them. Each frame holds the gradient arriving at the node (*upstream*), the node's local
derivative, and the gradient it sends to each input (*upstream x local*, reduced to the input's shape). Rendering a
frame draws the graph with that node highlighted and only the gradients known so far.

In Jupyter a replay shows a slider with a play button (with ipywidgets installed) or every frame one after the
other; ``save_gif()`` makes an animated GIF and ``strip()`` a figure of all frames (:mod:`.animate`); in a
terminal ``print(replay.text())`` tells the same story. Every frame has the same layout, so stepping through them
only moves the highlight and the gradients. The gradients equal what ``loss.backward()`` computes (without
hooks), and ``.grad`` is not touched.

Example::

    >>> steps = backprop_steps(loss)
    >>> steps            # in a notebook: a slider over the frames
    >>> print(steps[0].text())
    >>> steps.grads["fc1.weight"]   # == model.fc1.weight.grad after loss.backward()
"""
import html

from .dot import build_dot
from .draw import DEFAULT_MAX_NODES
from .fmt import fmt_array, fmt_num, fmt_shape
from .grads import compute_grads
from .grouping import group
from .trace import trace

__all__ = ["backprop_steps", "Replay", "Frame", "local_derivative"]


def local_derivative(fn):
    """Text for an op's local derivative, as taught: its Function's ``derivative`` attribute (set next to its
    backward in ``autograd_core/ops/``)."""
    return type(fn).derivative or f"see {type(fn).__name__}.backward"


def _input_label(src):
    if src.fn is not None:
        return f"{src.name} = {src.label} ({src.id})" if src.name else f"{src.label} ({src.id})"
    if src.kind == "const":
        return "const " + fmt_array(src.tensor.numpy())
    return f"{src.name or src.kind} ({src.id})"


class Frame:
    """One step of the backward pass: the node, what arrives, the local derivative, what it sends.

    Attributes:
        index: 0-based step; ``total``: number of steps.
        name: PyTorch-style node name (``'MulBackward0'``); ``op``: op name (``'mul'``).
        upstream: ndarray, the gradient of the node's output (dL/d out).
        local: the local derivative as text.
        sends: one dict per input: ``input`` (label), ``shape``, ``grad`` (ndarray, None when no gradient
            flows there), ``local`` (the numeric local derivative when upstream and input are scalars).
    """

    def __init__(self, replay, step):
        self._replay = replay
        self._step = step
        node = step.node
        self.index = step.index
        self.total = len(replay.state.steps)
        self.node = node
        self.name = node.fn.name()
        self.op = node.label
        self.upstream = step.upstream
        self.local = local_derivative(node.fn)
        self.module = node.cluster.label if node.cluster is not None else None
        self.sends = []
        for (src, i), g in zip(node.inputs, step.sent):
            local = None
            up = step.upstream
            if g is not None and g.size == 1 and up.size == 1 and float(up.reshape(())) != 0.0:
                local = float(g.reshape(())) / float(up.reshape(()))
            self.sends.append({"index": i, "input": _input_label(src), "shape": tuple(src.tensor.shape),
                               "grad": g, "local": local})

    def text(self):
        """The step explained in words."""
        where = f", in {self.module}" if self.module else ""
        lines = [f"Step {self.index + 1} of {self.total}: {self.name} ({self.op}{where})",
                 f"  upstream gradient dL/d(out) {fmt_shape(self.upstream.shape)}: {fmt_array(self.upstream)}",
                 f"  local derivative: {self.local}",
                 "  sends upstream x local to each input:"]
        for s in self.sends:
            if s["grad"] is None:
                lines.append(f"    input {s['index']} {s['input']}: no gradient (does not require grad)")
                continue
            local = f"  (local {fmt_num(s['local'])})" if s["local"] is not None else ""
            lines.append(f"    input {s['index']} {s['input']} {fmt_shape(s['shape'])}: {fmt_array(s['grad'])}"
                         f"{local}")
        return "\n".join(lines)

    def render(self, **options):
        """The graph with this node highlighted and the gradients known after this step (a GraphImage)."""
        return self._replay.render(self.index, **options)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        text = self.text()
        try:
            bundle = dict(self.render()._repr_mimebundle_(include=include, exclude=exclude))
        except ImportError:
            bundle = {}
        bundle["text/plain"] = text + ("\n\n" + bundle["text/plain"] if "text/plain" in bundle else "")
        return bundle

    def __repr__(self):
        return f"<Frame {self.index + 1}/{self.total}: {self.name}>"


class Replay:
    """The frames of one backward pass (a sequence), plus the final gradients.

    Attributes:
        frames: list of :class:`Frame`.
        grads: ``{name: ndarray}`` for the leaves that require grad (names from ``params``/the module tree, else
            ``'n<id>'``), equal to their ``.grad`` after ``backward()`` from zero.
    """

    def __init__(self, graph, clusters, state, options):
        self.graph = graph
        self.clusters = clusters
        self.state = state
        self.options = options
        self.frames = [Frame(self, s) for s in state.steps]
        self.grads = {}
        for n in graph.nodes:
            if n.fn is None and n.requires_grad:
                g = state.leaf_grad(n.tensor)
                if g is not None:
                    self.grads[n.name or n.id] = g

    def leaf_grad(self, tensor):
        """The final gradient of a leaf tensor (None if no gradient reaches it)."""
        return self.state.leaf_grad(tensor)

    def __len__(self):
        return len(self.frames)

    def __getitem__(self, i):
        return self.frames[i]

    def __iter__(self):
        return iter(self.frames)

    def render(self, index=None, **options):
        """The picture after step ``index`` (None: the end), highlighting that step's node. Every frame has the
        same layout: the gradients not computed yet take their place invisibly. ``title=None`` leaves out the
        caption; other options as in :func:`draw_graph`."""
        from .render import GraphImage
        opts = dict(self.options, **options)
        if index is None:
            highlight, title = None, "after backward"
        else:
            frame = self.frames[index]
            highlight = frame.node
            title = f"step {index + 1}/{len(self.frames)}: {frame.name}"
        if "title" in opts:
            title = opts.pop("title")
        dot = build_dot(self.graph, self.clusters, state=self.state, upto=index, highlight=highlight, title=title,
                        show_grads=True, reserve=True, **opts)
        return GraphImage.from_dot(dot)

    # ------------------------------------------------------------------ animation (animate.py)
    def save_gif(self, path=None, seconds_per_frame=1.5, frames=None, **options):
        """The replay as an animated GIF: each frame the graph (the node being processed in orange) above the
        chain-rule product it computes. Returns ``path``, or the GIF's bytes when ``path`` is None (show them
        with ``IPython.display.Image(data=...)``). Needs Graphviz's ``dot`` and matplotlib."""
        from .animate import to_gif
        return to_gif(self, path, seconds_per_frame=seconds_per_frame, frames=frames, **options)

    def strip(self, frames=None, ncols=3, scale=1.0, **options):
        """The frames side by side in a grid (a matplotlib Figure): the animation on paper."""
        from .animate import strip
        return strip(self, frames=frames, ncols=ncols, scale=scale, **options)

    def chain_rule(self, index):
        """The chain-rule products of step ``index`` as lines of text (what each frame writes under its graph)."""
        from .animate import chain_rule_lines
        return chain_rule_lines(self.frames[index])

    def text(self):
        """Every step explained, one after the other."""
        return "\n\n".join(f.text() for f in self.frames)

    def save(self, directory, format="svg"):
        """Write one picture per frame (``step_001.svg``, ...) into ``directory``; returns the paths."""
        import os
        os.makedirs(directory, exist_ok=True)
        return [self.render(i).save(os.path.join(directory, f"step_{i + 1:03d}.{format}"))
                for i in range(len(self.frames))]

    def widget(self):
        """An ipywidgets slider (with a play button) over the frames."""
        import ipywidgets as widgets
        play = widgets.Play(min=1, max=max(len(self.frames), 1), value=1, interval=1500, description="play")
        slider = widgets.IntSlider(min=1, max=max(len(self.frames), 1), value=1, description="step")
        widgets.jslink((play, "value"), (slider, "value"))
        words = widgets.HTML()
        picture = widgets.HTML()

        def show(_=None):
            if not self.frames:
                return
            frame = self.frames[slider.value - 1]
            img = frame.render()
            svg = img.svg()
            picture.value = svg if svg is not None else f"<pre>{html.escape(img.source)}</pre>"
            words.value = f"<pre>{html.escape(chr(10).join(self.chain_rule(slider.value - 1)))}</pre>"

        slider.observe(show, names="value")
        show()
        return widgets.VBox([widgets.HBox([play, slider]), words, picture])

    def _ipython_display_(self):
        from IPython.display import display
        try:
            display(self.widget())
        except ImportError:
            for f in self.frames:
                display(f)

    def __repr__(self):
        return f"<Replay: {len(self.frames)} steps>"


def backprop_steps(root, gradient=None, params=None, mode="both", show_shapes=True, show_values=True,
                   group_by_module=True, depth=None, rankdir="TB", max_nodes=DEFAULT_MAX_NODES):
    """Replay the backward pass of ``root`` one node at a time.

    Args:
        root: a scalar tensor (the loss), or any tensor with ``gradient`` given.
        gradient: the starting gradient for a non-scalar root.
        params, group_by_module, depth, rankdir, max_nodes, show_shapes, show_values: as in :func:`draw_graph`,
            used when frames are rendered (``mode='both'`` by default: gradient edges appear as they are computed).

    Returns:
        a :class:`Replay`. Call it before ``backward()`` (or after ``backward(retain_graph=True)``): it needs the
        saved tensors.
    """
    graph = trace(root, params)
    if len(graph.roots) != 1:
        raise ValueError("backprop_steps replays the backward pass of one tensor")
    clusters = group(graph) if (group_by_module or depth is not None) else []
    state = compute_grads(graph, gradient)
    options = {"mode": mode, "show_shapes": show_shapes, "show_values": show_values,
               "group_by_module": group_by_module, "depth": depth, "rankdir": rankdir, "max_nodes": max_nodes}
    return Replay(graph, clusters, state, options)
