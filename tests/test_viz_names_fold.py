"""Pictures that teach: tensor names, shape-only ops folded, fused RNN layers with named outputs, unrolled steps in
time order, edge labels only when asked, SVG tooltips with full statistics."""
import re
import shutil

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.viz import backprop_steps, graph_text, to_dot, trace

pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def node_line(src, text):
    """The DOT statement of the node whose label starts with ``text`` (bold title)."""
    return [ln for ln in src.splitlines() if re.match(r"^\s*n\d+ \[", ln) and f"<b>{text}" in ln]


def no_tooltips(src):
    return re.sub(r' tooltip="(?:[^"\\]|\\.)*"', "", src)


# ---------------------------------------------------------------------------------------------- names
def test_name_label_and_tensor_label_kwarg():
    a = ag.tensor(2.0, requires_grad=True, label="a")
    b = ag.name(ag.tensor(-3.0, requires_grad=True), "b")
    assert a.label == a.name == "a" and b.label == "b"
    e = ag.name(a * b, "e")
    assert ag.name(e, "e") is e                      # returns the tensor, for inline use
    src = to_dot(e + 1.0)
    assert node_line(src, "a") and node_line(src, "b") and node_line(src, "e = mul")
    assert "<b>input</b>" not in src                 # no leaf called "input" any more
    a.label = "alpha"
    assert a.name == "alpha"
    with pytest.raises(TypeError, match="label"):
        ag.tensor(1.0, label=3)
    with pytest.raises(TypeError, match="label"):
        ag.name(a, "")
    with pytest.raises(TypeError, match="Tensor"):
        ag.name(np.ones(2), "x")
    with pytest.raises(TypeError, match="label"):
        a.label = 5


def test_names_in_text_tree_and_replay():
    a = ag.tensor(2.0, requires_grad=True, label="a")
    b = ag.tensor(-3.0, requires_grad=True, label="b")
    e = ag.name(a * b, "e")
    loss = e * 2.0
    text = graph_text(loss, mode="forward")
    assert "a [input]" in text and "b [input]" in text and "mul -> e" in text
    steps = backprop_steps(loss)
    assert "e = mul" in steps[0].sends[0]["input"]
    assert steps.grads["a"] == -6.0 and steps.grads["b"] == 4.0


def test_parameters_keep_module_names():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2))
    src = to_dot(model(ag.randn(4, 3)).sum())
    assert node_line(src, "0.weight") and node_line(src, "0.bias")


# ---------------------------------------------------------------------------------------------- folding
def test_shape_only_ops_folded_by_default():
    w = ag.tensor(np.ones((3, 2)), requires_grad=True, label="W")
    x = ag.tensor(np.ones((4, 2)), label="x")
    y = (x @ w.T).reshape(2, 6).sum()
    folded = to_dot(y)
    assert "permute" not in no_tooltips(folded) and "reshape" not in no_tooltips(folded)
    assert 'headlabel="ᵀ"' in folded                 # x @ W.T: the transpose marked on the edge
    assert "through permute" in folded               # and named in its tooltip
    full = to_dot(y, fold_shapes=False)
    assert node_line(full, "permute") and node_line(full, "reshape")
    # the folded edge runs from W straight to the matmul
    g = trace(y)
    wid = [n.id for n in g.nodes if n.name == "W"][0]
    mm = [n.id for n in g.ops if n.label == "matmul"][0]
    assert re.search(rf"\b{wid} -> {mm}\b", folded)


def test_folded_gradients_still_match_backward():
    w = ag.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True, label="W")
    y = (ag.tensor(np.ones((1, 2))) @ w.T).sum()
    src = to_dot(y, mode="both", show_grads=True)
    y.backward()
    assert "grad [[1, 1], [1, 1], [1, 1]]" in src and w.grad.numpy().tolist() == [[1, 1], [1, 1], [1, 1]]


