"""Tensor methods and Python operators, each delegating to a function in ``autograd_core.ops``."""
import numpy as np

from . import ops
from .tensor import Tensor
from .ops.elementwise import as_tensor


def _r(f):
    """Reflected operator: ``2 - t`` -> ``sub(2, t)``."""
    return lambda self, other: f(as_tensor(other, self), self)


def _inplace(f):
    """In-place version of an op (``add_``, ``__iadd__``...): computes out of place, then writes into this tensor's
    memory and bumps its version, so a graph that saved the old value raises at backward instead of going wrong."""
    def method(self, *args, **kwargs):
        from . import grad_mode
        if grad_mode.is_grad_enabled() and self._requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation; "
                               "wrap it in `with no_grad():` (as optimizers do)")
        out = f(self, *args, **kwargs)
        return self._assign(out)
    method.__name__ = f.__name__ + "_"
    return method


def _assign(self, out):
    """Write ``out`` into this tensor in place; the tensor then stands for ``out`` in the graph.

    Nodes recorded earlier keep their edges (``Function.input_fns``), so they still mean the old value. A node that
    saved the old value for backward gets a private copy of it; any other saved reference sees the version bump.
    """
    from . import grad_mode
    data = out._data
    if data.shape != self._data.shape:
        if np.broadcast_shapes(data.shape, self._data.shape) != self._data.shape:
            raise RuntimeError(f"in-place op: output of shape {out.shape} doesn't match the tensor's shape "
                               f"{self._data.shape}")
        data = np.broadcast_to(data, self._data.shape)
    node = out.grad_fn
    if grad_mode.is_grad_enabled() and out._requires_grad and node is not None:
        if node._saved is not None and any(t is self for t in node._saved):
            old = Tensor._make(self._data.copy())
            node._saved = tuple(old if t is self else t for t in node._saved)
            node._saved_versions = tuple(0 if t is old else v for t, v in zip(node._saved, node._saved_versions))
        self._data[...] = data
        self.grad_fn = node
        self._requires_grad = True
        if node._out_ref is out:
            node._out_ref = self
            node._out_version = self._version[0] + 1
    else:
        self._data[...] = data
    self._bump_version()
    return self


Tensor._assign = _assign

_BINARY = {
    "add": ops.add, "sub": ops.sub, "mul": ops.mul, "div": ops.div, "pow": ops.pow, "matmul": ops.matmul,
    "maximum": ops.maximum, "minimum": ops.minimum, "true_divide": ops.div, "divide": ops.div,
    "multiply": ops.mul, "subtract": ops.sub,
    "eq": ops.eq, "ne": ops.ne, "lt": ops.lt, "le": ops.le, "gt": ops.gt, "ge": ops.ge,
    "logical_and": ops.logical_and, "logical_or": ops.logical_or, "logical_xor": ops.logical_xor,
    "mm": ops.mm, "bmm": ops.bmm, "dot": ops.dot, "outer": ops.outer, "expand_as": ops.expand_as,
    "allclose": ops.allclose, "equal": ops.equal,
}
_UNARY = {
    "neg": ops.neg, "negative": ops.neg, "exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt, "rsqrt": ops.rsqrt,
    "abs": ops.abs, "sin": ops.sin, "cos": ops.cos, "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu,
    "square": ops.square, "reciprocal": ops.reciprocal, "log1p": ops.log1p, "expm1": ops.expm1, "sign": ops.sign,
    "logical_not": ops.logical_not, "isnan": ops.isnan, "isinf": ops.isinf, "isfinite": ops.isfinite,
    "t": ops.t,
}
_OTHER = {
    "leaky_relu": ops.leaky_relu, "clamp": ops.clamp, "clip": ops.clip, "sum": ops.sum, "mean": ops.mean,
    "var": ops.var, "std": ops.std, "max": ops.max, "min": ops.min, "amax": ops.amax, "amin": ops.amin,
    "argmax": ops.argmax, "argmin": ops.argmin, "logsumexp": ops.logsumexp, "softmax": ops.softmax,
    "log_softmax": ops.log_softmax, "prod": ops.prod, "reshape": ops.reshape, "view": ops.view,
    "flatten": ops.flatten, "unflatten": ops.unflatten, "permute": ops.permute, "transpose": ops.transpose,
    "swapaxes": ops.swapaxes, "squeeze": ops.squeeze, "unsqueeze": ops.unsqueeze, "expand": ops.expand,
    "broadcast_to": ops.broadcast_to, "gather": ops.gather, "index_select": ops.index_select, "split": ops.split, "chunk": ops.chunk, "unbind": ops.unbind,
}

