"""``nn.save(obj, f)`` / ``nn.load(f)``: checkpoints that never execute code when loaded.

Format: a numpy ``.npz`` (zip) archive. Every array (Tensor data, numpy array, numpy scalar) is one member,
``a0.npy``, ``a1.npy``, ...; the structure around them (nested dicts, lists, tuples, Python numbers, strings,
bools, None) is JSON, stored as the ``__meta__`` member (a uint8 array). Loading uses
``numpy.load(allow_pickle=False)`` and ``json``, so a file can only ever produce data, never run code (unlike
pickle, which ``torch.load`` used by default before ``weights_only``).

Safety of the file on disk:

- Saving writes to a temporary file in the destination's directory, flushes and fsyncs it, then renames it over
  the destination with ``os.replace`` (atomic on POSIX and Windows). If anything fails midway, the temporary file
  is removed and the previous checkpoint is untouched; the temporary file of a save that was killed is removed by
  the next save to the same path (:mod:`autograd_core.file_safety`).
- An array member whose header declares more data than the member holds (a crafted or damaged file) raises
  :class:`CheckpointError` before anything is allocated.
- Every zip member carries a CRC-32 that is checked as it is read, so flipped bytes and truncated files raise
  :class:`CheckpointError` (naming the path) instead of returning silently wrong weights.

Example::

    >>> nn.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3}, 'ckpt.npz')
    >>> ckpt = nn.load('ckpt.npz')
    >>> model.load_state_dict(ckpt['model'])
"""
import json
import os
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from autograd_core.errors import CheckpointError
from autograd_core.file_safety import atomic_write
from autograd_core.tensor import Tensor

from .parameter import Parameter

FORMAT = "autograd_core.nn.save"
VERSION = 1
_META = "__meta__"


# ---------------------------------------------------------------------- encoding
class _Encoder:
    def __init__(self):
        self.arrays = {}
        self._keys = {}   # id(array) -> key, so an array saved twice (tied weights) is stored once
        self._keep = []   # keep encoded arrays alive so their ids stay unique

    def array(self, arr, where):
        if arr.dtype.hasobject:
            raise TypeError(f"nn.save: can't save an object array at {where} (only numeric/bool arrays)")
        key = self._keys.get(id(arr))
        if key is None:
            key = f"a{len(self.arrays)}"
            self._keys[id(arr)] = key
            self.arrays[key] = arr
            self._keep.append(arr)
        return key

    def encode(self, obj, where="obj"):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, (int, float)) and not isinstance(obj, np.generic):
            return obj
        if isinstance(obj, Tensor):
            node = {"$tensor": self.array(obj.numpy(), where), "requires_grad": bool(obj.requires_grad)}
            if isinstance(obj, Parameter):
                node["parameter"] = True
            return node
        if isinstance(obj, np.ndarray):
            return {"$ndarray": self.array(obj, where)}
        if isinstance(obj, np.generic):
            return {"$npscalar": self.array(np.asarray(obj), where)}
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"$tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not (k is None or isinstance(k, (str, int, float, bool, tuple))):
                    raise TypeError(f"nn.save: dict key {k!r} at {where} has unsupported type {type(k).__name__} "
                                    f"(keys must be str, int, float, bool, None or tuples of those)")
                items.append([self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")])
            return {"$dict": items, "ordered": isinstance(obj, OrderedDict)}
        raise TypeError(f"nn.save: can't save an object of type {type(obj).__name__} at {where}; supported: Tensors, "
                        f"numpy arrays and scalars, Python numbers, strings, bools, None, and dicts/lists/tuples of "
                        f"them (save a module's state_dict(), not the module)")


def _decode(node, archive, memo):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, archive, memo) for v in node]
    if not isinstance(node, dict):
        raise ValueError(f"unexpected node of type {type(node).__name__}")
    if "$tensor" in node:
        key = ("t", node["$tensor"], node.get("parameter", False), node.get("requires_grad", False))
        if key not in memo:
            arr = _member(archive, node["$tensor"], memo)
            if node.get("parameter"):
                memo[key] = Parameter(arr, requires_grad=node.get("requires_grad", True))
            else:
                memo[key] = Tensor(arr, requires_grad=node.get("requires_grad", False))
        return memo[key]
    if "$ndarray" in node:
        return _member(archive, node["$ndarray"], memo)
    if "$npscalar" in node:
        return _member(archive, node["$npscalar"], memo)[()]
    if "$tuple" in node:
        return tuple(_decode(v, archive, memo) for v in node["$tuple"])
    if "$dict" in node:
        pairs = [(_decode(k, archive, memo), _decode(v, archive, memo)) for k, v in node["$dict"]]
        return OrderedDict(pairs) if node.get("ordered") else dict(pairs)
    raise ValueError(f"unknown node {sorted(node)}")


