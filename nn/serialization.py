"""``nn.save(obj, f)`` / ``nn.load(f)``: the same functions as ``autograd_core.save`` / ``autograd_core.load``.

One implementation lives in :mod:`autograd_core.serialization` (formats, atomic writes, checksums, errors); this
module keeps the ``nn`` names and the old import paths (``from nn.serialization import save, load``) working.

Example::

    >>> nn.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3}, 'ckpt.npz')
    >>> ckpt = nn.load('ckpt.npz')
    >>> model.load_state_dict(ckpt['model'])
    >>> nn.save(model.state_dict(), 'model.safetensors')       # the format PyTorch's ecosystem reads
"""
from autograd_core.errors import CheckpointError
from autograd_core.serialization import FORMAT, VERSION, atomic_write, load, save

__all__ = ["save", "load", "CheckpointError", "FORMAT", "VERSION", "atomic_write"]
