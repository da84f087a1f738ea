"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992), with a decaying step size."""
import numpy as np

from autograd_core.dtypes import get_default_dtype

from .optimizer import Optimizer, check_hyper, check_lr


def _default_float(value):
    """``value`` rounded to the default dtype, as PyTorch's 0-d state tensors hold it."""
    return float(np.asarray(value, dtype=get_default_dtype()))


class ASGD(Optimizer):
    r"""Averaged SGD, PyTorch's formulation (``torch.optim.ASGD``).

    .. math::
        \theta \leftarrow (1 - \lambda\eta_t)\,\theta - \eta_t g, \quad
        \bar\theta \leftarrow \bar\theta + \mu_t (\theta - \bar\theta), \quad
        \eta_{t} = \frac{\gamma}{(1 + \lambda\gamma t)^\alpha}, \quad
        \mu_{t} = \frac{1}{\max(1, t - t_0)}

    The parameters follow plain (decaying-step) SGD; the running average :math:`\bar\theta` (state ``ax``) starts
    averaging at step ``t0``. Copy ``ax`` into the model to evaluate the averaged iterate.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`. Default: 1e-2.
        lambd: decay term :math:`\lambda`. Default: 1e-4.
        alpha: power :math:`\alpha` of the step-size decay. Default: 0.75.
        t0: the step at which averaging starts. Default: 1e6.
        weight_decay: L2 penalty, added to the gradient. Default: 0.
        foreach: accepted for PyTorch compatibility (an implementation choice there; same result here).
        maximize: maximize the objective instead of minimizing it. Default: False.
        differentiable, capturable: see :mod:`optim.optimizer` (True raises at step).

    State per parameter: ``step``, ``eta``, ``mu`` and ``ax``. PyTorch keeps the first three as 0-d tensors of the
    default dtype; here they are Python floats rounded to the default dtype (float32 unless
    ``set_default_dtype(float64)``), so the step sizes, and the trajectory, are PyTorch's.
    """

    _scalar_state_keys = ("step", "eta", "mu")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_hyper("weight_decay value", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        lr, lambd, alpha, t0 = (float(group[k]) for k in ("lr", "lambd", "alpha", "t0"))
        weight_decay = float(group["weight_decay"])
        if not state:
            state["step"] = 0.0
            state["eta"] = _default_float(lr)
            state["mu"] = 1.0
            state["ax"] = np.zeros_like(param)
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * param

        eta = state["eta"]
        param *= 1 - lambd * eta  # decay term
        param -= eta * grad
        ax = state["ax"]
        if state["mu"] != 1:
            ax += (param - ax) * state["mu"]
        else:
            ax[...] = param

        step = state["step"]
        state["eta"] = _default_float(lr / ((1 + lambd * lr * step) ** alpha))
        state["mu"] = _default_float(1 / max(1, step - t0))
