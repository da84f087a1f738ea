"""Numerical gradient checks: central finite differences in float64 against the engine's backward.

``gradcheck`` compares the full Jacobian (every output element against every input element) for small outputs,
and for larger ones its products with a few random vectors, which catches the same bugs at a fraction of the cost.
"""
import warnings

import numpy as np

from .engine import grad
from .errors import GradcheckError
from .random import default_generator
from .tensor import Tensor

_FULL_JACOBIAN_MAX_OUTPUTS = 256


def _as_tuple(x):
    return x if isinstance(x, tuple) else (tuple(x) if isinstance(x, list) else (x,))


def _diff_outputs(outputs):
    return [o for o in _as_tuple(outputs) if isinstance(o, Tensor) and o.requires_grad]


def _numerical_jacobian(fn, inputs, diff_idx, eps):
    """J[k][o] has shape (out_numel, in_numel): d outputs[o] / d inputs[diff_idx[k]]."""
    ref = _diff_outputs(fn(*inputs))
    jac = []
    for i in diff_idx:
        x = inputs[i]._data
        flat = x.reshape(-1)   # a view: perturbing it perturbs the input
        if not np.shares_memory(flat, x):
            raise ValueError("gradcheck: inputs must be contiguous arrays")
        cols = [np.zeros((o._data.size, x.size)) for o in ref]
        for j in range(x.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = [o._data.astype(np.float64).ravel() for o in _diff_outputs(fn(*inputs))]
            flat[j] = orig - eps
            minus = [o._data.astype(np.float64).ravel() for o in _diff_outputs(fn(*inputs))]
            flat[j] = orig
            for c, p, m in zip(cols, plus, minus):
                c[:, j] = (p - m) / (2 * eps)
        jac.append(cols)
    return jac


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0):
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    Args:
        fn: a function of the inputs returning a Tensor or a tuple of Tensors.
        inputs: a Tensor or tuple of inputs; those with ``requires_grad=True`` are checked (use float64).
        eps: finite-difference step.
        atol, rtol: an entry passes when ``|analytical - numerical| <= atol + rtol * |numerical|``.
        raise_exception: raise :class:`GradcheckError` naming the worst entry (else return False).

    Returns:
        True when all entries match.

    Example::

        >>> x = tensor(np.random.randn(3), dtype=float64, requires_grad=True)
        >>> gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck: no input requires grad")
    for i in diff_idx:
        if inputs[i].dtype != np.float64:
            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}, not float64; finite differences will be "
                          f"inaccurate", stacklevel=2)
    outputs = _diff_outputs(fn(*inputs))
    if not outputs:
        raise ValueError("gradcheck: fn returned no output that requires grad")
    num = _numerical_jacobian(fn, inputs, diff_idx, eps)
    n_out = sum(o._data.size for o in outputs)
    rng = np.random.default_rng(0)
    if n_out <= _FULL_JACOBIAN_MAX_OUTPUTS:
        probes = []
        for oi, o in enumerate(outputs):
            for k in range(o._data.size):
                probes.append((oi, k, None))
    else:
        probes = [(None, None, [rng.standard_normal(o.shape) for o in outputs]) for _ in range(3)]
    diff_inputs = [inputs[i] for i in diff_idx]
    worst = (0.0, None)
    for oi, k, vecs in probes:
        outs = _diff_outputs(fn(*inputs))
        if vecs is None:
            gos = [np.zeros(o.shape, dtype=o.dtype) for o in outs]
            gos[oi].reshape(-1)[k] = 1.0
        else:
            gos = [v.astype(o.dtype) for v, o in zip(vecs, outs)]
        analytical = grad(outs, diff_inputs, [Tensor(g) for g in gos], allow_unused=True)
        for pos, a in enumerate(analytical):
            a = np.zeros(diff_inputs[pos].shape) if a is None else a._data.astype(np.float64)
            n = sum(gos_o.astype(np.float64).ravel() @ jo for gos_o, jo in zip(gos, num[pos]))
            err = np.abs(a.ravel() - n) - (atol + rtol * np.abs(n))
            j = int(np.argmax(err))
            if err[j] > worst[0] or (worst[1] is None and err[j] > 0):
                where = (f"output {oi} element {k}" if vecs is not None or oi is not None else "")
                if vecs is not None:
                    where = "a random projection of the outputs"
                worst = (err[j], f"gradcheck failed for input {diff_idx[pos]} element {j} "
                                 f"(index {tuple(int(i) for i in np.unravel_index(j, diff_inputs[pos].shape))}), "
                                 f"{where}: "
                                 f"analytical {a.ravel()[j]:.8g} vs numerical {n[j]:.8g} "
                                 f"(atol={atol}, rtol={rtol})")
    if worst[1] is not None and worst[0] > 0:
        if raise_exception:
            raise GradcheckError(worst[1])
        return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check second derivatives: gradcheck of the vector-Jacobian product ``v -> J(x)^T v`` built with
    ``create_graph=True``, in both ``x`` and ``v``."""
    inputs = _as_tuple(inputs)
    n = len(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outputs = _diff_outputs(fn(*inputs))
    if grad_outputs is None:
        g = default_generator()
        grad_outputs = tuple(Tensor(g.standard_normal(o.shape).astype(o.dtype), requires_grad=True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)

    def vjp(*args):
        xs, vs = args[:n], args[n:]
        outs = _diff_outputs(fn(*xs))
        gs = grad(outs, [xs[i] for i in diff_idx], list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
