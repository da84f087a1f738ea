"""What an op-table row is, and the helpers the rows share (see ``op_table/__init__.py``).

Each ``fn(lib, *xs)`` is written so it runs unchanged with ``lib = autograd_core`` and ``lib = torch``.
Input domains keep samples away from the points where an op is not differentiable.
"""
from dataclasses import dataclass, field

import numpy as np

BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((1,), (2, 3)), ((2, 3), ())]
UNARY_SHAPES = [(), (1,), (3, 4), (2, 1, 3)]
MATRIX_SHAPES = [(3, 4), (2, 3, 4), (1, 5)]


@dataclass
class OpInfo:
    name: str
    fn: callable
    shapes: list                       # one tuple of input shapes per case
    domain: str = "any"                # any | positive | nonzero | kinkfree | distinct | zeros
    smooth: bool = True                # second derivatives checked
    torch_ok: bool = True              # comparable with PyTorch
    domains: tuple = field(default=None)  # per-input domains (overrides domain)
    op: str = None                     # the registered op this row covers (autograd_core/ops/registry.py); default name

    @property
    def covers(self):
        return self.op or self.name

    def cases(self):
        return [(self, shapes) for shapes in self.shapes]


def make_input(rng, shape, domain, dtype=np.float64):
    x = rng.standard_normal(shape)
    if domain == "positive":
        x = np.abs(x) + 0.5
    elif domain == "nonzero":
        x = np.where(x >= 0, 1.0, -1.0) * (np.abs(x) + 0.5)
    elif domain == "kinkfree":
        # away from 0, +-0.5 and +-1 (kinks of relu/abs/clamp/leaky_relu) by far more than the FD step
        x = rng.choice([-2.1, -1.3, -0.7, -0.2, 0.2, 0.7, 1.3, 2.1], size=shape) + 0.01 * rng.standard_normal(shape)
    elif domain == "distinct":
        # all elements at least 0.3 apart (sort, topk, median...: a finite-difference step never reorders them)
        n = int(np.prod(shape))
        x = ((rng.permutation(n) - n / 2) * 0.5 + rng.uniform(-0.1, 0.1, n)).reshape(shape)
    elif domain == "zeros":
        # exact zeros at every third element (cumprod, prod: the gradient with zeros in the input)
        x = np.where(np.arange(x.size).reshape(shape) % 3 == 1, 0.0, x)
    return np.asarray(x, dtype=dtype)


def _F(lib):
    return lib.nn.functional if lib.__name__ == "torch" else lib


def _NF(lib):
    """``nn.functional`` of either library (conv and pooling live there)."""
    if lib.__name__ == "torch":
        return lib.nn.functional
    import nn.functional
    return nn.functional


def _pad(lib, x, p):
    return _F(lib).pad(x, p)


def _index_put(lib, a, v):
    y = a * 1.0
    y[1] = v * 2.0
    y[0, 1:3] = 5.0
    return y
