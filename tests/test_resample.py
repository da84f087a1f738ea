"""interpolate / Upsample* / PixelShuffle / PixelUnshuffle / affine_grid / grid_sample against PyTorch (outputs and
gradients over a grid of modes, sizes, scale factors, align_corners and dtypes), gradchecks through the modules,
and the argument checks."""
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.errors import ArgumentError, ShapeError
from parity_helpers import TOL, check_module, gradcheck_module

DTYPES = [np.float64, np.float32]
MODES = {3: ["nearest", "nearest-exact", "linear", "area"], 4: ["nearest", "nearest-exact", "bilinear", "bicubic",
                                                                 "area"],
         5: ["nearest", "nearest-exact", "trilinear", "area"]}
SIZES = [dict(size=3), dict(size=8), dict(size=11), dict(scale_factor=2), dict(scale_factor=1.5),
         dict(scale_factor=0.6), dict(scale_factor=2.01), dict(scale_factor=1.1), dict(scale_factor=3.7),
         dict(scale_factor=2.3, recompute_scale_factor=True), dict(size=1)]


def _compare(fn_ours, fn_torch, arrays, dtype, exact_grad=True):
    torch = pytest.importorskip("torch")
    xo = [ag.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    xt = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    yo, yt = fn_ours(*xo), fn_torch(*xt)
    assert yo.shape == tuple(yt.shape) and yo.dtype == dtype
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), **TOL[dtype])
    g = np.random.default_rng(1).standard_normal(yo.shape).astype(dtype)
    yo.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(xo, xt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **TOL[dtype])


def _interp_cases():
    cases = []
    for ndim, modes in MODES.items():
        for mode in modes:
            for aligned in ([None] if mode in ("nearest", "nearest-exact", "area") else [False, True]):
                for i, kw in enumerate(SIZES):
                    cases.append(pytest.param(ndim, mode, aligned, kw, id=f"{ndim}d-{mode}-{aligned}-{i}"))
    return cases


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("ndim,mode,align_corners,kw", _interp_cases())
def test_interpolate_matches_torch(ndim, mode, align_corners, kw, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shape = {3: (2, 3, 5), 4: (2, 3, 5, 4), 5: (1, 2, 4, 5, 3)}[ndim]
    x = rng.standard_normal(shape)
    _compare(lambda t: F.interpolate(t, mode=mode, align_corners=align_corners, **kw),
             lambda t: torch.nn.functional.interpolate(t, mode=mode, align_corners=align_corners, **kw), [x], dtype)


@pytest.mark.parametrize("in_size", [3, 4, 5, 7, 9, 13, 16])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("ndim", [3, 4, 5])
def test_nearest_picks_torch_pixels_for_many_sizes(ndim, mode, in_size):
    """Nearest modes are discontinuous: the indices must be PyTorch's exactly (float32 coordinates, its 2-D
    kernel's own rule, the backward's rule), over many output sizes and scale factors."""
    torch = pytest.importorskip("torch")
    shape = (1, 2) + (in_size,) * (ndim - 2)
    x = np.random.default_rng(0).standard_normal(shape)
    for kw in [dict(size=s) for s in (1, 2, in_size - 1, in_size + 1, 2 * in_size, 2 * in_size + 1, 3 * in_size)] + \
            [dict(scale_factor=s) for s in (0.3, 0.75, 1.1, 1.9, 2.0, 2.01, 2.5, 3.3)]:
        out = kw.get("size", int(in_size * kw.get("scale_factor", 1)))
        if out < 1 or (out > 40 and ndim == 5):
            continue
        for dtype in DTYPES:
            _compare(lambda t: F.interpolate(t, mode=mode, **kw),
                     lambda t: torch.nn.functional.interpolate(t, mode=mode, **kw), [x], dtype)


def test_interpolate_integer_tensor_nearest():
    x = ag.tensor(np.arange(6).reshape(1, 1, 2, 3))
    out = F.interpolate(x, scale_factor=2)
    assert out.dtype == np.int64 and out.shape == (1, 1, 4, 6)
    np.testing.assert_array_equal(out.numpy()[0, 0, ::2, ::2], x.numpy()[0, 0])


@pytest.mark.parametrize("mode,kw", [("bilinear", dict(scale_factor=(1.5, 0.7), align_corners=False)),
                                     ("bicubic", dict(size=(5, 4), align_corners=True)),
                                     ("nearest", dict(scale_factor=2)), ("area", dict(size=(2, 3)))])
def test_interpolate_gradgradcheck(mode, kw):
    x = ag.tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda t: F.interpolate(t, mode=mode, **kw), [x])
    assert ag.gradgradcheck(lambda t: F.interpolate(t, mode=mode, **kw), [x])


