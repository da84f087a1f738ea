"""Adadelta: step sizes from the ratio of running RMS of updates and of gradients (Zeiler, 2012)."""
import numpy as np

from .optimizer import Optimizer, check_hyper, check_lr


class Adadelta(Optimizer):
    r"""Adadelta, PyTorch's formulation (``torch.optim.Adadelta``).

    .. math::
        v \leftarrow \rho v + (1 - \rho) g^2, \quad
        \Delta = \frac{\sqrt{u + \epsilon}}{\sqrt{v + \epsilon}}\, g, \quad
        u \leftarrow \rho u + (1 - \rho) \Delta^2, \quad
        \theta \leftarrow \theta - \gamma \Delta

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: coefficient :math:`\gamma` scaling the delta. Default: 1.0.
        rho: running average coefficient :math:`\rho`. Default: 0.9.
        eps: added inside both square roots for numerical stability. Default: 1e-6.
        weight_decay: L2 penalty, added to the gradient. Default: 0.
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach: accepted for PyTorch compatibility; it only picks an implementation there, and the
            result here is the same. differentiable, capturable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``square_avg`` (:math:`v`) and ``acc_delta`` (:math:`u`).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        check_hyper("rho value", rho, high=1.0, high_inclusive=True)
        check_hyper("epsilon value", eps)
        check_hyper("weight_decay value", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        lr, rho, eps, weight_decay = (float(group[k]) for k in ("lr", "rho", "eps", "weight_decay"))
        if not state:
            state["step"] = 0.0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * param

        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps) / std * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param -= lr * delta
