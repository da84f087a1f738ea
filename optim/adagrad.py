"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
import numpy as np

from .optimizer import Optimizer, check_fused, check_hyper, check_lr


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), PyTorch's formulation (``torch.optim.Adagrad``).

    .. math::
        g \leftarrow \nabla + \lambda\theta, \quad
        \tilde\gamma = \frac{\gamma}{1 + (t - 1)\eta}, \quad
        s \leftarrow s + g^2, \quad
        \theta \leftarrow \theta - \tilde\gamma \frac{g}{\sqrt{s} + \epsilon}

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 1e-2.
        lr_decay: learning rate decay :math:`\eta`. Default: 0.
        weight_decay: L2 penalty :math:`\lambda`. Default: 0.
        initial_accumulator_value: starting value of the sum :math:`s`. Default: 0.
        eps: added to the denominator for numerical stability. Default: 1e-10.
        maximize: maximize the objective instead of minimizing it. Default: False.
        foreach, fused: accepted for PyTorch compatibility; they only pick an implementation there, and the
            result here is the same. differentiable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step`` and ``sum``. Unlike the other optimizers (and like PyTorch) the state is
    created for every parameter when the optimizer is built, and it always starts from the constructor's
    ``initial_accumulator_value`` (a per-group value is ignored, as in PyTorch).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_hyper("lr_decay value", lr_decay)
        check_hyper("weight_decay value", weight_decay)
        check_hyper("initial_accumulator_value value", initial_accumulator_value)
        check_hyper("epsilon value", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p.numpy())

    def _init_state(self, state, param):
        state["step"] = 0.0
        state["sum"] = np.full_like(param, self.defaults["initial_accumulator_value"])

    def _update(self, param, grad, state, group):
        if not state:  # a parameter added later with add_param_group
            self._init_state(state, param)
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum = state["sum"]
        state_sum += grad * grad
        std = np.sqrt(state_sum)
        std += eps
        param -= clr * grad / std
