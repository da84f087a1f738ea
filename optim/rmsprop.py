"""RMSprop: gradients scaled by a running root mean square, optionally centered and with momentum."""
import numpy as np

from .optimizer import Optimizer, check_hyper, check_lr, lerp_


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's formulation (``torch.optim.RMSprop``).

    .. math::
        v \leftarrow \alpha v + (1 - \alpha) g^2, \quad
        \bar g \leftarrow \alpha \bar g + (1 - \alpha) g \ (\text{centered}), \quad
        d = \sqrt{v - \bar g^2} + \epsilon, \quad
        b \leftarrow \mu b + g / d, \quad \theta \leftarrow \theta - \gamma b

    (without momentum, :math:`\theta \leftarrow \theta - \gamma g / d`).

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 1e-2.
        alpha: smoothing constant :math:`\alpha`. Default: 0.99.
        eps: added to the denominator for numerical stability (outside the square root). Default: 1e-8.
        weight_decay: L2 penalty, added to the gradient. Default: 0.
        momentum: momentum factor :math:`\mu`. Default: 0.
        centered: normalize by an estimate of the gradient's variance instead of its second moment.
            Default: False.
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach: accepted for PyTorch compatibility; it only picks an implementation there, and the
            result here is the same. differentiable, capturable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``square_avg``, plus ``momentum_buffer`` (momentum > 0) and ``grad_avg``
    (centered).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_hyper("epsilon value", eps)
        check_hyper("momentum value", momentum)
        check_hyper("weight_decay value", weight_decay)
        check_hyper("alpha value", alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        momentum, weight_decay = float(group["momentum"]), float(group["weight_decay"])
        if not state:
            state["step"] = 0.0
            state["square_avg"] = np.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * param

        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = lerp_(state["grad_avg"], grad, 1 - alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += eps

        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += grad / avg
            param -= lr * buf
        else:
            param -= lr * grad / avg
