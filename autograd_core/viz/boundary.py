"""Pictures of what a 2-D classifier decides and of how convolution becomes a matrix product.

* :func:`plot_decision_boundary`: the class regions of any classifier of 2-D points (a Module or a function),
  with the data on top (the TensorFlow-playground picture);
* :func:`plot_im2col`: an image with some sliding windows outlined, next to the ``F.unfold`` matrix whose columns
  are those windows (the same colors), the layout that turns convolution into one matrix product.

Example::

    >>> plot_decision_boundary(model, X, y)
    >>> plot_im2col(x[0, 0], F.unfold(x, 3)[0], kernel_size=3)
"""
import numpy as np

from .plots import PALETTE, as_array, new_figure

__all__ = ["grid_points", "predict_proba", "plot_decision_boundary", "plot_im2col"]


def grid_points(X, resolution=150, margin=0.5):
    """A ``resolution x resolution`` grid covering the points ``X (N, 2)`` plus ``margin``:
    ``(xx, yy, points)`` with ``points (resolution**2, 2)`` float32."""
    X = as_array(X)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def predict_proba(model, points, batch_size=8192):
    """Class probabilities ``(M, C)`` of ``model`` at ``points (M, 2)``, in eval mode and without a graph.

    ``model`` maps a float32 Tensor ``(m, 2)`` to logits ``(m, C)``, probabilities ``(m, C)`` (rows in [0, 1]
    summing to 1 are taken as they are), or one score per point ``(m,)`` / ``(m, 1)`` (a logit for class 1, or a
    probability if all scores lie in [0, 1]). A Module's train/eval mode is restored afterwards.
    """
    from ..factories import tensor
    from ..grad_mode import no_grad
    was_training = getattr(model, "training", None)
    if was_training is not None:
        model.train(False)
    try:
        with no_grad():
            outs = [as_array(model(tensor(points[i:i + batch_size]))) for i in range(0, len(points), batch_size)]
    finally:
        if was_training is not None:
            model.train(was_training)
    out = np.concatenate(outs).astype(np.float64)
    if out.ndim == 1 or out.shape[1] == 1:
        s = out.reshape(-1)
        p1 = s if (s.min() >= 0 and s.max() <= 1) else 1.0 / (1.0 + np.exp(-s))
        return np.stack([1 - p1, p1], axis=1)
    if out.min() >= 0 and out.max() <= 1 and np.allclose(out.sum(axis=1), 1.0, atol=1e-4):
        return out
    return _softmax(out)


def plot_decision_boundary(model, X, y, ax=None, resolution=150, margin=0.5, title=None, test=None, points=True):
    """Class regions of ``model`` over the plane, with the labelled points on top.

    Two classes: the probability of class 1 on a blue-orange scale and the 0.5 contour (the boundary). More
    classes: each region in its class color, shaded by the model's confidence.

    Args:
        model: a Module or function of a Tensor ``(m, 2)`` (see :func:`predict_proba`).
        X, y: training points ``(N, 2)`` and int labels ``(N,)`` (circles); test: optional ``(X_test, y_test)``
            drawn as crosses.
        ax: draw into this axes; resolution, margin: the grid.
        points: draw the points (False: regions only).
    """
    from matplotlib.colors import ListedColormap
    X, y = as_array(X), as_array(y).astype(np.int64).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must be (N, 2), got shape {X.shape}")
    if ax is None:
        fig, axes = new_figure(width=4.6, height=4.2)
        ax = axes[0, 0]
    xx, yy, grid = grid_points(X, resolution, margin)
    proba = predict_proba(model, grid)
    k = proba.shape[1]
    if k == 2:
        # blue (class 0) -> white (undecided) -> orange (class 1): the colors of the points
        cmap = ListedColormap(np.vstack([np.linspace([0.12, 0.47, 0.71], [1, 1, 1], 128),
                                         np.linspace([1, 1, 1], [1.0, 0.5, 0.05], 128)]))
        ax.contourf(xx, yy, proba[:, 1].reshape(xx.shape), levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.55)
        ax.contour(xx, yy, proba[:, 1].reshape(xx.shape), levels=[0.5], colors="k", linewidths=1.2)
    else:
        cls = proba.argmax(axis=1).reshape(xx.shape)
        colors = ListedColormap([PALETTE[c % len(PALETTE)] for c in range(k)])
        ax.contourf(xx, yy, cls, levels=np.arange(k + 1) - 0.5, cmap=colors, alpha=0.35)
        ax.contour(xx, yy, cls, levels=np.arange(k + 1) - 0.5, colors="k", linewidths=0.6)
    if points:
        for c in np.unique(y):
            m = y == c
            ax.scatter(X[m, 0], X[m, 1], s=14, color=PALETTE[c % len(PALETTE)], edgecolors="white", linewidths=0.5,
                       label=f"class {c}")
        if test is not None:
            Xt, yt = as_array(test[0]), as_array(test[1]).astype(np.int64).ravel()
            for c in np.unique(yt):
                m = yt == c
                ax.scatter(Xt[m, 0], Xt[m, 1], s=18, marker="x", color=PALETTE[c % len(PALETTE)], linewidths=1.0)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax.figure


