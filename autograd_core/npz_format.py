"""The checkpoint format of ``save``/``load``: a numpy ``.npz`` archive of arrays plus a JSON tree, never a pickle.

Every array (Tensor data, numpy array, numpy scalar) is one member ``a0.npy``, ``a1.npy``, ... (an array saved
twice, e.g. tied weights, is stored once and loads as one object); the structure around them is JSON in the
``__meta__`` member (a uint8 array): ``{"format": FORMAT, "version": 1 or 2, "tree": node}`` where a node is a
JSON value (None, bool, int, float, str, list) or one of

``{"$tensor": key, "requires_grad": bool, "parameter": bool}``, ``{"$ndarray": key}``, ``{"$npscalar": key}``,
``{"$tuple": [...], "size": bool}``, ``{"$dict": [[key, value], ...], "ordered": bool}`` (version 1), and
``{"$complex": [re, im]}``, ``{"$set": [...], "frozen": bool}``, ``{"$bytes": base64}``,
``{"$dtype": name, "numpy": bool}``, ``{"$device": str}`` (version 2: a file needing none of them is written as
version 1, so older readers load plain state_dicts and checkpoints).

Reading uses ``numpy.load(allow_pickle=False)`` and ``json``; each member's CRC-32 is checked as it is read.
"""
import base64
import importlib
import json
import sys
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from .errors import CheckpointError
from .tensor import Tensor

FORMAT = "autograd_core.nn.save"
VERSION = 2          # 2 added complex, set, bytes, dtype, device and Size nodes; files without them are written as 1
_META = "__meta__"

_PARAMETER_TYPES = []   # nn.Parameter registers itself (autograd_core never imports nn at import time)


def register_parameter_type(cls):
    """Mark ``cls`` (``nn.Parameter``) as the Tensor subclass that files record and restore as a parameter."""
    if cls not in _PARAMETER_TYPES:
        _PARAMETER_TYPES.append(cls)


def _parameter_type():
    if not _PARAMETER_TYPES:
        importlib.import_module("nn.parameter")   # a file with Parameters, loaded before nn was imported
    return _PARAMETER_TYPES[0]


def _core(name):
    """``autograd_core.<name>`` if the package has it (devices and Size are optional here)."""
    return getattr(sys.modules.get("autograd_core"), name, None)


def _is_core_object(obj, type_name):
    """Whether ``obj`` is an instance of the library's class of that name (``device``, ``dtype``, ``Size``)."""
    cls = type(obj)
    return cls.__name__.lower() == type_name.lower() and cls.__module__.split(".")[0] == "autograd_core"


def _dtype_name(obj):
    """The numpy name of a dtype given as a dtype, a numpy scalar type (``autograd_core.float32``) or one of
    the library's dtype objects; None for anything else."""
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, type) and issubclass(obj, np.generic):
        return np.dtype(obj).name
    if _is_core_object(obj, "dtype"):
        for spec in (obj, str(obj).rsplit(".", 1)[-1]):    # numpy-convertible, or printed as autograd_core.float32
            try:
                return np.dtype(spec).name
            except TypeError:
                pass
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
        if not isinstance(node["$bytes"], str):
            raise ValueError("a $bytes node holds no base64 text")
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
        _check_header(archive, key)
        arr = archive[key]   # reading checks the member's CRC-32
        if arr.dtype.hasobject:
            raise ValueError(f"member {key!r} is an object array")
        memo[mk] = arr
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


def encode(obj):
    """The members of the archive holding ``obj``: ``{"a0": array, ..., "__meta__": uint8 JSON}``."""
    enc = _Encoder()
    tree = enc.encode(obj)
    meta = json.dumps({"format": FORMAT, "version": enc.version, "tree": tree}).encode("utf-8")
    members = dict(enc.arrays)
    members[_META] = np.frombuffer(meta, dtype=np.uint8)
    return members


def write(fh, members):
    """Write the archive to an open binary file (a file object: numpy adds no '.npz' suffix)."""
    np.savez(fh, **members)


def read(f, label, relocate):
    """The object in the archive ``f`` (a path or a seekable binary file); ``relocate`` maps each loaded tensor.

    Raises CheckpointError naming ``label`` for anything that is not an intact archive written by ``save``."""
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
            _check_header(archive, _META)
            meta = json.loads(archive[_META].tobytes().decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ValueError("unknown format (not written by save)")
            if meta.get("version", 0) > VERSION:
                raise ValueError(f"format version {meta.get('version')} is newer than this library's ({VERSION})")
            return _decode(meta["tree"], archive, {}, relocate)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, TypeError, IndexError,
            AttributeError, UnicodeDecodeError, MemoryError) as exc:
        raise CheckpointError(f"load: {label} is not a valid checkpoint (truncated or corrupted file?): "
                              f"{type(exc).__name__}: {exc}") from exc
