"""Graph visualization: DOT text of known graphs, module clusters, collapsing, truncation, determinism,
real rendering with Graphviz's ``dot``, the no-``dot`` fallback, the text tree and the backprop replay."""
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.viz import backprop_steps, draw_graph, graph_text, to_dot, trace
from autograd_core.viz.fmt import fmt_array
from autograd_core.viz.grads import GraphFreedError

graphviz = pytest.importorskip("graphviz")
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")


# ---------------------------------------------------------------------------------------------- fixtures
def scalar_graph():
    """micrograd's example: L = (a*b + c) * f, everything a named leaf."""
    a = ag.tensor(2.0, requires_grad=True)
    b = ag.tensor(-3.0, requires_grad=True)
    c = ag.tensor(10.0, requires_grad=True)
    f = ag.tensor(-2.0, requires_grad=True)
    for t, name in zip((a, b, c, f), "abcf"):
        t.name = name
    return (a * b + c) * f, (a, b, c, f)


class MLP(nn.Module):
    """The course's 1-hidden-layer softmax network."""

    def __init__(self, n_in=4, n_hidden=5, n_out=3):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def mlp_loss(seed=0):
    ag.manual_seed(seed)
    model = MLP()
    x = ag.randn(6, 4)
    y = ag.tensor(np.array([0, 1, 2, 0, 1, 2]))
    return model, F.cross_entropy(model(x), y)


