"""The safetensors format for ``save``/``load`` (a path ending in ``.safetensors``): what PyTorch's ecosystem reads.

A safetensors file is an 8-byte little-endian header length, a JSON header (each tensor's dtype, shape and byte
range, plus a ``__metadata__`` dict of strings) and the raw little-endian tensor data. It holds a *flat*
``{name: tensor}`` dict (a ``state_dict``) and nothing else, and it never runs code when read. The encoding and
decoding are the ``safetensors`` package's numpy API (``pip install 'autograd-core[safetensors]'``).

What this module adds:

- A CRC-32 of each tensor in ``__metadata__["autograd_core.crc32"]`` (a JSON ``{name: "8 hex digits"}`` in the
  state_dict's order), over its dtype code and shape (``"F32[2, 3]"``) followed by its bytes, verified on load:
  safetensors checks the header and the sizes but has no checksum, so a flipped data byte (or a shape changed
  to another of the same size) would otherwise load silently. PyTorch's ``safetensors.torch.load_file`` ignores the
  metadata; files written elsewhere have no checksums and load without that check.
- ``__metadata__["format"] = "pt"``: the tensors are a PyTorch-layout ``state_dict`` (what Hugging Face loaders
  expect of a PyTorch checkpoint).
- Clear errors: nested objects, non-string keys and unsupported dtypes on save; corrupt or truncated files
  raise :class:`~autograd_core.errors.CheckpointError` naming the file.

Example::

    >>> autograd_core.save(model.state_dict(), "model.safetensors")
    >>> # in PyTorch:  torch_model.load_state_dict(safetensors.torch.load_file("model.safetensors"))
    >>> model.load_state_dict(autograd_core.load("model.safetensors"))   # also files written by PyTorch
"""
import json
import zlib
from collections.abc import Mapping

import numpy as np

from .errors import CheckpointError
from .npz_format import _check_materialized
from .tensor import Tensor

INSTALL_HINT = "pip install 'autograd-core[safetensors]' (or: pip install safetensors)"
CHECKSUM_KEY = "autograd_core.crc32"
# numpy dtypes the format has a code for (complex128 has none; bfloat16 and float8 have no numpy type)
_DTYPES = {"bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "uint16": "U16", "int32": "I32",
           "uint32": "U32", "int64": "I64", "uint64": "U64", "float16": "F16", "float32": "F32", "float64": "F64",
           "complex64": "C64"}
_CODES = set(_DTYPES.values())
_NO_NUMPY_TYPE = ("BF16", "F8_", "F6_", "F4")   # the format's other dtypes: valid, but numpy has no type for them
_MAX_HEADER = 100_000_000   # the safetensors specification's limit


def _numpy_api():
    try:
        import safetensors.numpy
    except ImportError as exc:
        raise ImportError(f"saving and loading .safetensors files needs the 'safetensors' package: "
                          f"{INSTALL_HINT}") from exc
    return safetensors.numpy


def available():
    """Whether the ``safetensors`` package is installed."""
    try:
        _numpy_api()
    except ImportError:
        return False
    return True


def looks_like(head):
    """Whether the first bytes of a file look like a safetensors header (length, then a JSON object)."""
    if len(head) < 9 or head[8:9] != b"{":
        return False
    return 2 <= int.from_bytes(head[:8], "little") <= _MAX_HEADER


def crc32(arr):
    """The checksum stored for an array, as 8 hex digits: the CRC-32 of its dtype code and shape (``"F32[2, 3]"``)
    followed by its bytes as stored in the file (C order, little-endian)."""
    arr = _c_order(arr.astype(arr.dtype.newbyteorder("<"), copy=False))
    head = f"{_DTYPES[arr.dtype.name]}{list(arr.shape)}".encode("ascii")
    return f"{zlib.crc32(arr.data, zlib.crc32(head)) & 0xFFFFFFFF:08x}"


