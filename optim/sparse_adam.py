"""SparseAdam: Adam that updates only the rows that received a gradient (embedding tables)."""
import math

import numpy as np

from .optimizer import Optimizer


class SparseAdam(Optimizer):
    r"""Masked Adam for embedding-like parameters (``torch.optim.SparseAdam``).

    Adam's moments and the parameter are updated only where the gradient is present; elsewhere nothing moves
    and the moments do not decay. PyTorch needs a sparse gradient (``nn.Embedding(sparse=True)``), whose stored
    rows say where the gradient is present. This library has dense gradients only, so a row (an index along
    dim 0, e.g. one embedding vector) counts as present when any of its gradient entries is nonzero. That is
    PyTorch's result for an embedding's gradient except for a looked-up row whose gradient is exactly zero,
    which PyTorch would still update (and ``padding_idx`` rows, which both skip).

    On the present rows, with :math:`t` the number of steps this parameter has taken:

    .. math::
        m \leftarrow m + (1 - \beta_1)(g - m), \quad
        v \leftarrow v + (1 - \beta_2)(g^2 - v), \quad
        \theta \leftarrow \theta - \gamma \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t} \frac{m}{\sqrt{v} + \epsilon}

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate :math:`\gamma`, > 0. Default: 1e-3.
        betas: coefficients :math:`(\beta_1, \beta_2)`. Default: (0.9, 0.999).
        eps: added to the denominator, > 0. Default: 1e-8.
        maximize: maximize the objective instead of minimizing it. Default: False.

    State per parameter: ``step`` (an int, counting every step that had a gradient, as in PyTorch),
    ``exp_avg`` and ``exp_avg_sq``.
    """

    _scalar_state_keys = ()

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, param, grad, state, group):
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(b) for b in group["betas"])
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]

        rows = _present_rows(grad)
        if not rows.any():
            return  # PyTorch skips an empty sparse gradient (the step count still advances)
        g = grad[rows]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        old_exp_avg, old_exp_avg_sq = exp_avg[rows], exp_avg_sq[rows]
        exp_avg_update = (g - old_exp_avg) * (1 - beta1)
        exp_avg_sq_update = (g * g - old_exp_avg_sq) * (1 - beta2)
        exp_avg[rows] = old_exp_avg + exp_avg_update
        exp_avg_sq[rows] = old_exp_avg_sq + exp_avg_sq_update

        numer = exp_avg_update + old_exp_avg
        denom = np.sqrt(exp_avg_sq_update + old_exp_avg_sq) + eps
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr * math.sqrt(bias_correction2) / bias_correction1
        param[rows] += -step_size * (numer / denom)

    def _cast_state(self, p, key, value):
        if key == "step":
            return int(value)
        return super()._cast_state(p, key, value)


def _present_rows(grad):
    """Boolean mask over dim 0 (a 0-d mask for a 0-d gradient) of the rows holding a nonzero gradient."""
    if grad.ndim == 0:
        return np.asarray(grad != 0)
    return (grad != 0).reshape(grad.shape[0], -1).any(axis=1)
