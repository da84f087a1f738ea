"""Optimizers, learning rate schedulers and parameter-group helpers, mirroring ``torch.optim``.

Every optimizer reproduces PyTorch 2.13's single-tensor update (same defaults, state keys and state-dict
layout), so a model trained here follows the same trajectory as the same model trained with ``torch.optim``.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .param_groups import weight_decay_groups
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam",
           "RAdam", "Rprop", "ASGD", "LBFGS", "SparseAdam", "lr_scheduler", "weight_decay_groups"]
