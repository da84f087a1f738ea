"""Training: the loop (:func:`fit`, :class:`Trainer`), evaluation, callbacks, the history, checkpoints and the
``autograd-train`` main job (:mod:`nn.training.cli`, also ``python -m nn.training``).

=========================  ==========================================================================
:mod:`.trainer`            ``fit``, ``Trainer``, ``evaluate``, ``predict``, ``accuracy``
:mod:`.callbacks`          ``Callback``, ``EarlyStopping``, ``ModelCheckpoint``, ``TerminateOnNaN``, ...
:mod:`.history`            ``History`` (per-epoch records) and ``plot_history``
:mod:`.checkpoint`         ``save_checkpoint``, ``load_checkpoint``: resume a run exactly
:mod:`.cli`                the main job's command line
=========================  ==========================================================================

Example::

    >>> from nn.training import EarlyStopping, fit, plot_history
    >>> history = fit(model, nn.CrossEntropyLoss(), opt, train_loader, val_loader, epochs=20,
    ...               callbacks=[EarlyStopping(patience=3)])
    >>> plot_history(history)
"""
from .callbacks import (Callback, EarlyStopping, LambdaCallback, ModelCheckpoint, ProgressBar, TerminateOnNaN,
                        TrainingDivergedError)
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History, plot_history
from .trainer import Trainer, accuracy, evaluate, fit, predict

__all__ = ["fit", "Trainer", "evaluate", "predict", "accuracy", "Callback", "EarlyStopping", "ModelCheckpoint",
           "ProgressBar", "LambdaCallback", "History", "plot_history", "save_checkpoint", "load_checkpoint",
           "TerminateOnNaN", "TrainingDivergedError"]
