"""Matplotlib plots of :class:`Diagnostics` records.

Figures are made with ``matplotlib.figure.Figure`` directly, not ``pyplot``: no global figure list to leak, no
GUI backend needed (headless machines, CI), and in Jupyter a returned Figure displays itself.
"""
import math

import numpy as np

__all__ = ["plot_grad_norms", "plot_update_ratios", "plot_activations", "plot_activation_histograms",
           "plot_time_grads", "plot_dashboard", "plot_gradient_flow", "layer_grad_matrix", "time_grad_matrix"]

TOTAL = "(total)"


def _figure(nrows=1, ncols=1, width=6.4, height=4.0):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install matplotlib (or pip install 'autograd-core[viz]')") \
            from None
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _log_scale(ax):
    """Log y only when there is something positive to show (matplotlib warns otherwise)."""
    ys = [y for line in ax.get_lines() for y in np.asarray(line.get_ydata(), dtype=float)]
    if any(math.isfinite(y) and y > 0 for y in ys):
        ax.set_yscale("log")


def _epoch_lines(ax, diag):
    for epoch, step in diag.epochs[1:]:
        ax.axvline(step, color="#bbbbbb", linestyle=":", linewidth=0.8)


def _empty(ax, what):
    ax.text(0.5, 0.5, f"no {what} recorded", ha="center", va="center", transform=ax.transAxes, color="#777777")


def _select(store, params):
    names = [n for n in store if n != TOTAL]
    if params is not None:
        names = [n for n in names if n in params]
    return names


def _draw_grad_norms(ax, diag, which="both", params=None, logy=True):
    after, before = diag.grad_norms, diag.grad_norms_before_clip
    names = _select(after or before, params)
    if not names:
        _empty(ax, "gradients")
        return
    cmap = _colors(len(names))
    for color, n in zip(cmap, names):
        if which in ("both", "after") and n in after:
            ax.plot(after[n].steps, after[n].values, color=color, label=n, linewidth=1.2)
        if which in ("both", "before") and n in before:
            ax.plot(before[n].steps, before[n].values, color=color, linestyle="--", linewidth=0.9,
                    label=None if which == "both" else n)
    for store, style in ((after, "-"), (before, "--")):
        if TOTAL in store and which in ("both", "after" if style == "-" else "before"):
            ax.plot(store[TOTAL].steps, store[TOTAL].values, color="black", linestyle=style, linewidth=1.6,
                    label="total" if style == "-" or which == "before" else "total (before clip)")
    if logy:
        _log_scale(ax)
    ax.set_xlabel("step")
    ax.set_ylabel("gradient norm")
    ax.set_title("gradient norms" + (" (dashed: before clipping)" if which == "both" else f" ({which} clipping)"))
    _epoch_lines(ax, diag)
    ax.legend(fontsize=7, ncol=2)


def _draw_update_ratios(ax, diag, params=None):
    names = _select(diag.update_ratios, params)
    if not names:
        _empty(ax, "updates")
        return
    for color, n in zip(_colors(len(names)), names):
        s = diag.update_ratios[n]
        with np.errstate(divide="ignore"):
            ax.plot(s.steps, np.log10(np.maximum(s.values, 1e-30)), color=color, label=n, linewidth=1.2)
    ax.axhline(-3, color="black", linestyle="--", linewidth=0.8, label="1e-3 (rule of thumb)")
    ax.set_xlabel("step")
    ax.set_ylabel("log10(|update| / |weight|)")
    ax.set_title("update-to-weight ratios")
    _epoch_lines(ax, diag)
    ax.legend(fontsize=7, ncol=2)


def _draw_activations(ax, diag):
    drawn = False
    for color, (name, series) in zip(_colors(len(diag.activations)), diag.activations.items()):
        if "dead" in series:
            ax.plot(series["dead"].steps, series["dead"].values, color=color, label=f"{name} dead")
            ax.plot(series["zero"].steps, series["zero"].values, color=color, linestyle=":", label=f"{name} zero")
            drawn = True
        if "saturated" in series:
            ax.plot(series["saturated"].steps, series["saturated"].values, color=color, linestyle="--",
                    label=f"{name} saturated")
            drawn = True
    if not drawn:
        _empty(ax, "activations")
        return
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("step")
    ax.set_ylabel("fraction of units")
    ax.set_title("dead ReLUs (solid), zero outputs (dotted), saturated tanh/sigmoid (dashed)")
    _epoch_lines(ax, diag)
    ax.legend(fontsize=7, ncol=2)


def _draw_time_grads(ax, diag, name=None, max_curves=6):
    records = diag.time_grads.get(name) if name is not None else next(iter(diag.time_grads.values()), None)
    if name is None and diag.time_grads:
        name = next(iter(diag.time_grads))
    if not records:
        _empty(ax, "time-step gradients")
        return
    picks = sorted(set(np.linspace(0, len(records) - 1, min(max_curves, len(records))).round().astype(int)))
    colors = _colors(len(picks), "viridis")
    for color, i in zip(colors, picks):
        step, norms = records[i]
        ax.plot(np.arange(len(norms)), norms, color=color, marker=".", label=f"step {step}")
    _log_scale(ax)
    ax.set_xlabel("time step t")
    ax.set_ylabel("‖dL/dh_t‖")
    ax.set_title(f"gradient norm per time step ({name})")
    ax.legend(fontsize=7)


