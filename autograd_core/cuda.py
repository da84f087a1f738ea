"""``autograd_core.cuda``: PyTorch's CUDA queries, answered honestly for an engine that runs on the CPU.

``is_available()`` is False and ``device_count()`` 0, so the usual ``device = "cuda" if
torch.cuda.is_available() else "cpu"`` picks the CPU. Seeding is a no-op (there is no CUDA generator);
anything that would need a CUDA device raises RuntimeError ("no CUDA device: this engine runs on the CPU").
"""
from .device import _no_device


def is_available():
    """False: this engine has no CUDA device."""
    return False


def device_count():
    """0: no CUDA devices."""
    return 0


def is_initialized():
    """False: CUDA is never initialised here."""
    return False


def manual_seed(seed):
    """A no-op (there is no CUDA generator to seed); ``autograd_core.manual_seed`` seeds the CPU one."""
    int(seed)


def manual_seed_all(seed):
    """A no-op (there are no CUDA devices); ``autograd_core.manual_seed`` seeds the CPU generator."""
    int(seed)


def synchronize(device=None):
    """RuntimeError: there is no CUDA device to wait for."""
    raise RuntimeError(_no_device("cuda"))


def current_device():
    """RuntimeError: there is no CUDA device."""
    raise RuntimeError(_no_device("cuda"))


def set_device(device):
    """RuntimeError: there is no CUDA device."""
    raise RuntimeError(_no_device("cuda"))


def get_device_name(device=None):
    """RuntimeError: there is no CUDA device."""
    raise RuntimeError(_no_device("cuda"))


def empty_cache():
    """A no-op: no CUDA memory is ever allocated."""


__all__ = ["is_available", "device_count", "is_initialized", "manual_seed", "manual_seed_all", "synchronize",
           "current_device", "set_device", "get_device_name", "empty_cache"]
