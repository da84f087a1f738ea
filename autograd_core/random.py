"""The library-wide random generator.

All randomness of the library (``rand``/``randn``, weight initialization, dropout masks, data shuffling) draws from
one ``numpy.random.Generator``, so ``manual_seed(s)`` makes a whole run reproducible. Jitted kernels never draw
random numbers.
"""
import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Seed the library-wide generator (and return it, as PyTorch returns its generator)."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator():
    """The library-wide ``numpy.random.Generator``."""
    return _generator


def get_rng_state():
    """The generator's state (a dict), for checkpoints."""
    return _generator.bit_generator.state


def set_rng_state(state):
    """Restore a state returned by :func:`get_rng_state`."""
    _generator.bit_generator.state = state
