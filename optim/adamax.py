"""Adamax: Adam with the infinity norm in place of the second moment (Kingma & Ba, 2015, section 7)."""
import numpy as np

from .adam import check_betas
from .optimizer import Optimizer, check_hyper, check_lr, lerp_


class Adamax(Optimizer):
    r"""Adamax, PyTorch's formulation (``torch.optim.Adamax``).

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        u \leftarrow \max(\beta_2 u, |g| + \epsilon), \quad
        \theta \leftarrow \theta - \frac{\gamma}{1 - \beta_1^t} \frac{m}{u}

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 2e-3.
        betas: coefficients :math:`(\beta_1, \beta_2)`. Default: (0.9, 0.999).
        eps: added to :math:`|g|` for numerical stability. Default: 1e-8.
        weight_decay: L2 penalty, added to the gradient. Default: 0.
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach: accepted for PyTorch compatibility; it only picks an implementation there, and the
            result here is the same. differentiable, capturable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``exp_avg`` and ``exp_inf``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_hyper("epsilon value", eps)
        check_betas(betas)
        check_hyper("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=(float(betas[0]), float(betas[1])), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        if not state:
            state["step"] = 0.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_inf"] = np.zeros_like(param)
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * param

        exp_avg = lerp_(state["exp_avg"], grad, 1 - beta1)
        exp_inf = state["exp_inf"]
        exp_inf *= beta2
        np.maximum(exp_inf, np.abs(grad) + eps, out=exp_inf)
        clr = lr / (1 - beta1 ** state["step"])
        param -= clr * exp_avg / exp_inf
