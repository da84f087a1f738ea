"""Adam and AdamW: bias-corrected first and second moment estimates (Kingma & Ba, 2015; Loshchilov & Hutter, 2019)."""
import numpy as np

from .optimizer import Optimizer, check_fused, check_hyper, check_lr, lerp_


def check_betas(betas):
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


class Adam(Optimizer):
    r"""Adam, PyTorch's formulation (``torch.optim.Adam``).

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        \theta \leftarrow \theta - \frac{\gamma}{1 - \beta_1^t}\,
            \frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon}

    With ``amsgrad`` the running maximum of :math:`v` replaces :math:`v` in the denominator. Weight decay
    :math:`\lambda` is an L2 penalty added to the gradient (``g + \lambda\theta``), or, with
    ``decoupled_weight_decay=True`` (that is :class:`AdamW`), a shrink ``\theta \leftarrow (1 - \gamma\lambda)\theta``
    applied before the update.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 1e-3.
        betas: coefficients :math:`(\beta_1, \beta_2)` of the running averages. Default: (0.9, 0.999).
        eps: added to the denominator for numerical stability. Default: 1e-8.
        weight_decay: weight decay :math:`\lambda`. Default: 0.
        amsgrad: use the AMSGrad variant. Default: False.
        maximize: maximize the objective instead of minimizing it. Default: False.
        decoupled_weight_decay: AdamW's decoupled decay instead of the L2 penalty. Default: False.
        foreach, fused: accepted for PyTorch compatibility; they only pick an implementation there, and the
            result here is the same. differentiable, capturable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_lr(lr)
        check_hyper("epsilon value", eps)
        check_betas(betas)
        check_hyper("weight_decay value", weight_decay)
        if not all(isinstance(b, float) for b in betas):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=(float(betas[0]), float(betas[1])), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def _update(self, param, grad, state, group):
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        amsgrad = group["amsgrad"]
        if not state:
            state["step"] = 0.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(param)
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
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        step_size = lr / bias_correction1
        if amsgrad:
            second = np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
        else:
            second = exp_avg_sq
        denom = np.sqrt(second) / bias_correction2_sqrt
        denom += eps
        param -= step_size * exp_avg / denom


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, ``\theta \leftarrow (1 - \gamma\lambda)\theta`` before the Adam step
    (``torch.optim.AdamW``). Same arguments as :class:`Adam` except ``weight_decay`` defaults to 1e-2 and
    ``decoupled_weight_decay`` is always True (also after ``load_state_dict``)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _fix_loaded_group(self, group):
        group["decoupled_weight_decay"] = True
        return group
