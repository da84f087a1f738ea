"""Learning rate schedulers with PyTorch's semantics (``torch.optim.lr_scheduler``).

A scheduler rewrites ``group["lr"]`` (and, for the cyclic ones, the momentum or Adam's beta1) of its optimizer's
parameter groups. Building one records each group's ``initial_lr`` and performs the first step (``last_epoch``
becomes 0); call ``scheduler.step()`` after ``optimizer.step()``, once per epoch (or per iteration, as your
schedule is defined).

Most schedulers are *chainable*: ``get_lr`` computes the next rate from the current ``group["lr"]`` (PyTorch's
recursive forms, e.g. for cosine annealing), so values match PyTorch exactly and two schedulers can act on the
same optimizer. ``step(epoch)`` (deprecated in PyTorch) uses the closed form instead.

Where they live: ``base.py`` (the base class, LambdaLR, MultiplicativeLR), ``decay.py`` (step, multi-step,
constant, linear, exponential, polynomial, cosine), ``cyclic.py`` (CyclicLR, OneCycleLR, warm restarts),
``composite.py`` (SequentialLR, ChainedScheduler), ``plateau.py`` (ReduceLROnPlateau).

Example::

    >>> opt = SGD(model.parameters(), lr=0.1)
    >>> sched = StepLR(opt, step_size=30, gamma=0.1)
    >>> for epoch in range(100):
    ...     train_one_epoch(model, opt)
    ...     sched.step()
"""
from .base import EPOCH_DEPRECATION_WARNING, LambdaLR, LRScheduler, MultiplicativeLR
from .composite import ChainedScheduler, SequentialLR
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from .decay import ConstantLR, CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, PolynomialLR, StepLR
from .plateau import ReduceLROnPlateau

_LRScheduler = LRScheduler  # PyTorch's old name

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
           "SequentialLR", "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR", "PolynomialLR", "LRScheduler", "EPOCH_DEPRECATION_WARNING"]
