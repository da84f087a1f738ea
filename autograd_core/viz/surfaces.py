"""2-D loss surfaces and the paths optimizers take on them: the optimizer chapter in pictures.

A :class:`Surface` is a function of a point ``p = (x, y)`` written with Tensor ops (so autograd gives its
gradient), with a plotting window, a usual starting point and its known minima. :func:`trajectory` runs any
optimizer (an ``optim`` class, passed in: this module imports no optimizer) on it from the start, and
:func:`plot_trajectories` draws the contour lines with every path on top and, beside them, the loss along each path.

Surfaces: ``'ravine'`` (an ill-conditioned quadratic bowl: SGD zig-zags, momentum glides), ``'rosenbrock'``
(a curved banana valley), ``'saddle'`` (x^2 - y^2 plus a quartic wall: who escapes the saddle point?),
``'beale'`` (flat plateaus and steep walls), ``'himmelblau'`` (four minima: the start decides where you land).

Example::

    >>> paths = compare_optimizers("ravine", {"SGD": (optim.SGD, {"lr": 0.05}),
    ...                                       "momentum": (optim.SGD, {"lr": 0.05, "momentum": 0.9})}, steps=100)
    >>> plot_trajectories("ravine", paths)
"""
from collections import namedtuple

import numpy as np

from ..factories import tensor
from .plots import PALETTE, new_figure, plot_curves

__all__ = ["Surface", "SURFACES", "get_surface", "Trajectory", "trajectory", "compare_optimizers",
           "plot_trajectories"]

Trajectory = namedtuple("Trajectory", ["points", "losses", "diverged"])
Trajectory.__doc__ = """An optimizer's path: ``points (n, 2)`` and ``losses (n,)``, start included (``n = steps + 1``
unless it ``diverged``: then the path stops at the last point whose loss was below ``max_loss``)."""


class Surface:
    """A loss surface ``f(p)`` of a point ``p`` (a Tensor ``(..., 2)``; returns ``(...)``).

    Attributes:
        name, fn, xlim, ylim (the plotting window), start (the default starting point), minima (list of points),
        log_levels (draw contour levels on a log scale: for surfaces spanning many orders of magnitude).
    """

    def __init__(self, name, fn, xlim, ylim, start, minima=(), log_levels=False):
        self.name, self.fn = name, fn
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        self.start = tuple(float(v) for v in start)
        self.minima = [tuple(m) for m in minima]
        self.log_levels = log_levels

    def __call__(self, p):
        return self.fn(p)

    def grid(self, resolution=200):
        """``(xx, yy, zz)`` arrays of the surface over its window."""
        xx, yy = np.meshgrid(np.linspace(*self.xlim, resolution), np.linspace(*self.ylim, resolution))
        zz = self.fn(tensor(np.stack([xx, yy], axis=-1).astype(np.float64))).numpy()
        return xx, yy, zz

    def __repr__(self):
        return f"Surface({self.name!r}, start={self.start}, minima={self.minima})"


def _ravine(p):
    x, y = p[..., 0], p[..., 1]
    return 0.5 * (x ** 2) + 10.0 * (y ** 2)       # condition number 20


def _rosenbrock(p):
    x, y = p[..., 0], p[..., 1]
    return (1 - x) ** 2 + 100.0 * (y - x ** 2) ** 2


def _saddle(p):
    x, y = p[..., 0], p[..., 1]
    return x ** 2 - y ** 2 + 0.25 * y ** 4           # saddle at 0, minima at y = +-sqrt(2)


