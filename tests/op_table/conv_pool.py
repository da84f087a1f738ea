"""Op-table rows: convolution and pooling (numba kernels)."""
import numpy as np

from .base import OpInfo, _NF

OPS = [
    # ---- convolution and pooling (numba kernels)
    OpInfo("conv2d", lambda lib, x, w, b: _NF(lib).conv2d(x, w, b, stride=2, padding=1),
           [((2, 3, 5, 6), (4, 3, 3, 2), (4,)), ((1, 2, 4, 4), (3, 2, 1, 1), (3,))]),
    OpInfo("conv2d_dilated_grouped", lambda lib, x, w: _NF(lib).conv2d(x, w, dilation=2, groups=2, padding="same"),
           [((2, 4, 6, 5), (4, 2, 3, 3))], op="conv2d"),
    OpInfo("conv1d", lambda lib, x, w, b: _NF(lib).conv1d(x, w, b, padding=2), [((2, 3, 7), (2, 3, 3), (2,))]),
    OpInfo("unfold", lambda lib, x: _NF(lib).unfold(x, (2, 3), padding=1, stride=(2, 1)), [(2, 2, 4, 5)]),
    OpInfo("fold", lambda lib, x: _NF(lib).fold(x, (4, 5), (2, 2)), [(2, 8, 12)]),
    OpInfo("max_pool2d", lambda lib, x: _NF(lib).max_pool2d(x, 2), [(2, 3, 4, 6)], smooth=False),
    OpInfo("max_pool2d_padded_ceil", lambda lib, x: _NF(lib).max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
           [(1, 2, 5, 6)], smooth=False, op="max_pool2d"),
    OpInfo("max_pool1d", lambda lib, x: _NF(lib).max_pool1d(x, 3, stride=2), [(2, 3, 9)], smooth=False),
    OpInfo("avg_pool2d", lambda lib, x: _NF(lib).avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
           [(2, 2, 5, 6)]),
    OpInfo("avg_pool1d", lambda lib, x: _NF(lib).avg_pool1d(x, 2), [(2, 3, 8)]),
    OpInfo("adaptive_avg_pool2d", lambda lib, x: _NF(lib).adaptive_avg_pool2d(x, (1, 1)), [(2, 3, 5, 4)]),
    OpInfo("adaptive_avg_pool2d_3x2", lambda lib, x: _NF(lib).adaptive_avg_pool2d(x, (3, 2)),
           [(1, 2, 7, 5)], op="adaptive_avg_pool2d"),
    OpInfo("adaptive_avg_pool1d", lambda lib, x: _NF(lib).adaptive_avg_pool1d(x, 3), [(2, 3, 7)]),
    OpInfo("adaptive_max_pool2d", lambda lib, x: _NF(lib).adaptive_max_pool2d(x, (2, 3)), [(1, 2, 5, 7)],
           smooth=False),
    OpInfo("adaptive_max_pool1d", lambda lib, x: _NF(lib).adaptive_max_pool1d(x, 4), [(2, 3, 9)], smooth=False),
]

# ---- 3-D convolution, transposed convolution (issue 15)
OPS += [
    OpInfo("conv3d", lambda lib, x, w, b: _NF(lib).conv3d(x, w, b, stride=(1, 2, 1), padding=1),
           [((2, 2, 4, 5, 3), (3, 2, 3, 2, 2), (3,))]),
    OpInfo("conv3d_dilated_grouped", lambda lib, x, w: _NF(lib).conv3d(x, w, dilation=(1, 2, 1), groups=2),
           [((1, 4, 3, 5, 4), (2, 2, 2, 2, 3))], op="conv3d"),
    OpInfo("conv_transpose2d", lambda lib, x, w, b: _NF(lib).conv_transpose2d(x, w, b, stride=2, padding=1,
                                                                              output_padding=1),
           [((2, 3, 3, 4), (3, 2, 3, 3), (2,))]),
    OpInfo("conv_transpose2d_grouped_dilated",
           lambda lib, x, w: _NF(lib).conv_transpose2d(x, w, stride=(1, 2), padding=(0, 1), groups=2,
                                                       dilation=(2, 1)),
           [((1, 4, 3, 3), (4, 1, 2, 3))], op="conv_transpose2d"),
    OpInfo("conv_transpose2d_output_padding_ge_stride",     # output_padding >= stride, < dilation: crop/extend path
           lambda lib, x, w, b: _NF(lib).conv_transpose2d(x, w, b, padding=1, output_padding=1, dilation=2),
           [((1, 2, 3, 3), (2, 2, 2, 2), (2,))], op="conv_transpose2d"),
    OpInfo("conv_transpose1d", lambda lib, x, w, b: _NF(lib).conv_transpose1d(x, w, b, stride=3, padding=1,
                                                                              output_padding=2),
           [((2, 3, 4), (3, 2, 3), (2,))]),
    OpInfo("conv_transpose3d", lambda lib, x, w, b: _NF(lib).conv_transpose3d(x, w, b, stride=2, padding=1,
                                                                              output_padding=(1, 0, 1)),
           [((1, 2, 2, 3, 2), (2, 2, 3, 2, 3), (2,))]),
]

