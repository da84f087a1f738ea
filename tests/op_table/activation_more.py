"""Op-table rows: the activations of ``nn/functional_activation.py`` (compositions) and ``selu``/``celu`` (the ELU
node with other constants). Inputs are scaled so that the kinkfree samples straddle each activation's kinks
(``hardsigmoid``/``hardswish`` at +-3, ``relu6`` at 6) without landing on them."""
from .base import OpInfo, UNARY_SHAPES, _NF

OPS = [
    OpInfo("selu", lambda lib, a: _NF(lib).selu(a), UNARY_SHAPES, domain="kinkfree"),
    # alpha = 2 is exact in float32: PyTorch's celu backward rounds 1/alpha through float32 (1.0 / alpha.toFloat())
    OpInfo("celu", lambda lib, a: _NF(lib).celu(a, alpha=2.0), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("hardtanh", lambda lib, a: _NF(lib).hardtanh(a * 2.0, -1.5, 2.0), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("relu6", lambda lib, a: _NF(lib).relu6(a * 4.0), UNARY_SHAPES, domain="kinkfree"),
    # PyTorch's hardsigmoid backward multiplies by 1.0f / 6.0f (a float32 constant, 3e-8 off in float64): the
    # comparison with PyTorch is in tests/test_nn_activations.py, at float32 precision
    OpInfo("hardsigmoid", lambda lib, a: _NF(lib).hardsigmoid(a * 2.0), UNARY_SHAPES, domain="kinkfree",
           torch_ok=False),
    OpInfo("hardswish", lambda lib, a: _NF(lib).hardswish(a * 2.0), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("mish", lambda lib, a: _NF(lib).mish(a * 3.0), UNARY_SHAPES),
    OpInfo("softsign", lambda lib, a: _NF(lib).softsign(a), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("tanhshrink", lambda lib, a: _NF(lib).tanhshrink(a), UNARY_SHAPES),
    OpInfo("hardshrink", lambda lib, a: _NF(lib).hardshrink(a, 0.5), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("softshrink", lambda lib, a: _NF(lib).softshrink(a, 0.5), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("threshold", lambda lib, a: _NF(lib).threshold(a, 0.1, -3.0), UNARY_SHAPES, domain="kinkfree"),
    OpInfo("rrelu_eval", lambda lib, a: _NF(lib).rrelu(a, 0.1, 0.3, training=False), UNARY_SHAPES,
           domain="kinkfree"),
    OpInfo("glu", lambda lib, a: _NF(lib).glu(a, dim=-1), [(3, 4), (2, 6)]),
    OpInfo("glu_dim1", lambda lib, a: _NF(lib).glu(a, dim=1), [(2, 4, 3)]),
    OpInfo("softmin", lambda lib, a: _NF(lib).softmin(a, dim=1), [(3, 4), (2, 3, 2)]),
    OpInfo("prelu", lambda lib, x, w: _NF(lib).prelu(x, w), [((2, 3, 4), (3,)), ((3, 4), (1,)), ((2, 3), (3,))],
           domains=("kinkfree", "any")),
    OpInfo("logsigmoid", lambda lib, a: _NF(lib).logsigmoid(a * 3.0), UNARY_SHAPES),
]
