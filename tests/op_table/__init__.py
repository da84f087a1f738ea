"""The op table: one row per differentiable op (``autograd_core/ops/registry.py``), driving gradchecks,
second-order checks, float32-vs-float64 and PyTorch comparisons (tests/test_ops.py); one file per op family.

Each ``fn(lib, *xs)`` is written so it runs unchanged with ``lib = autograd_core`` and ``lib = torch``.
Input domains keep samples away from the points where an op is not differentiable. ``tests/test_registry.py``
fails when a differentiable op is registered without a row here (a row's ``op`` names what it covers).
"""
import numpy as np

from . import activation, conv_pool, elementwise, linalg, loss, recurrent, reduction, shape
from . import sorting
from . import indexing
from . import activation_more, loss_more, normalization  # issue 15 (layers)
from . import attention
from . import resample
from . import decomposition, special
from .base import OpInfo, make_input  # noqa: F401

OPS = (elementwise.OPS + activation.OPS + reduction.OPS + linalg.OPS + conv_pool.OPS + shape.OPS + loss.OPS
       + recurrent.OPS)
OPS += sorting.OPS
OPS += indexing.OPS
OPS = OPS + activation_more.OPS + normalization.OPS + loss_more.OPS
OPS = OPS + attention.OPS
OPS = OPS + resample.OPS
OPS += special.OPS + decomposition.OPS

OP_NAMES = [op.name for op in OPS]


def all_cases():
    out = []
    for op in OPS:
        for i, shapes in enumerate(op.shapes):
            out.append((op, shapes, f"{op.name}-{i}"))
    return out


def n_inputs(op):
    return op.fn.__code__.co_argcount - 1   # minus ``lib``


def inputs_for(op, case, seed=0, dtype=np.float64):
    """numpy inputs for one case; a unary op's case is one shape, an n-ary op's a tuple of shapes."""
    rng = np.random.default_rng(seed)
    shapes = (case,) if n_inputs(op) == 1 else case
    domains = op.domains or (op.domain,) * len(shapes)
    return [make_input(rng, s, d, dtype) for s, d in zip(shapes, domains)]
