"""Op-table rows: resampling (interpolate, pixel shuffle) and spatial transformers (affine_grid, grid_sample)."""
from .base import OpInfo, _NF


def _interp(mode, align_corners=None, **kw):
    return lambda lib, x: _NF(lib).interpolate(x, mode=mode, align_corners=align_corners, **kw)


OPS = [
    OpInfo("interpolate_nearest", _interp("nearest", size=(5, 7)), [(2, 2, 3, 4)], op="interpolate"),
    OpInfo("interpolate_nearest_scale", _interp("nearest", scale_factor=1.5), [(1, 2, 5)], op="interpolate"),
    OpInfo("interpolate_nearest_exact", _interp("nearest-exact", scale_factor=(0.6, 2.0, 1.7)), [(1, 2, 5, 3, 4)],
           op="interpolate"),
    OpInfo("interpolate_linear", _interp("linear", False, size=7), [(2, 3, 4)], op="interpolate"),
    OpInfo("interpolate_bilinear", _interp("bilinear", False, scale_factor=(1.5, 0.7)), [(2, 2, 4, 5)],
           op="interpolate"),
    OpInfo("interpolate_bilinear_align", _interp("bilinear", True, size=(7, 3)), [(1, 2, 4, 5)], op="interpolate"),
    OpInfo("interpolate_bicubic", _interp("bicubic", False, size=(6, 7)), [(1, 2, 4, 5)], op="interpolate"),
    OpInfo("interpolate_bicubic_align", _interp("bicubic", True, scale_factor=2, recompute_scale_factor=True),
           [(1, 1, 3, 4)], op="interpolate"),
    OpInfo("interpolate_trilinear", _interp("trilinear", False, size=(3, 5, 4)), [(1, 2, 2, 3, 5)],
           op="interpolate"),
    OpInfo("interpolate_area", _interp("area", size=(2, 3, 2)), [(1, 2, 5, 4, 3)], op="interpolate"),
    OpInfo("pixel_shuffle", lambda lib, x: _NF(lib).pixel_shuffle(x, 2), [(2, 8, 2, 3), (3, 1, 4, 2, 2)]),
    OpInfo("pixel_unshuffle", lambda lib, x: _NF(lib).pixel_unshuffle(x, 2), [(2, 2, 4, 6)]),
    OpInfo("affine_grid", lambda lib, t: _NF(lib).affine_grid(t, [2, 3, 4, 5], align_corners=False),
           [(2, 2, 3)]),
    OpInfo("affine_grid_3d", lambda lib, t: _NF(lib).affine_grid(t, [1, 2, 3, 4, 2], align_corners=True),
           [(1, 3, 4)], op="affine_grid"),
    OpInfo("grid_sample", lambda lib, x, g: _NF(lib).grid_sample(x, g, align_corners=False),
           [((2, 2, 4, 5), (2, 3, 2, 2))]),
    OpInfo("grid_sample_border_align",
           lambda lib, x, g: _NF(lib).grid_sample(x, g, padding_mode="border", align_corners=True),
           [((1, 2, 3, 4), (1, 2, 3, 2))], op="grid_sample"),
    OpInfo("grid_sample_reflection",
           lambda lib, x, g: _NF(lib).grid_sample(x * 1.0, g * 1.5, padding_mode="reflection", align_corners=False),
           [((1, 2, 3, 4), (1, 3, 2, 2))], op="grid_sample"),
    OpInfo("grid_sample_nearest", lambda lib, x, g: _NF(lib).grid_sample(x, g, mode="nearest", align_corners=False),
           [((1, 2, 3, 4), (1, 3, 2, 2))], op="grid_sample", smooth=False),
    OpInfo("grid_sample_3d", lambda lib, x, g: _NF(lib).grid_sample(x, g, align_corners=False),
           [((1, 2, 3, 4, 2), (1, 2, 2, 1, 3))], op="grid_sample"),
]
