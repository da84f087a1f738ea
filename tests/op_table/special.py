"""Op-table rows: special functions (``autograd_core/ops/special.py``; ``lib.special`` is ``torch.special`` or
``autograd_core.special``). Inputs are mapped into each function's domain inside ``fn`` (``tanh`` into (-1, 1),
``sigmoid`` into (0, 1)).

``digamma`` and ``polygamma(1, .)`` are not compared with PyTorch here: PyTorch's trigamma (their derivative and
value) is accurate to only ~5e-10; tests/test_ops_special.py compares them with PyTorch at that tolerance and with
mpmath at 1e-13.
"""
from .base import OpInfo, UNARY_SHAPES

OPS = [
    OpInfo("erf", lambda lib, a: lib.erf(a), UNARY_SHAPES),
    OpInfo("erfc", lambda lib, a: a.erfc(), UNARY_SHAPES),
    OpInfo("erfinv", lambda lib, a: lib.erfinv(a.tanh() * 0.9), UNARY_SHAPES),
    OpInfo("special_erfcx", lambda lib, a: lib.special.erfcx(a * 3.0), UNARY_SHAPES),
    OpInfo("lgamma", lambda lib, a: a.lgamma(), UNARY_SHAPES, domain="positive"),
    OpInfo("lgamma_negative", lambda lib, a: lib.lgamma(a.tanh() * 0.4 - 1.5), [(3, 4)], op="lgamma"),
    OpInfo("digamma", lambda lib, a: lib.digamma(a), UNARY_SHAPES, domain="positive", torch_ok=False),
    OpInfo("polygamma_1", lambda lib, a: lib.polygamma(1, a), [(3, 4)], domain="positive", torch_ok=False,
           op="polygamma"),
    OpInfo("polygamma_2", lambda lib, a: lib.polygamma(2, a), UNARY_SHAPES, domain="positive", op="polygamma"),
    OpInfo("polygamma_3_method", lambda lib, a: a.polygamma(3), [(3, 4)], domain="positive", op="polygamma"),
    OpInfo("mvlgamma", lambda lib, a: lib.mvlgamma(a + 2.0, 3), UNARY_SHAPES, domain="positive"),
    OpInfo("i0", lambda lib, a: lib.i0(a * 3.0), UNARY_SHAPES),
    OpInfo("special_i0e", lambda lib, a: lib.special.i0e(a * 3.0), UNARY_SHAPES, domain="nonzero"),
    OpInfo("special_i1", lambda lib, a: lib.special.i1(a * 3.0), UNARY_SHAPES),
    OpInfo("special_i1e", lambda lib, a: lib.special.i1e(a * 3.0), UNARY_SHAPES, domain="nonzero"),
    OpInfo("special_ndtri", lambda lib, a: lib.special.ndtri(a.sigmoid()), UNARY_SHAPES),
    OpInfo("special_log_ndtr", lambda lib, a: lib.special.log_ndtr(a * 4.0), UNARY_SHAPES),
    OpInfo("special_entr", lambda lib, a: lib.special.entr(a), UNARY_SHAPES, domain="positive"),
    OpInfo("special_xlog1py", lambda lib, a, b: lib.special.xlog1py(a, b),
           [((3, 4), (3, 4)), ((3, 4), (4,)), ((), (2, 3))], domains=("any", "positive")),
]
