"""The network zoo of the course's chart: the models that are not plain stacks of ``nn`` layers.

=========================  ==========================================================================
:class:`Perceptron`        Rosenblatt's threshold unit, with the classic mistake-driven learning rule
:class:`RBF`               a radial-basis layer: ``phi_k(x) = exp(-gamma_k ||x - c_k||^2)``
:class:`RBFNetwork`        RBF layer + linear readout (a radial basis network)
:class:`AutoEncoder`       encoder -> code -> decoder; ``sparsity`` adds an L1 activity penalty on the code
                           (sparse AE); train on :func:`corrupt` ed inputs for a denoising AE
:class:`VAE`               variational autoencoder: Gaussian encoder, reparameterization, ELBO loss
=========================  ==========================================================================

Deep feed-forward networks are :class:`nn.models.MLP`. Autoencoders and VAEs are trained by
:func:`train_autoencoder`, which is :func:`nn.training.fit` with the model's own loss: their loss needs more than
``loss_fn(output, target)``, so each model has a ``loss(x, target)`` method returning the loss and its parts.

Example::

    >>> vae = VAE(784, hidden=(256,), latent=2)
    >>> history = train_autoencoder(vae, loader, optim.Adam(vae.parameters(), lr=1e-3), epochs=5)
    >>> images = vae.sample(16)                      # (16, 784) pixel probabilities
"""
import numbers

import numpy as np

from autograd_core.factories import randn_like, tensor
from autograd_core.grad_mode import no_grad
from autograd_core.random import default_generator
from autograd_core.tensor import Tensor

from .. import functional as F
from ..container import Sequential
from ..flatten import Flatten
from ..linear import Linear
from ..module import Module
from ..parameter import Parameter
from ..training.trainer import fit
from .course import ACTIVATIONS

__all__ = ["Perceptron", "RBF", "RBFNetwork", "AutoEncoder", "VAE", "elbo_loss", "corrupt", "train_autoencoder"]


def _act(name):
    try:
        return ACTIVATIONS[str(name).lower()]()
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") from None


def _widths(hidden):
    return (int(hidden),) if isinstance(hidden, numbers.Integral) else tuple(int(h) for h in hidden)


