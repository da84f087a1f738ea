"""Transposed convolution: ``conv_transpose1d`` / ``conv_transpose2d`` / ``conv_transpose3d``, as PyTorch.

A transposed convolution is the input gradient of a convolution: with the geometry (kernel, stride, padding,
dilation, groups) of the convolution that maps the *output* of ``conv_transpose(x, W)`` back to the shape of
``x``, the forward is ``col2im((rows(x) @ W).T)`` (``ops/conv.py``'s ``transposed_conv``, the computation of
``ConvInputGradFunction``) plus the bias. PyTorch's
weight layout ``(C_in, C_out / groups, *kernel)`` is exactly that convolution's weight. So the gradients are the
other two members of conv's trilinear family (``ops/conv.py``):

* ``grad_x = conv(grad, W)``                                (``ConvolutionFunction``)
* ``grad_W = weight gradient of conv(grad, .) at g = x``    (``ConvWeightGradFunction``)
* ``grad_b = Σ grad`` over batch and space,

which share the columns ``im2col(grad)`` (computed once in backward), and every order of gradient works.

``output_padding`` adds rows at the end of each spatial dim. While it is smaller than the stride the sizes stay
consistent with the convolution's (the extra rows are reached by the taps of the last inputs); when it is not
(allowed by PyTorch if it is smaller than the dilation), the output is computed without padding and cropped /
zero-extended to the requested size by ``pad``.
"""
from .. import grad_mode
from ..errors import ArgumentError, ShapeError, fmt_shape
from ..function import Function
from ..shapes import ntuple
from .conv import (ConvGeometry, ConvolutionFunction, ConvWeightGradFunction, _check_dtypes, spatial_dims,
                   to_rows, transposed_conv)
from .registry import op
from .shape import empty_result, pad, squeeze, unsqueeze


class ConvTransposeFunction(Function):
    """``y = col2im(W.T @ x) + b``: the transposed convolution, one GEMM per group and one col2im."""
    label = "conv_transpose2d"
    derivative = "grad_x = convolution of grad with W, grad_W = correlation of grad with x, grad_b = Σ grad"

    def forward(self, x, w, b=None, geom=None, output_shape=None):
        self.geom = geom
        xrows = to_rows(x._data)
        out = transposed_conv(xrows, w._data, geom, output_shape)
        if b is not None:
            out += b._data.reshape((1, -1) + (1,) * (out.ndim - 2))
        self.save_for_backward(x, w)
        # the weight gradient reuses x's rows; keep them only if it will be asked for
        self._xrows = xrows if grad_mode.is_grad_enabled() and w.requires_grad else None
        return out

    def backward(self, grad):
        x, w = self.saved_tensors
        needs = self.needs_input_grad
        xrows, self._xrows = self._xrows, None
        gx = gw = gb = None
        if needs[0] or needs[1]:
            cols = self.geom.im2col(grad._data)     # shared by both gradients
            if needs[0]:
                gx = ConvolutionFunction.apply(grad, w, geom=self.geom, cols=cols)
            if needs[1]:
                gw = ConvWeightGradFunction.apply(grad, x, geom=self.geom, cols=cols, grows=xrows)
        if len(needs) == 3:
            if needs[2]:
                gb = grad.sum(dim=spatial_dims(grad))
            return gx, gw, gb
        return gx, gw

    def release(self):
        super().release()
        self._xrows = None


