"""Every op in the op table: gradcheck (float64), gradgradcheck (smooth ops), float32 forward vs float64, and
forward + gradients against PyTorch where it is installed."""
import numpy as np
import pytest

import autograd_core as ag
from op_table import all_cases, inputs_for

CASES = all_cases()
IDS = [c[2] for c in CASES]


def _tensors(arrays, requires_grad=True):
    return [ag.tensor(a, requires_grad=requires_grad) for a in arrays]


@pytest.mark.parametrize("op,case,_id", CASES, ids=IDS)
def test_gradcheck(op, case, _id):
    xs = _tensors(inputs_for(op, case))
    assert ag.gradcheck(lambda *t: op.fn(ag, *t), xs)


@pytest.mark.parametrize("op,case,_id", [c for c in CASES if c[0].smooth], ids=[c[2] for c in CASES if c[0].smooth])
def test_gradgradcheck(op, case, _id):
    xs = _tensors(inputs_for(op, case))
    assert ag.gradgradcheck(lambda *t: op.fn(ag, *t), xs)


@pytest.mark.parametrize("op,case,_id", CASES, ids=IDS)
def test_float32_matches_float64(op, case, _id):
    arrays = inputs_for(op, case)
    out64 = op.fn(ag, *_tensors(arrays, False))
    out32 = op.fn(ag, *_tensors([a.astype(np.float32) for a in arrays], False))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.numpy(), out64.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("op,case,_id", [c for c in CASES if c[0].torch_ok],
                         ids=[c[2] for c in CASES if c[0].torch_ok])
def test_against_torch(op, case, _id):
    torch = pytest.importorskip("torch")
    arrays = inputs_for(op, case)
    ours = _tensors(arrays)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = op.fn(ag, *ours)
    ref = op.fn(torch, *theirs)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(ag.tensor(upstream))
    ref.backward(torch.tensor(upstream))
    for x, tx in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_op_table_covers_issue_ops():
    from op_table import OP_NAMES
    required = ["add", "sub", "mul", "div", "neg", "pow_tensor", "pow_scalar", "matmul_1d", "matmul_2d",
                "matmul_batched", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu",
                "clamp", "maximum", "minimum", "where", "sum", "mean", "var", "std", "max", "min", "max_dim",
                "logsumexp", "softmax", "log_softmax", "reshape", "view", "flatten", "transpose", "permute",
                "squeeze", "unsqueeze", "expand", "getitem_bool_mask", "getitem_advanced_repeated",
                "getitem_negative_step", "getitem_none_ellipsis", "cat", "stack", "split", "chunk", "pad"]
    assert not set(required) - set(OP_NAMES)
