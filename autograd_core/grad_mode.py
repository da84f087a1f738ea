"""Grad mode: the one piece of global state of the engine.

``no_grad`` / ``enable_grad`` / ``set_grad_enabled`` work as context managers and as decorators, like PyTorch's.
"""
import contextlib

_enabled = True


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded."""
    return _enabled


def _set(mode):
    global _enabled
    prev = _enabled
    _enabled = bool(mode)
    return prev


class _GradModeContext(contextlib.ContextDecorator):
    _mode = True

    def _recreate_cm(self):
        # A fresh context per decorated call, so recursive calls restore the right mode.
        return type(self).__new__(type(self))._init_mode(self._mode)

    def _init_mode(self, mode):
        self._mode = mode
        return self

    def __enter__(self):
        self._prev = _set(self._mode)
        return self

    def __exit__(self, *exc):
        _set(self._prev)
        return False


class no_grad(_GradModeContext):
    """Disable graph recording (inference, optimizer updates).

    Example::

        with no_grad():
            y = model(x)          # y.requires_grad is False
    """
    _mode = False


class enable_grad(_GradModeContext):
    """Re-enable graph recording inside a ``no_grad`` block."""
    _mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` called alone switches grad mode at once (as in PyTorch); used in a ``with``
    statement or as a decorator it sets the mode for the block and restores the previous one afterwards."""

    def __init__(self, mode):
        self._mode = bool(mode)
        self._prev = _set(self._mode)

    def __enter__(self):
        return self   # the mode was already switched by __init__

    def _recreate_cm(self):
        return _Fresh(self._mode)

    def __call__(self, func):
        _set(self._prev)  # used as a decorator: undo the switch made by __init__
        return super().__call__(func)


class _Fresh(_GradModeContext):
    """A plain set-and-restore context (what a set_grad_enabled decorator runs per call)."""

    def __init__(self, mode):
        self._mode = mode