def _transposed(op, nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    """conv_transpose2d / 3d: PyTorch's argument checks, then :class:`ConvTransposeFunction`."""
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got shape "
                         f"{fmt_shape(input.shape)}")
    if weight.ndim != nd + 2:
        raise ShapeError(f"{op}: expected a {nd + 2}-D weight (C_in, C_out/groups, *kernel), got shape "
                         f"{fmt_shape(weight.shape)}")
    if input.ndim == nd + 1:
        return squeeze(_transposed(op, nd, unsqueeze(input, 0), weight, bias, stride, padding, output_padding,
                                   groups, dilation), 0)
    _check_dtypes(op, input, weight, bias)
    groups = int(groups)
    if groups <= 0:
        raise ArgumentError(f"{op}: groups must be a positive integer, got {groups}")
    in_ch, out_per_group = weight.shape[:2]
    if in_ch % groups:
        raise ShapeError(f"{op}: given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                         f"but got weight of shape {fmt_shape(weight.shape)}")
    if input.shape[1] != in_ch:
        raise ShapeError(f"{op}: weight of shape {fmt_shape(weight.shape)} expects an input with {in_ch} channels, "
                         f"but got input of shape {fmt_shape(input.shape)} ({input.shape[1]} channels)")
    out_ch = out_per_group * groups
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise ShapeError(f"{op}: bias of shape {fmt_shape(bias.shape)} does not match weight of shape "
                         f"{fmt_shape(weight.shape)} with groups={groups} (expected ({out_ch},))")
    kernel = tuple(weight.shape[2:])
    stride, padding, output_padding, dilation = check_transposed_args(op, nd, stride, padding, output_padding,
                                                                      dilation)
    in_spatial = input.shape[2:]
    full = tuple((n - 1) * s + d * (k - 1) + 1 for n, s, k, d in zip(in_spatial, stride, kernel, dilation))
    out_spatial = tuple(f - 2 * p + q for f, p, q in zip(full, padding, output_padding))
    if min(out_spatial) <= 0:
        raise ShapeError(f"{op}: given input size per channel {tuple(in_spatial)}, the calculated output size per "
                         f"channel {out_spatial} is too small (kernel {kernel}, stride {stride}, padding {padding}, "
                         f"dilation {dilation}, output_padding {output_padding})")
    args = (input, weight) if bias is None else (input, weight, bias)
    if input.shape[0] == 0:     # an empty batch: an empty result, zero gradients
        return empty_result((0, out_ch) + out_spatial, input.dtype, *args)
    geom = ConvGeometry(kernel, stride, padding, dilation, groups)
    if geom.output_spatial(out_spatial) == tuple(in_spatial):
        return ConvTransposeFunction.apply(*args, geom=geom, output_shape=(input.shape[0], out_ch) + out_spatial)
    # output_padding >= stride (allowed when < dilation): no convolution maps this output size back to the input
    # size; compute the unpadded ("full") output, then crop `padding` on the left and fit the right end
    geom = geom._replace(padding=(0,) * nd)
    out = ConvTransposeFunction.apply(input, weight, geom=geom, output_shape=(input.shape[0], out_ch) + full)
    widths = []
    for f, p, o in zip(reversed(full), reversed(padding), reversed(out_spatial)):
        widths += [-p, o - (f - p)]
    out = pad(out, widths)
    return out if bias is None else out + bias.reshape((1, out_ch) + (1,) * nd)


def check_transposed_args(op, nd, stride, padding, output_padding, dilation):
    """Parse and check stride / padding / output_padding / dilation of a transposed convolution (PyTorch's rules:
    positive stride and dilation, non-negative paddings, ``output_padding`` smaller than stride or dilation)."""
    stride = ntuple(stride, nd, "stride", op)
    padding = ntuple(padding, nd, "padding", op)
    output_padding = ntuple(output_padding, nd, "output_padding", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if min(stride) <= 0:
        raise ArgumentError(f"{op}: non-positive stride is not supported, got stride={stride}")
    if min(dilation) <= 0:
        raise ArgumentError(f"{op}: dilation should be greater than zero, got dilation={dilation}")
    if min(padding) < 0:
        raise ArgumentError(f"{op}: negative padding is not supported, got padding={padding}")
    if min(output_padding) < 0:
        raise ArgumentError(f"{op}: negative output_padding is not supported, got output_padding={output_padding}")
    if any(q >= s and q >= d for q, s, d in zip(output_padding, stride, dilation)):
        raise ArgumentError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                            f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    return stride, padding, output_padding, dilation


@op(method=False)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution ("deconvolution"), PyTorch's ``F.conv_transpose2d``: the gradient of conv2d
    with respect to its input.

    Args:
        input: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight: ``(C_in, C_out / groups, KH, KW)`` (PyTorch's layout); bias: optional ``(C_out,)``.
        stride, dilation: int or pair, positive.
        padding: int or pair: ``dilation * (K - 1) - padding`` zeros are, in effect, added to both sides.
        output_padding: int or pair, extra size added to one side of each output dim (smaller than the stride or
            the dilation); it resolves the sizes that a strided conv2d maps to the same input size.
        groups: split input and output channels into this many independent convolutions.

    Shape:
        output ``(N, C_out, H_out, W_out)``,
        ``H_out = (H - 1) stride - 2 padding + dilation (KH - 1) + output_padding + 1``.

    Example::

        >>> conv_transpose2d(autograd_core.randn(8, 16, 7, 7), autograd_core.randn(16, 4, 4, 4), stride=2,
        ...                  padding=1).shape
        (8, 4, 14, 14)
    """
    return _transposed("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                       dilation)


@op(method=False)
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution, PyTorch's ``F.conv_transpose3d``; arguments as :func:`conv_transpose2d`.

    Shape:
        input ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)``; weight ``(C_in, C_out / groups, KD, KH, KW)``; output
        ``(N, C_out, D_out, H_out, W_out)``, each ``(size - 1) stride - 2 padding + dilation (K - 1) +
        output_padding + 1``.
    """
    return _transposed("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                       dilation)


@op(method=False)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution, PyTorch's ``F.conv_transpose1d``: conv_transpose2d on ``(N, C, 1, L)``.

    Shape:
        input ``(N, C_in, L)`` or ``(C_in, L)``; weight ``(C_in, C_out / groups, K)``; output ``(N, C_out, L_out)``,
        ``L_out = (L - 1) stride - 2 padding + dilation (K - 1) + output_padding + 1``.
    """
    op = "conv_transpose1d"
    if input.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 2-D (unbatched) or 3-D (batched) input, got shape "
                         f"{fmt_shape(input.shape)}")
    if weight.ndim != 3:
        raise ShapeError(f"{op}: expected a 3-D weight (C_in, C_out/groups, K), got shape {fmt_shape(weight.shape)}")
    stride, padding, output_padding, dilation = check_transposed_args(op, 1, stride, padding, output_padding,
                                                                      dilation)
    out = _transposed(op, 2, unsqueeze(input, -2), unsqueeze(weight, -2), bias, (1,) + stride, (0,) + padding,
                      (0,) + output_padding, groups, (1,) + dilation)
    return squeeze(out, -2)