class Cell(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.ih = nn.Linear(n, n)
        self.hh = nn.Linear(n, n, bias=False)

    def forward(self, x, h):
        return ag.tanh(self.ih(x) + self.hh(h))


class TinyRNN(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.cell = Cell(n)
        self.n = n

    def forward(self, xs):
        h = ag.zeros(2, self.n)
        for x in xs:
            h = self.cell(x, h)
        return h.sum()


def no_tooltips(src):
    """The DOT text without the tooltips (which repeat names and numbers)."""
    return re.sub(r' tooltip="(?:[^"\\]|\\.)*"', "", src)


def node_lines(src):
    return [ln for ln in src.splitlines() if re.match(r"^\s*(n\d+|m\d+|n\d+_\w+|truncated) \[", ln)]


def edge_lines(src):
    return [ln for ln in src.splitlines() if " -> " in ln]


# ---------------------------------------------------------------------------------------------- tracing
def test_trace_counts_kinds_and_sequential_ids():
    loss, leaves = scalar_graph()
    g = trace(loss)
    assert [n.id for n in g.nodes] == [f"n{i}" for i in range(len(g.nodes))]
    assert len(g.ops) == 3 and len(g.edges) == 6
    assert sorted(n.label for n in g.nodes if n.fn is None) == ["a", "b", "c", "f"]
    assert [n.label for n in g.ops] == ["mul", "add", "mul"]      # backward visit order
    assert g.roots[0].fn is loss.grad_fn and g.roots[0].is_root
    x = ag.tensor([1.0, 1.0], requires_grad=True) * 3.0 + ag.tensor([1.0, 2.0])
    kinds = sorted(n.kind for n in trace(x).nodes if n.fn is None)
    assert kinds == ["const", "input", "input"]


def test_leaf_kinds_and_param_names():
    model, loss = mlp_loss()
    g = trace(loss)
    params = {n.name for n in g.nodes if n.kind == "param"}
    assert params == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    w = ag.randn(3, 2, requires_grad=True)
    out = (ag.randn(4, 3) @ w).sum()
    assert "my_w" in to_dot(out, params={"my_w": w})


# ---------------------------------------------------------------------------------------------- DOT content
def test_forward_dot_ops_shapes_and_direction():
    loss, _ = scalar_graph()
    src = to_dot(loss)
    assert len(node_lines(src)) == 7 and len(edge_lines(src)) == 6
    g = trace(loss)
    ids = {n.label: n.id for n in g.nodes if n.fn is None}
    first_mul = g.ops[-1].id        # a * b
    assert f"{ids['a']} -> {first_mul}" in src        # forward: data flows from the leaf into the op
    assert "<b>mul</b>" in src and "<b>add</b>" in src and "()" in src
    root = [ln for ln in node_lines(src) if ln.strip().startswith(g.roots[0].id + " ")][0]
    assert "#f4cccc" in root                         # the output is marked


def test_backward_dot_names_order_and_gradient_shapes():
    model, loss = mlp_loss()
    src = to_dot(loss, mode="backward", group_by_module=False, edge_labels=True)
    g = trace(loss)
    assert "CrossEntropyBackward0" in src or "LogSoftmaxBackward0" in src
    assert src.count("AccumulateGrad") == 4                      # the 4 parameters; x and y need no grad
    assert f"<b>{g.ops[0].fn.name()}</b><br/><font point-size=\"9\" color=\"#555555\">#1</font>" in src
    # backward edges go from a node to the node it sends a gradient to, labeled with that gradient's shape
    lin = [n for n in g.ops if n.label == "linear"]
    w2 = [n for n in g.nodes if n.name == "fc2.weight"][0]
    line = [ln for ln in edge_lines(src) if ln.strip().startswith(f"{lin[0].id} -> {w2.id} ")]
    assert line and "(3, 5)" in line[0] and "label=" in line[0]
    plain = [ln for ln in edge_lines(to_dot(loss, mode="backward", group_by_module=False))
             if ln.strip().startswith(f"{lin[0].id} -> {w2.id} ")]
    assert "label=" not in no_tooltips(plain[0]) and "(3, 5)" in plain[0]       # by default only in the tooltip
    assert len(edge_lines(src)) == len([e for e in g.edges if e.src.requires_grad])


def test_both_mode_has_forward_and_gradient_edges():
    loss, _ = scalar_graph()
    src = to_dot(loss, mode="both")
    grad_edges = [ln for ln in edge_lines(src) if 'style="dashed"' in ln]
    fwd_edges = [ln for ln in edge_lines(src) if 'style="dashed"' not in ln]
    assert len(fwd_edges) == 6 and len(grad_edges) == 6
    assert all('constraint="false"' in ln and "#cc0000" in ln for ln in grad_edges)


def test_values_and_gradients_match_backward():
    loss, (a, b, c, f) = scalar_graph()
    src = to_dot(loss, show_values=True, show_grads=True)
    assert "data -8" in src                      # L = (2*-3 + 10) * -2
    for t, grad in ((a, 6.0), (b, -4.0), (c, -2.0), (f, 4.0)):
        assert f"grad {grad:g}" in src
    loss.backward()
    assert [float(t.grad) for t in (a, b, c, f)] == [6.0, -4.0, -2.0, 4.0]


def test_value_summaries_small_in_full_large_as_stats():
    assert fmt_array(np.float32(0.5)) == "0.5"
    assert fmt_array(np.array([1.0, 2.5, -3.0])) == "[1, 2.5, -3]"
    assert fmt_array(np.array([[1, 2], [3, 4]])) == "[[1, 2], [3, 4]]"
    assert fmt_array(np.arange(100.0)) == "mean=49.5 min=0 max=99"
    assert fmt_array(np.zeros(0)) == "empty"


# ---------------------------------------------------------------------------------------------- modules
def test_clusters_labeled_with_dotted_module_names():
    model, loss = mlp_loss()
    src = to_dot(loss)
    for label in ("MLP", "fc1 (Linear)", "act (Tanh)", "fc2 (Linear)"):
        assert f"label=<{label}>" in src
    assert src.count("subgraph cluster_") == 4
    # fc1 is drawn inside MLP: its subgraph opens before MLP's closes
    mlp = src.index("label=<MLP>")
    assert src.index("label=<fc1 (Linear)>") > mlp
    assert "subgraph" not in to_dot(loss, group_by_module=False)


def test_nested_dotted_names():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 2)))
    src = to_dot(model(ag.randn(2, 3)).sum())
    assert "label=<1.1 (Linear)>" in src and "label=<1 (Sequential)>" in src and "1.1.weight" in src


def test_depth_collapses_modules_into_boxes():
    model, loss = mlp_loss()
    src0 = to_dot(loss, depth=0)
    assert "MLP" in src0 and "box3d" in src0 and "linear" not in src0 and "fc1.weight" not in src0
    src1 = to_dot(loss, depth=1)
    boxes = [ln for ln in node_lines(src1) if "box3d" in ln]
    assert len(boxes) == 3 and "<b>fc1 (Linear)</b>" in src1
    assert "2 param tensors, 25 values" in src1       # fc1: 5x4 weight + 5 bias
    assert "label=<MLP>" in src1                      # the level above stays a cluster
    with pytest.raises(ValueError):
        to_dot(loss, depth=-1)


