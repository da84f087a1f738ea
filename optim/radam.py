"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., 2020, "On the Variance of the Adaptive
Learning Rate and Beyond")."""
import numpy as np

from .adam import check_betas
from .optimizer import Optimizer, check_hyper, check_lr, lerp_


class RAdam(Optimizer):
    r"""RAdam, PyTorch's formulation (``torch.optim.RAdam``).

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        \rho_\infty = \frac{2}{1 - \beta_2} - 1, \quad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t}

    While :math:`\rho_t \le 5` the variance of the adaptive rate is intractable and the step is momentum SGD,
    :math:`\theta \leftarrow \theta - \gamma\, m / (1 - \beta_1^t)`. After that it is Adam's step times the
    rectification :math:`r_t`:

    .. math::
        r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}, \quad
        \theta \leftarrow \theta - \gamma\, \frac{m}{1 - \beta_1^t}\,
            \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v} + \epsilon}\, r_t

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 1e-3.
        betas: coefficients :math:`(\beta_1, \beta_2)` of the running averages. Default: (0.9, 0.999).
        eps: added to the denominator for numerical stability. Default: 1e-8.
        weight_decay: weight decay :math:`\lambda`: an L2 penalty added to the gradient, or with
            ``decoupled_weight_decay`` a shrink :math:`\theta \leftarrow (1 - \gamma\lambda)\theta`. Default: 0.
        decoupled_weight_decay: AdamW-style decay (RAdamW). Default: False.
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach: accepted for PyTorch compatibility (an implementation choice there; same result here).
        capturable, differentiable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``exp_avg`` and ``exp_avg_sq``.

    Example::

        >>> opt = RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_hyper("epsilon value", eps)
        check_betas(betas)
        check_hyper("weight_decay value", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        if not state:
            state["step"] = 0.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param

        exp_avg = lerp_(state["exp_avg"], grad, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"]
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad

        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        bias_corrected_exp_avg = exp_avg / bias_correction1
        # maximum length of the approximated simple moving average, and its length at this step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = (bias_correction2 ** 0.5) / (np.sqrt(exp_avg_sq) + eps)
            param -= bias_corrected_exp_avg * lr * adaptive_lr * rect
        else:
            param -= bias_corrected_exp_avg * lr
