"""Devices, the CPU-only way: ``device('cpu')`` objects as ``torch.device``, and the one check every factory and
``.to()`` makes.

This engine computes on the CPU with numpy and numba. ``device('cuda')`` can be constructed (programs build it
before asking ``cuda.is_available()``, as in PyTorch), but putting a tensor or a module there raises one clear
RuntimeError ("no CUDA device: this engine runs on the CPU"); an unknown device string raises RuntimeError naming
it, as PyTorch does.
"""
import builtins
import re

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
          "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


def _unknown(text):
    return RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {text}")


def _parse(text):
    """``'cpu'`` -> ('cpu', None); ``'cuda:1'`` -> ('cuda', 1); PyTorch's messages for the rest."""
    m = _DEVICE_STRING.fullmatch(text)
    if m is None:
        raise RuntimeError(f"Invalid device string: '{text}'")
    if m.group(1) not in _TYPES:
        raise _unknown(m.group(1))
    return m.group(1), None if m.group(2) is None else builtins.int(m.group(2))


_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::([1-9]\d*|0))?")


class device:
    """Where a tensor lives, as ``torch.device``: ``device('cpu')``, ``device('cpu:0')``, ``device('cpu', 0)``,
    ``device(type='cpu', index=0)`` or ``device(other_device)``.

    ``str(d)`` is ``'cpu'`` / ``'cpu:0'``; ``repr(d)`` is ``device(type='cpu')``; devices compare and hash by
    (type, index), so ``device('cpu') != device('cpu:0')`` as in PyTorch. Only ``'cpu'`` can hold tensors here;
    used as a context manager it sets the default device (:func:`set_default_device`) inside the block.
    """

    __slots__ = ("_type", "_index", "_previous")

    def __init__(self, type, index=None):  # noqa: A002  (torch's argument name)
        if isinstance(type, device):
            if index is not None:
                raise RuntimeError("device(): an index can't be given together with a device object")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, builtins.bool) or not isinstance(type, str):
            if isinstance(type, builtins.int) and not isinstance(type, builtins.bool) and index is None:
                raise RuntimeError(_no_device("cuda"))     # torch.device(0) is the first accelerator
            raise TypeError(f"device(): expected a device string like 'cpu' or a device, got "
                            f"{builtins.type(type).__name__}")
        kind, idx = _parse(type)
        if index is not None:
            if isinstance(index, builtins.bool) or not isinstance(index, builtins.int):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                f"{builtins.type(index).__name__}")
            if idx is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: "
                                   f"{type}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            idx = index
        self._type, self._index = kind, idx

    @property
    def type(self):
        """The device type: ``'cpu'``."""
        return self._type

    @property
    def index(self):
        """The device index, or None when not given."""
        return self._index

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash(("device", self._type, self._index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        self._previous = get_default_device()
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        set_default_device(self._previous)
        return False


CPU = device("cpu")

_ACCELERATOR_NAMES = {"cuda": "CUDA", "mps": "MPS", "xpu": "XPU", "hip": "HIP (ROCm)", "meta": "meta", "xla": "XLA"}


def _no_device(kind):
    return f"no {_ACCELERATOR_NAMES.get(kind, kind)} device: this engine runs on the CPU"


def check_device(d, where="this call"):
    """``d`` (a device, a device string, or None) as a device if it is the CPU; RuntimeError otherwise.

    ``where`` names the caller for argument-type errors (``'zeros()'``, ``'Tensor.to()'``).
    """
    if d is None or d is CPU:
        return CPU
    if isinstance(d, str):
        if d == "cpu":
            return CPU
        d = device(d)
    elif isinstance(d, builtins.int) and not isinstance(d, builtins.bool):
        raise RuntimeError(_no_device("cuda"))
    elif not isinstance(d, device):
        raise TypeError(f"{where}: device must be a device or a device string like 'cpu', got "
                        f"{type(d).__name__}")
    if d._type != "cpu":
        raise RuntimeError(_no_device(d._type))
    return d


_default_device = CPU


def get_default_device():
    """The device factories put new tensors on: always ``device(type='cpu')`` here."""
    return _default_device


def set_default_device(d):
    """Set the default device: ``'cpu'`` or None (the CPU); any other device raises RuntimeError (CPU only)."""
    global _default_device
    _default_device = check_device(d, "set_default_device()") if d is not None else CPU


def check_factory_args(where, device=None, pin_memory=False, layout=None):
    """The arguments every factory takes for PyTorch's sake: ``device`` (the CPU only), ``pin_memory`` (False:
    pinned memory needs a CUDA device, as PyTorch without one says) and ``layout`` (``strided`` only)."""
    check_device(device, where)
    if pin_memory:
        raise RuntimeError(f"{where}: pin_memory=True needs a CUDA device: this engine runs on the CPU")
    if layout is not None and layout is not strided:
        raise RuntimeError(f"{where}: only the strided (dense) layout is supported, got {layout!r}")


class layout:
    """A tensor memory layout, as ``torch.layout``; only :data:`strided` (dense arrays) exists here."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"autograd_core.{self._name}"


strided = layout("strided")
