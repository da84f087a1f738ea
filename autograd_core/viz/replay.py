"""Backpropagation replayed one node at a time: the chain rule made visible.

``backprop_steps(loss)`` returns a :class:`Replay`, a sequence of :class:`Frame` objects, one per node in the
order backward visits them. Each frame holds the gradient arriving at the node (*upstream*), the node's local
derivative, and the gradient it sends to each input (*upstream x local*, reduced to the input's shape). Rendering a
frame draws the graph with that node highlighted and only the gradients known so far.

In Jupyter a replay shows a slider (with ipywidgets installed) or every frame one after the other; in a terminal
``print(replay.text())`` tells the same story. The gradients equal what ``loss.backward()`` computes (without
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

__all__ = ["backprop_steps", "Replay", "Frame", "LOCAL_DERIVATIVES"]

#: The local derivative of each op, as taught (``out`` is the op's output, ``a``/``b`` its inputs).
LOCAL_DERIVATIVES = {
    "Add": "∂out/∂a = 1, ∂out/∂b = 1",
    "Sub": "∂out/∂a = 1, ∂out/∂b = -1",
    "Mul": "∂out/∂a = b, ∂out/∂b = a",
    "Div": "∂out/∂a = 1/b, ∂out/∂b = -a/b²",
    "Neg": "∂out/∂a = -1",
    "Pow": "∂out/∂a = b·a^(b-1), ∂out/∂b = a^b·ln(a)",
    "PowScalar": "∂out/∂a = p·a^(p-1)",
    "Exp": "∂out/∂a = exp(a) = out",
    "Log": "∂out/∂a = 1/a",
    "Sqrt": "∂out/∂a = 1/(2·sqrt(a)) = 1/(2·out)",
    "Abs": "∂out/∂a = sign(a)",
    "Sin": "∂out/∂a = cos(a)",
    "Cos": "∂out/∂a = -sin(a)",
    "Tanh": "∂out/∂a = 1 - out²",
    "Sigmoid": "∂out/∂a = out·(1 - out)",
    "ReLU": "∂out/∂a = 1 where out > 0, else 0",
    "LeakyReLU": "∂out/∂a = 1 where a > 0, else negative_slope",
    "Maximum": "the gradient goes to the larger input (split on ties)",
    "Minimum": "the gradient goes to the smaller input (split on ties)",
    "Clamp": "∂out/∂a = 1 inside [min, max], else 0",
    "Where": "the gradient goes to the input each element was taken from",
    "MatMul": "grad_a = grad @ bᵀ, grad_b = aᵀ @ grad",
    "Linear": "out = x Wᵀ + b: grad_x = grad @ W, grad_W = gradᵀ @ x, grad_b = Σ grad over the batch",
    "Conv2d": "grad_x = transposed convolution of grad with W, grad_W = correlation of x with grad, "
              "grad_b = Σ grad",
    "MaxPool2d": "the gradient goes to the position of each window's maximum",
    "AvgPool2d": "each window's gradient is shared equally by its elements",
    "AdaptiveAvgPool2d": "each window's gradient is shared equally by its elements",
    "CrossEntropy": "grad_logits = (softmax(logits) - one_hot(target)) / N",
    "BinaryCrossEntropy": "∂L/∂p = (p - y) / (p·(1 - p)) / N",
    "BinaryCrossEntropyWithLogits": "∂L/∂x = (sigmoid(x) - y) / N",
    "Embedding": "each row's gradient is added to the rows of the weight that were looked up",
    "ELU": "∂out/∂a = 1 where a > 0, else out + alpha",
    "SiLU": "∂out/∂a = σ(a)·(1 + a·(1 - σ(a)))",
    "Softplus": "∂out/∂a = σ(β·a)",
    "Gather": "the gradient is scattered back to the gathered positions",
    "IndexPut": "the gradient of the overwritten positions goes to the values, the rest to the input",
    "Sum": "∂out/∂a = 1: the gradient is copied back over the summed elements",
    "AMax": "1 at the maximum (shared among ties), 0 elsewhere",
    "MaxDim": "1 at the index of the maximum, 0 elsewhere",
    "Softmax": "grad_a = out·(grad - Σ grad·out)",
    "LogSoftmax": "grad_a = grad - softmax(a)·Σ grad",
    "Prod": "∂out/∂aᵢ = product of the other elements",
    "Reshape": "the gradient is reshaped back to the input's shape",
    "Permute": "the gradient is permuted back",
    "Expand": "the gradient is summed over the broadcast dimensions",
    "SumTo": "the gradient is broadcast back to the input's shape",
    "GetItem": "the gradient goes to the selected elements, 0 elsewhere",
    "IndexAdd": "the gradient is gathered back from the added positions",
    "Cat": "the gradient is split back into the pieces",
    "Pad": "the padding is cut off the gradient",
    "Clone": "∂out/∂a = 1",
    "Cast": "the gradient is cast back to the input's dtype",
}


def local_derivative(fn):
    """Text for an op's local derivative: its class attribute ``derivative`` if set, else the table above."""
    text = getattr(type(fn), "derivative", None)
    if text:
        return text
    return LOCAL_DERIVATIVES.get(type(fn).__name__, f"see {type(fn).__name__}.backward")


def _input_label(src):
    if src.fn is not None:
        return f"{src.label} ({src.id})"
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
        """The picture after step ``index`` (None: the end), highlighting that step's node."""
        from .render import GraphImage
        opts = dict(self.options, **options)
        if index is None:
            highlight, title = None, "after backward"
        else:
            frame = self.frames[index]
            highlight = frame.node
            title = f"step {index + 1}/{len(self.frames)}: {frame.name}"
        dot = build_dot(self.graph, self.clusters, state=self.state, upto=index, highlight=highlight, title=title,
                        show_grads=True, **opts)
        return GraphImage.from_dot(dot)

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
            words.value = f"<pre>{html.escape(frame.text())}</pre>"

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
