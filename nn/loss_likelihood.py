"""Likelihood loss modules: ``PoissonNLLLoss``, ``GaussianNLLLoss``, ``CTCLoss`` (thin wrappers of
``nn.functional`` with PyTorch's constructor arguments)."""
from . import functional as F
from .loss import _Loss


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood of counts ``target`` given the rate ``input`` (its log with
    ``log_input``).

    Args:
        log_input: the input is the log-rate: ``exp(x) - y x``; else ``x - y log(x + eps)``.
        full: add the Stirling approximation term ``y log y - y + log(2 pi y) / 2`` (where ``y > 1``).
        eps: avoids ``log(0)`` when ``log_input=False``.

    Shape:
        input and target of the same shape; output a scalar, or that shape for 'none'.
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood ``(log var + (x - y)^2 / var) / 2`` with a predicted variance.

    Args:
        full: add the constant ``log(2 pi) / 2``.
        eps: the variance is clamped to at least ``eps`` (the value only; the gradient passes).

    Shape:
        input ``(N, *)``; target like the input; var like the input, or with one dim of size 1, or without the last
        dim, or a number.

    Example::

        >>> nn.GaussianNLLLoss()(mean, target, var)          # var > 0, e.g. softplus of a network output
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class CTCLoss(_Loss):
    """Connectionist Temporal Classification loss: ``-log p(target | input)`` summed over all alignments of
    the target to the input sequence (with blanks and repeats).

    Args:
        blank: the blank label (default 0).
        reduction: ``'mean'`` (each loss divided by its target length, then averaged), ``'sum'`` or ``'none'``.
        zero_infinity: replace infinite losses (targets too long for their input) and their gradients by 0.

    Shape:
        log_probs ``(T, N, C)`` (``log_softmax`` outputs); targets ``(N, S)`` padded or 1-D concatenated;
        input_lengths and target_lengths ``(N,)``; output ``(N,)`` for 'none', else a scalar.

    Example::

        >>> ctc = nn.CTCLoss()
        >>> loss = ctc(logits.log_softmax(2), targets, input_lengths, target_lengths)
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                          self.zero_infinity)
