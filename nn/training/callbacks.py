"""Callbacks: code that runs at fixed points of :func:`nn.training.fit` (Keras' protocol, PyTorch's names).

The protocol is five methods, all optional (``autograd_core.viz.Diagnostics`` implements the same ones, so it
can be passed to ``fit(callbacks=...)`` as is)::

    on_train_begin(trainer)                 before the first epoch
    on_epoch_begin(trainer, epoch)          epoch: 0-based index
    on_batch_end(trainer, batch, logs)      after optimizer.step(); gradients are still in .grad;
                                            logs: {"loss", "batch_size", "lr", and each metric}
    on_epoch_end(trainer, epoch, logs)      logs: the epoch's row of the History (loss, val_loss, ...)
    on_train_end(trainer)                   after the last epoch (also after early stopping)

``trainer`` is the :class:`~nn.training.Trainer`: ``trainer.model``, ``.optimizer``, ``.scheduler``,
``.history``, ``.epochs``, ``.train_loader``, ``.val_loader``; setting ``trainer.stop_training = True`` ends
training after the current epoch; ``trainer.log(msg)`` prints unless training is quiet.

A callback with state that matters for resuming (early stopping's best value and weights) implements
``state_dict()`` / ``load_state_dict(state)``; checkpoints store it.
"""
import math
import os
import sys

import numpy as np

from autograd_core.errors import TrainingDivergedError

from .history import resolve_mode

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "ProgressBar", "LambdaCallback", "TerminateOnNaN",
           "TrainingDivergedError"]


class Callback:
    """Base class: override the hooks you need (see the module docstring)."""

    def on_train_begin(self, trainer):
        pass

    def on_epoch_begin(self, trainer, epoch):
        pass

    def on_batch_end(self, trainer, batch, logs):
        pass

    def on_epoch_end(self, trainer, epoch, logs):
        pass

    def on_train_end(self, trainer):
        pass

    def state_dict(self):
        """What a checkpoint must keep for training to resume identically (default: nothing)."""
        return {}

    def load_state_dict(self, state):
        pass


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda tr, e, logs: print(logs))``."""

    def __init__(self, **hooks):
        for name, fn in hooks.items():
            if not hasattr(Callback, name) or not name.startswith("on_"):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)


class _Monitor:
    """Tracks the best value of a logged metric ('min' or 'max' mode, with an absolute ``min_delta``)."""

    def __init__(self, monitor, mode, min_delta):
        self.monitor = monitor
        self.mode = resolve_mode(mode, monitor)
        self.min_delta = abs(float(min_delta))
        self.best = math.inf if self.mode == "min" else -math.inf

    def value(self, logs):
        if logs.get(self.monitor) is None:
            available = sorted(k for k, v in logs.items() if v is not None)
            raise KeyError(f"{type(self).__name__}: metric '{self.monitor}' is not in the epoch's logs "
                           f"(available: {available})")
        return float(logs[self.monitor])

    def improved(self, current):
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta


def _check_monitor(monitor, trainer, who):
    if monitor.startswith("val_") and getattr(trainer, "val_loader", None) is None:
        raise ValueError(f"{who} monitors '{monitor}' but fit() got no val_loader; pass one, or monitor "
                         f"'{monitor[4:]}' (a training metric)")


class EarlyStopping(Callback, _Monitor):
    """Stop when a monitored metric has stopped improving, and keep the weights of its best epoch.

    After each epoch the monitored value is compared with the best so far; an improvement (by more than
    ``min_delta``) records the epoch and, with ``restore_best_weights``, a copy of ``model.state_dict()``.
    After ``patience`` epochs in a row without improvement, training stops. At the end of training (stopped
    early or not) the best weights are copied back into the model, so the model is the one of the chosen epoch,
    as in the course's description of early stopping.

    Args:
        monitor: a key of the epoch logs: ``'val_loss'`` (default), ``'val_accuracy'``, ``'loss'``, ...
        patience: epochs without improvement before stopping.
        min_delta: smallest change that counts as an improvement (absolute).
        mode: ``'min'``, ``'max'``, or ``'auto'`` (max for accuracy-like names, else min).
        restore_best_weights: copy the best epoch's weights back at the end of training.
        verbose: report the stop and the chosen epoch through ``trainer.log``.

    Attributes (also reported in the History: ``history.best_epoch``, ``history.stopped_epoch``):
        best: the best value; best_epoch: its epoch (1-based); stopped_epoch: the epoch after which training
        stopped (None if it ran to the end); wait: epochs since the last improvement.

    Example::

        >>> stopper = EarlyStopping("val_loss", patience=3)
        >>> history = fit(model, loss_fn, opt, train_loader, val_loader, epochs=100, callbacks=[stopper])
        >>> stopper.best_epoch == history.best_epoch
        True
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="auto", restore_best_weights=True,
                 verbose=True):
        if int(patience) < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        _Monitor.__init__(self, monitor, mode, min_delta)
        self.patience = int(patience)
        self.restore_best_weights = bool(restore_best_weights)
        self.verbose = verbose
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None
        self.wait = 0
        self._resumed = False

    def on_train_begin(self, trainer):
        _check_monitor(self.monitor, trainer, "EarlyStopping")
        if not self._resumed:
            self._reset()
        self._resumed = False

    def on_epoch_end(self, trainer, epoch, logs):
        current = self.value(logs)
        if self.improved(current):
            self.best, self.best_epoch, self.wait = current, epoch + 1, 0
            if self.restore_best_weights:
                self.best_weights = {k: v.numpy().copy() for k, v in trainer.model.state_dict().items()}
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch + 1
                trainer.stop_training = True
        trainer.history.best_epoch = self.best_epoch
        trainer.history.monitor = self.monitor

    def on_train_end(self, trainer):
        trainer.history.stopped_epoch = self.stopped_epoch
        if self.best_epoch is None or getattr(trainer, "interrupted", None):
            return   # an interrupted run keeps its latest weights (to resume from) and has not stopped early
        restored = self.restore_best_weights and self.best_weights is not None
        if restored:
            trainer.model.load_state_dict(self.best_weights)
        if self.verbose:
            how = f"stopped after epoch {self.stopped_epoch} ({self.patience} epochs without improvement)" \
                if self.stopped_epoch is not None else "ran all epochs"
            kept = "restored the weights of" if restored else "best was"
            trainer.log(f"Early stopping: {how}; {kept} epoch {self.best_epoch} "
                        f"({self.monitor} = {self.best:.4f}).")

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state):
        self.best, self.best_epoch = float(state["best"]), state["best_epoch"]
        self.wait, self.stopped_epoch = int(state["wait"]), state["stopped_epoch"]
        self.best_weights = state.get("best_weights")
        self._resumed = True


