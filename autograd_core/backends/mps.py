"""``autograd_core.backends.mps``: Apple's Metal backend, which this CPU engine does not have."""


def is_available():
    """False: there is no MPS device."""
    return False


def is_built():
    """False: this engine is not built with MPS."""
    return False
