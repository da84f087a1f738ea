"""``save(obj, f)`` / ``load(f)``: PyTorch's ``torch.save``/``torch.load``, with files that never run code.

``autograd_core.save``, ``autograd_core.load``, ``nn.save`` and ``nn.load`` are these two functions. Two formats:

- **Checkpoints** (any path not ending in ``.safetensors``, and file objects): a numpy ``.npz`` (zip) archive.
  Every array (Tensor data, numpy array, numpy scalar) is one member ``a0.npy``, ``a1.npy``, ...; the structure
  around them (dicts, OrderedDicts, lists, tuples, sets, Python numbers, strings, bytes, bools, None, dtypes) is
  JSON in the ``__meta__`` member. Loading uses ``numpy.load(allow_pickle=False)`` and ``json``, so a file can
  only ever produce data, never run code. Tensors keep their dtype and ``requires_grad``, Parameters load as
  Parameters, and an object saved twice (tied weights) loads as one object, as with ``torch.save``.
- **safetensors** (a path ending in ``.safetensors``): the flat ``{name: tensor}`` format PyTorch's ecosystem
  reads (``safetensors.torch.load_file``), for a ``state_dict``; see :mod:`autograd_core.safetensors_format`.

Safety of the file on disk: saving to a path writes a temporary file in the destination's directory, flushes and
fsyncs it, then renames it over the destination with ``os.replace`` (atomic on POSIX and Windows), so a failed
or killed save leaves the previous file intact. Every zip member carries a CRC-32 and every safetensors tensor a
CRC-32 in the file's metadata, checked on load: flipped bytes and truncated files raise
:class:`~autograd_core.errors.CheckpointError` naming the file instead of returning silently wrong weights.

Example::

    >>> torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3}, 'ckpt.pt')
    >>> ckpt = torch.load('ckpt.pt')
    >>> model.load_state_dict(ckpt['model'])
    >>> torch.save(model.state_dict(), 'model.safetensors')     # opens in PyTorch with safetensors.torch.load_file
"""
import base64
import contextlib
import importlib
import io
import json
import os
import sys
import tempfile
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from . import safetensors_format
from .errors import CheckpointError
from .tensor import Tensor

__all__ = ["save", "load", "safe_globals", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "CheckpointError"]

FORMAT = "autograd_core.nn.save"
VERSION = 2          # 2 added complex, set, bytes, dtype, device and Size nodes; files without them are written as 1
_META = "__meta__"
_NEW_IN_2 = ("$complex", "$set", "$bytes", "$dtype", "$device", "size")

_PARAMETER_TYPES = []   # nn.Parameter registers itself (autograd_core never imports nn at import time)


def register_parameter_type(cls):
    """Mark ``cls`` (``nn.Parameter``) as the Tensor subclass that files record and restore as a parameter."""
    if cls not in _PARAMETER_TYPES:
        _PARAMETER_TYPES.append(cls)


def _parameter_type():
    if not _PARAMETER_TYPES:
        importlib.import_module("nn.parameter")   # registers nn.Parameter
    return _PARAMETER_TYPES[0]


def _core(name):
    """``autograd_core.<name>`` if the package has it (devices and Size are optional here)."""
    return getattr(sys.modules.get("autograd_core"), name, None)


def _is_core_object(obj, type_name):
    cls = type(obj)
    return cls.__name__ == type_name and cls.__module__.split(".")[0] == "autograd_core"


def _dtype_name(obj):
    """The numpy name of a dtype given as a dtype, a numpy scalar type (``autograd_core.float32``) or one of
    the library's dtype objects; None for anything else."""
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, type) and issubclass(obj, np.generic):
        return np.dtype(obj).name
    if _is_core_object(obj, "dtype"):
        try:
            return np.dtype(obj).name
        except TypeError:
            return None
    return None


