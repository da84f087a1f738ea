"""Grad mode, inference mode, anomaly mode and the module scope stack: the engine's state, one copy per thread.

As in PyTorch, these are thread-local: a ``no_grad`` block in one thread does not stop recording in another, and
each thread starts with grad mode on, anomaly mode off and an empty scope stack.

``no_grad`` / ``enable_grad`` / ``set_grad_enabled`` / ``inference_mode`` work as context managers and as
decorators (``@no_grad`` with or without parentheses), like PyTorch's.
"""
import contextlib
import functools
import inspect
import threading


class _ThreadState(threading.local):
    """Per-thread state; the class attributes are each new thread's defaults."""

    enabled = True        # grad mode: record ops on tensors that require grad
    inference = False     # inference_mode is active
    anomaly = False       # detect_anomaly is active

    def __init__(self):
        self.scope_stack = []   # the nn.Module call stack (tuples of modules), read by viz to group nodes


_state = _ThreadState()

# How many of these per-thread settings differ from a new thread's defaults right now, over all threads. While it
# is 0 (no thread is in no_grad, in anomaly mode or inside a Module's forward), every thread is in the default
# state, so Function.apply need not read the thread-local state (a thread-local read costs several times a
# global's). Changed under a lock by the setters below.
_slow = 0
_lock = threading.Lock()


def _bump(delta):
    global _slow
    with _lock:
        _slow += delta


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded (in this thread)."""
    return True if not _slow else _state.enabled


def is_inference_mode_enabled():
    """True inside an active ``inference_mode`` block (in this thread)."""
    return _state.inference


def _set_flag(name, mode, default):
    """Set this thread's ``name`` flag; the counter of threads away from the defaults follows."""
    st = _state
    prev = getattr(st, name)
    mode = bool(mode)
    if mode != prev:
        _bump(1 if mode != default else -1)
        setattr(st, name, mode)
    return prev


def _set(mode):
    return _set_flag("enabled", mode, True)


def _set_anomaly(mode):
    return _set_flag("anomaly", mode, False)


def push_scope(module):
    """Enter ``module``'s forward (nn.Module.__call__): this thread's scope stack gets it."""
    stack = _state.scope_stack
    if not stack:
        _bump(1)
        stack.append((module,))
    else:
        stack.append(stack[-1] + (module,))


def pop_scope():
    stack = _state.scope_stack
    stack.pop()
    if not stack:
        _bump(-1)


class _Decorator(contextlib.ContextDecorator):
    """A context manager that also decorates functions, generator functions included (the mode is set around
    each step of the generator, as PyTorch's decorators do)."""

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen(*args, **kwargs):
                g = func(*args, **kwargs)
                sent = None
                while True:
                    try:
                        with self._recreate_cm():
                            value = g.send(sent)
                    except StopIteration as stop:
                        return stop.value
                    sent = yield value
            return gen
        return super().__call__(func)


class _GradModeContext(_Decorator):
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


class _NoParens(type):
    """Lets ``@no_grad`` be used without parentheses: ``no_grad(func)`` decorates ``func``."""

    def __call__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], bool):
            return super().__call__()(args[0])
        return super().__call__(*args, **kwargs)


class no_grad(_GradModeContext, metaclass=_NoParens):
    """Disable graph recording (inference, optimizer updates).

    Example::

        with no_grad():
            y = model(x)          # y.requires_grad is False
    """
    _mode = False


class enable_grad(_GradModeContext, metaclass=_NoParens):
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


class InferenceVersion(list):
    """The version counter of an *inference tensor* (one made inside ``inference_mode``): its type is the mark
    (``Tensor.is_inference()``), so a normal tensor pays nothing. Views and ``detach()`` share their base's
    counter, so a view of an inference tensor is one too, as in PyTorch."""
    __slots__ = ()


INFERENCE_SAVED = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference "
                   "mode in computation tracked by autograd. To work around this, you can make a clone to get a "
                   "normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                   "`torch.inference_mode()`.")
INFERENCE_INPLACE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone "
                     "to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 "
                     "for more details.")
INFERENCE_REQUIRES_GRAD = "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."


# True once any thread entered inference mode: until then no inference tensor exists, and a check for one (on
# the saved tensors of a recorded node) can be skipped with one global read
_inference_used = False


def check_inference_inplace(t):
    """PyTorch's error for an in-place change of an inference tensor outside inference mode."""
    if type(t._version) is InferenceVersion and not _state.inference:
        raise RuntimeError(INFERENCE_INPLACE)


def check_inference_saved(tensors):
    """PyTorch's error for an inference tensor saved by a node recorded for autograd (``Function.apply`` calls it
    once inference mode has been used in the process; before, no tensor can be an inference tensor)."""
    for t in tensors:
        if t is not None and type(t._version) is InferenceVersion:
            raise RuntimeError(INFERENCE_SAVED)


class inference_mode(_Decorator, metaclass=_NoParens):
    """``inference_mode()`` (or ``inference_mode(True)``): no graph is recorded, as under ``no_grad``, and the
    tensors created are *inference tensors* (``is_inference()``): outside inference mode they cannot be changed
    in place, get ``requires_grad``, or be saved for backward (PyTorch's errors). ``inference_mode(False)`` does
    nothing. A context manager and a decorator (with or without parentheses)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def _recreate_cm(self):
        return type(self)(self.mode)

    def __enter__(self):
        global _inference_used
        self._prev = (_state.enabled, _state.inference)
        if self.mode:
            _inference_used = True
            _set(False)
            _state.inference = True
        return self

    def __exit__(self, *exc):
        _set(self._prev[0])
        _state.inference = self._prev[1]
        return False