def plot_im2col(image, cols, kernel_size, stride=1, padding=0, highlight=(0, 1, -1), annotate=True):
    """An image with some windows outlined and the ``unfold`` (im2col) matrix with the matching columns.

    Args:
        image: one channel ``(H, W)``.
        cols: ``F.unfold`` of that image ``(KH*KW, L)`` (one column per window position, row-major).
        kernel_size, stride, padding: what ``cols`` was made with (int or pair).
        highlight: column indices to outline (negative counts from the end).
        annotate: write the numbers into the cells (small inputs only).
    """
    from matplotlib.patches import Rectangle
    img, c = as_array(image), as_array(cols)
    kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else kernel_size
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    if img.ndim != 2 or c.ndim != 2 or c.shape[0] != kh * kw:
        raise ValueError(f"plot_im2col: expected image (H, W) and cols (KH*KW, L); got {img.shape} and {c.shape}")
    ow = (img.shape[1] + 2 * pw - kw) // sw + 1
    fig, axes = new_figure(1, 2, width=4.2, height=4.0)
    ax_img, ax_col = axes[0]
    ax_img.imshow(img, cmap="Greys", interpolation="nearest")
    ax_col.imshow(c, cmap="Greys", interpolation="nearest", aspect="auto")
    if annotate and img.size <= 100:
        for (i, j), v in np.ndenumerate(img):
            ax_img.text(j, i, f"{v:g}", ha="center", va="center", fontsize=8, color="tab:red")
    if annotate and c.size <= 400:
        for (i, j), v in np.ndenumerate(c):
            ax_col.text(j, i, f"{v:g}", ha="center", va="center", fontsize=7, color="tab:red")
    for n, col in enumerate(highlight):
        col = col % c.shape[1]
        r, q = divmod(col, ow)
        color = PALETTE[(n + 1) % len(PALETTE)]
        ax_img.add_patch(Rectangle((q * sw - pw - 0.5, r * sh - ph - 0.5), kw, kh, fill=False, edgecolor=color,
                                   linewidth=2.5))
        ax_col.add_patch(Rectangle((col - 0.5, -0.5), 1, kh * kw, fill=False, edgecolor=color, linewidth=2.5))
    ax_img.set_title(f"input {img.shape[0]}x{img.shape[1]}, windows {kh}x{kw}, stride {sh}")
    ax_col.set_title(f"unfold: {c.shape[0]} rows (taps) x {c.shape[1]} columns (windows)")
    ax_col.set_xlabel("window index l")
    ax_col.set_ylabel("kernel tap (i*KW + j)")
    return fig