def _colors(n, cmap="tab10"):
    from matplotlib import colormaps
    cm = colormaps[cmap]
    if cmap == "tab10":
        return [cm(i % 10) for i in range(n)]
    return [cm(x) for x in np.linspace(0.0, 0.9, max(n, 1))]


def plot_grad_norms(diag, which="both", params=None, logy=True):
    """Gradient norm of each parameter over the steps (``which``: 'after', 'before' clipping, or 'both')."""
    if which not in ("both", "after", "before"):
        raise ValueError(f"which must be 'both', 'after' or 'before', got {which!r}")
    fig, axes = _figure()
    _draw_grad_norms(axes[0, 0], diag, which, params, logy)
    return fig


def plot_update_ratios(diag, params=None):
    """log10 of the update-to-weight ratio of each parameter, with the 1e-3 rule of thumb."""
    fig, axes = _figure()
    _draw_update_ratios(axes[0, 0], diag, params)
    return fig


def plot_activations(diag):
    """Fractions of dead/zero ReLU units and of saturated tanh/sigmoid units over the steps."""
    fig, axes = _figure()
    _draw_activations(axes[0, 0], diag)
    return fig


def plot_activation_histograms(diag):
    """Histograms of the activations of the last recorded step, one curve per module."""
    fig, axes = _figure()
    ax = axes[0, 0]
    if not diag.samples:
        _empty(ax, "activations")
        return fig
    for color, (name, values) in zip(_colors(len(diag.samples)), diag.samples.items()):
        hist, edges = np.histogram(values, bins=50)
        ax.plot(0.5 * (edges[1:] + edges[:-1]), hist / max(hist.sum(), 1), color=color,
                label=f"{name} (mean {values.mean():.2f}, std {values.std():.2f})")
    ax.set_xlabel("activation value")
    ax.set_ylabel("fraction")
    ax.set_title("activation distribution (last recorded step)")
    ax.legend(fontsize=7)
    return fig


def plot_time_grads(diag, name=None, max_curves=6):
    """Gradient norm reaching each time step's hidden state, for a few recorded steps (log scale)."""
    fig, axes = _figure()
    _draw_time_grads(axes[0, 0], diag, name, max_curves)
    return fig


def plot_dashboard(diag):
    """Loss, gradient norms, update ratios, activations, and the time-step gradients when recorded."""
    panels = 5 if diag.time_grads else 4
    rows = math.ceil(panels / 2)
    fig, axes = _figure(rows, 2, width=6.0, height=3.6)
    ax = axes[0, 0]
    if len(diag.losses):
        ax.plot(diag.losses.steps, diag.losses.values, color="#1f77b4", linewidth=1.0)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.set_title("training loss")
        _epoch_lines(ax, diag)
    else:
        _empty(ax, "loss")
    _draw_grad_norms(axes[0, 1], diag)
    _draw_update_ratios(axes[1, 0], diag)
    _draw_activations(axes[1, 1], diag)
    if diag.time_grads:
        _draw_time_grads(axes[2, 0], diag)
        axes[2, 1].set_axis_off()
    return fig


