"""nn: modules, layers, losses and initialization with PyTorch's names, built on autograd_core.

Example::

    import nn
    import nn.functional as F

    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    loss = F.cross_entropy(model(x), y)
    nn.save(model.state_dict(), "model.npz")
"""
from .parameter import Parameter, Buffer
from .module import Module
from .container import Sequential, ModuleList, ModuleDict
from . import functional, init, utils  # noqa: F401
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .activation import ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, SiLU, Softplus, Softmax, LogSoftmax
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .pooling import (MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, AdaptiveAvgPool1d,
                      AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d)
from .pooling_variants import (MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, LPPool1d, LPPool2d, LPPool3d,
                               FractionalMaxPool2d, FractionalMaxPool3d)
from .padding import (ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d,
                      ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                      CircularPad1d, CircularPad2d, CircularPad3d)
from .upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle
from .dropout import Dropout, Dropout2d
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .embedding import Embedding
from .local import LocallyConnected2d
from .loss import (CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss, HuberLoss,
                   SmoothL1Loss)
from .serialization import save, load, CheckpointError
from .recurrent import RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU
from .trainer import fit, Trainer, evaluate, predict  # noqa: E402
from .callbacks import Callback, EarlyStopping, ModelCheckpoint  # noqa: E402
from .history import History, plot_history  # noqa: E402
from . import models  # noqa: E402,F401
