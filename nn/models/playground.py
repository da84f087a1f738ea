"""The TensorFlow-playground experience in a notebook: a small network learning a 2-D point set, redrawn as it
trains.

A :class:`Playground` holds a data set (``'circles'``, ``'xor'``, ``'spirals'``, ``'moons'``, ``'gaussian'``), the
input features fed to the network (``x1``, ``x2``, ``x1^2``, ``x2^2``, ``x1*x2``, ``sin(x1)``, ``sin(x2)``), a
:class:`~nn.models.MLP` (depth, width, activation), an optimizer (learning rate, batch size) and a regularizer
(L1 or L2 on the weights, never on the biases). ``train(epochs)`` trains, ``figure()`` draws the decision
boundary with the train and test points and the loss curves, ``neuron_figure()`` what each hidden unit computes.

``widget()`` gives the interactive version (ipywidgets: controls, play/pause, step, reset); without ipywidgets
the same object runs non-interactively, so a notebook shows the same pictures in CI.

Example::

    >>> pg = Playground("spirals", hidden=(8, 8), activation="tanh", lr=0.03)
    >>> pg.train(100)
    >>> pg.figure()                      # boundary + loss curves
    >>> pg.widget()                      # in Jupyter with ipywidgets
"""
import numpy as np

from autograd_core import ops
from autograd_core.data import DataLoader, TensorDataset, synthetic
from autograd_core.factories import tensor
from autograd_core.grad_mode import no_grad
from autograd_core.random import manual_seed
from autograd_core.viz.boundary import grid_points
from autograd_core.viz.playground import plot_playground, plot_snapshots, plot_unit_maps
from autograd_core.viz.plots import figure_png
from optim import SGD, Adam, weight_decay_groups

from .. import functional as F
from ..module import Module
from ..training.callbacks import LambdaCallback
from ..training.trainer import Trainer
from .course import ACTIVATIONS, MLP
from .playground_widget import build_widget

__all__ = ["Playground", "PlaygroundNet", "DATASETS", "FEATURES", "make_dataset"]


def _gaussian(n_samples, noise, seed):
    return synthetic.make_blobs(n_samples, centers=[[-1.0, -1.0], [1.0, 1.0]], cluster_std=0.4 + 2 * noise,
                                seed=seed)


#: ``name -> f(n_samples, noise, seed) -> (X, y)``: the playground's point sets, all scaled to about [-1, 1]^2.
DATASETS = {
    "circles": lambda n, noise, seed: synthetic.make_circles(n, noise=noise, factor=0.5, seed=seed),
    "xor": lambda n, noise, seed: synthetic.make_xor(n, noise=noise, seed=seed),
    "spirals": lambda n, noise, seed: synthetic.make_spirals(n, n_arms=2, noise=noise, turns=1.0, seed=seed),
    "moons": lambda n, noise, seed: synthetic.make_moons(n, noise=noise, seed=seed),
    "gaussian": _gaussian,
}

#: ``name -> f(x1, x2)`` on Tensors: the input features the network may see.
FEATURES = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: (3.0 * a).sin(),
    "sin(x2)": lambda a, b: (3.0 * b).sin(),
}


