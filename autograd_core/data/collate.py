"""``default_collate`` and ``default_convert``, with ``torch.utils.data.default_collate``'s rules.

- Tensors are stacked along a new first dimension (through the ``stack`` op when one of them requires grad, so
  the batch stays differentiable, as in PyTorch); numpy arrays become Tensors (dtype kept) and are stacked;
  numpy scalars become a 1-D Tensor;
- Python floats become a float64 Tensor, ints an int64 Tensor, bools a bool Tensor (PyTorch's dtypes);
- strings and bytes are kept as the sequence they came in (a list at the top, a tuple inside a sequence, as
  PyTorch);
- mappings are collated key by key, namedtuples field by field (type kept), other sequences position by
  position: a tuple becomes a list, a list stays a list (PyTorch's "backwards compatibility" rule);
- samples of different sizes raise ``RuntimeError`` with PyTorch's messages.
"""
import collections.abc
import copy
import re

import numpy as np

from .. import dtypes
from ..errors import ShapeError
from ..tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_STR_OR_OBJECT = re.compile(r"[SaUO]")
_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _stack(tensors):
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != first:
            raise ShapeError(f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                             f"and {list(t.shape)} at entry {i}")
    if any(t.requires_grad for t in tensors):
        from ..ops.shape import stack
        return stack(list(tensors), 0)
    return Tensor._make(np.stack([t._data for t in tensors]))


def _from_numpy(a):
    return Tensor._make(np.asarray(a))


def _rebuild_mapping(elem, items):
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(items)
            return clone
        return type(elem)(items)
    except TypeError:
        return dict(items)


def _rebuild_sequence(elem, items):
    if isinstance(elem, tuple):
        return list(items)
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(items):
                clone[i] = v
            return clone
        return type(elem)(items)
    except TypeError:
        return list(items)


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the samples' structure (PyTorch's rules; see the module
    docstring).

    Example::

        >>> X, y = default_collate([(np.zeros(3, np.float32), 1), (np.ones(3, np.float32), 0)])
        >>> X.shape, y.dtype
        ((2, 3), dtype('int64'))
    """
    if len(batch) == 0:
        raise ValueError("default_collate: empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if _STR_OR_OBJECT.search(elem.dtype.str) is not None:
            raise TypeError(_ERR.format(elem.dtype))
        return _stack([_from_numpy(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        return _from_numpy(np.asarray(batch))
    if isinstance(elem, bool) and all(isinstance(b, bool) for b in batch):
        return Tensor._make(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, int):
        if any(isinstance(b, float) for b in batch):  # torch.tensor([1, 2.5]) infers the default float dtype
            return Tensor._make(np.asarray(batch, dtype=dtypes.get_default_dtype()))
        return Tensor._make(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._make(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return _rebuild_sequence(elem, [default_collate(samples) for samples in zip(*batch)])
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data):
    """Turn each numpy array (and numpy scalar) inside ``data`` into a Tensor, leaving everything else as it is;
    the DataLoader's collate function when automatic batching is off (``batch_size=None``).

    Example::

        >>> default_convert({"x": np.array([0, 1]), "n": 3})
        {'x': tensor([0, 1]), 'n': 3}
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.bool_, np.number)):
        if isinstance(data, np.ndarray) and _STR_OR_OBJECT.search(data.dtype.str) is not None:
            return data
        return _from_numpy(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
