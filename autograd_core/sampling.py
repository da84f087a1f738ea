"""Random sampling from tensors of probabilities: ``multinomial``, ``bernoulli`` and the in-place fills
``bernoulli_``, ``exponential_``, ``random_``, ``geometric_``, ``log_normal_``, ``cauchy_`` (as PyTorch's; every
one takes ``generator=``).

The samples are constants: they do not carry gradients (as PyTorch's, whose sampling backward is zero).
"""
import numpy as np

from .random import as_numpy_generator
from .tensor import Tensor, as_array


def _probs(input, where):
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}: argument 'input' must be Tensor, not {type(input).__name__}")
    return input._data


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """``num_samples`` category indices per row of ``input`` (1-d or 2-d non-negative weights, not necessarily
    summing to 1), with or without replacement; int64 of shape ``(num_samples,)`` or ``(rows, num_samples)``."""
    p = _probs(input, "multinomial()")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, not {type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    sums = rows.sum(axis=1)
    if (sums <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and ((rows > 0).sum(axis=1) < num_samples).any():
        raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative "
                           "category to sample)")
    g = as_numpy_generator(generator)
    out = np.stack([g.choice(n, size=int(num_samples), replace=bool(replacement), p=r / s)
                    for r, s in zip(rows, sums)]).astype(np.int64)
    return Tensor._make(out if p.ndim == 2 else out[0])


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``) elementwise, else 0, in ``input``'s dtype and shape."""
    probs = _probs(input, "bernoulli()")
    if p is not None:
        probs = np.broadcast_to(as_array(p, np.float64), probs.shape)
    if ((probs < 0) | (probs > 1) | np.isnan(probs)).any():
        raise RuntimeError("bernoulli: expected every probability in [0, 1]")
    g = as_numpy_generator(generator)
    dt = input._data.dtype if input._data.dtype.kind == "f" else np.float32
    return Tensor._make((g.random(probs.shape) < probs).astype(dt))


def _fill(self, values):
    from .inplace import fill
    return fill(self, values)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 (probability ``p``, a number or a tensor) or 0, in place."""
    probs = np.broadcast_to(as_array(p._data if isinstance(p, Tensor) else p, np.float64), self.shape)
    if ((probs < 0) | (probs > 1) | np.isnan(probs)).any():
        raise RuntimeError(f"bernoulli_ expects p in [0, 1], got {p}")
    return _fill(self, as_numpy_generator(generator).random(self.shape) < probs)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples of the exponential distribution of rate ``lambd``, in place."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill(self, as_numpy_generator(generator).exponential(1.0 / lambd, size=self.shape))


def random_(self, from_=0, to=None, *, generator=None):
    """Fill with integers uniform in ``[from_, to)`` (``random_(to)`` is ``[0, to)``), in place; without
    bounds, PyTorch's ``[0, 2**mantissa]`` for floating dtypes and the dtype's range for integer ones."""
    if to is None and from_ != 0:
        from_, to = 0, from_
    if to is None:
        dt = self._data.dtype
        to = 2 ** (np.finfo(dt).nmant + 1) + 1 if dt.kind == "f" else (2 if dt.kind == "b" else
                                                                       int(np.iinfo(dt).max) + 1)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
    return _fill(self, as_numpy_generator(generator).integers(from_, to, size=self.shape))


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(``p``) trials up to the first success (1, 2, ...), in place."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill(self, as_numpy_generator(generator).geometric(p, size=self.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with ``exp(N(mean, std**2))`` samples, in place."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill(self, as_numpy_generator(generator).lognormal(mean, std, size=self.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with samples of the Cauchy distribution (``median``, scale ``sigma``), in place."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return _fill(self, median + sigma * as_numpy_generator(generator).standard_cauchy(size=self.shape))


def poisson(input, generator=None):
    """A sample of ``Poisson(rate)`` for each rate in ``input`` (non-negative), in ``input``'s dtype."""
    rates = _probs(input, "poisson()")
    if rates.dtype.kind != "f":
        raise RuntimeError(f"poisson: expected a floating point tensor of rates, got {input.dtype}")
    if not np.isfinite(rates).all() or (rates < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    g = as_numpy_generator(generator)
    return Tensor._make(g.poisson(rates).astype(rates.dtype))


_METHODS = {"multinomial": multinomial, "bernoulli": bernoulli, "bernoulli_": bernoulli_,
            "exponential_": exponential_, "random_": random_, "geometric_": geometric_, "log_normal_": log_normal_,
            "cauchy_": cauchy_}


def install():
    """Attach the sampling methods to Tensor."""
    for name, f in _METHODS.items():
        setattr(Tensor, name, f)
