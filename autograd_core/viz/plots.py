"""Plots for the course notebooks: image grids, curves side by side, training histories, activation derivatives,
confusion matrices and latent spaces.

Every function returns a ``matplotlib.figure.Figure`` made without ``pyplot`` (no global figure list, any
backend, headless CI included); in Jupyter a returned Figure shows itself (with ``%matplotlib inline``). Inputs
may be Tensors or numpy arrays. Decision boundaries and im2col pictures are in :mod:`.boundary`. Nothing here
imports ``nn`` or ``optim``: training histories are read through ``History``'s interface (duck typing).

Example::

    >>> show_images(x_train[:16], titles=[classes[c] for c in y_train[:16]])
    >>> plot_activations({"relu": F.relu, "tanh": F.tanh})          # f and f' (f' by autograd)
    >>> compare_histories({"SGD": h1, "Adam": h2}, metrics=("loss", "val_accuracy"))
"""
import io
import math

import numpy as np

__all__ = ["new_figure", "as_array", "show_images", "show_matrices", "plot_filters", "plot_feature_maps",
           "plot_curves", "compare_histories", "plot_history", "figure_png", "plot_activations", "plot_confusion",
           "plot_latent", "PALETTE"]

#: Class colors (matplotlib's tab10), shared by every plot that colors by class.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")