def _c_order(arr):
    """``arr`` in C order (np.ascontiguousarray would turn a 0-d array into a 1-d one)."""
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def _flat_error(what):
    return TypeError(f"save: a .safetensors file holds a flat dict of tensors (a state_dict); {what}. Save nested "
                     f"checkpoints (optimizer state, epoch, loss...) to a .pt or .npz path instead")


def encode(obj):
    """The bytes of a safetensors file holding ``obj``, a flat ``{str: Tensor or numpy array}`` mapping."""
    if not isinstance(obj, Mapping):
        raise _flat_error(f"got a {type(obj).__name__}")
    arrays = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise _flat_error(f"its keys are strings, got the key {key!r} ({type(key).__name__})")
        if isinstance(value, Tensor):
            _check_materialized(value, repr(key))
            arr = value._data
        elif isinstance(value, np.ndarray):
            arr = value
        else:
            raise _flat_error(f"{key!r} is a {type(value).__name__}, not a tensor")
        if arr.dtype.name not in _DTYPES:
            raise TypeError(f"save: tensor {key!r} has dtype {arr.dtype}, which the safetensors format can't "
                            f"hold (supported: {', '.join(_DTYPES)})")
        arrays[key] = _c_order(arr.astype(arr.dtype.newbyteorder("<"), copy=False))
    sums = {key: crc32(arr) for key, arr in arrays.items()}
    metadata = {"format": "pt", CHECKSUM_KEY: json.dumps(sums)}
    return _numpy_api().save(arrays, metadata=metadata)


def _header(raw, label):
    if len(raw) < 8:
        raise CheckpointError(f"load: {label} is not a valid safetensors file (truncated: {len(raw)} bytes)")
    n = int.from_bytes(raw[:8], "little")
    if n > _MAX_HEADER or 8 + n > len(raw):
        raise CheckpointError(f"load: {label} is not a valid safetensors file (truncated or corrupted: its header "
                              f"claims {n} bytes, the file has {len(raw)})")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(f"load: {label} is not a valid safetensors file (corrupted header: {exc})") from exc
    return header


def decode(raw, label):
    """The ``{name: Tensor}`` dict of a safetensors file's bytes; ``label`` names the file in errors."""
    api = _numpy_api()
    header = _header(raw, label)
    metadata = header.pop("__metadata__", None) or {}
    for name, info in header.items():
        code = info.get("dtype") if isinstance(info, dict) else None
        if isinstance(code, str) and code not in _CODES and not code.startswith(_NO_NUMPY_TYPE):
            raise CheckpointError(f"load: {label} is not a valid safetensors file (tensor {name!r} has the unknown "
                                  f"dtype {code!r}: corrupted?)")
        if isinstance(code, str) and code not in _CODES:
            raise TypeError(f"load: {label}: tensor {name!r} has dtype {code}, which numpy (and so this engine) "
                            f"has no type for; in PyTorch convert it first, e.g. "
                            f"save_file({{k: v.float() for k, v in sd.items()}}, path)")
    try:
        arrays = api.load(raw)
    except Exception as exc:   # safetensors raises its own SafetensorError (an Exception) for bad headers/sizes
        raise CheckpointError(f"load: {label} is not a valid safetensors file (truncated or corrupted?): "
                              f"{exc}") from exc
    order = list(header)
    sums = metadata.get(CHECKSUM_KEY) if isinstance(metadata, dict) else None
    if sums is not None:
        try:
            sums = json.loads(sums)
            if not isinstance(sums, dict):
                raise ValueError("not a JSON object")
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"load: {label}: its checksum metadata is corrupted ({exc})") from exc
        if set(sums) != set(arrays):
            raise CheckpointError(f"load: {label}: its checksums name other tensors than the file holds "
                                  f"(corrupted file?)")
        for name, arr in arrays.items():
            if crc32(arr) != sums[name]:
                raise CheckpointError(f"load: {label}: tensor {name!r} fails its CRC-32 check (stored "
                                      f"{sums[name]}, computed {crc32(arr)}): the file is corrupted")
        order = list(sums)   # the state_dict's order, as saved
    return {name: Tensor(arrays[name]) for name in order}