# ---- 3-D pooling, unpooling, LP and fractional pooling (issue 15)
_POOLED = np.random.default_rng(3).standard_normal((2, 3, 4, 6))     # indices for the unpool rows


def _unpool2d(lib, x):
    _, idx = _NF(lib).max_pool2d(lib.tensor(_POOLED), 2, return_indices=True)
    return _NF(lib).max_unpool2d(x, idx, 2)


def _unpool1d(lib, x):
    _, idx = _NF(lib).max_pool1d(lib.tensor(_POOLED[0]), 2, return_indices=True)
    return _NF(lib).max_unpool1d(x, idx, 2, output_size=(7,))


def _unpool3d(lib, x):
    _, idx = _NF(lib).max_pool3d(lib.tensor(_POOLED[:, :, None].repeat(2, axis=2)), 2, return_indices=True)
    return _NF(lib).max_unpool3d(x, idx, 2)


def _fractional(lib, x, nd):
    samples = np.random.default_rng(4).random((x.shape[0], x.shape[1], nd))
    fn = _NF(lib).fractional_max_pool2d if nd == 2 else _NF(lib).fractional_max_pool3d
    out = (3, 4) if nd == 2 else (2, 2, 3)
    return fn(x, 2, output_size=out, _random_samples=lib.tensor(samples, dtype=x.dtype))


OPS += [
    OpInfo("max_pool3d", lambda lib, x: _NF(lib).max_pool3d(x, 2, stride=(1, 2, 2), padding=(1, 0, 1)),
           [(2, 2, 3, 4, 5)], smooth=False),
    OpInfo("max_pool3d_dilated_ceil", lambda lib, x: _NF(lib).max_pool3d(x, 2, stride=2, dilation=(1, 2, 1),
                                                                         ceil_mode=True),
           [(1, 2, 5, 6, 5)], smooth=False, op="max_pool3d"),
    OpInfo("avg_pool3d", lambda lib, x: _NF(lib).avg_pool3d(x, 3, stride=2, padding=1, count_include_pad=False),
           [(2, 2, 4, 5, 6)]),
    OpInfo("avg_pool3d_ceil_divisor", lambda lib, x: _NF(lib).avg_pool3d(x, 2, stride=(2, 1, 3), ceil_mode=True,
                                                                         divisor_override=3),
           [(1, 2, 5, 3, 7)], op="avg_pool3d"),
    OpInfo("adaptive_avg_pool3d", lambda lib, x: _NF(lib).adaptive_avg_pool3d(x, (2, None, 3)), [(2, 2, 5, 3, 7)]),
    OpInfo("max_unpool2d", _unpool2d, [(2, 3, 2, 3)]),
    OpInfo("max_unpool1d", _unpool1d, [(3, 4, 3)]),
    OpInfo("max_unpool3d", _unpool3d, [(2, 3, 1, 2, 3)]),
    OpInfo("lp_pool2d", lambda lib, x: _NF(lib).lp_pool2d(x, 2.5, (2, 3), stride=(1, 2)), [(2, 2, 4, 5)],
           domain="positive"),
    OpInfo("lp_pool2d_p1_ceil", lambda lib, x: _NF(lib).lp_pool2d(x, 1, 2, ceil_mode=True), [(1, 2, 5, 5)],
           domain="positive", op="lp_pool2d"),
    OpInfo("lp_pool1d", lambda lib, x: _NF(lib).lp_pool1d(x, 2, 3, stride=2), [(2, 3, 9)], domain="positive"),
    OpInfo("lp_pool3d", lambda lib, x: _NF(lib).lp_pool3d(x, 3, 2), [(1, 2, 4, 4, 5)], domain="positive"),
    OpInfo("fractional_max_pool2d", lambda lib, x: _fractional(lib, x, 2), [(2, 3, 7, 8)], smooth=False),
    OpInfo("fractional_max_pool3d", lambda lib, x: _fractional(lib, x, 3), [(1, 2, 5, 5, 6)], smooth=False),
]
