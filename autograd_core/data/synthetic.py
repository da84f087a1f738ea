"""Synthetic data sets for exploration: the TensorFlow-playground 2-D sets and small sequence tasks for RNNs.

Every function takes ``seed``: an int (a fresh ``numpy.random.default_rng(seed)``), a ``numpy.random.Generator``
(used as is), or ``None`` (the library-wide generator, so ``autograd_core.manual_seed`` makes it reproducible).
Every function returns ``(X, y)`` numpy arrays, or a :class:`~autograd_core.data.TensorDataset` of them with
``as_dataset=True``. Inputs are float32; class labels and token sequences are int64; regression targets float32.

Shapes (N = ``n_samples``, T = ``seq_len``):

========================= ========================= ====================================
function                  X                         y
========================= ========================= ====================================
make_moons / circles /    (N, 2) float32            (N,) int64, class ids
spirals / xor
make_blobs                (N, n_features) float32   (N,) int64, center ids
make_sine_windows         (N, T, 1) float32         (N, horizon) float32, next values
make_copy/reverse/        (N, T) int64 tokens       (N, T) int64 tokens
sort_task
make_adding_problem       (N, T, 2) float32         (N, 1) float32
========================= ========================= ====================================

Example::

    >>> X, y = make_spirals(300, n_arms=3, noise=0.05, seed=0)
    >>> X.shape, y.shape, np.bincount(y)
    ((300, 2), (300,), array([100, 100, 100]))
"""
import numpy as np

from .. import random as _random
from .dataset import TensorDataset


def _rng(seed):
    if seed is None:
        return _random.default_generator()
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _finish(X, y, as_dataset, rng=None, y_dtype=np.int64):
    """Cast, shuffle the rows if ``rng`` is given, and wrap."""
    X, y = np.asarray(X, dtype=np.float32), np.asarray(y, dtype=y_dtype)
    if rng is not None:
        order = rng.permutation(X.shape[0])
        X, y = X[order], y[order]
    return TensorDataset(X, y) if as_dataset else (X, y)


def _check_n(n_samples, n_classes=1):
    if int(n_samples) < n_classes:
        raise ValueError(f"n_samples must be at least {n_classes}, got {n_samples}")
    return int(n_samples)


def _split(n, k):
    """Sizes of ``k`` nearly equal groups summing to ``n`` (the first ones get the remainder)."""
    return [n // k + (i < n % k) for i in range(k)]


# ---------------------------------------------------------------------------------------------- 2-D point sets
def make_moons(n_samples=200, noise=0.1, seed=None, as_dataset=False):
    """Two interleaving half circles (class 0 upper, class 1 lower), plus Gaussian noise of std ``noise``."""
    n = _check_n(n_samples, 2)
    rng = _rng(seed)
    n0, n1 = _split(n, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0, noise, (n, 2))
    return _finish(X, np.repeat([0, 1], [n0, n1]), as_dataset, rng)


def make_circles(n_samples=200, noise=0.05, factor=0.5, seed=None, as_dataset=False):
    """A circle of radius ``factor`` (class 1) inside one of radius 1 (class 0), plus Gaussian noise."""
    n = _check_n(n_samples, 2)
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must lie in (0, 1), got {factor}")
    rng = _rng(seed)
    sizes = _split(n, 2)
    radius = np.repeat([1.0, factor], sizes)
    angle = rng.uniform(0, 2 * np.pi, n)
    X = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1) + rng.normal(0, noise, (n, 2))
    return _finish(X, np.repeat([0, 1], sizes), as_dataset, rng)


def make_spirals(n_samples=300, n_arms=2, noise=0.1, turns=1.0, seed=None, as_dataset=False):
    """``n_arms`` interleaved spiral arms, one class each, turning ``turns`` times from the center.

    A point at radius ``r`` in [0.05, 1] of arm ``k`` sits at angle ``2*pi*(turns*r + k/n_arms)``; Gaussian
    noise of std ``noise`` is added to the coordinates.
    """
    if n_arms < 2:
        raise ValueError(f"make_spirals: n_arms must be at least 2, got {n_arms}")
    n = _check_n(n_samples, n_arms)
    rng = _rng(seed)
    sizes = _split(n, n_arms)
    arm = np.repeat(np.arange(n_arms), sizes)
    r = rng.uniform(0.05, 1.0, n)
    angle = 2 * np.pi * (turns * r + arm / n_arms)
    X = r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1) + rng.normal(0, noise, (n, 2))
    return _finish(X, arm, as_dataset, rng)


def make_xor(n_samples=200, noise=0.05, seed=None, as_dataset=False):
    """Points uniform in [-1, 1]^2; class 1 where the two coordinates have different signs (XOR of their signs).
    Labels come from the clean points; Gaussian noise of std ``noise`` is then added to the coordinates."""
    n = _check_n(n_samples)
    rng = _rng(seed)
    clean = rng.uniform(-1, 1, (n, 2))
    y = (clean[:, 0] > 0) != (clean[:, 1] > 0)
    return _finish(clean + rng.normal(0, noise, (n, 2)), y, as_dataset)


