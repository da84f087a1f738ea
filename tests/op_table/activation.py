"""Op-table rows: activations with a node of their own (the classic ones are in elementwise.py)."""
from .base import OpInfo, UNARY_SHAPES, _F

OPS = [
    OpInfo("elu", lambda lib, a: _F(lib).elu(a, alpha=0.7), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("silu", lambda lib, a: _F(lib).silu(a), UNARY_SHAPES),
    OpInfo("softplus", lambda lib, a: _F(lib).softplus(a, beta=2.0), UNARY_SHAPES),
    OpInfo("normal_cdf", lambda lib, a: lib.special.ndtr(a) if lib.__name__ == "torch" else lib.normal_cdf(a),
           UNARY_SHAPES),
]