# ------------------------------------------------------------------------------------------------ modules

UPSAMPLE = [
    (lambda m: m.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda m: m.Upsample(size=7, mode="linear"), (2, 3, 4)),
    (lambda m: m.Upsample(size=(5, 6), mode="bilinear", align_corners=True), (2, 3, 4, 5)),
    (lambda m: m.Upsample(scale_factor=(1.5, 2.0), mode="bicubic"), (1, 2, 4, 5)),
    (lambda m: m.Upsample(scale_factor=(2.0, 1.5, 1.0), mode="trilinear"), (1, 2, 3, 4, 5)),
    (lambda m: m.Upsample(scale_factor=1.7, mode="nearest-exact", recompute_scale_factor=True), (1, 2, 3, 4, 5)),
    (lambda m: m.Upsample(size=(2, 3), mode="area"), (1, 2, 5, 7)),
    (lambda m: m.UpsamplingNearest2d(scale_factor=3), (2, 1, 3, 2)),
    (lambda m: m.UpsamplingNearest2d(size=(5, 4)), (2, 1, 3, 2)),
    (lambda m: m.UpsamplingBilinear2d(scale_factor=2), (2, 3, 3, 4)),
    (lambda m: m.UpsamplingBilinear2d(size=(4, 7)), (2, 3, 3, 4)),
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 4)),
    (lambda m: m.PixelShuffle(3), (9, 2, 2)),
    (lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6)),
    (lambda m: m.PixelUnshuffle(3), (2, 1, 1, 6, 3)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("build,shape", UPSAMPLE, ids=[f"u{i}" for i in range(len(UPSAMPLE))])
def test_upsampling_modules_match_torch(build, shape, dtype):
    check_module(build, shape, dtype=dtype)


@pytest.mark.parametrize("build,shape", [UPSAMPLE[i] for i in (2, 3, 11, 13)], ids=["bilinear", "bicubic",
                                                                                    "shuffle", "unshuffle"])
def test_upsampling_modules_gradcheck(build, shape):
    gradcheck_module(build, shape)


def test_upsample_attributes_and_repr_follow_torch():
    m = nn.Upsample(scale_factor=(2, 3), mode="bilinear")
    assert m.scale_factor == (2.0, 3.0) and m.size is None and m.name == "Upsample"
    assert repr(m) == "Upsample(scale_factor=(2.0, 3.0), mode='bilinear')"
    assert repr(nn.UpsamplingBilinear2d(size=(3, 4))) == "UpsamplingBilinear2d(size=(3, 4), mode='bilinear')"
    assert nn.UpsamplingBilinear2d(size=3).align_corners is True
    assert repr(nn.PixelUnshuffle(2)) == "PixelUnshuffle(downscale_factor=2)"


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(size=3, scale_factor=2), ValueError, "only one of size or scale_factor should be defined"),
    (dict(), ValueError, "either size or scale_factor should be defined"),
    (dict(size=3, mode="foo"), NotImplementedError, "mode"),
    (dict(size=3, mode="nearest", align_corners=True), ValueError, "align_corners option can only be set"),
    (dict(size=0), RuntimeError, "size"),
    (dict(scale_factor=-2), RuntimeError, "scale_factor"),
    (dict(size=3, recompute_scale_factor=True), ValueError, "recompute_scale_factor is not meaningful"),
])
def test_upsample_checks_its_arguments_at_construction(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        nn.Upsample(**kwargs)


@pytest.mark.parametrize("build", [lambda: nn.PixelShuffle(0), lambda: nn.PixelUnshuffle(-1),
                                   lambda: nn.PixelShuffle(1.5)])
def test_pixel_shuffle_factor_checked_at_construction(build):
    with pytest.raises(ArgumentError):
        build()


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.interpolate(ag.randn(1, 1, 4), size=3, scale_factor=2), ValueError, "only one of size"),
    (lambda: F.interpolate(ag.randn(1, 1, 4)), ValueError, "either size or scale_factor"),
    (lambda: F.interpolate(ag.randn(1, 1, 4), size=3, mode="foo"), NotImplementedError, "got foo"),
    (lambda: F.interpolate(ag.randn(1, 4), size=2), NotImplementedError, "got 2D"),
    (lambda: F.interpolate(ag.randn(1, 1, 4), size=3, mode="bilinear"), NotImplementedError,
     "Got 3D input, but bilinear mode needs 4D input"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), size=3, mode="trilinear"), NotImplementedError, "needs 5D"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), size=(3, 3, 3)), ValueError, "same number of spatial dimensions"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), scale_factor=(2, 2, 2)), ValueError, "same number of spatial"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), size=0), RuntimeError, "greater than 0"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), scale_factor=0.1), RuntimeError, "greater than 0"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), size=3.5), TypeError, "expected size"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), size=2, recompute_scale_factor=True), ValueError,
     "not meaningful"),
    (lambda: F.interpolate(ag.randn(1, 1, 4), size=2, align_corners=True), ValueError, "align_corners option"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), scale_factor=2, antialias=True), ValueError, "Anti-alias"),
    (lambda: F.interpolate(ag.randn(1, 1, 4, 4), scale_factor=2, mode="bilinear", antialias=True),
     NotImplementedError, "antialias"),
    (lambda: F.interpolate(ag.tensor(np.ones((1, 1, 4), np.int64)), size=2, mode="linear"), TypeError, "float"),
    (lambda: F.pixel_shuffle(ag.randn(1, 5, 2, 2), 2), ShapeError, "not divisible by 4"),
    (lambda: F.pixel_shuffle(ag.randn(4, 2), 2), ShapeError, "at least 3 dimensions"),
    (lambda: F.pixel_shuffle(ag.randn(1, 4, 2, 2), 0), ArgumentError, "positive upscale_factor"),
    (lambda: F.pixel_unshuffle(ag.randn(1, 1, 3, 4), 2), ShapeError, "height to be divisible"),
    (lambda: F.pixel_unshuffle(ag.randn(1, 1, 4, 3), 2), ShapeError, "width to be divisible"),
])
def test_resample_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_deprecated_upsample_functions_warn_and_match_interpolate():
    x = ag.randn(1, 2, 3, 4)
    with pytest.warns(UserWarning, match="deprecated"):
        a = F.upsample_bilinear(x, scale_factor=2)
    np.testing.assert_array_equal(a.numpy(), F.interpolate(x, scale_factor=2, mode="bilinear",
                                                           align_corners=True).numpy())
    with pytest.warns(UserWarning, match="deprecated"):
        assert F.upsample_nearest(x, size=(5, 5)).shape == (1, 2, 5, 5)
    with pytest.warns(UserWarning, match="deprecated"):
        assert F.upsample(x, scale_factor=3).shape == (1, 2, 9, 12)


