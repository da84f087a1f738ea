"""``autograd_core.special``: PyTorch's ``torch.special`` namespace, with its names and argument orders.

Every function here is an op of ``autograd_core/ops/`` (``special.py``, ``exponential.py``, ``reduction.py``...),
published under the name ``torch.special`` gives it (``expit`` is ``sigmoid``, ``gammaln`` is ``lgamma``,
``psi`` is ``digamma``, ``ndtr`` is the standard normal CDF...).

Example::

    >>> import autograd_core as torch
    >>> torch.special.erfinv(torch.tensor([0.0, 0.5]))
    tensor([0.    , 0.4769])
"""
from .ops import (digamma, erf, erfc, erfinv, exp2, expm1, i0, lgamma, log1p, logit, mvlgamma, normal_cdf,
                  polygamma, round, sigmoid, sinc, special_entr, special_erfcx, special_i0e, special_i1, special_i1e,
                  special_log_ndtr, special_ndtri, special_xlog1py, special_zeta, xlogy)
from .ops import log_softmax as _log_softmax
from .ops.elementwise import floating
from .ops import logsumexp as _logsumexp
from .ops import softmax as _softmax

__all__ = ["erf", "erfc", "erfcx", "erfinv", "expit", "logit", "xlogy", "xlog1py", "gammaln", "digamma", "psi",
           "polygamma", "multigammaln", "i0", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "sinc", "entr",
           "logsumexp", "softmax", "log_softmax", "exp2", "expm1", "log1p", "round", "zeta"]

gammaln = lgamma
psi = digamma
ndtr = normal_cdf
erfcx = special_erfcx
i0e = special_i0e
i1 = special_i1
i1e = special_i1e
ndtri = special_ndtri
log_ndtr = special_log_ndtr
entr = special_entr
xlog1py = special_xlog1py
zeta = special_zeta


def expit(input):
    """The logistic sigmoid ``1 / (1 + exp(-input))`` (``torch.special.expit``; integers compute in float)."""
    return sigmoid(floating(input))


def multigammaln(input, p):
    """The multivariate log-gamma function of dimension ``p`` (``torch.special.multigammaln``)."""
    return mvlgamma(input, p)


def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` along ``dim``, computed stably (``torch.special.logsumexp``)."""
    return _logsumexp(input, dim, keepdim)


def softmax(input, dim, dtype=None):
    """Softmax along ``dim`` (required here, as in ``torch.special.softmax``)."""
    return _softmax(input, dim=dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    """Log-softmax along ``dim`` (required here, as in ``torch.special.log_softmax``)."""
    return _log_softmax(input, dim=dim, dtype=dtype)
