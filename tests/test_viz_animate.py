"""The backprop replay as an animation: frames with one fixed layout, the chain-rule products, GIF and strip."""
import io
import re
import shutil

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.viz import backprop_steps

pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def neuron():
    def leaf(v, name):
        return ag.tensor(v, dtype=ag.float64, requires_grad=True, label=name)
    x1, x2, w1, w2, b = leaf(2.0, "x1"), leaf(0.0, "x2"), leaf(-3.0, "w1"), leaf(1.0, "w2"), leaf(0.5, "b")
    return ag.name((x1 * w1 + x2 * w2 + b).tanh(), "o")


def test_chain_rule_lines_are_upstream_times_local():
    o = neuron()
    steps = backprop_steps(o)
    last = steps.chain_rule(len(steps) - 1)                       # x1 * w1, upstream 1 - tanh^2
    up = 1 - np.tanh(-5.5) ** 2
    assert last[0].startswith(f"step {len(steps)}/{len(steps)}: MulBackward0")
    assert any(ln.strip().startswith("to x1") and f"× {-3:g} =" in ln for ln in last)
    assert any(ln.strip().startswith("to w1") and "× 2 =" in ln for ln in last)
    assert f"{up:.4g}" in last[1]


def test_every_frame_has_the_same_layout_text():
    """Frames differ only in colors and visibility: the node labels have the same text (gradients not computed yet
    are written in the fill color), so Graphviz lays every frame out the same way."""
    steps = backprop_steps(neuron())
    def skeleton(src):
        src = re.sub(r' tooltip="(?:[^"\\]|\\.)*"', "", src)
        src = re.sub(r'color="#[0-9a-f]+"|fillcolor="#[0-9a-f]+"|penwidth="[\d.]+"', "", src)
        src = re.sub(r'style="[a-z,]+"', "", src)
        return re.sub(r" *\]", "]", re.sub(r"[ \t]+", " ", src))
    first, last = (skeleton(steps.render(i, title=None).source) for i in (0, len(steps) - 1))
    assert first == last
    src0 = steps.render(0).source
    assert 'style="invis"' in src0                               # later gradient edges keep their place


def test_gradient_shown_once_every_consumer_has_sent():
    o = neuron()
    steps = backprop_steps(o)
    state, g = steps.state, steps.graph
    n = [m for m in g.ops if m.label == "add"][0]                 # the outer add (n = ... + b)
    k = state.step_of(n).index
    assert state.node_grad(n, k - 1) is not None                  # its consumer (tanh) has sent: known already
    inner = [m for m in g.ops if m.label == "mul"][0]
    assert state.node_grad(inner, 0) is None                      # nothing sent to it after step 1


@needs_dot
def test_gif_and_strip():
    from PIL import Image
    steps = backprop_steps(neuron())
    data = steps.save_gif(seconds_per_frame=0.2)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames == len(steps)
    sizes = set()
    for i in range(gif.n_frames):
        gif.seek(i)
        sizes.add(gif.size)
    assert len(sizes) == 1
    fig = steps.strip(ncols=3)
    assert len([ax for ax in fig.axes if ax.images]) == len(steps)


@needs_dot
def test_gif_to_a_file(tmp_path):
    steps = backprop_steps(neuron())
    path = steps.save_gif(tmp_path / "replay.gif", frames=[0, 1])
    assert open(path, "rb").read(6) in (b"GIF89a", b"GIF87a")


def test_gif_of_no_steps_raises():
    x = ag.tensor(1.0, requires_grad=True)
    steps = backprop_steps(x)
    with pytest.raises(ValueError, match="no steps"):
        steps.save_gif()
