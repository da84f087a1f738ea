"""Random generators: :class:`Generator` objects as ``torch.Generator``, and the library-wide default one.

All randomness of the library (``rand``/``randn``, weight initialization, dropout masks, data shuffling) draws from
numpy ``Generator``s; the default :class:`Generator` holds the library-wide one, so ``manual_seed(s)`` makes a
whole run reproducible. Jitted kernels never draw random numbers.

A :class:`Generator` can be passed as ``generator=`` wherever PyTorch takes one; numpy's drawing methods
(``random``, ``integers``, ``permutation``...) are read through to the numpy generator it holds, so code that
takes a ``numpy.random.Generator`` also takes one of these.
"""
import contextlib
import secrets

import numpy as np

_MAX_SEED = 2 ** 64


def _check_seed(seed, where):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"{where} expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -2 ** 63 <= seed < _MAX_SEED:
        raise ValueError("Overflow when unpacking long long")
    return seed % _MAX_SEED      # PyTorch: -1 -> 2**64 - 1


class Generator:
    """A random number generator, as ``torch.Generator(device='cpu')``: ``manual_seed(s)`` (returns self),
    ``initial_seed()``, ``seed()``, ``get_state()`` / ``set_state(state)``.

    It draws with numpy's PCG64 seeded by the given seed (PyTorch uses a Mersenne Twister, so the numbers differ
    from PyTorch's for the same seed, while the same seed always gives the same numbers here).
    """

    def __init__(self, device="cpu"):
        from .device import check_device
        self.device = check_device(device, "Generator()")
        self._seed = secrets.randbits(63)
        self._np = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Seed this generator (PyTorch's rule: an int in [-2**63, 2**64), negatives wrap); returns self."""
        self._seed = _check_seed(seed, "manual_seed")
        self._np = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._seed

    def seed(self):
        """Seed with a fresh non-deterministic seed and return it."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def get_state(self):
        """The generator's state, a uint8 tensor (as PyTorch's ``ByteTensor`` state); see :meth:`set_state`."""
        from .tensor import Tensor
        st = self._np.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little") + st["state"]["inc"].to_bytes(16, "little")
               + bytes([st["has_uint32"]]) + int(st["uinteger"]).to_bytes(4, "little")
               + self._seed.to_bytes(8, "little"))
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by :meth:`get_state` (a uint8 tensor of 45 bytes); returns self."""
        data = getattr(new_state, "_data", new_state)
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.shape != (45,):
            raise RuntimeError("Generator.set_state: expected the uint8 tensor of 45 bytes that get_state() "
                               f"returns, got {type(new_state).__name__}")
        raw = data.tobytes()
        gen = np.random.default_rng()
        gen.bit_generator.state = {"bit_generator": "PCG64",
                                   "state": {"state": int.from_bytes(raw[:16], "little"),
                                             "inc": int.from_bytes(raw[16:32], "little")},
                                   "has_uint32": raw[32], "uinteger": int.from_bytes(raw[33:37], "little")}
        self._np, self._seed = gen, int.from_bytes(raw[37:], "little")
        return self

    def numpy_generator(self):
        """The ``numpy.random.Generator`` this generator draws with."""
        return self._np

    def __call__(self):
        """The ``numpy.random.Generator`` it draws with (``default_generator()`` is how the library's own code
        reaches the library-wide numpy generator)."""
        return self._np

    def __getattr__(self, name):     # random, integers, permutation, normal, uniform, choice, bit_generator...
        if name.startswith("__"):
            raise AttributeError(name)
        gen = self.__dict__.get("_np")
        if gen is None:
            raise AttributeError(name)
        return getattr(gen, name)

    def __repr__(self):
        return f"<autograd_core.Generator (device={self.device}, initial_seed={self._seed})>"


default_generator = Generator()


def as_numpy_generator(generator):
    """The numpy generator to draw from for a ``generator=`` argument: a :class:`Generator`, a
    ``numpy.random.Generator``, or None (the library-wide one)."""
    if generator is None:
        return default_generator._np
    if isinstance(generator, Generator):
        return generator._np
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be an autograd_core.Generator (or a numpy.random.Generator), got "
                    f"{type(generator).__name__}")


def manual_seed(seed):
    """Seed the library-wide generator and return it (the default :class:`Generator`, as PyTorch)."""
    return default_generator.manual_seed(_check_seed(seed, "manual_seed"))


def initial_seed():
    """The seed the library-wide generator was last seeded with."""
    return default_generator.initial_seed()


def seed():
    """Seed the library-wide generator with a non-deterministic seed and return it."""
    return default_generator.seed()


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, device_type="cpu"):
    """Inside the block, draw from the library-wide generator freely; on exit its state is restored (as
    ``torch.random.fork_rng``; only the CPU generator exists, so ``devices`` is ignored)."""
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)


def get_rng_state():
    """The library-wide generator's state (numpy's state dict), for checkpoints."""
    return default_generator._np.bit_generator.state


def set_rng_state(state):
    """Restore a state returned by :func:`get_rng_state` (or a :meth:`Generator.get_state` tensor)."""
    if isinstance(state, dict):
        default_generator._np.bit_generator.state = state
    else:
        default_generator.set_state(state)
