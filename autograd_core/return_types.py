"""The named tuples returned by ops with several results, as ``torch.return_types``.

``autograd_core.sort(x)`` returns ``return_types.sort(values=..., indices=...)``: a tuple (``values, indices =
sort(x)`` and ``sort(x)[0]`` work) whose fields have names. The class is named after the op, as in PyTorch.
"""
from collections import namedtuple

__all__ = ["aminmax", "cummax", "cummin", "kthvalue", "max", "median", "min", "mode", "nanmedian", "sort", "topk"]


def _repr(self):
    fields = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
    return f"autograd_core.return_types.{type(self).__name__}(\n{fields})"


def _make(name, fields):
    cls = namedtuple(name, fields, module=__name__)
    cls.__repr__ = _repr
    cls.__doc__ = f"The result of ``{name}``: ``({', '.join(fields)})``."
    return cls


_VI = ("values", "indices")
max = _make("max", _VI)   # noqa: A001  (named after the op, as torch.return_types.max)
min = _make("min", _VI)   # noqa: A001
sort = _make("sort", _VI)
topk = _make("topk", _VI)
kthvalue = _make("kthvalue", _VI)
median = _make("median", _VI)
nanmedian = _make("nanmedian", _VI)
mode = _make("mode", _VI)
cummax = _make("cummax", _VI)
cummin = _make("cummin", _VI)
aminmax = _make("aminmax", ("min", "max"))