def make_dataset(name, n_samples=300, noise=0.1, seed=0):
    """``(X, y)`` of a playground data set: float32 ``(N, 2)`` points and int64 labels 0/1."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}")
    X, y = DATASETS[name](int(n_samples), float(noise), seed)
    return X.astype(np.float32), y.astype(np.int64)


class PlaygroundNet(Module):
    """Feature layer + MLP: ``(N, 2)`` points -> the chosen features -> :class:`~nn.models.MLP` -> 2 logits."""

    def __init__(self, features=("x1", "x2"), hidden=(8, 8), activation="tanh", num_classes=2):
        super().__init__()
        unknown = [f for f in features if f not in FEATURES]
        if unknown or not features:
            raise ValueError(f"features must be a non-empty subset of {list(FEATURES)}, got {list(features)}")
        self.features = tuple(features)
        self.mlp = MLP(len(self.features), hidden, num_classes, activation=activation)

    def featurize(self, x):
        a, b = x[:, 0], x[:, 1]
        return ops.stack([FEATURES[f](a, b) for f in self.features], 1)

    def forward(self, x):
        return self.mlp(self.featurize(x))

    def extra_repr(self):
        return f"features={list(self.features)}"


class Playground:
    """A network learning a 2-D data set, with everything the TensorFlow playground lets you change.

    Args:
        dataset: a key of ``DATASETS``; n_samples, noise: of the data; test_fraction: held out for the test curve.
        features: keys of ``FEATURES`` fed to the network.
        hidden: widths of the hidden layers (``()``: a linear model); activation: ``'tanh'``, ``'relu'``, ...
        lr, optimizer (``'sgd'`` or ``'adam'``), batch_size: the training.
        regularization: None, ``'l1'`` or ``'l2'``; reg_rate: its weight. Both apply to weights only: L2 through
            ``optim.weight_decay_groups`` (the optimizer's weight decay), L1 as ``reg_rate * sum |w|`` added to the
            loss.
        seed: data, initialization and shuffling.

    Attributes:
        model (:class:`PlaygroundNet`), optimizer, X_train, y_train, X_test, y_test, epoch, and history:
        ``{'epoch', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy'}`` lists (one entry per epoch,
        epoch 0 being the untrained network).
    """

    DATA_KEYS = ("dataset", "n_samples", "noise", "test_fraction", "seed")

    def __init__(self, dataset="spirals", n_samples=300, noise=0.1, test_fraction=0.3, features=("x1", "x2"),
                 hidden=(8, 8), activation="tanh", lr=0.03, optimizer="adam", batch_size=16, regularization=None,
                 reg_rate=0.0, seed=0):
        self.config = {}
        self.configure(dataset=dataset, n_samples=n_samples, noise=noise, test_fraction=test_fraction,
                       features=tuple(features), hidden=tuple(hidden), activation=activation, lr=lr,
                       optimizer=optimizer, batch_size=batch_size, regularization=regularization,
                       reg_rate=reg_rate, seed=seed)

    # ------------------------------------------------------------------ setup
    def configure(self, **changes):
        """Change settings; new data if a data setting changed, and always a freshly initialized network."""
        if changes.get("regularization") not in (None, "none", "l1", "l2") and "regularization" in changes:
            raise ValueError(f"regularization must be None, 'l1' or 'l2', got {changes['regularization']!r}")
        if changes.get("optimizer", "adam") not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', got {changes['optimizer']!r}")
        new_data = not self.config or any(k in self.DATA_KEYS and self.config.get(k) != v for k, v in changes.items())
        self.config.update(changes)
        if self.config["regularization"] == "none":
            self.config["regularization"] = None
        if new_data:
            c = self.config
            X, y = make_dataset(c["dataset"], c["n_samples"], c["noise"], c["seed"])
            n_test = int(round(len(y) * c["test_fraction"]))
            self.X_train, self.y_train = X[n_test:], y[n_test:]
            self.X_test, self.y_test = X[:n_test], y[:n_test]
        self.reset()
        return self

    def reset(self):
        """A freshly initialized network and optimizer (same seed: same start), and an empty history."""
        c = self.config
        manual_seed(c["seed"])
        self.model = PlaygroundNet(c["features"], c["hidden"], c["activation"])
        decay = c["reg_rate"] if c["regularization"] == "l2" else 0.0
        groups = weight_decay_groups(self.model, decay)
        self.optimizer = Adam(groups, lr=c["lr"]) if c["optimizer"] == "adam" else SGD(groups, lr=c["lr"])
        self._rng = np.random.default_rng(c["seed"])
        self.epoch = 0
        self.history = {k: [] for k in ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")}
        self._record()
        return self

    # ------------------------------------------------------------------ training
    def _penalty(self):
        c = self.config
        if c["regularization"] != "l1" or not c["reg_rate"]:
            return None
        weights = [p for n, p in self.model.named_parameters() if p.ndim >= 2]
        return c["reg_rate"] * sum(p.abs().sum() for p in weights)

    def _loss(self, logits, target):
        loss = F.cross_entropy(logits, target)
        penalty = self._penalty()
        return loss if penalty is None else loss + penalty

    def _end_epoch(self, trainer, epoch, logs):
        self.epoch += 1
        self._record()

    def train(self, epochs=1):
        """Train ``epochs`` passes over the training points (shuffled mini-batches) with
        :class:`nn.training.Trainer` (after each one, ``epoch`` and ``history`` are updated); returns self."""
        batch_size = max(1, int(self.config["batch_size"]))
        loader = DataLoader(TensorDataset(self.X_train, self.y_train), batch_size=batch_size, shuffle=True,
                            generator=self._rng)
        trainer = Trainer(self.model, self._loss, self.optimizer, metrics=(), progress=False,
                          callbacks=[LambdaCallback(on_epoch_end=self._end_epoch)])
        trainer.fit(loader, epochs=int(epochs))
        return self

    @no_grad()
    def _evaluate(self, X, y):
        logits = self.model(tensor(X))
        loss = float(F.cross_entropy(logits, tensor(y)).item())
        return loss, float((logits.numpy().argmax(1) == y).mean())

    def _record(self):
        h = self.history
        h["epoch"].append(self.epoch)
        for split, X, y in (("train", self.X_train, self.y_train), ("test", self.X_test, self.y_test)):
            loss, acc = self._evaluate(X, y) if len(y) else (float("nan"), float("nan"))
            h[f"{split}_loss"].append(loss)
            h[f"{split}_accuracy"].append(acc)

    # ------------------------------------------------------------------ pictures
    def describe(self):
        c = self.config
        reg = f", {c['regularization']} {c['reg_rate']:g}" if c["regularization"] else ""
        return (f"{c['dataset']}: features {'+'.join(c['features'])}, hidden {list(c['hidden'])} {c['activation']}, "
                f"{c['optimizer']} lr {c['lr']:g}, batch {c['batch_size']}{reg}")

    def figure(self, title=None):
        """Decision boundary (train points as dots, test points as crosses) and train/test loss curves."""
        return plot_playground(self.model, (self.X_train, self.y_train), (self.X_test, self.y_test), self.history,
                               title=title or self.describe())

    @no_grad()
    def neuron_figure(self, layer=0, resolution=60):
        """What each unit of hidden layer ``layer`` computes over the plane (its activation as a heat map)."""
        n_layers = len(self.config["hidden"])
        if not 0 <= layer < n_layers:
            raise ValueError(f"layer must be in [0, {n_layers}), got {layer}")
        xx, yy, grid = grid_points(np.concatenate([self.X_train, self.X_test]), resolution, 0.3)
        self.model.eval()
        h = self.model.featurize(tensor(grid))
        seen = -1
        for module in self.model.mlp.net:
            h = module(h)
            if type(module).__name__ not in ("Linear", "Flatten", "Dropout"):
                seen += 1
                if seen == layer:
                    break
        self.model.train()
        return plot_unit_maps(xx, yy, h.numpy(), title=f"hidden layer {layer}: each unit's output over the plane")

    def png(self, dpi=72):
        """:meth:`figure` as PNG bytes (what the widget shows)."""
        return figure_png(self.figure(), dpi=dpi)

    def run(self, epochs=100, snapshots=4):
        """Non-interactive run: train ``epochs`` epochs and return a figure of the decision boundary at
        ``snapshots`` moments (evenly spaced, the last one at the end) with the loss curves beside them."""
        marks = sorted({int(round(epochs * (i + 1) / snapshots)) for i in range(snapshots)})

        def advance(mark):
            self.train(mark - self.epoch if mark > self.epoch else 0)
            return self.epoch

        return plot_snapshots(self.model, self.X_train, self.y_train, marks, advance, self.history,
                              title=self.describe())

    # ------------------------------------------------------------------ interactive
    def widget(self, epochs_per_frame=2):
        """Controls, play/pause/step/reset and the live picture (needs ipywidgets)."""
        return build_widget(self, list(DATASETS), list(FEATURES), sorted(ACTIVATIONS), epochs_per_frame)

    def __repr__(self):
        return f"Playground({self.describe()}; epoch {self.epoch})"
