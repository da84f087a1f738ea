"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule (Dozat, 2016)."""
import numpy as np

from .adam import check_betas
from .optimizer import Optimizer, check_hyper, check_lr, lerp_


class NAdam(Optimizer):
    r"""NAdam, PyTorch's formulation (``torch.optim.NAdam``).

    .. math::
        \mu_t = \beta_1 \left(1 - \tfrac12 \, 0.96^{t\psi}\right), \quad
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2,

        \theta \leftarrow \theta - \gamma \left(\frac{(1 - \mu_t)\, g}{1 - \prod_{i \le t}\mu_i}
            + \frac{\mu_{t+1}\, m}{1 - \prod_{i \le t+1}\mu_i}\right) \Big/
            \left(\sqrt{v / (1 - \beta_2^t)} + \epsilon\right)

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 2e-3.
        betas: coefficients :math:`(\beta_1, \beta_2)`. Default: (0.9, 0.999).
        eps: added to the denominator for numerical stability. Default: 1e-8.
        weight_decay: weight decay :math:`\lambda`. Default: 0.
        momentum_decay: :math:`\psi`. Default: 4e-3.
        decoupled_weight_decay: shrink the weights AdamW-style instead of adding an L2 gradient. Default: False.
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach: accepted for PyTorch compatibility; it only picks an implementation there, and the
            result here is the same. differentiable, capturable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``mu_product`` (Python floats), ``exp_avg`` and ``exp_avg_sq``. PyTorch keeps
    ``mu_product`` in the default dtype (float32 unless ``torch.set_default_dtype(torch.float64)``); it is a
    float64 number here.
    """

    _scalar_state_keys = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_hyper("epsilon value", eps)
        check_betas(betas)
        check_hyper("weight_decay value", weight_decay)
        check_hyper("momentum_decay value", momentum_decay)
        defaults = dict(lr=lr, betas=(float(betas[0]), float(betas[1])), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        momentum_decay = float(group["momentum_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        if not state:
            state["step"] = 0.0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        bias_correction2 = 1 - beta2 ** step

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param

        # the momentum cache mu_t and mu_{t+1}
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        mu_product_next = mu_product * mu_next

        exp_avg = lerp_(state["exp_avg"], grad, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"]
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denom = np.sqrt(exp_avg_sq / bias_correction2)
        denom += eps

        param += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
        param += ((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg / denom
