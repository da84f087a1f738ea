"""``autograd_core.backends.cudnn``: the cuDNN flags PyTorch programs set, as plain attributes.

No cuDNN runs here (CPU only), so setting ``benchmark``, ``deterministic`` or ``enabled`` changes nothing; the
values are kept so code that reads them back sees what it set. PyTorch's defaults: ``enabled=True``,
``benchmark=False``, ``deterministic=False``.
"""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: there is no cuDNN (this engine runs on the CPU)."""
    return False


def version():
    """None: there is no cuDNN."""
    return None
