"""A small training loop for those who don't want to write their own: ``fit``, ``evaluate``, ``predict``.

PyTorch users write the loop themselves, and that works here unchanged::

    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with autograd_core.no_grad():
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in val_loader)
        scheduler.step()

:func:`fit` runs exactly that loop (in that order: ``zero_grad``, forward, loss, ``backward``, optional gradient
clipping, ``step``), adds validation, metrics, schedulers, callbacks (early stopping, checkpoints, progress
bars) and returns a :class:`~nn.training.History`. Schedulers are stepped once per epoch, after validation;
``ReduceLROnPlateau`` is stepped with the validation loss (the training loss without a ``val_loader``).

It is the project's one training loop: the zoo's autoencoders and VAEs (``train_autoencoder``) and the
playground train through it too, with ``fit(..., batch_loss=...)`` where the loss needs more than
``loss_fn(output, target)``. Each update is :meth:`Trainer.train_step`.

Checkpoints (:meth:`Trainer.save_checkpoint`, :func:`~nn.training.checkpoint.load_checkpoint`) hold the model,
optimizer, scheduler, the number of epochs done, the history, the callbacks' state and every random generator
involved, in ``nn.save``'s safe format, so ``fit(..., resume_from=path)`` continues exactly as the uninterrupted
run would have.

Ctrl-C (SIGINT) during :meth:`Trainer.fit` stops training at the end of the current batch instead of in the middle
of an update: ``fit`` returns the History of the epochs done, ``trainer.interrupted`` (and
``history.interrupted``) tells where it stopped, and :meth:`Trainer.save_checkpoint` then also records the position
inside the epoch, so resuming from that file continues with the next batch, bit for bit as if never stopped. A
second Ctrl-C interrupts at once (``KeyboardInterrupt``). Where SIGINT already has a handler other than Python's
default (or outside the main thread), ``fit`` leaves it alone.
"""
import signal
import threading
import time

import numpy as np

from autograd_core.data import DataLoader, TensorDataset
from autograd_core.grad_mode import no_grad
from autograd_core.tensor import Tensor
from optim.lr_scheduler import ReduceLROnPlateau

from ..loss import BCELoss
from ..utils import clip_grad_norm_
from .callbacks import ProgressBar
from .checkpoint import generator_states, load_checkpoint, save_checkpoint, set_generator_states
from .history import History

__all__ = ["Trainer", "fit", "evaluate", "predict", "accuracy"]


# ---------------------------------------------------------------------------------------------- metrics
def accuracy(output, target, threshold=0.0):
    """Fraction of correct predictions, or None where accuracy is not defined (regression).

    ``output`` ``(N, C, ...)`` with integer ``target`` ``(N, ...)``: class = argmax over dim 1. One output per
    sample (``(N,)`` or ``(N, 1)``) with 0/1 targets: predicted class = ``output > threshold`` (0 for logits,
    0.5 for probabilities).
    """
    out, t = np.asarray(output), np.asarray(target)
    if out.ndim >= 2 and out.shape[1] > 1 and t.dtype.kind in "iu" and t.shape == out.shape[:1] + out.shape[2:]:
        return float(np.mean(out.argmax(axis=1) == t)) if t.size else None
    if out.size == t.size and out.size and (out.ndim == 1 or out.shape[-1] == 1):
        return float(np.mean((out.reshape(t.shape) > threshold) == (t > 0.5)))
    return None


def _metric_fns(metrics, loss_fn):
    """``{name: fn(output_array, target_array) -> float or None}`` from names, callables or a dict."""
    if isinstance(metrics, dict):
        return dict(metrics)
    threshold = 0.5 if isinstance(loss_fn, BCELoss) else 0.0
    fns = {}
    for m in metrics or ():
        if m in ("accuracy", "acc"):
            fns["accuracy"] = lambda o, t: accuracy(o, t, threshold)
        elif callable(m):
            fns[getattr(m, "__name__", f"metric{len(fns)}")] = m
        else:
            raise ValueError(f"unknown metric {m!r}: use 'accuracy' or a function (output, target) -> float")
    return fns


def _split_batch(batch):
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch[0], batch[1]
    raise ValueError("fit/evaluate expect batches (input, target); got "
                     f"{type(batch).__name__} of length {len(batch) if hasattr(batch, '__len__') else '?'}")