class ModelCheckpoint(Callback, _Monitor):
    """Save a full training checkpoint (model, optimizer, scheduler, epoch, history, random state and the
    callbacks' state) after each epoch, or only when the monitored metric improved.

    A run resumed from the checkpoint with ``fit(..., resume_from=path)`` continues exactly as the uninterrupted
    run would have (same shuffles, dropout masks and updates). Files are written atomically with ``nn.save``'s
    safe ``.npz`` format (no pickles). ModelCheckpoint runs after the other callbacks of an epoch, so the file
    holds their state after that epoch.

    When Ctrl-C stops :func:`~nn.training.fit` inside an epoch, a plain ``path`` (no ``{...}`` fields, not
    ``save_best_only``) is written once more with the position in that epoch, so resuming loses no batch.

    Args:
        path: file name; may contain ``{epoch}`` and any logged metric, e.g. ``"ckpt-{epoch:03d}.npz"``.
        monitor, mode, min_delta: as in :class:`EarlyStopping` (used with ``save_best_only``).
        save_best_only: save only when ``monitor`` improved (the file then holds the best epoch).
        verbose: report each save through ``trainer.log``.

    Attributes:
        last_path: the file written last (None before the first save).
    """

    runs_last = True  # read by Trainer: call on_epoch_end after the other callbacks

    def __init__(self, path, monitor="val_loss", save_best_only=False, mode="auto", min_delta=0.0,
                 verbose=False):
        _Monitor.__init__(self, monitor, mode, min_delta)
        self.path = os.fspath(path)
        self.save_best_only = bool(save_best_only)
        self.verbose = verbose
        self.last_path = None

    def on_train_begin(self, trainer):
        if self.save_best_only:
            _check_monitor(self.monitor, trainer, "ModelCheckpoint")

    def on_epoch_end(self, trainer, epoch, logs):
        if self.save_best_only:
            current = self.value(logs)
            if not self.improved(current):
                return
            self.best = current
        path = self.path.format(epoch=epoch + 1, **{k: v for k, v in logs.items() if k != "epoch"})
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        trainer.save_checkpoint(path)
        self.last_path = path
        if self.verbose:
            trainer.log(f"Saved checkpoint of epoch {epoch + 1} to {path}")

    def on_train_end(self, trainer):
        # Ctrl-C stopped fit (see Trainer): keep where it stopped, so that resuming continues with the next batch
        if getattr(trainer, "interrupted", None) and not self.save_best_only and "{" not in self.path:
            folder = os.path.dirname(self.path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            trainer.save_checkpoint(self.path)
            self.last_path = self.path
            if self.verbose:
                trainer.log(f"Saved the interrupted run to {self.path}; fit(..., resume_from={self.path!r}) "
                            f"continues it.")

    def state_dict(self):
        return {"best": self.best}

    def load_state_dict(self, state):
        self.best = float(state["best"])


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite (Keras' callback of this name), whose
    loss exceeds ``max_loss``, or after which a weight is no longer finite, by raising
    :class:`~autograd_core.errors.TrainingDivergedError` with one line: what happened, where, and what to try.

    Args:
        max_loss: a loss above this also counts as divergence (None: only non-finite values). For a
            classification loss a few thousand is safe: a cross-entropy of 1000 means the right class scores
            1000 below another.
        check_weights: also check that every parameter is still finite after the update.
        hint: the advice at the end of the message (a CLI names its flags here).
    """

    def __init__(self, max_loss=None, check_weights=True,
                 hint="try a smaller learning rate, gradient clipping (clip_grad_norm) or normalized inputs"):
        self.max_loss = None if max_loss is None else float(max_loss)
        self.check_weights = bool(check_weights)
        self.hint = hint

    def on_batch_end(self, trainer, batch, logs):
        loss = logs.get("loss")
        what = None
        if loss is not None and not math.isfinite(loss):
            what = f"the training loss became {loss}"
        elif loss is not None and self.max_loss is not None and loss > self.max_loss:
            what = f"the training loss reached {loss:.3g} (above {self.max_loss:g})"
        elif self.check_weights:
            for name, p in trainer.model.named_parameters():
                if not np.isfinite(p.numpy()).all():
                    what = f"the weights {name} are no longer finite"
                    break
        if what is not None:
            raise TrainingDivergedError(f"training diverged: {what} at batch {batch + 1} of epoch "
                                        f"{trainer.epoch + 1} (lr {logs.get('lr', float('nan')):g}); {self.hint}")


def _tqdm_disabled():
    """True when the environment asks for no bars (``TQDM_DISABLE=1``; older tqdm versions ignore it)."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes", "on")


class ProgressBar(Callback):
    """A tqdm bar per epoch (``tqdm.auto``: a widget in Jupyter, text elsewhere) showing the running loss and
    accuracy, and a summary line after each epoch (:func:`format_epoch`, through ``trainer.log``);
    ``fit(progress=True)`` adds one. ``TQDM_DISABLE=1`` in the environment hides the bars, not the lines.
    Where the stream is not a terminal (a log file, CI) and not Jupyter, no bar is drawn either: the log then
    holds one line per epoch instead of redrawn bars.

    Args:
        bars: draw bars (False: nothing, e.g. for logs that should stay clean).
        leave: keep each epoch's finished bar on screen (default: only in Jupyter, where bars are compact).
        file: stream for the text bars (default stderr).
    """

    def __init__(self, bars=True, leave=None, file=None):
        self.bars = bars
        self.leave = leave
        self.file = file
        self._bar = None

    def on_epoch_begin(self, trainer, epoch):
        if not self.bars or _tqdm_disabled():   # checked now: tqdm itself reads TQDM_DISABLE only at import
            return
        from tqdm.auto import tqdm
        notebook = tqdm.__module__.startswith("tqdm.notebook")
        stream = self.file or sys.stderr
        if not notebook and not _isatty(stream) and "ipykernel" not in sys.modules:
            # a log file or CI: the epoch line alone, no \r-redrawn bars (Jupyter without ipywidgets keeps its bar)
            return
        total = _safe_len(trainer.train_loader)
        leave = self.leave if self.leave is not None else notebook
        self._bar = tqdm(total=total, desc=f"epoch {epoch + 1}/{trainer.epochs}", unit="batch", leave=leave,
                         file=stream, dynamic_ncols=True, disable=False)
        self._seen = self._loss = self._correct = 0.0

    def on_batch_end(self, trainer, batch, logs):
        if self._bar is None:
            return
        n = logs.get("batch_size", 1)
        self._seen += n
        self._loss += logs["loss"] * n
        postfix = {"loss": f"{self._loss / self._seen:.4f}"}
        if logs.get("accuracy") is not None:
            self._correct += logs["accuracy"] * n
            postfix["acc"] = f"{self._correct / self._seen:.3f}"
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)

    def on_epoch_end(self, trainer, epoch, logs):
        self.close()
        trainer.log(format_epoch(epoch, trainer.epochs, logs))

    def on_train_end(self, trainer):
        self.close()

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def format_epoch(epoch, epochs, logs):
    """``epoch  3/10  loss 0.4123  accuracy 0.8512  val_loss 0.4011  val_accuracy 0.8560  lr 1.0e-03  4.1s``."""
    parts = [f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}"]
    for key, value in logs.items():
        if key in ("epoch_time", "eval_time", "lr", "epoch") or value is None:
            continue
        parts.append(f"{key} {value:.4f}" if isinstance(value, float) else f"{key} {value}")
    if logs.get("lr") is not None:
        parts.append(f"lr {logs['lr']:.1e}")
    if logs.get("epoch_time") is not None:
        parts.append(f"{logs['epoch_time'] + (logs.get('eval_time') or 0.0):.1f}s")
    return "  ".join(parts)


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _safe_len(obj):
    try:
        return len(obj)
    except TypeError:
        return None

