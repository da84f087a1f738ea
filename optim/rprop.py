"""Rprop: resilient backpropagation, per-coordinate step sizes driven by the sign of the gradient only
(Riedmiller & Braun, 1993)."""
import numpy as np

from .optimizer import Optimizer, check_lr


class Rprop(Optimizer):
    r"""Rprop, PyTorch's formulation (``torch.optim.Rprop``), the variant without weight backtracking.

    Each coordinate keeps its own step size :math:`\Delta` (starting at ``lr``). When the gradient keeps its sign,
    :math:`\Delta \leftarrow \min(\eta_+ \Delta, \Delta_{max})`; when it flips,
    :math:`\Delta \leftarrow \max(\eta_- \Delta, \Delta_{min})` and that coordinate does not move this step (its
    gradient is taken as 0, so the next step counts as "no sign information"). Then
    :math:`\theta \leftarrow \theta - \operatorname{sign}(g)\,\Delta`.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: initial step size. Default: 1e-2.
        etas: multiplicative factors :math:`(\eta_-, \eta_+)`, with :math:`0 < \eta_- < 1 < \eta_+`.
            Default: (0.5, 1.2).
        step_sizes: bounds :math:`(\Delta_{min}, \Delta_{max})`. Default: (1e-6, 50).
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach: accepted for PyTorch compatibility (an implementation choice there; same result here).
        capturable, differentiable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``prev`` (the gradient used last step) and ``step_size``. Rprop ignores the
    gradient's magnitude, so it suits full-batch training, not mini-batches.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        etaminus, etaplus = (float(e) for e in group["etas"])
        step_size_min, step_size_max = (float(s) for s in group["step_sizes"])
        if not state:
            state["step"] = 0.0
            state["prev"] = np.zeros_like(param)
            state["step_size"] = np.full_like(param, float(group["lr"]))
        state["step"] += 1
        prev, step_size = state["prev"], state["step_size"]

        sign = np.sign(grad * prev)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0)).astype(param.dtype, copy=False)
        step_size *= factor
        np.clip(step_size, step_size_min, step_size_max, out=step_size)

        # where the sign flipped, do not move and forget the gradient (PyTorch: grad[sign == etaminus] = 0)
        grad = np.where(factor == np.asarray(etaminus, dtype=param.dtype), 0, grad).astype(param.dtype, copy=False)
        param -= np.sign(grad) * step_size
        prev[...] = grad