def _mlp(sizes, activation, last_activation=None):
    """Linear layers between consecutive ``sizes`` with ``activation`` between them."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(_act(activation))
    if last_activation is not None:
        layers.append(_act(last_activation))
    return layers


# ---------------------------------------------------------------------------------------------- perceptron
class Perceptron(Module):
    """Rosenblatt's perceptron: ``y = 1 if w . x + b > 0 else 0``.

    ``forward`` gives the score ``w . x + b`` (differentiable, so the unit can also be trained by gradient
    descent with ``F.binary_cross_entropy_with_logits``); :meth:`predict` thresholds it; :meth:`learning_rule`
    trains with the original rule, which changes the weights only on mistakes.

    Shape: input ``(N, in_features)``, output ``(N,)``.
    """

    def __init__(self, in_features):
        super().__init__()
        self.linear = Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x).reshape(-1)

    @no_grad()
    def predict(self, x):
        """0/1 predictions (int64 Tensor ``(N,)``)."""
        return Tensor._make((self.forward(tensor(np.asarray(x, dtype=np.float32))).numpy() > 0).astype(np.int64))

    @no_grad()
    def learning_rule(self, X, y, epochs=10, lr=1.0, seed=0):
        """The perceptron learning rule: for each sample, ``w += lr * (t - y) * x`` and ``b += lr * (t - y)``.

        Args:
            X: ``(N, in_features)`` inputs; y: ``(N,)`` 0/1 targets.
            epochs: passes over the data (in a random order drawn from ``seed``); stops early after an epoch
                without mistakes (the data were separated).
            lr: the step size.

        Returns:
            the number of mistakes in each epoch (it reaches 0 for linearly separable data).
        """
        X, y = np.asarray(X, dtype=np.float32), np.asarray(y).astype(np.int64).ravel()
        rng = np.random.default_rng(seed)
        w, b = self.linear.weight, self.linear.bias
        mistakes = []
        for _ in range(int(epochs)):
            errors = 0
            for i in rng.permutation(len(y)):
                pred = int(float((w.numpy()[0] * X[i]).sum() + b.numpy()[0]) > 0)
                delta = y[i] - pred
                if delta:
                    errors += 1
                    w.add_(tensor(lr * delta * X[i][None, :]))
                    b.add_(tensor(np.array([lr * delta], dtype=np.float32)))
            mistakes.append(errors)
            if errors == 0:
                break
        return mistakes


# ---------------------------------------------------------------------------------------------- radial basis
class RBF(Module):
    """Gaussian radial basis functions: ``phi_k(x) = exp(-gamma_k * ||x - c_k||^2)``.

    Args:
        in_features: size of an input; n_centers: number of basis functions.
        gamma: initial inverse width (larger: narrower bumps).
        learn_centers, learn_widths: train the centers / the widths by backprop (else they stay fixed, as in the
            classic two-stage training: centers from the data, then only the linear readout).

    Attributes:
        centers ``(n_centers, in_features)``; log_gamma ``(n_centers,)`` (the width is kept as a log so it stays
        positive).

    Shape: input ``(N, in_features)``, output ``(N, n_centers)``.
    """

    def __init__(self, in_features, n_centers, gamma=1.0, learn_centers=True, learn_widths=True):
        super().__init__()
        if gamma <= 0:
            raise ValueError(f"RBF: gamma must be positive, got {gamma}")
        rng = default_generator()
        self.centers = Parameter(rng.standard_normal((n_centers, in_features)).astype(np.float32),
                                 requires_grad=learn_centers)
        self.log_gamma = Parameter(np.full((n_centers,), np.log(gamma), dtype=np.float32), requires_grad=learn_widths)

    @no_grad()
    def init_centers(self, X, seed=0):
        """Put the centers on distinct random points of ``X (N, in_features)`` (the classic first stage)."""
        X = np.asarray(X.numpy() if isinstance(X, Tensor) else X, dtype=np.float32)
        k = self.centers.shape[0]
        if len(X) < k:
            raise ValueError(f"RBF.init_centers: need at least {k} points, got {len(X)}")
        idx = np.random.default_rng(seed).choice(len(X), size=k, replace=False)
        self.centers.copy_(tensor(X[idx]))
        return self

    @property
    def gamma(self):
        return self.log_gamma.exp()

    def forward(self, x):
        diff = x.unsqueeze(1) - self.centers            # (N, K, D)
        return (-(diff * diff).sum(-1) * self.gamma).exp()

    def extra_repr(self):
        k, d = self.centers.shape
        return f"in_features={d}, n_centers={k}"


class RBFNetwork(Module):
    """A radial basis network: :class:`RBF` features, then a linear readout ``y = W phi(x) + b``.

    Shape: input ``(N, in_features)``, output ``(N, out_features)``.
    """

    def __init__(self, in_features, n_centers, out_features, gamma=1.0, learn_centers=True, learn_widths=True):
        super().__init__()
        self.rbf = RBF(in_features, n_centers, gamma, learn_centers, learn_widths)
        self.readout = Linear(n_centers, out_features)

    def forward(self, x):
        return self.readout(self.rbf(x))


# ---------------------------------------------------------------------------------------------- autoencoders
def _recon_loss(out, target, kind):
    """Reconstruction error summed over features, averaged over the batch."""
    n = out.shape[0]
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(out, target, reduction="sum") / n
    return F.mse_loss(out, target, reduction="sum") / n


class AutoEncoder(Module):
    """``x -> encoder -> code -> decoder -> reconstruction``, trained to give back its input.

    Args:
        in_features: size of a flattened input (784 for 28 x 28 images).
        hidden: widths of the encoder's hidden layers (the decoder mirrors them).
        latent: size of the code.
        activation: of the hidden layers; code_activation: of the code (``'relu'`` makes codes non-negative, which
            the L1 penalty of a sparse autoencoder then drives to exactly zero), or None (linear code).
        recon: ``'bce'`` for inputs in [0, 1] (the decoder outputs logits; reconstructions are their sigmoid),
            ``'mse'`` for real-valued inputs.
        sparsity: weight of the L1 activity penalty ``sparsity * mean over the batch of sum_j |code_j|``.

    Shape: input ``(N, *)`` (flattened), output ``(N, in_features)`` reconstructions.
    """

    def __init__(self, in_features=784, hidden=(256,), latent=32, activation="relu", code_activation=None,
                 recon="bce", sparsity=0.0):
        super().__init__()
        if recon not in ("bce", "mse"):
            raise ValueError(f"recon must be 'bce' or 'mse', got {recon!r}")
        if sparsity < 0:
            raise ValueError(f"sparsity must be >= 0, got {sparsity}")
        widths = _widths(hidden)
        self.recon, self.sparsity = recon, float(sparsity)
        self.encoder = Sequential(Flatten(), *_mlp((in_features,) + widths + (latent,), activation, code_activation))
        self.decoder = Sequential(*_mlp((latent,) + widths[::-1] + (in_features,), activation))

    def encode(self, x):
        """The code ``(N, latent)``."""
        return self.encoder(x)

    def decode(self, z):
        """Reconstructions in data space ``(N, in_features)`` (probabilities for ``recon='bce'``)."""
        out = self.decoder(z)
        return out.sigmoid() if self.recon == "bce" else out

    def forward(self, x):
        return self.decode(self.encode(x))

    def loss(self, x, target=None):
        """``{'loss': Tensor, 'recon': float, 'l1': float}`` for inputs ``x`` and targets ``target`` (default
        ``x``; a denoising autoencoder gets corrupted ``x`` and the clean ``target``)."""
        code = self.encode(x)
        target = (x if target is None else target).reshape(x.shape[0], -1)
        recon = _recon_loss(self.decoder(code), target, self.recon)
        l1 = code.abs().sum(1).mean()
        loss = recon + self.sparsity * l1 if self.sparsity else recon
        return {"loss": loss, "recon": float(recon.item()), "l1": float(l1.item())}


def elbo_loss(logits, target, mu, logvar, beta=1.0):
    """The negative evidence lower bound of a VAE with a Bernoulli decoder and a standard normal prior.

    ``-ELBO = E_q[-log p(x|z)] + beta * KL(q(z|x) || N(0, I))``, per sample (summed over pixels and latent
    dimensions, averaged over the batch); ``KL = -1/2 sum(1 + logvar - mu^2 - exp(logvar))`` in closed form.

    Returns:
        ``(loss, recon, kl)`` Tensors.
    """
    recon = _recon_loss(logits, target.reshape(logits.shape[0], -1), "bce")
    kl = (-0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(1)).mean()
    return recon + beta * kl, recon, kl


class VAE(Module):
    """A variational autoencoder for inputs in [0, 1].

    The encoder gives a Gaussian ``q(z|x) = N(mu, exp(logvar))``; :meth:`reparameterize` draws
    ``z = mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)``, so the sample is a differentiable function of
    ``mu`` and ``logvar`` (the reparameterization trick); the decoder gives Bernoulli pixel probabilities.
    Trained by minimizing :func:`elbo_loss`. New images: :meth:`sample` decodes ``z ~ N(0, I)``.

    Args:
        in_features, hidden, activation: as in :class:`AutoEncoder`; latent: size of ``z`` (2 draws nicely).
        beta: weight of the KL term (1: the ELBO; larger: a smoother, more regular latent space).

    Shape: input ``(N, *)``; ``forward`` returns reconstructions ``(N, in_features)`` (decoding ``mu``
    in eval mode, a sample of ``z`` in train mode).
    """

    def __init__(self, in_features=784, hidden=(256,), latent=2, activation="relu", beta=1.0):
        super().__init__()
        widths = _widths(hidden)
        self.latent, self.beta = int(latent), float(beta)
        self.body = Sequential(Flatten(), *_mlp((in_features,) + widths, activation), _act(activation))
        self.mu = Linear(widths[-1], latent)
        self.logvar = Linear(widths[-1], latent)
        self.decoder = Sequential(*_mlp((latent,) + widths[::-1] + (in_features,), activation))

    def encode(self, x):
        """``(mu, logvar)``, each ``(N, latent)``."""
        h = self.body(x)
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu, logvar):
        """``mu + exp(logvar / 2) * eps`` in training; ``mu`` in eval mode."""
        if not self.training:
            return mu
        return mu + (0.5 * logvar).exp() * randn_like(mu)

    def decode(self, z):
        """Pixel probabilities ``(N, in_features)``."""
        return self.decoder(z).sigmoid()

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar))

    def loss(self, x, target=None):
        """``{'loss', 'recon', 'kl'}``: the negative ELBO (a Tensor) and its two parts (floats)."""
        mu, logvar = self.encode(x)
        logits = self.decoder(self.reparameterize(mu, logvar))
        target = x if target is None else target
        loss, recon, kl = elbo_loss(logits, target, mu, logvar, self.beta)
        return {"loss": loss, "recon": float(recon.item()), "kl": float(kl.item())}

    @no_grad()
    def sample(self, n, generator=None):
        """Decode ``n`` draws of ``z ~ N(0, I)``: new images ``(n, in_features)``."""
        rng = generator if generator is not None else default_generator()
        z = tensor(rng.standard_normal((int(n), self.latent)).astype(np.float32))
        return self.decode(z)


# ---------------------------------------------------------------------------------------------- training
def corrupt(x, kind="gaussian", level=0.3, generator=None, clip=(0.0, 1.0)):
    """Corrupted copies of ``x`` for a denoising autoencoder (no graph).

    Args:
        kind: ``'gaussian'`` (add ``level * N(0, 1)`` noise) or ``'mask'`` (set each element to 0 with probability
            ``level``: masking noise).
        generator: numpy Generator (default: the library-wide one, seeded by ``autograd_core.manual_seed``).
        clip: clamp the result to this range (None: no clamp).
    """
    rng = generator if generator is not None else default_generator()
    a = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
    if kind == "gaussian":
        out = a + level * rng.standard_normal(a.shape)
    elif kind == "mask":
        out = a * (rng.random(a.shape) >= level)
    else:
        raise ValueError(f"corrupt: kind must be 'gaussian' or 'mask', got {kind!r}")
    if clip is not None:
        out = np.clip(out, clip[0], clip[1])
    return Tensor._make(out.astype(a.dtype, copy=False))


def train_autoencoder(model, loader, optimizer, epochs=1, corrupt_fn=None, val_loader=None):
    """Train an :class:`AutoEncoder` or :class:`VAE` (anything with a ``loss(x, target)`` method) with
    :func:`nn.training.fit`, the loss being the model's own (``fit(..., batch_loss=...)``).

    Args:
        loader: batches of ``x`` or ``(x, label)`` (labels are ignored).
        corrupt_fn: for a denoising autoencoder, a function ``x -> corrupted x`` (e.g.
            ``lambda x: corrupt(x, 'gaussian', 0.4)``); the model then learns to map it back to the clean ``x``.
        val_loader: batches to evaluate the same loss on after each epoch (in eval mode, no graph).

    Returns:
        a :class:`~nn.training.History` with the epoch means of the parts of the loss (``loss``, ``recon`` and
        ``l1`` or ``kl``; ``val_*`` with a ``val_loader``), and ``fit``'s ``lr``, ``epoch_time``, ``eval_time``.
    """
    def batch_loss(model, batch):
        x = batch[0] if isinstance(batch, (tuple, list)) else batch
        return model.loss(corrupt_fn(x) if corrupt_fn is not None else x, x)

    return fit(model, None, optimizer, loader, val_loader, epochs=int(epochs), progress=False, batch_loss=batch_loss)
