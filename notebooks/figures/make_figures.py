"""Regenerate the README's figure: ``python notebooks/figures/make_figures.py`` (needs Graphviz's ``dot``).

The course's one-hidden-layer softmax network (4 inputs, 5 tanh units, 3 classes) on a batch of 6, drawn top to
bottom with its forward pass (black) and the gradients flowing back (red). README figures stay at most
``MAX_WIDTH_PX`` pixels wide, so they read at page width; the script checks it.
"""
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

MAX_WIDTH_PX = 1000


class SoftmaxNet(nn.Module):
    """x -> tanh(fc1 x) -> fc2 -> softmax cross-entropy."""

    def __init__(self, n_in=4, n_hidden=5, n_out=3):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def svg_size_px(svg_text):
    """(width, height) in CSS pixels of an SVG written by Graphviz (sizes in pt: 1 pt = 4/3 px)."""
    m = re.search(r'<svg width="([\d.]+)(pt|px)" height="([\d.]+)(pt|px)"', svg_text)
    w, wu, h, hu = float(m.group(1)), m.group(2), float(m.group(3)), m.group(4)
    return (w * 4 / 3 if wu == "pt" else w), (h * 4 / 3 if hu == "pt" else h)


def softmax_net_graph():
    ag.manual_seed(0)
    net = SoftmaxNet()
    x = ag.name(ag.randn(6, 4), "x (batch of 6)")
    y = ag.name(ag.tensor(np.array([0, 1, 2, 0, 1, 2])), "labels y")
    loss = ag.name(F.cross_entropy(net(x), y), "loss")
    return ag.draw_graph(loss, mode="both", show_grads=True, params=net, rankdir="TB",
                         title="one-hidden-layer softmax network: forward (black) and gradients (red)")


def main():
    path = softmax_net_graph().save(os.path.join(HERE, "softmax_net_graph.svg"))
    with open(path, encoding="utf-8") as f:
        w, h = svg_size_px(f.read())
    print(f"wrote {path}: {w:.0f} x {h:.0f} px")
    if w > MAX_WIDTH_PX:
        raise SystemExit(f"{path} is {w:.0f} px wide; README figures must be at most {MAX_WIDTH_PX} px")


if __name__ == "__main__":
    main()