def test_one_cluster_per_call_and_shared_weights_absorbed_when_collapsed():
    ag.manual_seed(0)
    model = TinyRNN()
    loss = model([ag.randn(2, 3) for _ in range(3)])
    src = to_dot(loss)
    for k in (1, 2, 3):
        assert f"label=<cell (Cell) #{k}>" in src and f"label=<cell.ih (Linear) #{k}>" in src
    assert no_tooltips(src).count("cell.hh.weight") == 1        # one leaf feeding every step
    collapsed = to_dot(loss, depth=1)
    boxes = [ln for ln in node_lines(collapsed) if "box3d" in ln]
    assert len(boxes) == 3 and "cell.ih.weight" not in collapsed
    # the steps are chained: box #1 -> box #2 -> box #3
    ids = {int(re.search(r"#(\d)</b>", ln).group(1)): ln.split()[0] for ln in boxes}
    assert f"{ids[1]} -> {ids[2]}" in collapsed and f"{ids[2]} -> {ids[3]}" in collapsed


def test_shared_leaf_with_many_users_drawn_next_to_each():
    w = ag.randn(3, 3, requires_grad=True)
    h = ag.randn(2, 3)
    for _ in range(20):
        h = ag.tanh(h @ w)
    src = to_dot(h.sum(), params={"w": w})
    assert src.count("shared by 20 nodes") == 20


# ---------------------------------------------------------------------------------------------- size
def chain(steps):
    w = ag.randn(4, 4, requires_grad=True)
    b = ag.zeros(4, requires_grad=True)
    h = ag.randn(2, 4)
    for _ in range(steps):
        h = ag.tanh(h @ w + b)
    return h.sum(), w


def test_max_nodes_truncates_with_a_note():
    loss, _ = chain(50)
    img = draw_graph(loss, max_nodes=20)
    assert img.n_nodes <= 21 + 2 and img.n_hidden > 0
    assert f"{img.n_hidden} more nodes not shown (max_nodes=20)" in img.source
    assert "truncated ->" in img.source


def test_large_graphs_build_in_seconds():
    loss, _ = chain(1000)                     # ~3000 ops, 1000 deep
    for kwargs in ({}, {"mode": "backward"}, {"mode": "both", "show_values": True, "show_grads": True},
                   {"max_nodes": None}):
        start = time.perf_counter()
        img = draw_graph(loss, **kwargs)
        assert time.perf_counter() - start < 5.0, kwargs
        assert img.n_nodes > 100
    model = TinyRNN(4)
    loss = model([ag.randn(2, 4) for _ in range(300)])
    start = time.perf_counter()
    img = draw_graph(loss, depth=1, max_nodes=None)
    assert time.perf_counter() - start < 5.0 and img.source.count("box3d") == 300
    text = graph_text(loss)                   # 1000s of levels: iterative, and lines stay short
    assert max(len(line) for line in text.splitlines()) < 200


@needs_dot
def test_large_graph_renders_in_seconds():
    loss, _ = chain(1000)
    img = draw_graph(loss)                    # the default max_nodes keeps dot fast
    start = time.perf_counter()
    svg = img.pipe(format="svg")
    assert time.perf_counter() - start < 20.0 and svg.startswith(b"<?xml")


# ---------------------------------------------------------------------------------------------- determinism
def test_same_graph_same_dot_text():
    sources = []
    for _ in range(2):
        model, loss = mlp_loss(seed=3)
        sources.append(to_dot(loss, mode="both", show_values=True, show_grads=True))
    assert sources[0] == sources[1]
    assert not re.search(r"0x[0-9a-f]{6,}", sources[0])
    assert repr(draw_graph(loss)).startswith("<GraphImage forward:")


def test_to_dot_equals_digraph_source():
    model, loss = mlp_loss()
    img = draw_graph(loss, mode="backward", depth=1)
    assert isinstance(img, graphviz.Digraph)
    assert img.source == to_dot(loss, mode="backward", depth=1)
    assert img.copy().source == img.source