# ---------------------------------------------------------------------- encoding
class _Encoder:
    def __init__(self):
        self.arrays = {}
        self._keys = {}   # id(array) -> key, so an array saved twice (tied weights) is stored once
        self._keep = []   # keep encoded arrays alive so their ids stay unique
        self.version = 1

    def array(self, arr, where):
        if arr.dtype.hasobject:
            raise TypeError(f"save: can't save an object array at {where} (only numeric/bool arrays)")
        key = self._keys.get(id(arr))
        if key is None:
            key = f"a{len(self.arrays)}"
            self._keys[id(arr)] = key
            self.arrays[key] = arr
            self._keep.append(arr)
        return key

    def new(self, node):
        self.version = VERSION
        return node

    def encode(self, obj, where="obj"):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, (int, float)) and not isinstance(obj, np.generic):
            return int(obj) if isinstance(obj, int) else float(obj)   # IntEnum/float subclasses: the plain value
        if isinstance(obj, complex) and not isinstance(obj, np.generic):
            return self.new({"$complex": [obj.real, obj.imag]})
        if isinstance(obj, Tensor):
            _check_materialized(obj, where)
            node = {"$tensor": self.array(obj._data, where), "requires_grad": bool(obj.requires_grad)}
            if _PARAMETER_TYPES and isinstance(obj, tuple(_PARAMETER_TYPES)):
                node["parameter"] = True
            return node
        if isinstance(obj, np.ndarray):
            return {"$ndarray": self.array(obj, where)}
        if isinstance(obj, np.generic):
            return {"$npscalar": self.array(np.asarray(obj), where)}
        if isinstance(obj, (bytes, bytearray)):
            return self.new({"$bytes": base64.b64encode(bytes(obj)).decode("ascii")})
        dtype = _dtype_name(obj)
        if dtype is not None:
            return self.new({"$dtype": dtype, "numpy": isinstance(obj, np.dtype)})
        if _is_core_object(obj, "device"):
            return self.new({"$device": str(obj)})
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            node = {"$tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
            if _is_core_object(obj, "Size"):
                node["size"] = True
                self.new(node)
            return node
        if isinstance(obj, (set, frozenset)):
            return self.new({"$set": [self.encode(v, f"{where} item") for v in obj],
                             "frozen": isinstance(obj, frozenset)})
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not (k is None or isinstance(k, (str, int, float, bool, tuple))):
                    raise TypeError(f"save: dict key {k!r} at {where} has unsupported type {type(k).__name__} "
                                    f"(keys must be str, int, float, bool, None or tuples of those)")
                items.append([self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")])
            return {"$dict": items, "ordered": isinstance(obj, OrderedDict)}
        raise TypeError(_unsupported(obj, where))


def _check_materialized(t, where):
    if type(t).__name__ == "UninitializedParameter" or type(t._data).__name__ == "_Unmaterialized":
        raise TypeError(f"save: can't save an uninitialized parameter (a lazy module's) at {where}: run one forward "
                        f"pass to give it a shape first")


def _unsupported(obj, where):
    name = type(obj).__name__
    if callable(getattr(obj, "state_dict", None)) and not isinstance(obj, type):
        return (f"save: can't save a whole {name} object (at {where}): save its state_dict() instead, e.g. "
                f"save(model.state_dict(), path) and later model.load_state_dict(load(path)). Files hold data only "
                f"and are never unpickled (PyTorch >= 2.6's torch.load refuses whole modules by default too)")
    if callable(obj):
        what = getattr(obj, "__qualname__", None) or name
        return (f"save: can't save the {'class' if isinstance(obj, type) else 'function'} {what!s} at {where}: "
                f"files hold data only, never code (save a state_dict() and the settings to rebuild it)")
    return (f"save: can't save an object of type {name} at {where}; supported: Tensors, numpy arrays and "
            f"scalars, Python numbers, strings, bytes, bools, None, dtypes, and dicts/OrderedDicts/lists/tuples/sets "
            f"of them (for a module or optimizer, save its state_dict())")


class _HookError(Exception):
    """Carries an exception raised by a ``map_location`` function through the loader's error translation."""


def _decode(node, archive, memo, relocate):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, archive, memo, relocate) for v in node]
    if not isinstance(node, dict):
        raise ValueError(f"unexpected node of type {type(node).__name__}")
    if "$tensor" in node:
        key = ("t", node["$tensor"], bool(node.get("parameter")), bool(node.get("requires_grad")))
        if key not in memo:
            arr = _member(archive, node["$tensor"], memo)
            if node.get("parameter"):
                t = _parameter_type()(arr, requires_grad=node.get("requires_grad", True))
            else:
                t = Tensor(arr, requires_grad=node.get("requires_grad", False))
            memo[key] = relocate(t)
        return memo[key]
    if "$ndarray" in node:
        return _member(archive, node["$ndarray"], memo)
    if "$npscalar" in node:
        return _member(archive, node["$npscalar"], memo)[()]
    if "$tuple" in node:
        items = tuple(_decode(v, archive, memo, relocate) for v in node["$tuple"])
        size = _core("Size") if node.get("size") else None
        return size(items) if size is not None else items
    if "$dict" in node:
        pairs = [(_decode(k, archive, memo, relocate), _decode(v, archive, memo, relocate))
                 for k, v in node["$dict"]]
        return OrderedDict(pairs) if node.get("ordered") else dict(pairs)
    if "$complex" in node:
        re, im = node["$complex"]
        return complex(re, im)
    if "$set" in node:
        items = [_decode(v, archive, memo, relocate) for v in node["$set"]]
        return frozenset(items) if node.get("frozen") else set(items)
    if "$bytes" in node:
        return base64.b64decode(node["$bytes"].encode("ascii"), validate=True)
    if "$dtype" in node:
        dtype = np.dtype(node["$dtype"])
        if node.get("numpy") or _core(dtype.name) is None:
            return dtype
        return _core(dtype.name)     # autograd_core.float32, as saved
    if "$device" in node:
        device = _core("device")
        return device(node["$device"]) if callable(device) else node["$device"]
    raise ValueError(f"unknown node {sorted(node)}")


def _member(archive, key, memo):
    mk = ("a", key)
    if mk not in memo:
        arr = archive[key]   # reading checks the member's CRC-32
        if arr.dtype.hasobject:
            raise ValueError(f"member {key!r} is an object array")
        memo[mk] = arr
    return memo[mk]


# ---------------------------------------------------------------------- files
def atomic_write(path, write):
    """Call ``write(fh)`` on a temporary file beside ``path``, fsync it, then ``os.replace`` it over ``path``.

    Any failure (an exception, Ctrl-C, a full disk) removes the temporary file and leaves the old ``path``
    untouched; a killed process leaves at worst a stray ``.<name>.*.tmp`` file and the old ``path``. An existing
    file's permissions are kept; a new one gets ``0o666`` minus the umask.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _file_mode(path):
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus the umask (mkstemp uses 0o600)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def _target_name(f):
    """The file name a path or an open file object refers to (None for a buffer)."""
    if _is_path(f):
        return os.fspath(f)
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else None


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to ``f``, as ``torch.save``, in a format that never runs code when loaded.

    Args:
        obj: nested dicts (OrderedDicts stay OrderedDicts), lists, tuples and sets of Tensors, numpy arrays and
            scalars, Python numbers (int, float, complex), strings, bytes, bools, None and dtypes: a
            ``state_dict()``, an optimizer's ``state_dict()``, a training checkpoint
            ``{'model': ..., 'optimizer': ..., 'epoch': 3, 'loss': 0.25}``. A whole Module, an arbitrary object
            or a function raises TypeError (save its ``state_dict()``).
        f: a path (``str`` or ``os.PathLike``; written atomically, the old file survives any failure) or a binary
            file object (``io.BytesIO``, ``open(path, 'wb')``). A name ending in ``.safetensors`` writes the
            safetensors format: ``obj`` must then be a flat ``{str: tensor}`` dict such as a ``state_dict()``.
        pickle_module, pickle_protocol, _use_new_zipfile_serialization, _disable_byteorder_record: accepted for
            PyTorch compatibility and ignored: nothing is ever pickled.
    """
    name = _target_name(f)
    if name is not None and name.endswith(".safetensors"):
        raw = safetensors_format.encode(obj)
        write = lambda fh: fh.write(raw)   # noqa: E731
    else:
        enc = _Encoder()
        tree = enc.encode(obj)
        meta = json.dumps({"format": FORMAT, "version": enc.version, "tree": tree}).encode("utf-8")
        members = dict(enc.arrays)
        members[_META] = np.frombuffer(meta, dtype=np.uint8)
        write = lambda fh: np.savez(fh, **members)   # noqa: E731  (a file object: numpy adds no '.npz' suffix)
    if _is_path(f):
        atomic_write(f, write)
    elif hasattr(f, "write"):
        write(f)
    else:
        raise TypeError(f"save: f must be a path (str or os.PathLike) or a binary file object with a write() "
                        f"method, got {type(f).__name__}")


# ---------------------------------------------------------------------- map_location
_OTHER_DEVICES = ("mps", "xpu", "meta", "hpu", "xla", "mtia", "ipu", "vulkan", "mkldnn", "opengl", "opencl",
                  "ideep", "hip", "ve", "fpga", "maia", "lazy", "privateuseone")


def _check_device(loc, what="map_location"):
    if isinstance(loc, bytes):
        loc = loc.decode("utf-8", "replace")
    text = str(loc).strip()
    kind = text.split(":", 1)[0]
    if kind == "cpu" and (text == "cpu" or text[4:].isdigit()):
        return
    if kind == "cuda":
        raise RuntimeError(f"load: {what}={loc!r}: no CUDA device: this engine runs on the CPU "
                           f"(use map_location='cpu' or leave it out)")
    if kind in _OTHER_DEVICES:
        raise RuntimeError(f"load: {what}={loc!r}: this engine runs on the CPU only (use map_location='cpu')")
    raise RuntimeError(f"load: {what}={loc!r}: expected a device such as 'cpu' (the only device this engine has)")


def _relocator(map_location):
    """A function Tensor -> Tensor applying ``map_location``; every saved tensor is on the CPU (location 'cpu')."""
    if map_location is None:
        return lambda t: t
    if isinstance(map_location, dict):
        for key, value in map_location.items():
            if str(key).split(":", 1)[0] == "cpu":
                _check_device(value, f"map_location[{key!r}]")
        return lambda t: t
    if callable(map_location) and not isinstance(map_location, type):
        def relocate(t):
            try:
                out = map_location(t, "cpu")
            except Exception as exc:
                raise _HookError(exc) from exc
            if out is None:
                return t
            if not isinstance(out, Tensor):
                raise _HookError(TypeError(f"load: map_location(storage, 'cpu') returned a {type(out).__name__}; "
                                           f"return the tensor it was given (or None)"))
            return out
        return relocate
    _check_device(map_location)   # a string, bytes or a device object: its str() names the device
    return lambda t: t


# ---------------------------------------------------------------------- load
def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load what :func:`save` wrote (or a safetensors file), as ``torch.load``; loading never runs code.

    Tensors come back as Tensors with their dtype and ``requires_grad`` (Parameters as Parameters), numpy arrays
    as arrays, tuples as tuples, OrderedDicts as OrderedDicts. A ``.safetensors`` file (also one written by
    ``safetensors.torch.save_file(torch_model.state_dict(), path)``) loads as a ``{name: Tensor}`` dict.

    Args:
        f: a path or a binary file object (``io.BytesIO``, ``open(path, 'rb')``).
        map_location: where the tensors go: None, ``'cpu'``, a CPU device, a dict mapping saved locations to
            ``'cpu'``, or a function ``(tensor, 'cpu') -> tensor or None``. Every tensor is on the CPU; asking
            for ``'cuda'`` (or any other device) raises RuntimeError.
        pickle_module, pickle_load_args: accepted for PyTorch compatibility and ignored (nothing is unpickled).
        weights_only: accepted for PyTorch compatibility. Loading is always "weights only": files hold data and
            are never unpickled, whatever the value.
        mmap: accepted for PyTorch compatibility; needs ``f`` to be a path (ValueError otherwise, as in PyTorch).
            The file is read into memory; the result is the same.

    Raises:
        CheckpointError: the file is truncated, corrupted, or not written by :func:`save` (nor a safetensors file).
        FileNotFoundError: there is no such file.
        RuntimeError: ``map_location`` names a device other than the CPU.
    """
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not (_is_path(f) or hasattr(f, "read")):
        raise TypeError(f"load: f must be a path (str or os.PathLike) or a binary file object with a read() "
                        f"method, got {type(f).__name__}")
    relocate = _relocator(map_location)
    name = _target_name(f)
    label = repr(name) if name is not None else f"<{type(f).__name__}>"
    if _is_path(f):
        with open(f, "rb") as fh:
            head = fh.read(16)
    elif _seekable(f):
        start = f.tell()
        head = f.read(16)
        f.seek(start)
    else:                     # a pipe or socket: np.load needs to seek, so read it into memory
        head = f.read(16)
        f = io.BytesIO(head + f.read())
    if not head.startswith(b"PK") and (safetensors_format.looks_like(head) or
                                      (name or "").endswith(".safetensors")):
        if _is_path(f):
            with open(f, "rb") as fh:
                raw = fh.read()
        else:
            raw = f.read()
        try:
            state = safetensors_format.decode(raw, label)
            return {k: relocate(v) for k, v in state.items()}
        except _HookError as exc:
            raise exc.args[0] from None
    try:
        archive = np.load(f, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single .npy array, not an archive written by save")
        with archive:
            if _META not in archive.files:
                if any(m.endswith("data.pkl") for m in archive.files):
                    raise ValueError("it was written by torch.save (a pickle, which this library never loads); in "
                                     "PyTorch, save the state_dict with safetensors.torch.save_file(sd, "
                                     "'model.safetensors') and load that here")
                raise ValueError("it has no '__meta__' member (not written by save)")
            meta = json.loads(archive[_META].tobytes().decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ValueError("unknown format (not written by save)")
            if meta.get("version", 0) > VERSION:
                raise ValueError(f"format version {meta.get('version')} is newer than this library's ({VERSION})")
            return _decode(meta["tree"], archive, {}, relocate)
    except _HookError as exc:
        raise exc.args[0] from None
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, TypeError, IndexError,
            UnicodeDecodeError) as exc:
        raise CheckpointError(f"load: {label} is not a valid checkpoint (truncated or corrupted file?): "
                              f"{type(exc).__name__}: {exc}") from exc


def _seekable(f):
    try:
        return bool(f.seekable()) if hasattr(f, "seekable") else hasattr(f, "seek") and hasattr(f, "tell")
    except (OSError, ValueError):
        return False


# ---------------------------------------------------------------------- safe globals (nothing is unpickled)
_SAFE_GLOBALS = []


def add_safe_globals(safe_globals):
    """Accepted for PyTorch compatibility; has no effect on loading: this library never unpickles anything, so
    there are no globals to allow. The list is kept only so :func:`get_safe_globals` answers as PyTorch's does."""
    if not isinstance(safe_globals, (list, tuple)):
        raise TypeError(f"add_safe_globals: expected a list of classes/functions, got {type(safe_globals).__name__}")
    _SAFE_GLOBALS.extend(safe_globals)


def get_safe_globals():
    """The list given to :func:`add_safe_globals` (it changes nothing: files are never unpickled)."""
    return list(_SAFE_GLOBALS)


def clear_safe_globals():
    """Empty the list of :func:`add_safe_globals` (it changes nothing: files are never unpickled)."""
    _SAFE_GLOBALS.clear()


class safe_globals:
    """Context manager accepted for PyTorch compatibility (``with serialization.safe_globals([MyClass]):``).

    It has no effect on loading: this library never unpickles anything, so no class or function from a file is
    ever looked up or called. Inside the block :func:`get_safe_globals` includes the given list, as in PyTorch.
    """

    def __init__(self, safe_globals):
        if not isinstance(safe_globals, (list, tuple)):
            raise TypeError(f"safe_globals: expected a list of classes/functions, got {type(safe_globals).__name__}")
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._before = list(_SAFE_GLOBALS)
        _SAFE_GLOBALS.extend(self.safe_globals)
        return self

    def __exit__(self, *exc):
        _SAFE_GLOBALS[:] = self._before
        return False
