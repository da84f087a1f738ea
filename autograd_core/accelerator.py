"""``autograd_core.accelerator``: PyTorch's device-agnostic accelerator queries. There is none here."""


def is_available():
    """False: this engine runs on the CPU only."""
    return False


def current_accelerator(check_available=False):
    """None: there is no accelerator."""
    return None


def device_count():
    """0: no accelerators."""
    return 0


__all__ = ["is_available", "current_accelerator", "device_count"]