# ---------------------------------------------------------------------------------------------- fused layers
def test_fused_lstm_drawn_as_lstm_with_named_outputs_and_states():
    ag.manual_seed(0)
    lstm = nn.LSTM(3, 4)
    out, (h, c) = lstm(ag.randn(5, 2, 3))
    src = to_dot(out.sum() + h.sum() + c.sum(), mode="both", show_grads=True)
    plain = no_tooltips(src)
    assert "<b>LSTM</b>" in plain and "fusedlstm" not in plain and "(7, 2, 4)" not in plain
    for port, shape in (("output", "(5, 2, 4)"), ("h_n", "(2, 4)"), ("c_n", "(2, 4)")):
        assert f'port="{port}"' in src and f"{port} {shape}" in plain
    assert re.search(r"n\d+:h_n -> n\d+", src) and re.search(r"n\d+:c_n -> n\d+", src)
    assert node_line(src, "h_0") and node_line(src, "c_0")           # the initial states, not "input"
    assert "<b>index</b>" not in plain and "<b>cat</b>" not in plain    # slices and the stack folded away
    assert "fused=False" in src                                         # the tooltip says how to see the gates
    unfused = nn.LSTM(3, 4, fused=False)
    out2, _ = unfused(ag.randn(5, 2, 3))
    assert "<b>sigmoid</b>" in to_dot(out2.sum())                       # the gates, one flag away


def test_fused_gru_and_user_given_state():
    ag.manual_seed(0)
    gru = nn.GRU(3, 4, batch_first=True)
    h0 = ag.zeros(1, 2, 4)
    out, h = gru(ag.randn(2, 5, 3), h0)
    src = to_dot(h.sum())
    assert "<b>GRU</b>" in src and 'port="h_n"' in src
    assert node_line(src, "h_0")                                        # named by the input slot it feeds


# ---------------------------------------------------------------------------------------------- time order
def unrolled(steps=3):
    ag.manual_seed(0)
    cell = nn.RNNCell(2, 3, fused=False)
    h = ag.name(ag.zeros(1, 3), "h_0")
    for t in range(steps):
        h = cell(ag.name(ag.randn(1, 2), f"x_{t + 1}"), h)
    return cell, h.sum()


def test_unrolled_steps_ordered_by_invisible_edges():
    cell, loss = unrolled(3)
    src = to_dot(loss, params=dict(cell.named_parameters()))
    assert all(f"RNNCell #{k}" in src for k in (1, 2, 3))
    order = [ln for ln in src.splitlines() if 'style="invis"' in ln and "->" in ln]
    assert order                                             # step k's last op -> step k+1's first ops
    g = trace(loss)
    from autograd_core.viz.grouping import group
    clusters = {c.label: c for c in group(g)}
    ids = {k: {n.id for n in clusters[f"RNNCell #{k}"].nodes} for k in (1, 2, 3)}
    for ln in order:
        a, b = re.match(r"\s*(n\d+) -> (n\d+)", ln).groups()
        k = next(k for k in ids if a in ids[k])
        assert b in ids[k + 1]
    assert node_line(src, "h_0") and node_line(src, "x_1")


@needs_dot
def test_unrolled_steps_laid_out_left_to_right():
    import graphviz
    cell, loss = unrolled(3)
    src = to_dot(loss, params=dict(cell.named_parameters()), rankdir="LR")
    layout = graphviz.Source(src).pipe(format="plain").decode()
    pos = {}
    for ln in layout.splitlines():
        p = ln.split()
        if p[0] == "node":
            pos[p[1]] = float(p[2])
    g = trace(loss)
    tanhs = sorted((n for n in g.ops if n.label == "tanh"), key=lambda n: -n.index)   # forward order
    xs = [pos[n.id] for n in tanhs]
    assert xs == sorted(xs) and len(set(xs)) == 3


# ---------------------------------------------------------------------------------------------- labels, tooltips
def test_edge_labels_only_when_asked_and_tooltips_carry_statistics():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True, label="a")
    loss = (a * a).sum()
    default = to_dot(loss, mode="both", show_grads=True)
    grad_edges = [ln for ln in default.splitlines() if 'style="dashed"' in ln]
    assert grad_edges and not any(" label=" in no_tooltips(ln) for ln in grad_edges)
    assert all("tooltip=" in ln and "norm" in ln for ln in grad_edges)
    labeled = to_dot(loss, mode="both", show_grads=True, edge_labels=True)
    assert any(" label=" in no_tooltips(ln) for ln in labeled.splitlines() if 'style="dashed"' in ln)
    node = node_line(default, "a")[0]
    tip = re.search(r'tooltip="((?:[^"\\]|\\.)*)"', node).group(1)
    for word in ("shape (3,) float32", "mean 2", "std", "min 1, max 3", "norm 3.742", "grad"):
        assert word in tip


@needs_dot
def test_tooltips_reach_the_svg():
    a = ag.tensor([1.0, 2.0], requires_grad=True, label="a")
    svg = ag.draw_graph((a * a).sum(), mode="both", show_grads=True).svg()
    assert "xlink:title=" in svg and "norm" in svg