# ------------------------------------------------------------------------------------------------ grid_sample

GRID_CASES = [pytest.param(nd, mode, pm, ac, id=f"{nd}d-{mode}-{pm}-{ac}") for nd in (2, 3)
              for mode in ("bilinear", "nearest") for pm in ("zeros", "border", "reflection") for ac in (False, True)]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("nd,mode,padding_mode,align_corners", GRID_CASES)
def test_grid_sample_matches_torch(nd, mode, padding_mode, align_corners, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shape, gshape = ((2, 3, 5, 6), (2, 4, 3, 2)) if nd == 2 else ((2, 3, 4, 5, 3), (2, 3, 2, 4, 3))
    x, grid = rng.standard_normal(shape), rng.uniform(-1.6, 1.6, gshape)
    _compare(lambda a, g: F.grid_sample(a, g, mode, padding_mode, align_corners),
             lambda a, g: torch.nn.functional.grid_sample(a, g, mode, padding_mode, align_corners), [x, grid], dtype)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_of_affine_grid_matches_torch(padding_mode, align_corners):
    """An identity-ish theta puts points exactly on pixel centres and borders (align_corners=True): PyTorch's
    gradient conventions at the borders (zero) and at integer coordinates must hold."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theta = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [[0.8, -0.3, 0.1], [0.2, 1.1, -0.2]]])
    x = rng.standard_normal((2, 2, 4, 5))
    _compare(lambda a, t: F.grid_sample(a, F.affine_grid(t, [2, 2, 4, 5], align_corners), "bilinear",
                                        padding_mode, align_corners),
             lambda a, t: torch.nn.functional.grid_sample(
                 a, torch.nn.functional.affine_grid(t, [2, 2, 4, 5], align_corners), "bilinear", padding_mode,
                 align_corners), [x, theta], np.float64)


@pytest.mark.parametrize("size", [[2, 3, 4, 5], [2, 3, 3, 4, 5], [1, 1, 1, 4], [1, 2, 1, 1, 3]])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(size, align_corners):
    torch = pytest.importorskip("torch")
    nd = len(size) - 2
    theta = np.random.default_rng(0).standard_normal((size[0], nd, nd + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # unit-size grids with align_corners: torch warns, so do we
        for dtype in DTYPES:
            _compare(lambda t: F.affine_grid(t, size, align_corners),
                     lambda t: torch.nn.functional.affine_grid(t, size, align_corners), [theta], dtype)


def test_grid_sample_gradgradcheck():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    g = ag.tensor(rng.uniform(-1.2, 1.2, (1, 2, 3, 2)), requires_grad=True)
    for pm in ("zeros", "border", "reflection"):
        assert ag.gradgradcheck(lambda a, b: F.grid_sample(a, b, padding_mode=pm, align_corners=False), [x, g])


def test_grid_sample_and_affine_grid_warn_without_align_corners():
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        grid = F.affine_grid(ag.randn(1, 2, 3), [1, 1, 3, 3])
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(ag.randn(1, 1, 3, 3), grid)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.grid_sample(ag.randn(1, 1, 3, 3), ag.randn(1, 2, 2, 2), mode="foo", align_corners=False),
     ValueError, "expected mode to be 'bilinear', 'nearest' or 'bicubic'"),
    (lambda: F.grid_sample(ag.randn(1, 1, 3, 3), ag.randn(1, 2, 2, 2), padding_mode="foo", align_corners=False),
     ValueError, "expected padding_mode"),
    (lambda: F.grid_sample(ag.randn(1, 1, 3, 3), ag.randn(1, 2, 2, 2), mode="bicubic", align_corners=False),
     NotImplementedError, "bicubic"),
    (lambda: F.grid_sample(ag.randn(1, 1, 3, 3), ag.randn(2, 2, 2, 2), align_corners=False), ShapeError,
     "same batch size"),
    (lambda: F.grid_sample(ag.randn(1, 1, 3, 3), ag.randn(1, 2, 2, 3), align_corners=False), ShapeError,
     "size 2 in last dimension"),
    (lambda: F.grid_sample(ag.randn(1, 1, 3, 3), ag.randn(1, 2, 2, 2, 2), align_corners=False), ShapeError,
     "same number of dimensions"),
    (lambda: F.affine_grid(ag.randn(1, 2, 3), [1, 1, 3, 3, 3], align_corners=False), ValueError, "Nx3x4"),
    (lambda: F.affine_grid(ag.randn(1, 3, 3), [1, 1, 3, 3], align_corners=False), ValueError, "Nx2x3"),
    (lambda: F.affine_grid(ag.randn(1, 2, 3), [1, 1, 3], align_corners=False), NotImplementedError, "4D and 5D"),
    (lambda: F.affine_grid(ag.randn(1, 2, 3), [1, 1, 0, 3], align_corners=False), ValueError, "positive"),
    (lambda: F.affine_grid(ag.tensor(np.ones((1, 2, 3), np.int64)), [1, 1, 2, 3], align_corners=False), ValueError,
     "floating point"),
])
def test_grid_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