def test_viz_does_not_import_graphviz_or_matplotlib():
    code = ("import sys, autograd_core, autograd_core.viz;"
            "assert 'graphviz' not in sys.modules and 'matplotlib' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bad_arguments():
    loss, _ = scalar_graph()
    with pytest.raises(ValueError, match="mode"):
        to_dot(loss, mode="sideways")
    with pytest.raises(ValueError, match="rankdir"):
        to_dot(loss, rankdir="XY")
    with pytest.raises(TypeError):
        to_dot([1, 2])


def test_root_without_a_graph():
    t = ag.tensor([1.0, 2.0])
    src = to_dot(t)
    assert len(node_lines(src)) == 1 and "input" in src


# ---------------------------------------------------------------------------------------------- rendering
@needs_dot
def test_svg_png_pdf_files(tmp_path):
    model, loss = mlp_loss()
    img = draw_graph(loss, mode="both", show_values=True, show_grads=True)
    svg_path = img.save(tmp_path / "g.svg")
    root = ET.parse(svg_path).getroot()
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for label in ("fc1.weight", "fc2.bias", "linear", "tanh", "fc1 (Linear)", "MLP"):
        assert label in texts
    assert open(img.save(tmp_path / "g.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert open(img.save(tmp_path / "g.pdf"), "rb").read(5) == b"%PDF-"
    assert open(img.save(tmp_path / "g.dot"), encoding="utf-8").read() == img.source
    with pytest.raises(ValueError, match="format"):
        img.save(tmp_path / "g.bmpx")


@needs_dot
def test_jupyter_display_is_svg():
    loss, _ = scalar_graph()
    img = draw_graph(loss, mode="backward")
    bundle = img._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert img._repr_svg_().lstrip().startswith("<?xml")


def test_fallback_without_dot(monkeypatch, tmp_path):
    loss, _ = scalar_graph()
    img = draw_graph(loss)
    monkeypatch.setenv("PATH", str(tmp_path))           # no dot to be found
    bundle = img._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "apt-get install graphviz" in bundle["text/plain"] and img.source in bundle["text/plain"]
    assert "<pre>" in bundle["text/html"]
    assert img.svg() is None
    with pytest.warns(RuntimeWarning, match="graphviz"):
        written = img.save(tmp_path / "g.png")
    assert written.endswith("g.dot") and open(written, encoding="utf-8").read() == img.source
    with pytest.raises(RuntimeError, match="install"):
        img.save(tmp_path / "h.svg", fallback=False)


def test_fallback_when_pipe_raises(monkeypatch):
    loss, _ = scalar_graph()
    img = draw_graph(loss)

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])
    monkeypatch.setattr(type(img), "pipe", missing)
    assert "DOT text" in img._repr_mimebundle_()["text/plain"]


# ---------------------------------------------------------------------------------------------- text tree
def test_graph_text_tree():
    loss, _ = scalar_graph()
    text = graph_text(loss)
    lines = text.splitlines()
    assert lines[0].startswith("n0 MulBackward0")
    assert sum("AccumulateGrad" in ln for ln in lines) == 4 and "└── " in text
    fwd = graph_text(loss, mode="forward", show_values=True, show_grads=True)
    assert "data -8" in fwd and "grad 6" in fwd and "a [input]" in fwd
    x = ag.tensor(3.0, requires_grad=True)
    y = x * x                                         # x used twice
    assert "(see " in graph_text(y)
    assert "..." in graph_text(chain(10)[0], max_depth=3)


# ---------------------------------------------------------------------------------------------- replay
def test_replay_frames_equal_backward():
    model, loss = mlp_loss()
    g = trace(loss)
    steps = backprop_steps(loss)
    assert len(steps) == len(g.ops) and steps[0].node.id == g.roots[0].id
    # every upstream gradient equals the one the engine passes (seen by a hook on each intermediate tensor)
    model2, loss2 = mlp_loss()
    seen = {}
    for n in trace(loss2).ops:
        if n.tensor is not loss2:
            n.tensor.register_hook(lambda grad, k=n.id: seen.__setitem__(k, grad.numpy().copy()))
    loss2.backward()
    for frame in steps.frames[1:]:
        np.testing.assert_allclose(frame.upstream, seen[frame.node.id], rtol=1e-6, atol=1e-7)
    loss.backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(steps.grads[name], p.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_replay_accumulates_reused_and_broadcast_inputs():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor(0.5, requires_grad=True)
    y = (x * x + b) * x                                   # x used three times, b broadcast
    loss = y.sum()
    steps = backprop_steps(loss)
    loss.backward()
    np.testing.assert_allclose(steps.leaf_grad(x), x.grad.numpy())
    np.testing.assert_allclose(steps.leaf_grad(b), b.grad.numpy())
    assert steps.leaf_grad(b).shape == ()


def test_replay_frame_contents_text_and_render():
    loss, (a, b, c, f) = scalar_graph()
    steps = backprop_steps(loss)
    last = steps[-1]                                     # a * b: upstream dL/d(ab) = f = -2
    assert last.name == "MulBackward0" and float(last.upstream) == -2.0
    assert last.local == "∂out/∂a = b, ∂out/∂b = a"
    assert [float(s["grad"]) for s in last.sends] == [6.0, -4.0]
    assert [s["local"] for s in last.sends] == [-3.0, 2.0]
    text = last.text()
    assert "Step 3 of 3" in text and "upstream" in text and "local" in text
    img = last.render()
    assert "step 3/3: MulBackward0" in img.source and "#ffb74d" in img.source
    first = steps[0].render().source
    assert first.count('style="dashed"') < img.source.count('style="dashed"')   # gradients appear step by step
    bundle = last._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Step 3 of 3")
    assert repr(steps) == "<Replay: 3 steps>" and repr(last) == "<Frame 3/3: MulBackward0>"


def test_replay_needs_the_graph():
    loss, _ = scalar_graph()
    loss.backward()
    with pytest.raises(GraphFreedError, match="retain_graph"):
        backprop_steps(loss)
    with pytest.warns(RuntimeWarning, match="freed"):
        src = to_dot(loss, show_grads=True)
    assert "grad 6" in src                               # leaves' .grad are still shown


def test_replay_after_retain_graph_and_non_scalar_roots():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    with pytest.raises(RuntimeError, match="gradient="):
        backprop_steps(y)
    steps = backprop_steps(y, gradient=ag.tensor([1.0, 10.0]))
    np.testing.assert_allclose(steps.leaf_grad(x), [3.0, 30.0])
    z = (x * x).sum()
    z.backward(retain_graph=True)
    np.testing.assert_allclose(backprop_steps(z).leaf_grad(x), x.grad.numpy())


def test_replay_display_without_ipywidgets(monkeypatch):
    ipython = pytest.importorskip("IPython.display")
    loss, _ = scalar_graph()
    steps = backprop_steps(loss)
    shown = []
    monkeypatch.setattr(ipython, "display", lambda obj: shown.append(obj))
    monkeypatch.setitem(sys.modules, "ipywidgets", None)     # import fails
    steps._ipython_display_()
    assert shown == steps.frames


def test_replay_save_frames(tmp_path):
    loss, _ = scalar_graph()
    paths = backprop_steps(loss).save(tmp_path, format="dot")
    assert len(paths) == 3 and all(open(p).read().startswith("digraph {") for p in paths)


def test_local_derivative_override():
    from autograd_core.function import Function
    from autograd_core.viz.replay import local_derivative

    class Cube(Function):
        derivative = "∂out/∂a = 3a²"

        def forward(self, a):
            self.save_for_backward(a)
            return a._data ** 3

        def backward(self, grad):
            (a,) = self.saved_tensors
            return grad * 3.0 * a * a

    x = ag.tensor(2.0, requires_grad=True)
    steps = backprop_steps(Cube.apply(x))
    assert steps[0].local == "∂out/∂a = 3a²" and float(steps.leaf_grad(x)) == 12.0
    assert "backward" in local_derivative(type("Unknown", (Function,), {})())


def test_replay_slider_widget(monkeypatch):
    """The ipywidgets path, with a stand-in module (ipywidgets is an optional extra)."""
    import types

    class Widget:
        def __init__(self, *children, **kw):
            self.__dict__.update(kw)
            self.children = children[0] if children else ()
            self.observers = []

        def observe(self, fn, names):
            self.observers.append(fn)

    fake = types.ModuleType("ipywidgets")
    for name in ("Play", "IntSlider", "HTML", "HBox", "VBox"):
        setattr(fake, name, type(name, (Widget,), {}))
    fake.jslink = lambda a, b: None
    monkeypatch.setitem(sys.modules, "ipywidgets", fake)
    loss, _ = scalar_graph()
    steps = backprop_steps(loss)
    box = steps.widget()
    (_play, slider), words, picture = box.children[0].children, box.children[1], box.children[2]
    assert slider.max == 3 and "step 1/3" in words.value and "svg" in picture.value.lower()
    assert " × " in words.value                     # the chain-rule products of the step
    slider.value = 3
    slider.observers[0]({"new": 3})
    assert "step 3/3" in words.value


def test_without_the_graphviz_package(monkeypatch):
    loss, _ = scalar_graph()
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.delitem(sys.modules, "autograd_core.viz.render", raising=False)
    with pytest.raises(ImportError, match="pip install graphviz"):
        draw_graph(loss)
    assert to_dot(loss).startswith("digraph {")
    frame = backprop_steps(loss)[0]
    assert set(frame._repr_mimebundle_()) == {"text/plain"}


def test_params_from_a_module():
    model, loss = mlp_loss()
    g = trace(loss, params=model)
    assert {n.name for n in g.nodes if n.kind == "param"} == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