def new_figure(nrows=1, ncols=1, width=4.0, height=3.2, squeeze=False, **subplot_kw):
    """A ``Figure`` (Agg canvas, constrained layout) and its axes grid, without pyplot.

    Args:
        nrows, ncols: the grid; width, height: size of one panel in inches.
        squeeze: as in ``Figure.subplots`` (default False: always a 2-D array of axes).
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install matplotlib (or pip install 'autograd-core[viz]')") \
            from None
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=squeeze, **subplot_kw)
    return fig, axes


def as_array(x):
    """A numpy array from a Tensor, an array or a nested sequence (Tensors are read, never recorded)."""
    return x.numpy() if hasattr(x, "numpy") and not isinstance(x, np.ndarray) else np.asarray(x)


def _images(images):
    """A sequence of 2-D arrays from (N, H, W), (N, 1, H, W), (H, W), (N, H*W) with a square H*W, or a list of
    2-D arrays of any sizes."""
    if isinstance(images, (list, tuple)) and images and np.ndim(as_array(images[0])) >= 2:
        arrays = [np.squeeze(as_array(im).astype(np.float64)) for im in images]
        if all(a.ndim == 2 for a in arrays):
            return arrays
    a = as_array(images).astype(np.float64)
    if a.ndim == 2 and a.shape[0] != a.shape[1] and math.isqrt(a.shape[1]) ** 2 == a.shape[1]:
        side = math.isqrt(a.shape[1])
        a = a.reshape(-1, side, side)
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 4:
        if a.shape[1] != 1:
            raise ValueError(f"show_images: 4-D input must have one channel (N, 1, H, W), got {a.shape}")
        a = a[:, 0]
    if a.ndim != 3:
        raise ValueError(f"show_images: expected images (N, H, W), (N, 1, H, W) or (N, H*W), got {a.shape}")
    return a


def show_images(images, titles=None, ncols=8, cmap="gray", symmetric=False, scale=1.3, suptitle=None,
                rowlabels=None):
    """A grid of grayscale images.

    Args:
        images: ``(N, H, W)``, ``(N, 1, H, W)``, flattened square images ``(N, H*W)``, or a list of 2-D images
            of different sizes (drawn to the same scale: one pixel is as large in every panel).
        titles: one short title per image (e.g. class names), or None.
        ncols: images per row.
        cmap: matplotlib colormap; symmetric: center the color scale on 0 (filters, gradients: ``cmap='RdBu_r'``).
        scale: inches per image.
        suptitle: a title for the whole figure; rowlabels: a label at the left of each row.
    """
    a = _images(images)
    n = len(a)
    ncols = max(1, min(int(ncols), n))
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(nrows, ncols, width=scale, height=scale * (1.15 if titles is not None else 1.0))
    largest = max(max(im.shape) for im in a)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        kw = {}
        if symmetric:
            m = float(np.abs(a[i]).max()) or 1.0
            kw = {"vmin": -m, "vmax": m}
        ax.imshow(a[i], cmap=cmap, interpolation="nearest", **kw)
        ax.set_facecolor("#f0f0f0")
        ax.set_xlim(-0.5, largest - 0.5)      # the same pixel size in every panel
        ax.set_ylim(largest - 0.5, -0.5)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if rowlabels is not None:
        for r, label in enumerate(rowlabels[:nrows]):
            axes[r, 0].set_ylabel(str(label), fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def show_matrices(matrices, annotate=True, cmap="RdBu_r", fmt="{:.2g}", scale=0.45, suptitle=None):
    """Small matrices side by side as heat maps with their numbers written in: ``{title: 2-D array}``.

    Each panel is centered on 0 (blue negative, red positive) and drawn to the same cell size, so a 6 x 6 input,
    a 3 x 3 kernel and a 4 x 4 output line up visibly. Numbers are written when a matrix has at most 144 cells.
    """
    mats = {str(k): np.squeeze(as_array(v).astype(np.float64)) for k, v in matrices.items()}
    for k, m in mats.items():
        if m.ndim != 2:
            raise ValueError(f"show_matrices: {k!r} is not 2-D (shape {m.shape})")
    widths = [m.shape[1] + 1 for m in mats.values()]
    height = max(m.shape[0] for m in mats.values())
    fig, _ = new_figure(width=max(scale * sum(widths), 2.0), height=scale * height + 0.8, squeeze=True)
    fig.clear()
    axes = fig.subplots(1, len(mats), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    for ax, (title, m) in zip(axes, mats.items()):
        lim = float(np.abs(m).max()) or 1.0
        ax.imshow(m, cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_xlim(-0.5, m.shape[1] - 0.5)
        ax.set_ylim(height - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{title}\n{m.shape[0]}x{m.shape[1]}", fontsize=9)
        if annotate and m.size <= 144:
            for (i, j), v in np.ndenumerate(m):
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7,
                        color="white" if abs(v) > 0.6 * lim else "black")
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_filters(weight, in_channel=0, ncols=8, suptitle="filters"):
    """Convolution filters ``(C_out, C_in, KH, KW)`` (their ``in_channel`` slice), on a blue-white-red scale
    centered on 0 (blue: negative weights, red: positive)."""
    w = as_array(weight)
    if w.ndim != 4:
        raise ValueError(f"plot_filters: expected a conv weight (C_out, C_in, KH, KW), got shape {w.shape}")
    return show_images(w[:, in_channel], titles=[str(i) for i in range(w.shape[0])], ncols=ncols, cmap="RdBu_r",
                       symmetric=True, suptitle=suptitle)


def plot_feature_maps(maps, ncols=8, suptitle="feature maps", cmap="viridis"):
    """The channels of one feature map ``(C, H, W)`` (or a batch's first sample ``(1, C, H, W)``)."""
    m = as_array(maps)
    if m.ndim == 4:
        m = m[0]
    if m.ndim != 3:
        raise ValueError(f"plot_feature_maps: expected (C, H, W) or (N, C, H, W), got shape {m.shape}")
    return show_images(m, titles=[str(i) for i in range(m.shape[0])], ncols=ncols, cmap=cmap, suptitle=suptitle)


def _smooth(y, k):
    """Trailing moving average over ``k`` points (the first points average what exists)."""
    if k <= 1 or len(y) < 2:
        return y
    c = np.cumsum(np.insert(y, 0, 0.0))
    idx = np.arange(1, len(y) + 1)
    lo = np.maximum(idx - k, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def plot_curves(curves, xlabel="step", ylabel="loss", logy=False, smooth=1, title=None, ax=None, x=None,
                styles=None):
    """Several curves on one axes, one per entry of ``curves`` (``{label: values}``), for side-by-side runs.

    Args:
        curves: ``{label: sequence of numbers}``; None entries are skipped.
        xlabel, ylabel, title: axis labels and title; logy: log scale on y.
        smooth: moving-average window (1: raw values); the raw curve is drawn faintly underneath.
        ax: draw into this axes (then the axes' figure is returned).
        x: ``{label: x values}`` or one sequence shared by all curves (default 0, 1, 2, ... or 1, 2, ... for
            ``xlabel='epoch'``).
        styles: ``{label: matplotlib format string}``.
    """
    if ax is None:
        fig, axes = new_figure(width=6.0, height=3.6)
        ax = axes[0, 0]
    fig = ax.figure
    for i, (label, values) in enumerate(curves.items()):
        pts = [(j, float(v)) for j, v in enumerate(values) if v is not None]
        if not pts:
            continue
        idx, ys = map(np.asarray, zip(*pts))
        if isinstance(x, dict):
            xs = np.asarray(x[label], dtype=float)[idx]
        elif x is not None:
            xs = np.asarray(x, dtype=float)[idx]
        else:
            xs = idx + (1 if xlabel == "epoch" else 0)
        color = PALETTE[i % len(PALETTE)]
        fmt = (styles or {}).get(label, "-")
        if smooth > 1:
            ax.plot(xs, ys, "-", color=color, alpha=0.2, linewidth=0.8)
            ys = _smooth(ys, int(smooth))
        ax.plot(xs, ys, fmt, color=color, label=str(label), linewidth=1.5, markersize=3)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")
    return fig


FEW_POINTS = 5     # curves with at most this many epochs get large markers, their values written, whole-number ticks


def _few_points(ax, lines, metric=""):
    """With a few epochs only, the default axes mislead (one epoch: a dot on an axis from 0.96 to 1.04): put the
    ticks on the epochs, pad the limits, write each value next to its marker."""
    pts = [(float(x), float(y)) for ln in lines for x, y in zip(ln.get_xdata(), ln.get_ydata())
           if np.isfinite(y)]
    xs = sorted({x for x, _ in pts})
    if not pts or len(xs) > FEW_POINTS:
        return
    ax.set_xticks(xs)
    ax.set_xlim(xs[0] - 0.5, xs[-1] + 0.5)
    ys = [y for _, y in pts]
    lo, hi = min(ys), max(ys)
    if ax.get_yscale() != "log":
        pad = 0.25 * (hi - lo) if hi > lo else 0.1 * max(abs(hi), 1e-3)
        bottom, top = lo - pad, hi + pad
        if "accuracy" in metric:
            bottom, top = max(bottom, 0.0), min(top, 1.0 + 0.05 * (top - bottom))
        elif lo >= 0:
            bottom = max(bottom, 0.0)
        ax.set_ylim(bottom, top)
    for ln in lines:
        for x, y in zip(ln.get_xdata(), ln.get_ydata()):
            if np.isfinite(y):
                ax.annotate(f"{y:.3g}", (x, y), textcoords="offset points", xytext=(6, 5), va="center",
                            fontsize=8, color=ln.get_color())


def compare_histories(histories, metrics=("loss", "val_loss"), logy=False, suptitle=None):
    """One panel per metric, one curve per run: ``{run name: History}`` (histories from ``nn.training.fit``).

    A metric a run did not record is skipped for that run. Epochs are on the x axis.
    """
    metrics = tuple(metrics)
    fig, axes = new_figure(1, len(metrics), width=4.6, height=3.4)
    for ax, metric in zip(axes[0], metrics):
        curves, xs = {}, {}
        for name, h in histories.items():
            if metric in h:
                curves[name], xs[name] = h[metric], h.epoch
        plot_curves(curves, xlabel="epoch", ylabel=metric, logy=logy, ax=ax, x=xs, styles=dict.fromkeys(curves, "-o"))
        _few_points(ax, ax.get_lines(), metric)
        ax.set_title(metric.replace("_", " "))
    if suptitle:
        fig.suptitle(suptitle)
    return fig


_HISTORY_TITLES = {"loss": "loss", "accuracy": "accuracy", "lr": "learning rate", "epoch_time": "epoch time (s)"}


def plot_history(history, metrics=("loss", "accuracy"), path=None, title=None):
    """Draw training and validation curves, one panel per metric, with the chosen epoch marked.

    Args:
        history: a training history with ``nn.training.History``'s interface: ``history.epoch`` (epoch numbers),
            ``history[column]`` (one value or None per epoch), ``column in history``, ``history.keys()``,
            ``len(history)`` and ``history.chosen_epoch`` (None: no mark). ``nn.plot_history`` also takes a
            ``History.to_dict()``.
        metrics: column names without the ``val_`` prefix; a metric that was not recorded is skipped. ``lr`` is
            drawn on a log scale.
        path: if given, the figure is saved there (PNG, SVG, PDF: by the suffix).
        title: optional figure title.

    Returns:
        a ``matplotlib.figure.Figure`` (made without pyplot, see :func:`new_figure`).

    Example::

        >>> fig = plot_history(history, metrics=("loss", "accuracy", "lr"), path="curves.png")
    """
    panels = [m for m in metrics if m in history or f"val_{m}" in history]
    if not panels:
        raise ValueError(f"plot_history: none of {list(metrics)} was recorded (columns: {list(history.keys())})")
    fig, axes = new_figure(1, len(panels), width=4.2, height=3.4)
    axes = axes[0]
    chosen = history.chosen_epoch
    for ax, metric in zip(axes, panels):
        for key, label, style in ((metric, "train", "-o"), (f"val_{metric}", "validation", "-s")):
            if key in history:
                points = [(e, v) for e, v in zip(history.epoch, history[key]) if v is not None]
                if points:
                    xs, ys = zip(*points)
                    ax.plot(xs, ys, style, markersize=3 if len(xs) > FEW_POINTS else 7,
                            label=label if metric != "lr" else None)
        _few_points(ax, [ln for ln in ax.get_lines()], metric)
        if chosen is not None and len(history) > 1:
            ax.axvline(chosen, color="gray", linestyle="--", linewidth=1,
                       label=f"chosen epoch ({chosen})" if ax is axes[0] else None)
        if metric == "lr":
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(_HISTORY_TITLES.get(metric, metric))
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def figure_png(fig, dpi=72):
    """The figure as PNG bytes (e.g. for an ipywidgets ``Image``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def plot_activations(functions, xlim=(-4.0, 4.0), n=401):
    """Each activation function and its derivative, the derivative computed by autograd.

    Args:
        functions: ``{name: f}`` (or a list of functions, named by ``__name__``), each mapping a Tensor to a
            Tensor elementwise (``F.relu``, ``torch``-style ``F.gelu``, ``lambda x: x.tanh()``...).
        xlim, n: the grid of inputs.

    The derivative is ``x.grad`` after ``f(x).sum().backward()``: for an elementwise ``f`` the gradient of the
    sum is exactly the pointwise derivative ``f'(x)``.
    """
    from ..factories import linspace
    if not isinstance(functions, dict):
        functions = {getattr(f, "__name__", f"f{i}"): f for i, f in enumerate(functions)}
    k = len(functions)
    ncols = min(k, 4)
    fig, axes = new_figure(math.ceil(k / ncols), ncols, width=3.2, height=2.6)
    for ax in axes.flat[k:]:
        ax.axis("off")
    for ax, (name, f) in zip(axes.flat, functions.items()):
        x = linspace(xlim[0], xlim[1], n, requires_grad=True)
        y = f(x)
        y.sum().backward()
        xs = x.numpy()
        ax.axhline(0, color="#999999", linewidth=0.6)
        ax.axvline(0, color="#999999", linewidth=0.6)
        ax.plot(xs, y.detach().numpy(), color=PALETTE[0], label="f(x)")
        ax.plot(xs, x.grad.numpy(), color=PALETTE[3], linestyle="--", label="f'(x)")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small", loc="upper left")
    return fig


def plot_confusion(y_true, y_pred, classes=None, normalize=True, title="confusion matrix"):
    """The confusion matrix (rows: true class, columns: predicted), as fractions of each row by default."""
    t, p = as_array(y_true).astype(np.int64).ravel(), as_array(y_pred).astype(np.int64).ravel()
    k = int(max(t.max(initial=0), p.max(initial=0)) + 1) if classes is None else len(classes)
    cm = np.zeros((k, k), dtype=np.float64)
    np.add.at(cm, (t, p), 1.0)
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1.0)
    fig, axes = new_figure(width=5.2, height=4.6)
    ax = axes[0, 0]
    im = ax.imshow(cm, cmap="Blues", vmin=0)
    fig.colorbar(im, ax=ax, shrink=0.8)
    names = [str(c) for c in classes] if classes is not None else [str(i) for i in range(k)]
    ax.set_xticks(range(k), names, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(k), names, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(k):
        for j in range(k):
            if cm[i, j] >= (0.005 if normalize else 0.5):
                ax.text(j, i, f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}", ha="center", va="center",
                        fontsize=6, color="white" if cm[i, j] > 0.5 * cm.max() else "black")
    ax.set_title(title)
    return fig


def plot_latent(codes, labels=None, classes=None, title="latent space", ax=None, max_points=3000):
    """2-D codes (the first two dimensions of ``codes (N, d)``) as a scatter plot colored by label."""
    z = as_array(codes)
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(f"plot_latent: expected codes (N, d) with d >= 2, got shape {z.shape}")
    z = z[:max_points]
    if ax is None:
        fig, axes = new_figure(width=5.4, height=4.6)
        ax = axes[0, 0]
    if labels is None:
        ax.scatter(z[:, 0], z[:, 1], s=4, color=PALETTE[0], alpha=0.6)
    else:
        lab = as_array(labels).astype(np.int64).ravel()[:max_points]
        for c in np.unique(lab):
            m = lab == c
            name = classes[c] if classes is not None else str(c)
            ax.scatter(z[m, 0], z[m, 1], s=4, color=PALETTE[c % len(PALETTE)], alpha=0.6, label=name)
        ax.legend(fontsize="x-small", markerscale=3, loc="best")
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax.figure
