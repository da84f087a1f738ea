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
from . import functional, init, utils
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
from .training import (fit, Trainer, evaluate, predict, Callback, EarlyStopping, ModelCheckpoint,
                       History, plot_history)
from . import models

__all__ = ["AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d",
           "BatchNorm2d", "Bilinear", "Buffer", "Callback", "CheckpointError", "Conv1d", "Conv2d",
           "CrossEntropyLoss", "Dropout", "Dropout2d", "ELU", "EarlyStopping", "Embedding", "Flatten", "GELU", "GRU",
           "GRUCell", "History", "HuberLoss", "Identity", "KLDivLoss", "L1Loss", "LSTM", "LSTMCell", "LayerNorm",
           "LeakyReLU", "Linear", "LocallyConnected2d", "LogSoftmax", "MSELoss", "MaxPool1d", "MaxPool2d",
           "ModelCheckpoint", "Module", "ModuleDict", "ModuleList", "NLLLoss", "Parameter", "RNN", "RNNCell", "ReLU",
           "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss", "Softmax", "Softplus", "Tanh", "Trainer", "Unflatten",
           "evaluate", "fit", "functional",
           "init", "load", "models", "parameter",
           "plot_history", "predict", "save", "training", "utils"]

# issue 15 (layers): activations
from .activation import SELU, CELU, Mish, LogSigmoid, Softsign, Tanhshrink, GLU, Softmin, Softmax2d  # noqa: E402
from .activation_piecewise import (Threshold, Hardtanh, ReLU6, Hardsigmoid, Hardswish, Hardshrink,  # noqa: E402
                                   Softshrink, RReLU, PReLU)
__all__ += ["SELU", "CELU", "Mish", "LogSigmoid", "Softsign", "Tanhshrink", "GLU", "Softmin", "Softmax2d",
            "Threshold", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Hardshrink", "Softshrink", "RReLU",
            "PReLU"]
from .distance import CosineSimilarity, PairwiseDistance  # noqa: E402
__all__ += ["CosineSimilarity", "PairwiseDistance"]
# issue 15 (layers): normalization
from .batchnorm import BatchNorm3d  # noqa: E402
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: E402
from .normalization import GroupNorm, RMSNorm, LocalResponseNorm  # noqa: E402
__all__ += ["BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "GroupNorm", "RMSNorm",
            "LocalResponseNorm"]
# issue 15 (layers): embeddings
from .embedding import EmbeddingBag  # noqa: E402
__all__ += ["EmbeddingBag"]
# issue 15 (layers): containers and lazy modules
from .parameter_containers import ParameterList, ParameterDict  # noqa: E402
from .linear import LazyLinear  # noqa: E402
from .parameter import UninitializedParameter  # noqa: E402
__all__ += ["ParameterList", "ParameterDict", "LazyLinear", "UninitializedParameter"]
# issue 15 (layers): losses
from .loss_margin import (MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss,  # noqa: E402
                          MultiLabelMarginLoss, MultiMarginLoss, CosineEmbeddingLoss, TripletMarginLoss,
                          TripletMarginWithDistanceLoss)
from .loss_likelihood import PoissonNLLLoss, GaussianNLLLoss, CTCLoss  # noqa: E402
__all__ += ["MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
            "MultiLabelMarginLoss", "MultiMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
            "TripletMarginWithDistanceLoss", "PoissonNLLLoss", "GaussianNLLLoss", "CTCLoss"]
# issue 15 (attention)
from .attention import MultiheadAttention  # noqa: E402
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,  # noqa: E402
                          TransformerEncoder, TransformerEncoderLayer)
__all__ += ["MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
            "TransformerDecoderLayer"]
__all__ += ["Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "MaxPool3d", "AvgPool3d",
            "AdaptiveAvgPool1d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "MaxUnpool1d",
            "MaxUnpool2d", "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d", "FractionalMaxPool2d",
            "FractionalMaxPool3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
            "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
            "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d", "Upsample",
            "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle"]
