"""``autograd_core.backends``: PyTorch's backend switches. ``mps.is_available()`` is False; the ``cudnn`` flags
are plain settable attributes (``backends.cudnn.benchmark = True``) that change nothing, because no cuDNN runs
here."""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
