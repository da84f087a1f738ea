"""The course's reference models, used by the main job (``autograd-train``), the benchmarks and the notebooks.

* :class:`MLP`: a fully connected network (Flatten, then Linear + activation (+ dropout) blocks, then a Linear
  classifier);
* :class:`CNN`: the two-convolution network of the convolution chapter (and of ``bench/``);
* :class:`PlaygroundMLP`: a tiny MLP for the 2-D synthetic sets (moons, circles, spirals, XOR, blobs).

Parameter names follow the modules' structure exactly as the same classes written with ``torch.nn`` would give
them (``features.0.weight``, ``classifier.1.bias``), so a PyTorch state dict of the same architecture loads here
and the other way round.

Example::

    >>> model = CNN(dropout=0.25)
    >>> model(autograd_core.randn(8, 1, 28, 28)).shape
    (8, 10)
    >>> build_model("mlp", in_features=2, num_classes=3)     # what the main job does for a synthetic set
"""
import numbers

from ..activation import ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh
from ..container import Sequential
from ..conv import Conv2d
from ..dropout import Dropout
from ..flatten import Flatten
from ..linear import Linear
from ..module import Module
from ..pooling import MaxPool2d

__all__ = ["MLP", "CNN", "PlaygroundMLP", "build_model", "ACTIVATIONS"]

ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "gelu": GELU, "leaky_relu": LeakyReLU,
               "elu": ELU, "silu": SiLU}


def _activation(name):
    if isinstance(name, Module):
        raise TypeError("activation: pass a name or a Module class, not an instance (one instance per layer "
                        "is created)")
    if isinstance(name, type) and issubclass(name, Module):
        return name()
    try:
        return ACTIVATIONS[str(name).lower()]()
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") from None


def _check_dropout(p):
    if not isinstance(p, numbers.Real) or not 0.0 <= p < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {p!r}")
    return float(p)


class MLP(Module):
    """A multilayer perceptron for classification: ``Flatten -> [Linear -> act -> Dropout] * k -> Linear``.

    Args:
        in_features: size of one flattened input (784 for 28 x 28 images).
        hidden: widths of the hidden layers (an int for one layer; ``()`` gives multinomial logistic regression).
        num_classes: number of outputs (logits; use ``CrossEntropyLoss``).
        dropout: dropout probability after each hidden activation. The Dropout modules are there even for 0
            (then they are the identity), so parameter names and checkpoints don't depend on it.
        activation: ``'relu'``, ``'tanh'``, ``'sigmoid'``, ``'gelu'``, ``'leaky_relu'``, ``'elu'``, ``'silu'``, or a
            Module class.

    Shape:
        input ``(N, *)`` with ``prod(*) == in_features`` (images ``(N, 1, 28, 28)`` are flattened); output
        ``(N, num_classes)``.

    Example::

        >>> model = MLP(784, (256, 128), 10, dropout=0.2)
        >>> [name for name, _ in model.named_parameters()][:2]
        ['net.1.weight', 'net.1.bias']
    """

    def __init__(self, in_features=784, hidden=(256, 128), num_classes=10, dropout=0.0, activation="relu"):
        super().__init__()
        hidden = (hidden,) if isinstance(hidden, numbers.Integral) else tuple(int(h) for h in hidden)
        self.in_features, self.hidden, self.num_classes = int(in_features), hidden, int(num_classes)
        self.dropout = _check_dropout(dropout)
        layers = [Flatten()]
        width = self.in_features
        for h in hidden:   # Dropout(0) is the identity: always there, so parameter names don't depend on p
            layers += [Linear(width, h), _activation(activation), Dropout(self.dropout)]
            width = h
        layers.append(Linear(width, self.num_classes))
        self.net = Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class CNN(Module):
    """The course's convolutional network for 28 x 28 grayscale images (Fashion-MNIST, MNIST).

    ``features``: Conv2d(1, 32, 5, padding=2) -> ReLU -> MaxPool2d(2) -> Conv2d(32, 64, 5, padding=2) -> ReLU ->
    MaxPool2d(2), giving 64 maps of 7 x 7; ``classifier``: Flatten -> Linear(3136, 128) -> ReLU -> Dropout ->
    Linear(128, num_classes). 454,922 parameters for 10 classes.

    Args:
        num_classes: number of outputs (logits).
        dropout: dropout probability before the last layer (the module is there, as the identity, for 0).
        in_channels: channels of the input images.

    Shape:
        input ``(N, in_channels, 28, 28)``; output ``(N, num_classes)``.

    Example::

        >>> CNN()(autograd_core.randn(2, 1, 28, 28)).shape
        (2, 10)
    """

    def __init__(self, num_classes=10, dropout=0.0, in_channels=1):
        super().__init__()
        self.num_classes = int(num_classes)
        self.dropout = _check_dropout(dropout)
        self.features = Sequential(
            Conv2d(in_channels, 32, kernel_size=5, padding=2), ReLU(), MaxPool2d(2),
            Conv2d(32, 64, kernel_size=5, padding=2), ReLU(), MaxPool2d(2),
        )
        self.classifier = Sequential(Flatten(), Linear(64 * 7 * 7, 128), ReLU(), Dropout(self.dropout),
                                     Linear(128, self.num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class PlaygroundMLP(MLP):
    """A tiny MLP for the 2-D point sets of :mod:`autograd_core.data.synthetic` (TensorFlow-playground style).

    Same structure as :class:`MLP`, with small defaults: 2 inputs, two hidden layers of 16 tanh units, 2 classes.

    Example::

        >>> X, y = make_moons(200, seed=0)
        >>> PlaygroundMLP()(autograd_core.tensor(X)).shape
        (200, 2)
    """

    def __init__(self, in_features=2, hidden=(16, 16), num_classes=2, dropout=0.0, activation="tanh"):
        super().__init__(in_features, hidden, num_classes, dropout, activation)


def build_model(name, in_features=784, num_classes=10, dropout=0.0, **kwargs):
    """Build a reference model by name: ``'mlp'``, ``'cnn'`` or ``'playground'``.

    ``in_features`` is used by the MLPs; ``'mlp'`` with ``in_features`` of 2 gives a :class:`PlaygroundMLP`
    (the main job on a synthetic set). Extra keyword arguments go to the model's constructor.
    """
    name = name.lower()
    if name == "cnn":
        if in_features != 784:
            raise ValueError(f"the CNN takes 28 x 28 images (784 features), not inputs of {in_features} features; "
                             f"use --model mlp for this dataset")
        return CNN(num_classes=num_classes, dropout=dropout, **kwargs)
    if name == "playground" or (name == "mlp" and in_features <= 16):
        return PlaygroundMLP(in_features=in_features, num_classes=num_classes, dropout=dropout, **kwargs)
    if name == "mlp":
        return MLP(in_features=in_features, num_classes=num_classes, dropout=dropout, **kwargs)
    raise ValueError(f"unknown model {name!r}; choose 'mlp', 'cnn' or 'playground'")
