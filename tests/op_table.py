"""The op table: one entry per differentiable op, driving gradchecks, second-order checks, float32-vs-float64 and
PyTorch comparisons (tests/test_ops.py).

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
    domain: str = "any"                # any | positive | nonzero | kinkfree
    smooth: bool = True                # second derivatives checked
    torch_ok: bool = True              # comparable with PyTorch
    domains: tuple = field(default=None)  # per-input domains (overrides domain)

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


OPS = [
    # ---- elementwise binary (broadcast pairs)
    OpInfo("add", lambda lib, a, b: a + b, BINARY_SHAPES),
    OpInfo("sub", lambda lib, a, b: a - b, BINARY_SHAPES),
    OpInfo("mul", lambda lib, a, b: a * b, BINARY_SHAPES),
    OpInfo("div", lambda lib, a, b: a / b, BINARY_SHAPES, domains=("any", "nonzero")),
    OpInfo("pow_tensor", lambda lib, a, b: a ** b, BINARY_SHAPES, domains=("positive", "any")),
    OpInfo("maximum", lambda lib, a, b: lib.maximum(a, b), BINARY_SHAPES, smooth=False),
    OpInfo("minimum", lambda lib, a, b: lib.minimum(a, b), BINARY_SHAPES, smooth=False),
    OpInfo("radd_rsub_rmul_rdiv", lambda lib, a: 2.0 - (3.0 * a + 1.0) / 2.5 + 1.5 / a, UNARY_SHAPES,
           domain="nonzero"),
    OpInfo("rpow", lambda lib, a: 2.0 ** a, UNARY_SHAPES),
    # ---- elementwise unary
    OpInfo("neg", lambda lib, a: -a, UNARY_SHAPES),
    OpInfo("pow_scalar", lambda lib, a: a ** 3, UNARY_SHAPES),
    OpInfo("pow_scalar_frac", lambda lib, a: a ** 1.5, UNARY_SHAPES, domain="positive"),
    OpInfo("pow_scalar_neg", lambda lib, a: a ** -2, UNARY_SHAPES, domain="nonzero"),
    OpInfo("exp", lambda lib, a: a.exp(), UNARY_SHAPES),
    OpInfo("log", lambda lib, a: a.log(), UNARY_SHAPES, domain="positive"),
    OpInfo("sqrt", lambda lib, a: a.sqrt(), UNARY_SHAPES, domain="positive"),
    OpInfo("abs", lambda lib, a: a.abs(), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("sin", lambda lib, a: a.sin(), UNARY_SHAPES),
    OpInfo("cos", lambda lib, a: a.cos(), UNARY_SHAPES),
    OpInfo("tanh", lambda lib, a: a.tanh(), UNARY_SHAPES),
    OpInfo("sigmoid", lambda lib, a: a.sigmoid(), UNARY_SHAPES),
    OpInfo("relu", lambda lib, a: a.relu(), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("leaky_relu", lambda lib, a: _F(lib).leaky_relu(a, 0.1), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("clamp", lambda lib, a: a.clamp(-0.5, 1.0), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("clamp_min", lambda lib, a: lib.clamp(a, min=0.0), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("where", lambda lib, a, b: lib.where(a > 0, a, b), BINARY_SHAPES),
    # ---- reductions
    OpInfo("sum", lambda lib, a: a.sum(), UNARY_SHAPES),
    OpInfo("sum_dim", lambda lib, a: a.sum(dim=1), [(3, 4), (2, 3, 4)]),
    OpInfo("sum_dims_keepdim", lambda lib, a: a.sum(dim=(0, -1), keepdim=True), [(3, 4), (2, 3, 4)]),
    OpInfo("mean", lambda lib, a: a.mean(), UNARY_SHAPES),
    OpInfo("mean_dim", lambda lib, a: a.mean(dim=-1, keepdim=True), [(3, 4), (2, 1, 3)]),
    OpInfo("var", lambda lib, a: a.var(), [(3, 4), (5,)]),
    OpInfo("var_dim", lambda lib, a: a.var(dim=0, unbiased=False), [(3, 4), (2, 3, 4)]),
    OpInfo("std", lambda lib, a: a.std(dim=(0, 1), keepdim=True), [(3, 4), (2, 3, 4)]),
    OpInfo("max", lambda lib, a: a.max(), [(3, 4), (5,)], smooth=False),
    OpInfo("min", lambda lib, a: a.min(), [(3, 4), (5,)], smooth=False),
    OpInfo("max_dim", lambda lib, a: a.max(dim=1).values, [(3, 4), (2, 3, 4)], smooth=False),
    OpInfo("min_dim_keepdim", lambda lib, a: a.min(dim=0, keepdim=True)[0], [(3, 4), (2, 3, 4)], smooth=False),
    OpInfo("amax", lambda lib, a: lib.amax(a, dim=(0, 1)), [(3, 4), (2, 3, 4)], smooth=False),
    OpInfo("logsumexp", lambda lib, a: lib.logsumexp(a, dim=1), [(3, 4), (2, 3, 4)]),
    OpInfo("softmax", lambda lib, a: lib.softmax(a, dim=-1), [(3, 4), (2, 3, 4), (5,)]),
    OpInfo("softmax_dim0", lambda lib, a: lib.softmax(a, dim=0), [(3, 4)]),
    OpInfo("log_softmax", lambda lib, a: lib.log_softmax(a, dim=1), [(3, 4), (2, 3, 4)]),
    OpInfo("prod", lambda lib, a: a.prod(dim=1), [(3, 4)], domain="nonzero"),
    # ---- linear algebra
    OpInfo("matmul_2d", lambda lib, a, b: a @ b, [((3, 4), (4, 5)), ((1, 4), (4, 1))]),
    OpInfo("matmul_1d", lambda lib, a, b: a @ b, [((4,), (4,)), ((4,), (4, 3)), ((3, 4), (4,)), ((4,), (2, 4, 3))]),
    OpInfo("matmul_batched", lambda lib, a, b: lib.matmul(a, b),
           [((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2))]),
    OpInfo("linear", lambda lib, x, w, b: _F(lib).linear(x, w, b),
           [((5, 4), (3, 4), (3,)), ((2, 5, 4), (3, 4), (3,)), ((4,), (3, 4), (3,))]),
    # ---- convolution and pooling (numba kernels)
    OpInfo("conv2d", lambda lib, x, w, b: _NF(lib).conv2d(x, w, b, stride=2, padding=1),
           [((2, 3, 5, 6), (4, 3, 3, 2), (4,)), ((1, 2, 4, 4), (3, 2, 1, 1), (3,))]),
    OpInfo("conv2d_dilated_grouped", lambda lib, x, w: _NF(lib).conv2d(x, w, dilation=2, groups=2, padding="same"),
           [((2, 4, 6, 5), (4, 2, 3, 3))]),
    OpInfo("conv1d", lambda lib, x, w, b: _NF(lib).conv1d(x, w, b, padding=2), [((2, 3, 7), (2, 3, 3), (2,))]),
    OpInfo("unfold", lambda lib, x: _NF(lib).unfold(x, (2, 3), padding=1, stride=(2, 1)), [(2, 2, 4, 5)]),
    OpInfo("fold", lambda lib, x: _NF(lib).fold(x, (4, 5), (2, 2)), [(2, 8, 12)]),
    OpInfo("max_pool2d", lambda lib, x: _NF(lib).max_pool2d(x, 2), [(2, 3, 4, 6)], smooth=False),
    OpInfo("max_pool2d_padded_ceil", lambda lib, x: _NF(lib).max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
           [(1, 2, 5, 6)], smooth=False),
    OpInfo("max_pool1d", lambda lib, x: _NF(lib).max_pool1d(x, 3, stride=2), [(2, 3, 9)], smooth=False),
    OpInfo("avg_pool2d", lambda lib, x: _NF(lib).avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
           [(2, 2, 5, 6)]),
    OpInfo("avg_pool1d", lambda lib, x: _NF(lib).avg_pool1d(x, 2), [(2, 3, 8)]),
    OpInfo("adaptive_avg_pool2d", lambda lib, x: _NF(lib).adaptive_avg_pool2d(x, (1, 1)), [(2, 3, 5, 4)]),
    OpInfo("adaptive_avg_pool2d_3x2", lambda lib, x: _NF(lib).adaptive_avg_pool2d(x, (3, 2)), [(1, 2, 7, 5)]),
    # ---- shape ops
    OpInfo("reshape", lambda lib, a: a.reshape(2, -1), [(3, 4), (2, 3, 2)]),
    OpInfo("view", lambda lib, a: a.view(-1), [(3, 4), ()]),
    OpInfo("flatten", lambda lib, a: a.flatten(1), [(2, 3, 4)]),
    OpInfo("transpose", lambda lib, a: a.transpose(0, -1), [(3, 4), (2, 3, 4)]),
    OpInfo("T", lambda lib, a: a.T * 1.0, [(3, 4)]),
    OpInfo("permute", lambda lib, a: a.permute(2, 0, 1), [(2, 3, 4)]),
    OpInfo("squeeze", lambda lib, a: a.squeeze(1), [(3, 1, 4), (2, 1)]),
    OpInfo("squeeze_all", lambda lib, a: a.squeeze(), [(1, 3, 1)]),
    OpInfo("unsqueeze", lambda lib, a: a.unsqueeze(-1), [(3, 4), ()]),
    OpInfo("expand", lambda lib, a: a.expand(2, 3, 4), [(3, 1), (1, 4), ()]),
    OpInfo("getitem_int_slice", lambda lib, a: a[1, 1:3], [(3, 4)]),
    OpInfo("getitem_none_ellipsis", lambda lib, a: a[None, ..., 0], [(3, 4), (2, 3, 4)]),
    OpInfo("getitem_negative_index", lambda lib, a: a[-1, ::2], [(3, 4)]),
    OpInfo("getitem_negative_step", lambda lib, a: a[::-1, 3:0:-2], [(3, 4)], torch_ok=False),
    OpInfo("getitem_bool_mask", lambda lib, a: a[a > 0], [(3, 4)]),
    OpInfo("getitem_advanced_repeated", lambda lib, a: a[[0, 2, 0, 0], 1:], [(3, 4)]),
    OpInfo("getitem_advanced_pairs", lambda lib, a: a[[0, 1, 1], [2, 2, 0]], [(3, 4)]),
    OpInfo("index_put", _index_put, [((3, 4), (4,)), ((3, 4), ())]),
    OpInfo("gather", lambda lib, a: a.gather(1, lib.tensor([[0, 0, 2], [1, 1, 1], [2, 0, 3]])), [(3, 4)]),
    OpInfo("index_select", lambda lib, a: lib.index_select(a, 0, lib.tensor([2, 0, 2])), [(3, 4)]),
    OpInfo("cat", lambda lib, a, b: lib.cat([a, b, a], dim=-1), [((3, 2), (3, 4)), ((2, 3, 1), (2, 3, 2))]),
    OpInfo("stack", lambda lib, a, b: lib.stack([a, b], dim=1), [((3, 4), (3, 4)), ((2,), (2,))]),
    OpInfo("split", lambda lib, a: a.split(2, dim=1)[1] * 2.0 + a.split([1, 3], dim=1)[0].sum(), [(3, 4)]),
    OpInfo("chunk", lambda lib, a: lib.chunk(a, 3, dim=0)[-1], [(5, 2)]),
    OpInfo("pad", lambda lib, a: _pad(lib, a, (1, 2)), [(3, 4), (2, 3, 4)]),
    OpInfo("pad_reflect", lambda lib, a: _F(lib).pad(a, (2, 1, 1, 1), mode="reflect"), [(2, 3, 4), (1, 2, 3, 4)]),
    OpInfo("pad_replicate", lambda lib, a: _F(lib).pad(a, (2, 1), mode="replicate"), [(2, 3, 4)]),
    OpInfo("pad_circular", lambda lib, a: _F(lib).pad(a, (1, 2), mode="circular"), [(2, 3, 4)]),
    OpInfo("pad_2d", lambda lib, a: _pad(lib, a, (1, 0, 2, 1)), [(2, 3, 4)]),
]

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