for _name, _f in {**_BINARY, **_UNARY, **_OTHER}.items():
    setattr(Tensor, _name, _f)


def _where(self, condition, other):
    return ops.where(condition, self, other)


def _view_as(self, other):
    return ops.reshape(self, other.shape)


def _reshape_as(self, other):
    return ops.reshape(self, other.shape)


def _masked_fill(self, mask, value):
    return ops.where(mask, as_tensor(value, self), self)


Tensor.where = _where
Tensor.view_as = _view_as
Tensor.reshape_as = _reshape_as
Tensor.masked_fill = _masked_fill
Tensor.__getitem__ = ops.getitem
Tensor.__setitem__ = ops.setitem

Tensor.__add__ = ops.add
Tensor.__radd__ = _r(ops.add)
Tensor.__sub__ = ops.sub
Tensor.__rsub__ = _r(ops.sub)
Tensor.__mul__ = ops.mul
Tensor.__rmul__ = _r(ops.mul)
Tensor.__truediv__ = ops.div
Tensor.__rtruediv__ = _r(ops.div)
Tensor.__pow__ = ops.pow
Tensor.__rpow__ = _r(ops.pow)
Tensor.__matmul__ = ops.matmul
Tensor.__rmatmul__ = _r(ops.matmul)
Tensor.__neg__ = ops.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = ops.abs
Tensor.__eq__ = ops.eq
Tensor.__ne__ = ops.ne
Tensor.__lt__ = ops.lt
Tensor.__le__ = ops.le
Tensor.__gt__ = ops.gt
Tensor.__ge__ = ops.ge
Tensor.__and__ = ops.logical_and
Tensor.__or__ = ops.logical_or
Tensor.__xor__ = ops.logical_xor
Tensor.__invert__ = ops.logical_not
Tensor.__floordiv__ = lambda self, other: ops.div(self, other, rounding_mode="floor")
Tensor.__mod__ = lambda self, other: Tensor._make(np.asarray(np.mod(self._data, as_tensor(other, self)._data)))

# in-place ops
for _name, _f in {"add": ops.add, "sub": ops.sub, "mul": ops.mul, "div": ops.div, "pow": ops.pow,
                  "clamp": ops.clamp, "clip": ops.clip, "neg": ops.neg, "exp": ops.exp, "log": ops.log,
                  "sqrt": ops.sqrt, "abs": ops.abs, "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu,
                  "masked_fill": _masked_fill}.items():
    setattr(Tensor, _name + "_", _inplace(_f))
Tensor.__iadd__ = _inplace(ops.add)
Tensor.__isub__ = _inplace(ops.sub)
Tensor.__imul__ = _inplace(ops.mul)
Tensor.__itruediv__ = _inplace(ops.div)
Tensor.__ipow__ = _inplace(ops.pow)


def _fill_from(self, array):
    from . import grad_mode
    if grad_mode.is_grad_enabled() and self._requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation; "
                           "wrap it in `with no_grad():`")
    self._data[...] = array
    self._bump_version()
    return self


def _zero_(self):
    return _fill_from(self, 0)


def _fill_(self, value):
    return _fill_from(self, value._data if isinstance(value, Tensor) else value)


def _copy_(self, src):
    src = src._data if isinstance(src, Tensor) else np.asarray(src)
    return _fill_from(self, src)


def _normal_(self, mean=0.0, std=1.0, generator=None):
    from .random import default_generator
    g = generator or default_generator()
    return _fill_from(self, g.normal(mean, std, size=self.shape))


def _uniform_(self, a=0.0, b=1.0, generator=None):
    from .random import default_generator
    g = generator or default_generator()
    return _fill_from(self, g.uniform(a, b, size=self.shape))


Tensor.zero_ = _zero_
Tensor.fill_ = _fill_
Tensor.copy_ = _copy_
Tensor.normal_ = _normal_
Tensor.uniform_ = _uniform_
