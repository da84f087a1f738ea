"""Parameters as one flat vector and back (PyTorch's ``torch.nn.utils.convert_parameters``), and a counter."""
from autograd_core import ops
from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.grad_mode import no_grad
from autograd_core.tensor import Tensor


def _tensors(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def parameters_to_vector(parameters):
    """Concatenate the parameters, flattened, into one 1-D Tensor (differentiable, as PyTorch's)."""
    params = _tensors(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return ops.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into the parameters (their ``.data``), in order."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected a Tensor, but got: {type(vec).__name__}")
    params = _tensors(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ShapeError(f"vector_to_parameters: vec has shape {fmt_shape(vec.shape)} but the parameters hold "
                         f"{total} elements")
    data, start = vec.numpy(), 0
    with no_grad():
        for p in params:
            n = p.numel()
            p.numpy()[...] = data[start:start + n].reshape(p.shape)
            p._bump_version()
            start += n


def count_parameters(module_or_parameters, trainable_only=False):
    """Number of scalar parameters of a Module (or an iterable of Tensors); ``trainable_only`` counts those
    with ``requires_grad``."""
    params = module_or_parameters.parameters() if hasattr(module_or_parameters, "parameters") \
        else _tensors(module_or_parameters)
    seen, total = set(), 0
    for p in params:
        if id(p) in seen or (trainable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        total += p.numel()
    return int(total)


