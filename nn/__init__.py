"""nn: modules, layers, losses and initialization with PyTorch's names, built on autograd_core."""
from .parameter import Parameter, Buffer
from .module import Module
from .container import Sequential, ModuleList, ModuleDict