def _beale(p):
    x, y = p[..., 0], p[..., 1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _himmelblau(p):
    x, y = p[..., 0], p[..., 1]
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


SURFACES = {
    "ravine": Surface("ravine", _ravine, (-4.5, 4.5), (-1.6, 1.6), (-4.0, 1.2), [(0.0, 0.0)]),
    "rosenbrock": Surface("rosenbrock", _rosenbrock, (-2.0, 2.0), (-1.0, 3.0), (-1.2, 1.0), [(1.0, 1.0)],
                          log_levels=True),
    "saddle": Surface("saddle", _saddle, (-1.5, 1.5), (-2.0, 2.0), (1.2, 1e-3),
                      [(0.0, 2 ** 0.5), (0.0, -(2 ** 0.5))]),
    "beale": Surface("beale", _beale, (-4.5, 4.5), (-4.5, 4.5), (1.0, 1.4), [(3.0, 0.5)], log_levels=True),
    "himmelblau": Surface("himmelblau", _himmelblau, (-5.0, 5.0), (-5.0, 5.0), (0.0, 0.0),
                          [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
                          log_levels=True),
}


def get_surface(surface):
    """A :class:`Surface` from its name (a key of ``SURFACES``), or the surface itself."""
    if isinstance(surface, Surface):
        return surface
    try:
        return SURFACES[surface]
    except KeyError:
        raise ValueError(f"unknown surface {surface!r}; choose one of {sorted(SURFACES)}") from None


def trajectory(surface, optimizer, steps=100, start=None, max_loss=1e8, **optimizer_kwargs):
    """Run ``optimizer`` on ``surface`` for ``steps`` steps and return the :class:`Trajectory`.

    Args:
        surface: a name of ``SURFACES`` or a :class:`Surface`.
        optimizer: an optimizer class (``optim.Adam``) built with ``optimizer_kwargs``, or a function
            ``params -> optimizer``.
        steps: number of updates.
        start: the starting point (default: the surface's).
        max_loss: a loss above this (or not finite) means the run diverged (learning rate too large): the path
            stops there and ``diverged`` is True.

    The point is one float64 tensor of two values, updated in place by ``optimizer.step()`` exactly as a
    model's parameters are.
    """
    s = get_surface(surface)
    p = tensor(np.asarray(start if start is not None else s.start, dtype=np.float64), requires_grad=True)
    opt = optimizer([p], **optimizer_kwargs) if isinstance(optimizer, type) else optimizer([p])
    points, losses = [], []
    for i in range(int(steps) + 1):
        loss = s(p)
        value = float(loss.item())
        if not abs(value) <= max_loss:     # also catches NaN
            return Trajectory(np.array(points).reshape(-1, 2), np.array(losses), True)
        points.append(p.numpy().copy())
        losses.append(value)
        if i == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return Trajectory(np.array(points), np.array(losses), False)


def compare_optimizers(surface, configs, steps=100, start=None):
    """``{name: Trajectory}`` for ``configs = {name: (optimizer class, kwargs)}`` from the same start."""
    return {name: trajectory(surface, cls, steps=steps, start=start, **dict(kwargs))
            for name, (cls, kwargs) in configs.items()}


def plot_trajectories(surface, trajectories, levels=30, losses=True, title=None, resolution=200):
    """Contour lines of ``surface`` with each optimizer's path, and (``losses=True``) the loss along each path.

    Args:
        surface: a name of ``SURFACES`` or a :class:`Surface`.
        trajectories: ``{name: Trajectory}`` (from :func:`compare_optimizers`).
        levels: number of contour levels (log-spaced for surfaces with ``log_levels``).
    """
    s = get_surface(surface)
    fig, axes = new_figure(1, 2 if losses else 1, width=5.0, height=4.2)
    ax = axes[0, 0]
    xx, yy, zz = s.grid(resolution)
    if s.log_levels:
        lo = max(float(zz.min()), 1e-3)
        lv = np.geomspace(lo, float(zz.max()), levels)
    else:
        lv = np.linspace(float(zz.min()), float(zz.max()), levels)
    ax.contour(xx, yy, zz, levels=lv, cmap="viridis", linewidths=0.7, alpha=0.8)
    for i, (name, tr) in enumerate(trajectories.items()):
        pts = tr.points
        ax.plot(pts[:, 0], pts[:, 1], "-o", color=PALETTE[i % len(PALETTE)], markersize=2, linewidth=1.4,
                label=name + (" (diverged)" if tr.diverged else ""))
    starts = [tr.points[0] for tr in trajectories.values() if len(tr.points)]
    start = starts[0] if starts else s.start
    ax.plot(*start, marker="*", color="k", markersize=12, linestyle="none", label="start")
    for m in s.minima:
        ax.plot(*m, marker="X", color="#d62728", markersize=9, linestyle="none")
    ax.set_xlim(*s.xlim)
    ax.set_ylim(*s.ylim)
    ax.set_title(title or f"{s.name}: paths")
    ax.legend(fontsize="x-small", loc="best")
    if losses:
        plot_curves({name: tr.losses for name, tr in trajectories.items()}, xlabel="step", ylabel="loss",
                    logy=all(np.all(tr.losses > 0) for tr in trajectories.values()), ax=axes[0, 1],
                    title=f"{s.name}: loss along the path")
    return fig
