"""ConvTranspose1d/2d/3d, Conv3d and padding_mode on every Conv: PyTorch parity after loading its state_dict
(outputs and gradients, float64 and float32), gradchecks through the modules, output_size, the functional forms
and the argument checks (at construction, with PyTorch's exception types)."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.errors import ArgumentError, ShapeError
from parity_helpers import check_module, gradcheck_module

# torch warns that 'same' padding with an even kernel copies the input; that is torch's business, not ours
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

DTYPES = [np.float64, np.float32]

# (builder, input shape, forward kwargs)
TRANSPOSED = [
    (lambda m: m.ConvTranspose2d(4, 6, 3), (2, 4, 5, 5), {}),
    (lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5, 4), {}),
    (lambda m: m.ConvTranspose2d(64, 32, 4, stride=2, padding=1), (2, 64, 7, 7), {}),            # the bench layer
    (lambda m: m.ConvTranspose2d(3, 2, (2, 3), stride=(1, 2), padding=(0, 1), dilation=(2, 1), bias=False),
     (1, 3, 4, 5), {}),
    (lambda m: m.ConvTranspose2d(2, 2, 2, padding=1, output_padding=1, dilation=2), (1, 2, 3, 3), {}),  # op >= s
    (lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1), (2, 4, 5, 5), {"output_size": (10, 10)}),
    (lambda m: m.ConvTranspose2d(4, 6, 3, stride=3), (2, 4, 3, 4), {"output_size": [2, 6, 11, 12]}),
    (lambda m: m.ConvTranspose2d(4, 6, 3, stride=2), (4, 3, 3), {}),                                 # unbatched
    (lambda m: m.ConvTranspose1d(4, 6, 3, stride=3, padding=1, dilation=2, bias=False), (2, 4, 5), {}),
    (lambda m: m.ConvTranspose1d(4, 2, 4, stride=2, groups=2), (3, 4, 6), {"output_size": [15]}),
    (lambda m: m.ConvTranspose1d(3, 2, 3), (3, 7), {}),
    (lambda m: m.ConvTranspose3d(4, 2, 2, stride=2), (1, 4, 3, 3, 3), {}),
    (lambda m: m.ConvTranspose3d(2, 4, (3, 2, 3), stride=(2, 1, 2), padding=1, output_padding=(1, 0, 0), groups=2),
     (2, 2, 3, 4, 2), {}),
]

CONV = [
    (lambda m: m.Conv3d(4, 2, 3), (2, 4, 5, 6, 5)),
    (lambda m: m.Conv3d(4, 6, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2),
     (2, 4, 5, 6, 7)),
    (lambda m: m.Conv3d(2, 2, 3, padding="same", bias=False), (2, 5, 4, 6)),                         # unbatched
    (lambda m: m.Conv3d(2, 3, (2, 3, 2), padding="same"), (1, 2, 4, 5, 4)),
    (lambda m: m.Conv3d(2, 3, 3, padding="valid"), (1, 2, 4, 5, 4)),
]

PADDING_MODES = [
    (lambda m, mode: m.Conv1d(2, 3, 3, padding=2, padding_mode=mode), (2, 2, 6)),
    (lambda m, mode: m.Conv2d(2, 3, 3, stride=2, padding=(1, 2), padding_mode=mode), (2, 2, 5, 6)),
    (lambda m, mode: m.Conv2d(2, 3, (2, 3), padding="same", padding_mode=mode), (2, 2, 5, 6)),
    (lambda m, mode: m.Conv3d(2, 3, 3, padding=1, padding_mode=mode), (1, 2, 4, 5, 3)),
    (lambda m, mode: m.Conv3d(2, 2, 2, padding="same", padding_mode=mode), (2, 3, 4, 3)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("build,shape,kwargs", TRANSPOSED, ids=[f"t{i}" for i in range(len(TRANSPOSED))])
def test_conv_transpose_matches_torch(build, shape, kwargs, dtype):
    check_module(build, shape, dtype=dtype, forward=lambda m, x: m(x, **kwargs))


@pytest.mark.parametrize("build,shape,kwargs", [
    (lambda m: m.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2), (1, 4, 3, 2), {}),
    (lambda m: m.ConvTranspose2d(2, 2, (2, 3), stride=(1, 2), padding=(0, 1), dilation=(2, 1)), (1, 2, 2, 3), {}),
    (lambda m: m.ConvTranspose2d(2, 2, 2, padding=1, output_padding=1, dilation=2), (1, 2, 2, 2), {}),
    (lambda m: m.ConvTranspose2d(2, 1, 3, stride=2), (1, 2, 2, 2), {"output_size": (6, 5)}),
    (lambda m: m.ConvTranspose1d(2, 2, 3, stride=3, padding=1, dilation=2, bias=False), (2, 2, 3), {}),
    (lambda m: m.ConvTranspose3d(2, 1, 2, stride=2), (1, 2, 2, 1, 2), {}),
], ids=["grouped", "dilated", "output_padding_ge_stride", "output_size", "1d", "3d"])
def test_conv_transpose_gradcheck_through_module(build, shape, kwargs):
    gradcheck_module(build, shape, forward=lambda m, x: m(x, **kwargs))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("build,shape", CONV, ids=[f"c{i}" for i in range(len(CONV))])
def test_conv3d_matches_torch(build, shape, dtype):
    check_module(build, shape, dtype=dtype)


def test_conv3d_gradcheck_through_module():
    gradcheck_module(lambda m: m.Conv3d(2, 2, (2, 3, 2), stride=(1, 2, 1), padding=1, groups=2), (1, 2, 3, 4, 3))


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("build,shape", PADDING_MODES, ids=[f"p{i}" for i in range(len(PADDING_MODES))])
def test_padding_mode_matches_torch(build, shape, mode):
    check_module(lambda m: build(m, mode), shape)


@pytest.mark.parametrize("mode", ["reflect", "circular"])
def test_padding_mode_gradcheck(mode):
    gradcheck_module(lambda m: m.Conv2d(2, 2, 3, padding=1, padding_mode=mode), (1, 2, 4, 3))


def test_conv_transpose_is_the_input_gradient_of_conv(rng):
    """<conv(x, W), g> = <x, conv_transpose(g, W)>: the two are adjoint, for the same geometry."""
    x = ag.tensor(rng.standard_normal((2, 3, 9, 8)))
    w = ag.tensor(rng.standard_normal((4, 3, 3, 2)))
    kw = dict(stride=2, padding=1, dilation=(1, 2))
    y = F.conv2d(x, w, **kw)
    g = ag.tensor(rng.standard_normal(y.shape))
    back = F.conv_transpose2d(g, w, output_padding=(0, 1), **kw)
    assert back.shape == x.shape
    np.testing.assert_allclose((y * g).sum().item(), (x * back).sum().item(), rtol=1e-10)


def test_conv_transpose_weight_and_bias_layout_and_init():
    m = nn.ConvTranspose2d(6, 4, (3, 2), groups=2)
    assert m.weight.shape == (6, 2, 3, 2) and m.bias.shape == (4,)
    bound = 1 / np.sqrt(2 * 3 * 2)        # fan_in = out_channels / groups * kH * kW, as PyTorch
    assert np.abs(m.bias.numpy()).max() <= bound
    assert m.transposed and m.output_padding == (0, 0) and m.padding_mode == "zeros"
    assert nn.Conv3d(2, 4, 3).weight.shape == (4, 2, 3, 3, 3)


def test_conv_transpose_float32_default_and_second_order():
    m = nn.ConvTranspose2d(2, 3, 3, stride=2)
    x = ag.randn(1, 2, 3, 3, requires_grad=True)
    y = m(x)
    assert y.dtype == np.float32
    (gx,) = ag.grad(y.square().sum(), [x], create_graph=True)
    gx.sum().backward()
    assert m.weight.grad is not None and x.grad.shape == x.shape


# ------------------------------------------------------------------------------------------------ argument checks

@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(kernel_size=-1), RuntimeError, "kernel_size"),
    (dict(kernel_size=0), RuntimeError, "kernel_size"),
    (dict(kernel_size=3, stride=0), RuntimeError, "stride"),
    (dict(kernel_size=3, stride=(1, -1)), RuntimeError, "stride"),
    (dict(kernel_size=3, padding=-1), RuntimeError, "padding"),
    (dict(kernel_size=3, dilation=0), RuntimeError, "dilation"),
    (dict(kernel_size=3, groups=2), ValueError, "in_channels must be divisible by groups"),
    (dict(kernel_size=3, groups=0), ValueError, "groups must be a positive integer"),
    (dict(kernel_size=3, padding_mode="foo"), ValueError, "padding_mode must be one of"),
    (dict(kernel_size=3, padding="foo"), ValueError, "Invalid padding string 'foo'"),
    (dict(kernel_size=3, padding="same", stride=2), ValueError, "not supported for strided"),
    (dict(kernel_size=(3, 3, 3)), ValueError, "kernel_size"),
    (dict(kernel_size=2.5), TypeError, "kernel_size"),
])
def test_conv2d_checks_its_arguments_at_construction(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        nn.Conv2d(3, 4, **kwargs)


@pytest.mark.parametrize("args,exc,match", [
    ((3.0, 4, 3), TypeError, "in_channels"),
    ((-1, 4, 3), RuntimeError, "in_channels"),
    ((3, 4, 3), None, None),
])
def test_conv_channel_arguments(args, exc, match):
    if exc is None:
        nn.Conv1d(*args)
    else:
        with pytest.raises(exc, match=match):
            nn.Conv1d(*args)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(stride=2, output_padding=2), RuntimeError, "output padding must be smaller than either stride or dilation"),
    (dict(stride=1, output_padding=1), RuntimeError, "output padding must be smaller"),
    (dict(output_padding=-1), RuntimeError, "output_padding"),
    (dict(stride=0), RuntimeError, "stride"),
    (dict(padding=-1), RuntimeError, "padding"),
    (dict(padding="same"), ValueError, "padding"),
    (dict(padding_mode="reflect"), ValueError, 'Only "zeros" padding mode is supported for ConvTranspose2d'),
    (dict(groups=4), ValueError, "in_channels must be divisible by groups"),
    (dict(groups=3), ValueError, "out_channels must be divisible by groups"),
])
def test_conv_transpose_checks_its_arguments_at_construction(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        nn.ConvTranspose2d(6, 4, 3, **kwargs)


def test_conv_transpose_output_padding_below_dilation_is_allowed():
    m = nn.ConvTranspose2d(3, 4, 3, stride=1, dilation=3, output_padding=2)
    assert m(ag.randn(1, 3, 4, 4)).shape == (1, 4, 12, 12)


def test_conv_transpose_output_size_errors():
    m = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    x = ag.randn(1, 2, 4, 4)
    assert m(x, output_size=[7, 8]).shape == (1, 2, 7, 8)
    with pytest.raises(ValueError, match="requested an output size of \\[9, 8\\], but valid sizes range"):
        m(x, output_size=[9, 8])
    with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
        m(x, output_size=[7, 8, 9])


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.conv_transpose2d(ag.randn(1, 5, 3, 3), ag.randn(4, 2, 3, 3)), ShapeError, "4 channels"),
    (lambda: F.conv_transpose2d(ag.randn(1, 4, 3, 3), ag.randn(4, 2, 3, 3), groups=3), ShapeError, "divisible by 3"),
    (lambda: F.conv_transpose2d(ag.randn(1, 4, 3, 3), ag.randn(4, 2, 3, 3), ag.randn(3)), ShapeError, "bias"),
    (lambda: F.conv_transpose2d(ag.randn(1, 4, 3, 3), ag.randn(4, 2, 3, 3), padding=3), ShapeError, "too small"),
    (lambda: F.conv_transpose2d(ag.randn(1, 4, 3, 3), ag.randn(4, 2, 3, 3), stride=2, output_padding=2),
     ArgumentError, "output padding must be smaller"),
    (lambda: F.conv_transpose2d(ag.randn(4, 3), ag.randn(4, 2, 3, 3)), ShapeError, "input"),
    (lambda: F.conv_transpose1d(ag.randn(1, 4, 3), ag.randn(4, 2, 3, 3)), ShapeError, "weight"),
    (lambda: F.conv3d(ag.randn(1, 4, 3, 3), ag.randn(2, 4, 3, 3, 3)), ShapeError, "input"),
    (lambda: F.conv3d(ag.randn(1, 4, 3, 3, 3), ag.randn(2, 3, 3, 3, 3)), ShapeError, "channels"),
    (lambda: F.conv3d(ag.randn(1, 4, 3, 3, 3), ag.randn(2, 4, 3, 3, 3), stride=0), ArgumentError, "stride"),
    (lambda: F.conv3d(ag.randn(1, 4, 3, 3, 3), ag.randn(2, 4, 4, 3, 3)), ShapeError, "larger than the padded"),
    (lambda: F.conv_transpose2d(ag.randn(1, 4, 3, 3), ag.randn(4, 2, 3, 3).double()), TypeError, "same dtype"),
])
def test_functional_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_module_rejects_wrong_channels():
    with pytest.raises(ShapeError, match="expected an input of shape \\(N, 4, D, H, W\\)"):
        nn.Conv3d(4, 2, 3)(ag.randn(1, 3, 5, 5, 5))
    with pytest.raises(ShapeError, match="expected an input of shape \\(N, 6, H, W\\)"):
        nn.ConvTranspose2d(6, 2, 3)(ag.randn(1, 3, 5, 5))
