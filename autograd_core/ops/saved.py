"""In-place strictness for ops written as a composite of other ops (var, mse_loss, layer_norm...).

PyTorch's kernel for such an op is one node that saves its inputs (and sometimes its result) for backward, so an
in-place change of one of them before backward is an error. Our composite's nodes may save only derived tensors
(the centered data, a difference) and would then silently accept the change. :func:`guard` puts one identity node
on the composite's output that saves what PyTorch's node saves: at backward time the version check of
``Function.saved_tensors`` sees the change and raises PyTorch's error. The node prints with PyTorch's name
(``VarBackward0``), saves references only (no copy) and is added only when a graph is recorded.
"""
from .. import function as _function
from ..function import Function
from ..tensor import Tensor

__all__ = []


class SavedInputsFunction(Function):
    """Identity on its input, a view sharing its version counter; backward checks that the tensors it saved (the
    composite's inputs, and with ``output=True`` its own output) are unchanged."""

    label = "saved"
    derivative = "∂out/∂a = 1"
    is_view = True

    def forward(self, a, saved=(), output=False, name=None):
        self.save_for_backward(*saved)
        if output:
            self.save_output()
        if name is not None:
            self.grad_name = name
        return a._data.view()

    def backward(self, grad):
        self.saved_tensors            # the version checks (and the freed-graph check)
        if self._save_out:
            self.saved_output
        return grad


def guard(out, *saved, output=False, name=None):
    """``out`` (a composite op's result) behind a node saving ``saved`` (the tensors PyTorch's node saves;
    ``None`` and non-Tensor entries are skipped) and, with ``output=True``, the result itself. Returns ``out``
    unchanged when no graph is recorded (or an ONNX export is tracing the forward pass)."""
    if out.grad_fn is None or _function._tracer is not None:
        return out
    saved = tuple(t for t in saved if isinstance(t, Tensor))
    return SavedInputsFunction.apply(out, saved=saved, output=output, name=name)
