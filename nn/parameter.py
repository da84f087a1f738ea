"""``Parameter``: a Tensor that a Module registers as learnable when assigned as an attribute."""
import numpy as np

from autograd_core.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` by default, registered by ``Module.__setattr__``.

    Example::

        self.weight = Parameter(autograd_core.randn(3, 4))
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data._data if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module (``self.x = Buffer(t)``)."""

    __slots__ = ("persistent",)

    def __init__(self, data, persistent=True):
        super().__init__(data._data if isinstance(data, Tensor) else data)
        self.persistent = persistent