def _member(archive, key, memo):
    mk = ("a", key)
    if mk not in memo:
        _check_header(archive, key)
        memo[mk] = archive[key]   # reading checks the member's CRC-32
    return memo[mk]


def _check_header(archive, key):
    """Refuse a member whose ``.npy`` header declares more bytes than the member holds (before numpy allocates
    them: a header can claim terabytes)."""
    name = key + ".npy"
    try:
        info = archive.zip.getinfo(name)
    except KeyError:
        raise ValueError(f"member {key!r} is missing") from None
    with archive.zip.open(name) as fh:
        version = np.lib.format.read_magic(fh)
        reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        if version not in reader:
            raise ValueError(f"member {key!r} has .npy format version {version}, not 1.0 or 2.0")
        shape, _, dtype = reader[version](fh, max_header_size=10000)
    count = 1
    for n in shape:
        count *= int(n)
    declared = count * dtype.itemsize
    if declared > info.file_size:
        raise ValueError(f"member {key!r} declares shape {tuple(shape)} of {dtype} ({declared:,} bytes) but holds "
                         f"{info.file_size:,} bytes")


# ---------------------------------------------------------------------- save / load
def save(obj, f):
    """Save ``obj`` (nested dicts/lists/tuples of Tensors, arrays, numbers, strings, bools, None) to ``f``.

    Args:
        obj: what to save, e.g. ``model.state_dict()`` or ``{'model': ..., 'optimizer': ..., 'epoch': 3}``.
        f: a path (written atomically: the old file survives any failure) or a binary file object.
    """
    enc = _Encoder()
    tree = enc.encode(obj)
    meta = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree}).encode("utf-8")
    members = dict(enc.arrays)
    members[_META] = np.frombuffer(meta, dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **members)
        return
    atomic_write(f, lambda fh: np.savez(fh, **members))   # an open file object: numpy adds no '.npz' suffix


def load(f, map_location=None, weights_only=True):
    """Load what :func:`save` wrote. Tensors come back as Tensors (Parameters as Parameters), numpy arrays as
    arrays, tuples as tuples, OrderedDicts as OrderedDicts.

    Args:
        f: a path or a binary file object.
        map_location, weights_only: accepted for PyTorch compatibility; loading never runs code.

    Raises:
        CheckpointError: the file is truncated, corrupted, or not written by :func:`save`.
        FileNotFoundError: there is no such file.
    """
    name = getattr(f, "name", None) if hasattr(f, "read") else os.fspath(f)
    try:
        archive = np.load(f, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single .npy array, not an archive written by nn.save")
        with archive:
            if _META not in archive.files:
                raise ValueError("it has no '__meta__' member (not written by nn.save)")
            _check_header(archive, _META)
            meta = json.loads(archive[_META].tobytes().decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ValueError("unknown format (not written by nn.save)")
            if meta.get("version", 0) > VERSION:
                raise ValueError(f"format version {meta.get('version')} is newer than this library's ({VERSION})")
            return _decode(meta["tree"], archive, {})
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, UnicodeDecodeError,
            MemoryError) as exc:
        raise CheckpointError(f"nn.load: {name!r} is not a valid checkpoint (truncated or corrupted file?): "
                              f"{type(exc).__name__}: {exc}") from exc
