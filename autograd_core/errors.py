"""Exceptions raised by the engine.

``ShapeError`` subclasses both ``ValueError`` (numpy's habit) and ``RuntimeError`` (PyTorch's habit), so
``except ValueError`` and ``except RuntimeError`` written for either library both catch it.
"""
import contextlib


class ShapeError(ValueError, RuntimeError):
    """Shapes of the operands do not fit the operation; the message names the op and the shapes."""


class TargetOutOfRangeError(IndexError, ValueError):
    """A class-index target is outside ``[0, C)`` (and is not ``ignore_index``)."""


class CheckpointError(RuntimeError, ValueError):
    """A checkpoint file is truncated, corrupted, or not a file written by ``save``."""


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree (raised by :func:`autograd_core.gradcheck`)."""


class GraphFreedError(RuntimeError):
    """A node's saved tensors were freed by an earlier ``backward()`` (call it with ``retain_graph=True`` to keep
    them); raised by :attr:`Function.saved_tensors`, so the engine and the visualisation recognise it by type."""


_SHAPE_WORDS = ("shape", "broadcast", "size", "dimension", "align")


def as_shape_error(exc, op, shapes=None):
    """numpy's (or a kernel's) ``ValueError``/``IndexError`` about shapes, with the op's name and the input shapes:
    the one place where numpy's words become ours. Returns the new exception, or None when ``exc`` is not about
    shapes (the caller then re-raises the original)."""
    msg = str(exc)
    if type(exc) not in (ValueError, IndexError):
        return None
    where = f" (input shape{'s' if len(shapes) > 1 else ''} {', '.join(fmt_shape(s) for s in shapes)})" \
        if shapes else ""
    text = msg if msg.startswith(op + ":") else f"{op}: {msg}"
    if type(exc) is IndexError:
        return IndexError(text + where)
    if not any(w in msg for w in _SHAPE_WORDS):
        return None
    return ShapeError(text + where)


@contextlib.contextmanager
def shape_errors(op, *shapes):
    """``with shape_errors("conv2d", x.shape): ...``: a shape ``ValueError`` raised inside becomes a
    :class:`ShapeError` naming the op and the shapes (see :func:`as_shape_error`)."""
    try:
        yield
    except ShapeError:
        raise
    except (ValueError, IndexError) as exc:
        err = as_shape_error(exc, op, shapes)
        if err is None:
            raise
        raise err from None


def fmt_shape(shape):
    """``(2, 3)`` -> ``'(2, 3)'``; a 0-d shape prints as ``'()'``."""
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


class ArgumentError(ValueError, RuntimeError):
    """A hyper-parameter is out of its range (a non-positive stride, a negative padding...); the message names the
    argument and its value. Both ``ValueError`` (Python's habit) and ``RuntimeError`` (what PyTorch raises for most
    of these) catch it."""


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix, one that isn't positive-definite): PyTorch's
    ``torch.linalg.LinAlgError``."""


class TrainingDivergedError(FloatingPointError):
    """Training produced a NaN or infinite loss (or weights), or a loss above the limit set: the message says
    where (epoch, batch, learning rate) and what to try (``nn.training.TerminateOnNaN`` raises it)."""
