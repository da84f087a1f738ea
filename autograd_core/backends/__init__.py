"""``autograd_core.backends``: PyTorch's backend switches. ``mps.is_available()`` is False; the ``cudnn`` flags
are plain settable attributes (``backends.cudnn.benchmark = True``) that change nothing, because no cuDNN runs
here. ``cuda.is_built()`` is False and ``cuda.matmul.allow_tf32`` is settable, changing nothing."""
from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
