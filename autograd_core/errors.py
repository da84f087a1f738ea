"""Exceptions raised by the engine.

``ShapeError`` subclasses both ``ValueError`` (numpy's habit) and ``RuntimeError`` (PyTorch's habit), so
``except ValueError`` and ``except RuntimeError`` written for either library both catch it.
"""


class ShapeError(ValueError, RuntimeError):
    """Shapes of the operands do not fit the operation; the message names the op and the shapes."""


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree (raised by :func:`autograd_core.gradcheck`)."""


def fmt_shape(shape):
    """``(2, 3)`` -> ``'(2, 3)'``; a 0-d shape prints as ``'()'``."""
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"
