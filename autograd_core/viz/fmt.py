"""Short, deterministic text for shapes, numbers and arrays in graph labels (no memory addresses, fixed precision)."""
import numpy as np

from ..errors import fmt_shape

__all__ = ["fmt_shape", "fmt_num", "fmt_array", "fmt_stats"]


def fmt_num(x):
    """A number in at most 4 significant digits: ``0.1235``, ``1.2e+04``, ``3``, ``True``."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if x == 0.0:
        return "0"   # also folds -0.0, so the text does not depend on the sign of a zero
    return f"{x:.4g}"


def fmt_array(a, max_elems=6):
    """Scalars and tiny arrays in full, larger ones as ``mean/min/max``.

    Args:
        a: ndarray (or anything ``np.asarray`` takes).
        max_elems: arrays with at most this many elements are written out.

    Example::

        >>> fmt_array(np.array([1.0, 2.5]))
        '[1, 2.5]'
        >>> fmt_array(np.arange(100.0))
        'mean=49.5 min=0 max=99'
    """
    a = np.asarray(a)
    if a.size == 0:
        return "empty"
    if a.size == 1:
        return fmt_num(a.reshape(()).item())
    if a.size <= max_elems:
        return _nested(a.tolist())
    if a.dtype.kind == "b":
        return f"{int(a.sum())} of {a.size} true"
    with np.errstate(all="ignore"):
        f = a.astype(np.float64, copy=False)
        mean, lo, hi = f.mean(), f.min(), f.max()
        if abs(mean) < 1e-6 * max(abs(lo), abs(hi)):
            mean = 0.0      # rounding noise of a mean that is zero (e.g. gradients of logits summing to zero)
        return f"mean={fmt_num(mean)} min={fmt_num(lo)} max={fmt_num(hi)}"


def _nested(v):
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x) for x in v) + "]"
    return fmt_num(v)


def fmt_stats(a):
    """Full statistics of an array on a few lines (for tooltips): shape and dtype, mean/std, min/max, norm."""
    a = np.asarray(a)
    head = f"shape {fmt_shape(a.shape)} {a.dtype}"
    if a.size == 0:
        return head + ", empty"
    if a.dtype.kind == "b":
        return f"{head}, {int(a.sum())} of {a.size} true"
    if a.size == 1:
        return f"{fmt_num(a.reshape(()).item())} ({a.dtype}, shape {fmt_shape(a.shape)})"
    with np.errstate(all="ignore"):
        f = a.astype(np.float64, copy=False)
        lines = [head]
        if a.size <= 6:
            lines.append("values " + _nested(a.tolist()))
        lines.append(f"mean {fmt_num(f.mean())}, std {fmt_num(f.std())}")
        lines.append(f"min {fmt_num(f.min())}, max {fmt_num(f.max())}")
        lines.append(f"norm {fmt_num(np.sqrt(np.sum(f * f)))}")
    return "\n".join(lines)
