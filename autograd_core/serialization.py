"""``save(obj, f)`` / ``load(f)``: PyTorch's ``torch.save``/``torch.load``, with files that never run code.

``autograd_core.save``, ``autograd_core.load``, ``nn.save`` and ``nn.load`` are these two functions. Two formats:

- **Checkpoints** (any path not ending in ``.safetensors``, and file objects): a numpy ``.npz`` (zip) archive.
  Every array (Tensor data, numpy array, numpy scalar) is one member ``a0.npy``, ``a1.npy``, ...; the structure
  around them (dicts, OrderedDicts, lists, tuples, sets, Python numbers, strings, bytes, bools, None, dtypes) is
  JSON in the ``__meta__`` member (:mod:`autograd_core.npz_format`). Loading uses
  ``numpy.load(allow_pickle=False)`` and ``json``, so a file can only ever produce data, never run code.
  Tensors keep their dtype and ``requires_grad``, Parameters load as Parameters, and an object saved twice (tied
  weights) loads as one object, as with ``torch.save``.
- **safetensors** (a path ending in ``.safetensors``): the flat ``{name: tensor}`` format PyTorch's ecosystem
  reads (``safetensors.torch.load_file``), for a ``state_dict``; see :mod:`autograd_core.safetensors_format`.

Safety of the file on disk: saving to a path writes a temporary file in the destination's directory, flushes and
fsyncs it, then renames it over the destination with ``os.replace`` (atomic on POSIX and Windows), so a failed
or killed save leaves the previous file intact, and the next save to that path removes what a killed one left
(:mod:`autograd_core.file_safety`). Every zip member carries a CRC-32 and every safetensors tensor a
CRC-32 in the file's metadata, checked on load: flipped bytes and truncated files raise
:class:`~autograd_core.errors.CheckpointError` naming the file instead of returning silently wrong weights.

Example::

    >>> torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3}, 'ckpt.pt')
    >>> ckpt = torch.load('ckpt.pt')
    >>> model.load_state_dict(ckpt['model'])
    >>> torch.save(model.state_dict(), 'model.safetensors')     # opens in PyTorch with safetensors.torch.load_file
"""
import io
import os

from . import npz_format, safetensors_format
from .errors import CheckpointError
from .file_safety import atomic_write
from .npz_format import FORMAT, VERSION, register_parameter_type
from .tensor import Tensor

__all__ = ["save", "load", "safe_globals", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "CheckpointError", "FORMAT", "VERSION", "register_parameter_type", "atomic_write"]


class _HookError(Exception):
    """Carries an exception raised by a ``map_location`` function through the loader's error translation."""


# ---------------------------------------------------------------------- files
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
        members = npz_format.encode(obj)
        write = lambda fh: npz_format.write(fh, members)   # noqa: E731
    if _is_path(f):
        atomic_write(f, write)
    elif isinstance(f, io.TextIOBase):
        raise TypeError("save: f is a text file; open it in binary mode (open(path, 'wb'))")
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
    if isinstance(f, io.TextIOBase):
        raise TypeError("load: f is a text file; open it in binary mode (open(path, 'rb'))")
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
        return npz_format.read(f, label, relocate)
    except _HookError as exc:
        raise exc.args[0] from None


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
