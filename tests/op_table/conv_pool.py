"""Op-table rows: convolution and pooling (numba kernels)."""
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
