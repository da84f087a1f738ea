"""Stochastic gradient descent with optional (Nesterov) momentum, dampening and L2 weight decay."""
import numpy as np

from .optimizer import Optimizer, check_fused, check_hyper, check_lr


class SGD(Optimizer):
    r"""Stochastic gradient descent, PyTorch's formulation (``torch.optim.SGD``).

    .. math::
        g \leftarrow \nabla + \lambda\theta, \quad
        b \leftarrow \mu b + (1 - \tau) g \ (b_1 = g), \quad
        \theta \leftarrow \theta - \gamma\,(g + \mu b \text{ if nesterov else } b)

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 1e-3.
        momentum: momentum factor :math:`\mu`. Default: 0.
        dampening: dampening :math:`\tau` for momentum. Default: 0.
        weight_decay: L2 penalty :math:`\lambda`, added to the gradient. Default: 0.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0). Default: False.
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach, fused: accepted for PyTorch compatibility; they only pick an implementation there, and the
            result here is the same. differentiable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``momentum_buffer`` (only when momentum is nonzero). Note that the first buffer is
    the gradient itself, without dampening (as in PyTorch).

    Example::

        >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        check_hyper("momentum value", momentum)
        check_hyper("weight_decay value", weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(f"Nesterov momentum requires a momentum and zero dampening, got momentum={momentum}, "
                             f"dampening={dampening}")
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def _update(self, param, grad, state, group):
        lr, momentum, weight_decay = float(group["lr"]), float(group["momentum"]), float(group["weight_decay"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # np.array, not grad.copy(): arithmetic on a 0-d array returns a numpy scalar, not an array
                buf = state["momentum_buffer"] = np.array(grad)
            else:
                buf *= momentum
                buf += (1 - float(group["dampening"])) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        param -= lr * grad
