"""In-place operations: how ``t.add_(u)``, ``t += u``, ``t[i] = v`` and ``F.relu(t, inplace=True)`` stay correct.

An in-place op is computed out of place, then written into the tensor's memory by :func:`assign`, which bumps the
tensor's version counter. A graph node that saved the tensor's old value and reads it at backward time sees the
bump and raises, unless it was given a private copy first (see :func:`assign`). This module is the one home of
the rule PyTorch enforces for leaves (:func:`check_inplace`) and of the write-back.
"""
import numpy as np

from . import function as _function
from . import grad_mode
from .errors import fmt_shape
from .function import SAVED_INPUTS, InputMeta
from .tensor import Tensor, version_counter

__all__ = ["check_inplace", "assign"]

_InferenceVersion = grad_mode.InferenceVersion


def check_inplace(tensor, what="an in-place operation"):
    """Refuse to change a leaf that requires grad while grad mode is on (PyTorch's rule: its ``.grad`` would no
    longer be the gradient of anything); optimizers and initializers do it inside ``no_grad()``."""
    if type(tensor._version) is _InferenceVersion:
        grad_mode.check_inference_inplace(tensor)
    if grad_mode.is_grad_enabled() and tensor._requires_grad and tensor.grad_fn is None:
        raise RuntimeError(f"a leaf Variable that requires grad is being used in {what}; wrap it in "
                           f"`with no_grad():` (as optimizers do) or work on a clone()")


def assign(tensor, out):
    """Write ``out`` into ``tensor`` in place; the tensor then stands for ``out`` in the graph.

    Nodes recorded earlier keep their edges (``Function.input_fns``), so they still mean the old value. A node that
    saved the old value for backward gets a private copy of it; any other saved reference sees the version bump.
    """
    if not tensor._data.flags.writeable:
        _read_only(tensor)
    data = out._data
    if data.shape != tensor._data.shape:
        if np.broadcast_shapes(data.shape, tensor._data.shape) != tensor._data.shape:
            raise RuntimeError(f"in-place op: output of shape {fmt_shape(out.shape)} doesn't match the tensor's "
                               f"shape {fmt_shape(tensor._data.shape)}")
        data = np.broadcast_to(data, tensor._data.shape)
    node = out.grad_fn
    if grad_mode.is_grad_enabled() and out._requires_grad and node is not None:
        if node._saved is SAVED_INPUTS:     # the node's inputs change below: keep the saved ones as a tuple
            node._saved = node.saved_inputs()
        if node._saved is not None and any(t is tensor for t in node._saved):
            old = Tensor._make(tensor._data.copy())
            node._saved = tuple(old if t is tensor else t for t in node._saved)
            node._saved_versions = tuple(0 if t is old else v for t, v in zip(node._saved, node._saved_versions))
        tensor._data[...] = data
        if any(t is tensor for t in node.inputs):
            # the node's input is the tensor that now stands for its output: keep only its metadata there, or
            # tensor -> node -> tensor would be a reference cycle (graphs are freed by reference counting alone)
            node.inputs = tuple([InputMeta(t) if t is tensor else t for t in node.inputs])
        version_counter(tensor)     # before the rebinding: the node that saved the tensor's array follows its version
        tensor.grad_fn = node
        tensor._requires_grad = True
        if node._out_data is out._data:
            node._out_data = tensor._data
            node._out_vlist = version_counter(tensor)
            node._out_version = tensor._version[0] + 1
    else:
        tensor._data[...] = data
    tensor._bump_version()
    if _function._tracer is not None:          # an ONNX export is tracing: the tensor now stands for ``out``
        _function._tracer.assigned(tensor, out)
    return tensor


def _read_only(tensor):
    """Refuse to write into a tensor whose memory is read-only: an expanded one (PyTorch's error), or one made
    from a read-only array."""
    if 0 in tensor._data.strides and tensor._data.size > 1:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single "
                           "memory location. Please clone() the tensor before performing the operation.")
    raise RuntimeError(f"in-place operation on a read-only tensor of shape {fmt_shape(tensor.shape)} (made from a "
                       f"read-only array); clone() it first")


def fill(tensor, array):
    """Overwrite ``tensor``'s elements with ``array`` (broadcast), outside the graph: ``zero_``, ``fill_``,
    ``copy_``, the random fills."""
    check_inplace(tensor)
    if not tensor._data.flags.writeable:
        _read_only(tensor)
    tensor._data[...] = array
    tensor._bump_version()
    return tensor
