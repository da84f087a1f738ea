"""``autograd_core.backends.cuda``: PyTorch's CUDA backend switches, for an engine without CUDA.

``is_built()`` is False. ``matmul.allow_tf32`` and the other flags are plain settable attributes that change
nothing (float32 products here always run in full float32 precision on the CPU).
"""


class _Flags:
    """Settable flags kept only so programs that set them run; they change nothing here."""

    def __init__(self, **defaults):
        self.__dict__.update(defaults)

    def __repr__(self):
        return f"<flags {self.__dict__}>"


matmul = _Flags(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                allow_bf16_reduced_precision_reduction=True)


def is_built():
    """False: this engine is not built with CUDA."""
    return False


def flash_sdp_enabled():
    """False: there is no flash attention kernel for CUDA here."""
    return False
