"""The backprop replay as pictures that move: one image per step, an animated GIF, a strip of frames.

Each frame is the graph after that step (the node being processed highlighted in orange, the gradients known so
far in red) above the chain-rule product the node computes (``upstream × local = sent``). Every frame of a
replay has the same layout (the gradients not computed yet are written invisibly), so the picture does not jump.

Graphviz's ``dot`` renders the graph; matplotlib (and Pillow, which matplotlib installs) compose the frames.

Example::

    >>> steps = ag.backprop_steps(loss)
    >>> steps.save_gif("backprop.gif")          # the animation
    >>> steps.strip()                           # a matplotlib Figure: every frame side by side
"""
import io

import numpy as np

from .fmt import fmt_array, fmt_num, fmt_shape

__all__ = ["chain_rule_lines", "frame_image", "to_gif", "strip"]

TEXT_INCHES = 0.22      # height of one text line under the graph
DPI = 100


def _short(frame):
    what = frame.op + (f" in {frame.module}" if frame.module else "")
    return f"step {frame.index + 1}/{frame.total}: {frame.name} ({what})"


def chain_rule_lines(frame):
    """The chain-rule products of one step, one line per input: ``to w1: upstream 0.5 × local 2 = 1``."""
    up = frame.upstream
    lines = [_short(frame),
             f"upstream ∂L/∂out {fmt_shape(up.shape)} = {fmt_array(up)};  local derivative: {frame.local}"]
    for s in frame.sends:
        if s["grad"] is None:
            lines.append(f"  to {s['input']}: nothing (needs no gradient)")
        elif s["local"] is not None:
            lines.append(f"  to {s['input']}: {fmt_num(float(up.reshape(())))} × {fmt_num(s['local'])} = "
                         f"{fmt_array(s['grad'])}")
        else:
            lines.append(f"  to {s['input']} {fmt_shape(s['shape'])}: upstream × local = {fmt_array(s['grad'])}")
    return lines


def _png(replay, index, options):
    img = replay.render(index, title=None, **options)
    try:
        data = img.pipe(format="png")
    except Exception as exc:    # graphviz.ExecutableNotFound / CalledProcessError, without importing graphviz
        raise RuntimeError("the replay's frames need Graphviz's `dot` program (apt-get install graphviz, brew "
                           "install graphviz)") from exc
    from matplotlib.image import imread
    return imread(io.BytesIO(data), format="png")


def _pad(a, h, w):
    """Center an RGB(A) image on a white canvas of size (h, w)."""
    out = np.ones((h, w, a.shape[2]), dtype=a.dtype)
    top, left = (h - a.shape[0]) // 2, (w - a.shape[1]) // 2
    out[top:top + a.shape[0], left:left + a.shape[1]] = a
    return out


def _compose(graph, lines, width_px):
    """One frame: the graph picture above its chain-rule text, as an RGB uint8 array."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    h_graph = graph.shape[0] / DPI
    h_text = TEXT_INCHES * (len(lines) + 0.6)
    fig = Figure(figsize=(width_px / DPI, h_graph + h_text), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, h_text / (h_graph + h_text), 1, h_graph / (h_graph + h_text)))
    ax.imshow(graph, interpolation="nearest")
    ax.set_axis_off()
    for k, line in enumerate(lines):
        fig.text(0.02, (h_text - TEXT_INCHES * (k + 0.8)) / (h_graph + h_text), line, fontsize=9,
                 family="DejaVu Sans", weight="bold" if k == 0 else "normal",
                 color="#b45f06" if k == 0 else "#222222")
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def frame_images(replay, frames=None, **options):
    """RGB arrays (all of one size) of the chosen frames (default: all), each graph above its chain-rule text."""
    idx = list(range(len(replay))) if frames is None else [int(i) for i in frames]
    graphs = [_png(replay, i, options) for i in idx]
    if not graphs:
        return []
    h = max(g.shape[0] for g in graphs)
    w = max(g.shape[1] for g in graphs)
    w = max(w, 640)
    texts = [chain_rule_lines(replay[i]) for i in idx]
    n_lines = max(len(t) for t in texts)
    out = []
    for g, t in zip(graphs, texts):
        t = t + [""] * (n_lines - len(t))
        out.append(_compose(_pad(g, h, w), t, w))
    return out


def frame_image(replay, index, **options):
    """The RGB array of one frame."""
    return frame_images(replay, [index], **options)[0]


def to_gif(replay, path=None, seconds_per_frame=1.5, frames=None, **options):
    """The replay as an animated GIF (looping, the last frame held twice as long).

    Returns the path written, or the GIF's bytes when ``path`` is None (for ``IPython.display.Image``).
    """
    from PIL import Image
    images = [Image.fromarray(a) for a in frame_images(replay, frames, **options)]
    if not images:
        raise ValueError("the replay has no steps to animate")
    durations = [int(1000 * seconds_per_frame)] * len(images)
    durations[-1] *= 2
    buf = io.BytesIO() if path is None else None
    images[0].save(buf if path is None else path, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations, loop=0)
    return buf.getvalue() if path is None else path


def strip(replay, frames=None, ncols=3, scale=1.0, **options):
    """A matplotlib Figure with the chosen frames (default: all) in a grid, in step order."""
    from .plots import new_figure
    images = frame_images(replay, frames, **options)
    if not images:
        raise ValueError("the replay has no steps to draw")
    ncols = max(1, min(ncols, len(images)))
    nrows = -(-len(images) // ncols)
    h, w = images[0].shape[:2]
    fig, axes = new_figure(nrows, ncols, width=scale * w / DPI, height=scale * h / DPI)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < len(images):
            ax.imshow(images[k], interpolation="antialiased")
    return fig
