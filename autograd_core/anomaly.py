"""Anomaly mode: find the op whose backward produced NaN or Inf.

Example::

    with detect_anomaly():
        loss.backward()   # RuntimeError: Function 'LogBackward0' returned nan values ... created at <trace>
"""
import contextlib

from .grad_mode import _set_anomaly, _state


class detect_anomaly(contextlib.ContextDecorator):
    """While active, each recorded node remembers where it was created, and backward checks every gradient an op
    returns for NaN/Inf, raising an error that names the op and that place."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = _set_anomaly(self.check_nan)
        return self

    def __exit__(self, *exc):
        _set_anomaly(self._prev)
        return False


def set_detect_anomaly(mode):
    """Turn anomaly mode on or off (see :class:`detect_anomaly`)."""
    _set_anomaly(mode)


def is_anomaly_enabled():
    """Whether anomaly mode is on."""
    return _state.anomaly
