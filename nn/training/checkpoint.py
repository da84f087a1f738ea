"""Training checkpoints: everything needed to resume a run exactly, in ``nn.save``'s safe format.

:func:`save_checkpoint` writes the model, the optimizer, the scheduler, the number of epochs done, the history,
the callbacks' state and every random generator involved; :func:`load_checkpoint` restores them.
:meth:`~nn.training.Trainer.save_checkpoint` and ``fit(..., resume_from=path)`` use these two functions, and so
does :class:`~nn.training.callbacks.ModelCheckpoint` (through the trainer).
"""
import numpy as np

from autograd_core import random as _random

from ..serialization import load, save
from .history import History

__all__ = ["save_checkpoint", "load_checkpoint", "CHECKPOINT_FORMAT", "generator_states", "set_generator_states"]

CHECKPOINT_FORMAT = "autograd_core.training-checkpoint"


def _generator_state(loader):
    gen = getattr(loader, "generator", None)
    return gen.bit_generator.state if isinstance(gen, np.random.Generator) else None


def generator_states(loaders=()):
    """The random state a run depends on: the library-wide generator's and each loader's own generator's."""
    return {"library": _random.get_rng_state(), "loaders": [_generator_state(ld) for ld in loaders]}


def set_generator_states(loaders, states):
    """Restore what :func:`generator_states` returned."""
    _random.set_rng_state(states["library"])
    for loader, state in zip(loaders, states.get("loaders", [])):
        gen = getattr(loader, "generator", None)
        if state is not None and isinstance(gen, np.random.Generator):
            gen.bit_generator.state = state


def save_checkpoint(path, model, optimizer=None, scheduler=None, epoch=0, history=None, callbacks=(),
                    loaders=(), stop_training=False, position=None, **extra):
    """Save a training checkpoint with ``nn.save`` (atomic write, no pickles).

    Contents: ``model`` (state dict), ``optimizer``, ``scheduler`` (state dicts or None), ``epoch`` (epochs
    done), ``history`` (``History.to_dict()``), ``callbacks`` (each one's ``state_dict()`` with its type name),
    ``rng`` (the library-wide generator's state and each loader's own generator's), ``position`` (where an
    interrupted epoch stopped, see :class:`~nn.training.Trainer`; None at an epoch's end), plus ``extra`` entries.
    """
    rng = generator_states(loaders)
    cb_states = [{"type": type(cb).__name__, "state": cb.state_dict()} if hasattr(cb, "state_dict") else None
                 for cb in callbacks]
    if isinstance(history, History):
        history = history.to_dict()
    save({"format": CHECKPOINT_FORMAT, "epoch": int(epoch), "model": model.state_dict(),
          "optimizer": optimizer.state_dict() if optimizer is not None else None,
          "scheduler": scheduler.state_dict() if scheduler is not None else None,
          "history": history, "callbacks": cb_states, "rng": rng, "stop_training": bool(stop_training),
          "position": position, "extra": extra}, path)


def load_checkpoint(path, model=None, optimizer=None, scheduler=None, callbacks=(), loaders=(), restore_rng=True):
    """Load a checkpoint written by :func:`save_checkpoint` and restore what is passed in.

    The model's weights, the optimizer's and scheduler's state, the callbacks' state (the k-th callback of a
    type gets the k-th saved state of that type) and, with ``restore_rng``, the random generators are
    restored. Returns the checkpoint's dict (``ckpt["epoch"]``, ``ckpt["history"]``, ...).

    Example::

        >>> ckpt = load_checkpoint("runs/last/checkpoint.npz", model)     # weights only
        >>> ckpt["epoch"], ckpt["history"]["history"]["val_accuracy"][-1]
    """
    ckpt = load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"load_checkpoint: {path!r} is not a training checkpoint (it was not written by "
                         f"save_checkpoint/ModelCheckpoint); for a bare state dict use model.load_state_dict("
                         f"nn.load(path))")
    if model is not None:
        model.load_state_dict(ckpt["model"])
    if optimizer is not None and ckpt.get("optimizer") is not None:
        optimizer.load_state_dict(ckpt["optimizer"])
    if scheduler is not None and ckpt.get("scheduler") is not None:
        scheduler.load_state_dict(ckpt["scheduler"])
    saved_by_type = {}   # the k-th callback of a type gets the k-th saved state of that type
    for saved in ckpt.get("callbacks") or []:
        if saved is not None:
            saved_by_type.setdefault(saved["type"], []).append(saved["state"])
    for cb in callbacks:
        states = saved_by_type.get(type(cb).__name__)
        if states and hasattr(cb, "load_state_dict"):
            cb.load_state_dict(states.pop(0))
    if restore_rng:
        set_generator_states(loaders, ckpt["rng"])
    return ckpt
