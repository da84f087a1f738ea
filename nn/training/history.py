"""``History``: what happened during training, epoch by epoch; ``plot_history`` (or ``History.plot()``) draws it
with :mod:`autograd_core.viz.plots`.

A :class:`History` is a table with one row per epoch. Columns (any may be absent):

============== ======================================================
``loss``        mean training loss over the epoch's batches (per sample)
``accuracy``    training accuracy (and any other metric by its name)
``val_loss``    loss on the validation set after the epoch
``val_accuracy`` validation accuracy
``lr``          learning rate of the first parameter group during the epoch
``epoch_time``  seconds of the training pass (forward, backward, update)
``eval_time``   seconds of the validation pass
============== ======================================================

Epochs are counted from 1 here and in messages (``history.epoch == [1, 2, ...]``); callbacks receive the
0-based index, as ``for epoch in range(epochs)`` gives it. ``best_epoch`` is the epoch whose weights early
stopping kept (or, without it, the epoch with the lowest ``val_loss``, else ``loss``); ``stopped_epoch`` is the
last epoch run when early stopping ended training, else None.

Example::

    >>> history = fit(model, loss_fn, opt, train_loader, val_loader, epochs=10)
    >>> history["val_accuracy"][-1], history.best_epoch
    (0.874, 9)
    >>> fig = plot_history(history, path="curves.png")
"""
import json
import math

from autograd_core.viz.plots import plot_history as _viz_plot_history

__all__ = ["History", "plot_history"]


class History:
    """Per-epoch records of a training run (see the module docstring for the columns)."""

    def __init__(self):
        self.epoch = []
        self.history = {}   # column -> list, aligned with self.epoch (None where a column was missing)
        self.best_epoch = None
        self.stopped_epoch = None
        self.monitor = None  # the metric that chose best_epoch, when a callback chose it
        self.interrupted = None  # where Ctrl-C stopped fit (see Trainer.interrupted), else None

    def append(self, epoch, logs):
        """Record the ``logs`` dict of epoch number ``epoch`` (1-based)."""
        n = len(self.epoch)
        self.epoch.append(int(epoch))
        for key, value in logs.items():
            if key == "epoch":
                continue
            column = self.history.setdefault(key, [None] * n)
            column.append(_plain(value))
        for column in self.history.values():
            if len(column) == n:
                column.append(None)

    def __getitem__(self, key):
        return self.history[key]

    def __contains__(self, key):
        return key in self.history

    def __len__(self):
        return len(self.epoch)

    def keys(self):
        return self.history.keys()

    def last(self):
        """The last epoch's row as a dict (``{}`` before the first epoch)."""
        if not self.epoch:
            return {}
        return {"epoch": self.epoch[-1], **{k: v[-1] for k, v in self.history.items()}}

    def best(self, monitor=None, mode="auto"):
        """Epoch number with the best value of ``monitor`` (default ``val_loss`` if recorded, else ``loss``)."""
        monitor = monitor or ("val_loss" if "val_loss" in self.history else "loss")
        values = [(v, e) for v, e in zip(self.history.get(monitor, []), self.epoch) if v is not None]
        if not values:
            return None
        sign = -1.0 if resolve_mode(mode, monitor) == "max" else 1.0
        return min(values, key=lambda ve: (sign * ve[0], ve[1]))[1]

    @property
    def chosen_epoch(self):
        """``best_epoch`` if a callback set it, else :meth:`best`."""
        return self.best_epoch if self.best_epoch is not None else self.best()

    # ---------------------------------------------------------------- (de)serialization
    def to_dict(self):
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()},
                "best_epoch": self.best_epoch, "stopped_epoch": self.stopped_epoch, "monitor": self.monitor}

    @classmethod
    def from_dict(cls, d):
        h = cls()
        h.epoch = [int(e) for e in d.get("epoch", [])]
        h.history = {k: list(v) for k, v in d.get("history", {}).items()}
        h.best_epoch = d.get("best_epoch")
        h.stopped_epoch = d.get("stopped_epoch")
        h.monitor = d.get("monitor")
        return h

    def to_json(self, path=None):
        """The history as JSON text (NaN and infinities become null); written to ``path`` if given."""
        text = json.dumps(_json_safe(self.to_dict()), indent=2)
        if path is not None:
            with open(path, "w") as f:
                f.write(text + "\n")
        return text

    @classmethod
    def from_json(cls, text_or_path):
        text = text_or_path
        if not text.lstrip().startswith("{"):
            with open(text_or_path) as f:
                text = f.read()
        return cls.from_dict(json.loads(text))

    def plot(self, metrics=("loss", "accuracy"), path=None, title=None):
        """The training curves: :func:`plot_history` of this history (returns the Figure)."""
        return plot_history(self, metrics=metrics, path=path, title=title)

    def __repr__(self):
        cols = ", ".join(self.history)
        return f"History(epochs={len(self)}, columns=[{cols}], best_epoch={self.best_epoch})"


def resolve_mode(mode, monitor):
    """'min' or 'max' for ``mode='auto'``: accuracy-like metrics are maximized, everything else minimized."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    name = monitor.lower()
    return "max" if any(s in name for s in ("acc", "auc", "f1", "precision", "recall")) else "min"


def _plain(value):
    """Python float/int/str/None from numpy scalars and 0-d tensors, so the history serializes."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _json_safe(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def plot_history(history, metrics=("loss", "accuracy"), path=None, title=None):
    """Draw training and validation curves, one panel per metric, with the chosen epoch marked
    (:func:`autograd_core.viz.plots.plot_history` draws them).

    Args:
        history: a :class:`History` (or its ``to_dict()``).
        metrics: column names without the ``val_`` prefix; a metric that was not recorded is skipped. ``lr`` is
            drawn on a log scale.
        path: if given, the figure is saved there (PNG, SVG, PDF: by the suffix).
        title: optional figure title.

    Returns:
        a ``matplotlib.figure.Figure``. It is made without pyplot, so nothing stays open in pyplot's figure
        list and any backend works (headless Agg included); Jupyter shows the returned figure.

    Example::

        >>> fig = plot_history(history, metrics=("loss", "accuracy", "lr"), path="curves.png")
    """
    if isinstance(history, dict):
        history = History.from_dict(history)
    return _viz_plot_history(history, metrics=metrics, path=path, title=title)