def _array(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def _float(v):
    return None if v is None else float(v.item()) if isinstance(v, Tensor) else float(v)


def _batch_len(batch):
    """Samples in a batch: the first dimension of its input (``batch[0]`` of a tuple or list)."""
    x = batch[0] if isinstance(batch, (tuple, list)) else batch
    return int(x.shape[0]) if hasattr(x, "shape") else len(x)


def _forward(model, batch, loss_fn, batch_loss):
    """One batch's forward pass and loss: ``(loss, output, target, parts)``.

    With ``batch_loss`` there is no output/target pair: ``parts`` is what it returned, as a dict
    ``{'loss': Tensor, ...}``. Otherwise the batch is ``(input, target)`` and ``loss`` is ``loss_fn(output,
    target)`` (None without a ``loss_fn``: ``evaluate`` of metrics only).
    """
    if batch_loss is not None:
        result = batch_loss(model, batch)
        parts = dict(result) if isinstance(result, dict) else {"loss": result}
        if "loss" not in parts:
            raise ValueError(f"batch_loss must return the loss Tensor or a dict with a 'loss' entry; got keys "
                             f"{sorted(parts)}")
        return parts["loss"], None, None, parts
    x, y = _split_batch(batch)
    out = model(x)
    return (loss_fn(out, y) if loss_fn is not None else None), out, y, None


def _batch_logs(batch, loss, out, target, parts, metrics):
    """``(values, n)``: the batch's loss and metrics (or ``batch_loss``'s parts) as floats, and its sample
    count."""
    if parts is not None:
        return {k: _float(v) for k, v in parts.items()}, _batch_len(batch)
    values = {"loss": float(loss.item())} if loss is not None else {}
    o, t = _array(out), _array(target)
    values.update({name: fn(o, t) for name, fn in metrics.items()})
    return values, len(t)


class _Meter:
    """Sample-weighted running means of the loss and metrics over an epoch (values first seen in a later batch,
    such as the parts of a ``batch_loss``, are added as they come)."""

    def __init__(self, names):
        self.n = 0
        self.sums = dict.fromkeys(("loss",) + tuple(names), 0.0)
        self.defined = dict.fromkeys(self.sums, True)

    def add(self, n, values):
        self.n += n
        for k, v in values.items():
            if v is None:
                self.defined[k] = False
            else:
                self.sums[k] = self.sums.get(k, 0.0) + v * n
                self.defined.setdefault(k, True)

    def means(self, prefix=""):
        return {prefix + k: (s / self.n if self.n else float("nan")) for k, s in self.sums.items() if self.defined[k]}

    def state_dict(self):
        return {"n": self.n, "sums": dict(self.sums), "defined": dict(self.defined)}

    def load_state_dict(self, state):
        self.n, self.sums, self.defined = int(state["n"]), dict(state["sums"]), dict(state["defined"])


class _StopOnSigint:
    """While active, the first SIGINT only sets ``trainer._sigint`` (training stops at the end of the batch) and
    restores the previous handler, so a second Ctrl-C raises KeyboardInterrupt at once."""

    def __init__(self, trainer):
        self.trainer, self.previous = trainer, None

    def __enter__(self):
        self.trainer._sigint = False
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.trainer._sigint = True
        signal.signal(signal.SIGINT, self.previous)
        self.trainer.log("Ctrl-C: stopping at the end of this batch (press Ctrl-C again to stop at once).")

    def __exit__(self, *exc):
        if self.previous is not None and signal.getsignal(signal.SIGINT) == self._handle:
            signal.signal(signal.SIGINT, self.previous)
        return False


# ---------------------------------------------------------------------------------------------- evaluation
def evaluate(model, loader, loss_fn=None, metrics=("accuracy",), batch_loss=None):
    """Mean loss and metrics of ``model`` over ``loader``, in eval mode and without recording a graph.

    The model's train/eval mode is restored afterwards. Returns e.g. ``{"loss": 0.31, "accuracy": 0.89}``
    (``loss`` only with a ``loss_fn``). With a ``batch_loss`` (see :func:`fit`) instead of ``loss_fn``, the
    means of what it returns (``loss`` and its parts); ``metrics`` are then not used.

    Example::

        >>> evaluate(model, DataLoader(test_set, batch_size=512), nn.CrossEntropyLoss())["accuracy"]
        0.8912
    """
    fns = _metric_fns(metrics, loss_fn) if batch_loss is None else {}
    meter = _Meter(fns)
    if loss_fn is None and batch_loss is None:
        meter.defined["loss"] = False
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for batch in loader:
                loss, out, target, parts = _forward(model, batch, loss_fn, batch_loss)
                values, n = _batch_logs(batch, loss, out, target, parts, fns)
                meter.add(n, values)
    finally:
        model.train(was_training)
    return meter.means()


def predict(model, data, batch_size=256):
    """The model's outputs on ``data`` (a DataLoader, a Dataset, a Tensor or an array), in eval mode, without
    a graph, concatenated into one Tensor. From a loader or dataset of ``(x, y)`` pairs only ``x`` is used.

    Example::

        >>> labels = predict(model, x_test).argmax(1)
    """
    if isinstance(data, (Tensor, np.ndarray)):
        data = DataLoader(TensorDataset(_array(data)), batch_size=batch_size)
    elif not isinstance(data, DataLoader):
        data = DataLoader(data, batch_size=batch_size)
    was_training = model.training
    model.eval()
    outputs = []
    try:
        with no_grad():
            for batch in data:
                x = batch[0] if isinstance(batch, (tuple, list)) else batch
                outputs.append(_array(model(x)))
    finally:
        model.train(was_training)
    return Tensor._make(np.concatenate(outputs) if outputs else np.empty((0,), np.float32))


# ---------------------------------------------------------------------------------------------- the trainer
class Trainer:
    """Trains a model with a loss and an optimizer; :meth:`fit` runs the epochs (see :func:`fit` for the args).

    Attributes (read by callbacks): ``model``, ``loss_fn``, ``batch_loss``, ``optimizer``, ``scheduler``,
    ``history``, ``epochs`` (the target number), ``epoch`` (0-based index of the current epoch), ``train_loader``,
    ``val_loader``, ``stop_training`` (set True to stop after the current epoch), ``interrupted`` (None, or
    ``{"epoch": e, "batch": b, "batches": n}`` after Ctrl-C stopped :meth:`fit`: 1-based epoch, batches done in
    it, batches per epoch; ``batch == batches`` when it stopped at an epoch's end).

    :meth:`train_step` is the one update of the project (``zero_grad``, forward and loss, ``backward``, optional
    clipping, ``step``): :meth:`train_epoch` calls it for each batch, and code that trains batch by batch outside
    :meth:`fit` can call it too.
    """

    def __init__(self, model, loss_fn, optimizer, scheduler=None, callbacks=(), metrics=("accuracy",),
                 progress=True, clip_grad_norm=None, verbose=None, batch_loss=None):
        if loss_fn is None and batch_loss is None:
            raise ValueError("Trainer needs a loss_fn(output, target) or a batch_loss(model, batch)")
        self.model, self.loss_fn, self.optimizer, self.scheduler = model, loss_fn, optimizer, scheduler
        self.batch_loss = batch_loss
        self.metrics = _metric_fns(metrics, loss_fn) if batch_loss is None else {}
        self.clip_grad_norm = clip_grad_norm
        self.verbose = bool(progress) if verbose is None else bool(verbose)
        self.callbacks = list(callbacks)
        if progress or verbose:
            self.callbacks.insert(0, ProgressBar(bars=bool(progress)))
        self.history = History()
        self.epochs = 0
        self.epoch = 0
        self.stop_training = False
        self.train_loader = self.val_loader = None
        self.interrupted = None
        self.checkpoint_extra = {}   # saved in every checkpoint's "extra" entry (the CLI keeps its settings here)
        self._sigint = False
        self._position = None        # mid-epoch state after an interrupt (saved by save_checkpoint)
        self._resume_position = None

    # ---------------------------------------------------------------- helpers for callbacks
    def log(self, message):
        """Print a line (through tqdm, so bars are not broken) unless training is quiet."""
        if self.verbose:
            from tqdm.auto import tqdm
            tqdm.write(message)

    def _call(self, hook, *args):
        # callbacks marked runs_last (ModelCheckpoint) see the state the others leave after each hook
        ordered = sorted(self.callbacks, key=lambda c: bool(getattr(c, "runs_last", False)))   # stable sort
        for cb in ordered:
            fn = getattr(cb, hook, None)
            if fn is not None:
                fn(self, *args)

    # ---------------------------------------------------------------- the loop
    def fit(self, train_loader, val_loader=None, epochs=10, resume_from=None):
        """Train for ``epochs`` epochs in total (a resumed run counts the epochs already done) and return the
        :class:`History`."""
        self.train_loader, self.val_loader, self.epochs = train_loader, val_loader, int(epochs)
        self.stop_training = False
        self.history = History()   # each fit() call gets its own history (a resumed one continues its own)
        self.interrupted = self._position = self._resume_position = None
        start = 0
        if resume_from is not None:
            ckpt = self.load_checkpoint(resume_from)
            start, self._resume_position = ckpt["epoch"], ckpt.get("position")
            if self.stop_training:
                self.log(f"The checkpoint's run had already stopped early after epoch {start}.")
        was_training = self.model.training
        with _StopOnSigint(self):
            self._call("on_train_begin")
            try:
                for epoch in range(start, self.epochs):
                    if self.stop_training or self.interrupted:
                        break
                    self.epoch = epoch
                    self._call("on_epoch_begin", epoch)
                    logs = self._run_epoch(epoch)
                    if logs is None:         # interrupted inside the epoch: no row, no on_epoch_end
                        break
                    self.history.append(epoch + 1, logs)
                    self._call("on_epoch_end", epoch, logs)
                    if self._sigint and self.interrupted is None:
                        n = _safe_len(self.train_loader)
                        self.interrupted = {"epoch": epoch + 1, "batch": n, "batches": n}
            finally:
                self.history.interrupted = self.interrupted
                self._call("on_train_end")
                self.model.train(was_training)
        if self.interrupted:
            self.log(f"Interrupted {describe_position(self.interrupted)}.")
        return self.history

    def _run_epoch(self, epoch):
        lr = self.optimizer.param_groups[0]["lr"]
        start = time.perf_counter()
        logs = self.train_epoch(self.train_loader)
        if logs is None:
            return None
        logs["epoch_time"] = time.perf_counter() - start
        if self.val_loader is not None:
            start = time.perf_counter()
            logs.update({"val_" + k: v for k, v in evaluate(self.model, self.val_loader, self.loss_fn,
                                                             self.metrics, self.batch_loss).items()})
            logs["eval_time"] = time.perf_counter() - start
        logs["lr"] = lr
        if self.scheduler is not None:
            if isinstance(self.scheduler, ReduceLROnPlateau):   # it needs the metric
                self.scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                self.scheduler.step()
        return logs

    def train_epoch(self, loader):
        """One pass over ``loader`` with updates; returns the epoch's mean loss and metrics (None when Ctrl-C
        stopped it before its last batch: ``trainer.interrupted`` says where)."""
        meter = _Meter(self.metrics)
        self.model.train()
        loaders = (loader, self.val_loader)
        epoch_rng = generator_states(loaders)   # before the epoch's shuffle: an interrupt's checkpoint keeps it
        batches, skip = iter(loader), 0
        position, self._resume_position = self._resume_position, None
        if position is not None:               # resuming inside this epoch: same shuffle, skip the batches done
            now = generator_states(loaders)
            set_generator_states(loaders, position["epoch_rng"])
            epoch_rng = position["epoch_rng"]
            skip = int(position["batch"])
            for _ in range(skip):
                next(batches)
            set_generator_states(loaders, now)   # the state at the interrupt (restored by load_checkpoint)
            meter.load_state_dict(position["meter"])
        total = _safe_len(loader)
        for i, batch in enumerate(batches, start=skip):
            values, n = self.train_step(batch)
            meter.add(n, values)
            self._call("on_batch_end", i, dict(values, batch_size=n, lr=self.optimizer.param_groups[0]["lr"]))
            if self._sigint and (total is None or i + 1 < total):
                self.interrupted = {"epoch": self.epoch + 1, "batch": i + 1, "batches": total}
                self._position = {"epoch": self.epoch, "batch": i + 1, "meter": meter.state_dict(),
                                  "epoch_rng": epoch_rng}
                return None
        return meter.means()

    def train_step(self, batch):
        """One update on one batch: ``zero_grad``, forward pass and loss, ``backward``, optional gradient
        clipping, ``step``. Returns ``(values, n)``: the batch's loss and metrics (or ``batch_loss``'s parts) as
        floats, and its number of samples. The model's train/eval mode is left as it is."""
        model, opt = self.model, self.optimizer
        opt.zero_grad()
        loss, out, target, parts = _forward(model, batch, self.loss_fn, self.batch_loss)
        loss.backward()
        if self.clip_grad_norm is not None:
            clip_grad_norm_(model.parameters(), self.clip_grad_norm)
        opt.step()
        return _batch_logs(batch, loss, out, target, parts, self.metrics)

    # ---------------------------------------------------------------- checkpoints
    def save_checkpoint(self, path):
        """Write everything needed to resume this run (see :func:`save_checkpoint`)."""
        save_checkpoint(path, self.model, self.optimizer, self.scheduler, epoch=len(self.history),
                        history=self.history, callbacks=self.callbacks,
                        loaders=(self.train_loader, self.val_loader), stop_training=self.stop_training,
                        position=self._position, **self.checkpoint_extra)

    def load_checkpoint(self, path):
        """Restore a checkpoint written by :meth:`save_checkpoint` into this trainer; returns its dict."""
        ckpt = load_checkpoint(path, self.model, self.optimizer, self.scheduler, callbacks=self.callbacks,
                               loaders=(self.train_loader, self.val_loader))
        self.history = History.from_dict(ckpt["history"]) if ckpt.get("history") else History()
        self.stop_training = bool(ckpt.get("stop_training", False))
        return ckpt


def describe_position(where):
    """``'at the end of epoch 2'`` or ``'in epoch 3 after batch 40 of 169'`` for ``trainer.interrupted``."""
    if where["batches"] is not None and where["batch"] >= where["batches"]:
        return f"at the end of epoch {where['epoch']}"
    return f"in epoch {where['epoch']} after batch {where['batch']}" + (
        f" of {where['batches']}" if where["batches"] else "")


def _safe_len(obj):
    try:
        return len(obj)
    except TypeError:
        return None


def fit(model, loss_fn, optimizer, train_loader, val_loader=None, epochs=10, scheduler=None, callbacks=(),
        metrics=("accuracy",), progress=True, clip_grad_norm=None, resume_from=None, verbose=None, batch_loss=None):
    """Train ``model`` and return its :class:`~nn.training.History`.

    Args:
        model: an ``nn.Module``; put in train mode for the updates and eval mode for validation (its mode before
            ``fit`` is restored at the end).
        loss_fn: ``loss_fn(output, target)`` giving a scalar, e.g. ``nn.CrossEntropyLoss()``.
        optimizer: an ``optim`` optimizer over the model's parameters.
        train_loader, val_loader: iterables of ``(input, target)`` batches (``DataLoader``s).
        epochs: total number of epochs (with ``resume_from``, including those already done).
        scheduler: an ``optim.lr_scheduler`` scheduler, stepped after each epoch (``ReduceLROnPlateau`` with
            ``val_loss``, or ``loss`` without validation data).
        callbacks: objects with any of the hooks of :class:`~nn.training.Callback` (``EarlyStopping``,
            ``ModelCheckpoint``, ``autograd_core.viz`` diagnostics, ...).
        metrics: names (``'accuracy'``), functions ``f(output_array, target_array) -> float``, or a dict
            ``{name: function}``; each is averaged over samples (weighted by batch size).
        progress: tqdm bars per epoch and one summary line per epoch; False is quiet (``TQDM_DISABLE=1`` hides
            only the bars).
        clip_grad_norm: if set, ``nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)`` before each step.
        resume_from: a checkpoint written by ``ModelCheckpoint`` / :meth:`Trainer.save_checkpoint`: restores all
            state and continues from the epoch after it.
        verbose: print epoch lines and callbacks' messages (default: ``progress``).
        batch_loss: for losses that need more than ``loss_fn(output, target)`` (autoencoders, VAEs, a penalty on
            the weights): ``batch_loss(model, batch)`` runs the forward pass itself and returns the loss Tensor,
            or a dict ``{'loss': Tensor, part: float, ...}`` whose parts are logged too (``val_`` parts with a
            ``val_loader``). Pass ``loss_fn=None`` with it; the batches may then have any structure (``x`` alone,
            ``(x,)``, ``(x, label)``), and ``metrics`` are not used (return the values to log instead).

    Returns:
        History with per-epoch ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``lr``, ``epoch_time``,
        ``eval_time``; ``best_epoch`` / ``stopped_epoch`` when early stopping was used.

    Example::

        >>> opt = optim.Adam(model.parameters(), lr=1e-3)
        >>> history = fit(model, nn.CrossEntropyLoss(), opt, train_loader, val_loader, epochs=20,
        ...               callbacks=[EarlyStopping(patience=3)])
        >>> plot_history(history)
    """
    trainer = Trainer(model, loss_fn, optimizer, scheduler=scheduler, callbacks=callbacks, metrics=metrics,
                      progress=progress, clip_grad_norm=clip_grad_norm, verbose=verbose, batch_loss=batch_loss)
    return trainer.fit(train_loader, val_loader, epochs=epochs, resume_from=resume_from)