def make_blobs(n_samples=300, centers=3, n_features=2, cluster_std=0.5, center_box=(-3.0, 3.0), seed=None,
               as_dataset=False):
    """Isotropic Gaussian clusters, one class each.

    Args:
        centers: number of clusters (their centers drawn uniformly in ``center_box``) or a (k, n_features) array.
        cluster_std: standard deviation of every cluster.
    """
    rng = _rng(seed)
    if np.ndim(centers) == 0:
        centers = rng.uniform(center_box[0], center_box[1], (int(centers), n_features))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2:
        raise ValueError(f"make_blobs: centers must be an int or a (k, n_features) array, got shape {centers.shape}")
    k = centers.shape[0]
    n = _check_n(n_samples, k)
    label = np.repeat(np.arange(k), _split(n, k))
    X = centers[label] + rng.normal(0, cluster_std, (n, centers.shape[1]))
    return _finish(X, label, as_dataset, rng)


# ---------------------------------------------------------------------------------------------- sequence tasks
def make_sine_windows(n_samples=1000, seq_len=50, horizon=1, noise=0.05, period_range=(10.0, 40.0), seed=None,
                      as_dataset=False):
    """Forecast a sine wave: each sample is a window of a sine with random period (in steps) and phase.

    ``X[i, t, 0] = sin(2*pi*t/P_i + phi_i) + noise`` for t < seq_len; ``y[i, h]`` is the clean value at
    ``t = seq_len + h`` (the next ``horizon`` steps).
    """
    n = _check_n(n_samples)
    rng = _rng(seed)
    period = rng.uniform(period_range[0], period_range[1], (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    wave = np.sin(2 * np.pi * np.arange(seq_len + horizon) / period + phase)
    X = wave[:, :seq_len, None] + rng.normal(0, noise, (n, seq_len, 1))
    return _finish(X, wave[:, seq_len:], as_dataset, y_dtype=np.float32)


_SEQUENCE_TASKS = {
    "copy": lambda src: src,
    "reverse": lambda src: src[:, ::-1],
    "sort": lambda src: np.sort(src, axis=1),
}


def make_sequence_task(task, n_samples=1000, seq_len=8, n_digits=10, seed=None, as_dataset=False):
    """Digit sequences for seq2seq models: ``src`` uniform in ``0..n_digits-1``, ``tgt`` its copy, reversal
    or sorted version (``task`` = ``"copy"``, ``"reverse"`` or ``"sort"``).

    Both are int64 (N, T) token ids; token ids ``n_digits`` and up are free for start/end/padding tokens.
    """
    if task not in _SEQUENCE_TASKS:
        raise ValueError(f"make_sequence_task: task must be one of {sorted(_SEQUENCE_TASKS)}, got {task!r}")
    n = _check_n(n_samples)
    src = _rng(seed).integers(0, n_digits, (n, seq_len))
    tgt = np.ascontiguousarray(_SEQUENCE_TASKS[task](src))
    src, tgt = src.astype(np.int64), tgt.astype(np.int64)
    return TensorDataset(src, tgt) if as_dataset else (src, tgt)


def make_copy_task(n_samples=1000, seq_len=8, n_digits=10, seed=None, as_dataset=False):
    """:func:`make_sequence_task` with ``task="copy"``."""
    return make_sequence_task("copy", n_samples, seq_len, n_digits, seed, as_dataset)


def make_reverse_task(n_samples=1000, seq_len=8, n_digits=10, seed=None, as_dataset=False):
    """:func:`make_sequence_task` with ``task="reverse"``."""
    return make_sequence_task("reverse", n_samples, seq_len, n_digits, seed, as_dataset)


def make_sort_task(n_samples=1000, seq_len=8, n_digits=10, seed=None, as_dataset=False):
    """:func:`make_sequence_task` with ``task="sort"``."""
    return make_sequence_task("sort", n_samples, seq_len, n_digits, seed, as_dataset)


def make_adding_problem(n_samples=1000, seq_len=50, seed=None, as_dataset=False):
    """The adding problem (Hochreiter & Schmidhuber 1997), a test of long-range memory.

    Channel 0 holds values uniform in [0, 1]; channel 1 marks exactly two steps, one in the first half and one in
    the second half of the sequence. The target is the sum of the two marked values. Predicting 1.0 always gives
    an MSE of about 0.167; a model that remembers does much better.
    """
    if seq_len < 2:
        raise ValueError(f"make_adding_problem: seq_len must be at least 2, got {seq_len}")
    n = _check_n(n_samples)
    rng = _rng(seed)
    values = rng.uniform(0, 1, (n, seq_len))
    half = seq_len // 2
    first, second = rng.integers(0, half, n), rng.integers(half, seq_len, n)
    rows = np.arange(n)
    markers = np.zeros((n, seq_len))
    markers[rows, first] = markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return _finish(np.stack([values, markers], axis=2), y[:, None], as_dataset, y_dtype=np.float32)