# ---------------------------------------------------------------------- gradient flow (heat maps over training)
def _columns(diag, per, max_columns):
    """``(labels, [(first step, end step)])``: one column per epoch, or per block of recorded steps."""
    steps = diag.steps
    if not steps:
        return [], []
    last = steps[-1] + 1
    if per == "epoch" and diag.epochs:
        starts = [s for _, s in diag.epochs]
        ends = starts[1:] + [last]
        cols = [(a, b) for a, b in zip(starts, ends)]
        shift = 1 if diag.epochs[0][0] == 0 else 0          # the trainer counts from 0; History and plots from 1
        return [str(e + shift) for e, _ in diag.epochs], cols
    n = min(max_columns, len(steps))
    edges = np.linspace(0, len(steps), n + 1).round().astype(int)
    cols = [(steps[a], steps[b - 1] + 1) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    return [str(a) for a, _ in cols], cols


def _geo_mean(values):
    v = np.asarray([x for x in values if x is not None and math.isfinite(x) and x > 0], dtype=np.float64)
    return float(np.exp(np.log(v).mean())) if v.size else math.nan


def layer_grad_matrix(diag, per="epoch", max_columns=40, layers=None):
    """Per-layer gradient norms over training: ``(layer names, column labels, matrix (layers, columns))``.

    A layer's norm at a step is the norm over its parameters (``fc1.weight`` and ``fc1.bias`` are layer ``fc1``),
    as backward produced it (before clipping); a column is the geometric mean over its steps (an epoch, or a block
    of steps when no epochs were marked). ``layers``: keep only these layer names."""
    store = diag.grad_norms_before_clip or diag.grad_norms
    per_layer = {}
    for name, series in store.items():
        if name == TOTAL:
            continue
        layer = name.rsplit(".", 1)[0] if "." in name else name
        rows = per_layer.setdefault(layer, {})
        for s, v in zip(series.steps, series.values):
            rows[s] = rows.get(s, 0.0) + v * v
    order = [n.rsplit(".", 1)[0] if "." in n else n for n, _ in getattr(diag, "_params", [])]
    rank = {k: i for i, k in reversed(list(enumerate(order)))}
    per_layer = dict(sorted(per_layer.items(), key=lambda kv: rank.get(kv[0], len(rank))))   # model order
    if layers is not None:
        per_layer = {k: v for k, v in per_layer.items() if k in layers}
    labels, cols = _columns(diag, per, max_columns)
    names = list(per_layer)
    m = np.full((len(names), len(cols)), np.nan)
    for i, name in enumerate(names):
        rows = per_layer[name]
        for j, (a, b) in enumerate(cols):
            m[i, j] = _geo_mean([math.sqrt(v) for s, v in rows.items() if a <= s < b])
    return names, labels, m


def time_grad_matrix(diag, name=None, per="epoch", max_columns=40):
    """Per-time-step gradient norms ``‖∂L/∂h_t‖`` over training: ``(name, column labels, matrix (T, columns))``."""
    if name is None:
        name = next(iter(diag.time_grads), None)
    records = diag.time_grads.get(name, []) if name is not None else []
    labels, cols = _columns(diag, per, max_columns)
    T = max((len(n) for _, n in records), default=0)
    m = np.full((T, len(cols)), np.nan)
    for j, (a, b) in enumerate(cols):
        inside = [n for s, n in records if a <= s < b]
        for t in range(T):
            m[t, j] = _geo_mean([n[t] for n in inside if t < len(n)])
    return name, labels, m


def _heat(ax, m, xlabels, ylabels, xlabel, ylabel, title, vmin=None, vmax=None):
    from matplotlib.colors import LogNorm
    finite = m[np.isfinite(m) & (m > 0)]
    if finite.size == 0:
        _empty(ax, "gradients")
        return None
    lo = vmin if vmin is not None else float(finite.min())
    hi = vmax if vmax is not None else float(finite.max())
    if hi <= lo:
        hi = lo * 10.0
    im = ax.imshow(np.where(np.isfinite(m) & (m > 0), m, np.nan), aspect="auto", cmap="magma",
                   norm=LogNorm(vmin=lo, vmax=hi), interpolation="nearest")
    ax.set_yticks(range(len(ylabels)))
    ax.set_yticklabels(ylabels, fontsize=8 if len(ylabels) < 20 else 6)
    step = max(1, len(xlabels) // 12)
    ax.set_xticks(range(0, len(xlabels), step))
    ax.set_xticklabels(xlabels[::step], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    return im


def plot_gradient_flow(diag, per="epoch", time_name=None, max_columns=40, layers=None, max_time_labels=16,
                       limits=None, time_limits=None):
    """Heat maps of how large the gradients are where, over training (log color scale, bright = large):

    * per layer (rows, input side at the top) and epoch (columns): ``‖∂L/∂W‖`` of each layer, before clipping;
    * when per-time-step norms were recorded (recurrent cells, :meth:`Diagnostics.watch_sequence`), a second
      panel: ``‖∂L/∂h_t‖`` per time step (rows) and epoch. A loss at the last step only whose rows fade towards
      ``t = 1`` is the vanishing gradient; rows that blow up, the exploding one.

    ``limits`` / ``time_limits``: ``(low, high)`` of the color scales, to compare runs on the same scale.
    """
    if per not in ("epoch", "step"):
        raise ValueError(f"per must be 'epoch' or 'step', got {per!r}")
    has_time = bool(diag.time_grads)
    fig, axes = _figure(1, 2 if has_time else 1, width=5.2, height=3.6)
    xlabel = "epoch" if per == "epoch" and diag.epochs else "training step (first of each block)"
    names, labels, m = layer_grad_matrix(diag, per, max_columns, layers)
    lo, hi = limits if limits is not None else (None, None)
    im = _heat(axes[0, 0], m, labels, names, xlabel, "layer (input side at the top)",
               "gradient norm per layer ‖∂L/∂W‖", lo, hi)
    if im is not None:
        fig.colorbar(im, ax=axes[0, 0], shrink=0.9)
    if has_time:
        name, labels_t, mt = time_grad_matrix(diag, time_name, per, max_columns)
        T = mt.shape[0]
        every = max(1, -(-T // max_time_labels))
        ylabels = [str(t + 1) if t % every == 0 else "" for t in range(T)]
        lo, hi = time_limits if time_limits is not None else (None, None)
        im2 = _heat(axes[0, 1], mt, labels_t, ylabels, xlabel, "time step t",
                    f"gradient reaching each time step ({name})", lo, hi)
        if im2 is not None:
            fig.colorbar(im2, ax=axes[0, 1], shrink=0.9)
    return fig
