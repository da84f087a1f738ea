"""Losses: PyTorch parity (values and gradients for input and, where differentiable, target), float64 gradchecks,
extreme logits, and the errors for bad shapes, targets and reductions.

Each case builds the loss from a namespace (``nn`` or ``torch.nn``) and a tensor constructor, plus a function
drawing its input and target from a numpy Generator.
"""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor

ATOL = 1e-5
W5 = np.array([0.5, 2.0, 1.0, 0.1, 3.0])


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _probs(r, shape):
    return 0.05 + 0.9 * r.random(shape)


def _with_ignored(t, value, where):
    t = t.copy()
    t.reshape(-1)[list(where)] = value
    return t


CASES = {
    "ce": (lambda m, T: m.CrossEntropyLoss(), lambda r: (r.standard_normal((4, 5)), r.integers(0, 5, 4))),
    "ce_weight": (lambda m, T: m.CrossEntropyLoss(weight=T(W5)), lambda r: (r.standard_normal((6, 5)),
                                                                          r.integers(0, 5, 6))),
    "ce_ignore": (lambda m, T: m.CrossEntropyLoss(weight=T(W5), ignore_index=-1),
                  lambda r: (r.standard_normal((6, 5)), _with_ignored(r.integers(0, 5, 6), -1, [1, 4]))),
    "ce_smooth": (lambda m, T: m.CrossEntropyLoss(weight=T(W5), label_smoothing=0.2, ignore_index=3),
                  lambda r: (r.standard_normal((6, 5)), np.array([0, 3, 4, 1, 3, 2]))),
    "ce_sum": (lambda m, T: m.CrossEntropyLoss(reduction="sum", label_smoothing=0.1),
               lambda r: (r.standard_normal((4, 5)), r.integers(0, 5, 4))),
    "ce_none": (lambda m, T: m.CrossEntropyLoss(reduction="none", weight=T(W5), ignore_index=0),
                lambda r: (r.standard_normal((6, 5)), r.integers(0, 5, 6))),
    "ce_kdim": (lambda m, T: m.CrossEntropyLoss(weight=T(W5[:4]), label_smoothing=0.3, ignore_index=2),
                lambda r: (r.standard_normal((2, 4, 3, 2)), r.integers(0, 4, (2, 3, 2)))),
    "ce_kdim_none": (lambda m, T: m.CrossEntropyLoss(reduction="none"),
                     lambda r: (r.standard_normal((2, 3, 5)), r.integers(0, 3, (2, 5)))),
    "ce_unbatched": (lambda m, T: m.CrossEntropyLoss(), lambda r: (r.standard_normal(5), np.array(3))),
    "ce_probs": (lambda m, T: m.CrossEntropyLoss(weight=T(W5), label_smoothing=0.15),
                 lambda r: (r.standard_normal((4, 5)), _softmax(r.standard_normal((4, 5)), 1))),
    "ce_probs_kdim_none": (lambda m, T: m.CrossEntropyLoss(reduction="none"),
                           lambda r: (r.standard_normal((2, 3, 4)), _softmax(r.standard_normal((2, 3, 4)), 1))),
    "nll": (lambda m, T: m.NLLLoss(), lambda r: (np.log(_softmax(r.standard_normal((4, 5)), 1)),
                                                 r.integers(0, 5, 4))),
    "nll_weight_ignore": (lambda m, T: m.NLLLoss(weight=T(W5), ignore_index=1),
                          lambda r: (r.standard_normal((6, 5)), np.array([1, 0, 4, 1, 2, 3]))),
    "nll_kdim_none": (lambda m, T: m.NLLLoss(reduction="none"),
                      lambda r: (r.standard_normal((2, 3, 4)), r.integers(0, 3, (2, 4)))),
    "mse": (lambda m, T: m.MSELoss(), lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)))),
    "mse_sum": (lambda m, T: m.MSELoss(reduction="sum"), lambda r: (r.standard_normal(5), r.standard_normal(5))),
    "l1": (lambda m, T: m.L1Loss(), lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)))),
    "l1_none": (lambda m, T: m.L1Loss(reduction="none"), lambda r: (r.standard_normal(6), r.standard_normal(6))),
    "bce": (lambda m, T: m.BCELoss(), lambda r: (_probs(r, (3, 4)), r.random((3, 4)))),
    "bce_weight_sum": (lambda m, T: m.BCELoss(weight=T(np.array([1.0, 2.0, 0.5, 0.0])), reduction="sum"),
                       lambda r: (_probs(r, (3, 4)), (r.random((3, 4)) > 0.5) * 1.0)),
    "bce_logits": (lambda m, T: m.BCEWithLogitsLoss(), lambda r: (r.standard_normal((3, 4)) * 3, r.random((3, 4)))),
    "bce_logits_pos": (lambda m, T: m.BCEWithLogitsLoss(pos_weight=T(np.array([1.0, 3.0, 0.5, 2.0])),
                                                        weight=T(np.array([[1.0], [2.0], [0.5]]))),
                       lambda r: (r.standard_normal((3, 4)) * 3, r.random((3, 4)))),
    "bce_logits_none": (lambda m, T: m.BCEWithLogitsLoss(reduction="none", pos_weight=T(np.array([2.0]))),
                        lambda r: (r.standard_normal(6), (r.random(6) > 0.5) * 1.0)),
    "kl_batchmean": (lambda m, T: m.KLDivLoss(reduction="batchmean"),
                     lambda r: (np.log(_softmax(r.standard_normal((3, 4)), 1)),
                                _softmax(r.standard_normal((3, 4)), 1))),
    "kl_sum_log_target": (lambda m, T: m.KLDivLoss(reduction="sum", log_target=True),
                          lambda r: (np.log(_softmax(r.standard_normal((3, 4)), 1)),
                                     np.log(_softmax(r.standard_normal((3, 4)), 1)))),
    "kl_none": (lambda m, T: m.KLDivLoss(reduction="none"),
                lambda r: (r.standard_normal((2, 3)), r.random((2, 3)))),
    "huber": (lambda m, T: m.HuberLoss(delta=0.5), lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)))),
    "huber_none": (lambda m, T: m.HuberLoss(reduction="none", delta=2.0),
                   lambda r: (r.standard_normal(8) * 3, r.standard_normal(8))),
    "smooth_l1": (lambda m, T: m.SmoothL1Loss(beta=0.5),
                  lambda r: (r.standard_normal((3, 4)), r.standard_normal((3, 4)))),
    "smooth_l1_beta0": (lambda m, T: m.SmoothL1Loss(beta=0.0, reduction="sum"),
                        lambda r: (r.standard_normal(6), r.standard_normal(6))),
}


def _tensors(x, t, lib):
    if lib == "ours":
        return Tensor(x.copy(), requires_grad=True), Tensor(t.copy(), requires_grad=t.dtype.kind == "f")
    import torch
    return torch.tensor(x.copy(), requires_grad=True), torch.tensor(t.copy(), requires_grad=t.dtype.kind == "f")


@pytest.mark.parametrize("name", list(CASES))
def test_loss_matches_torch(name):
    torch = pytest.importorskip("torch")
    build, data = CASES[name]
    x, t = data(np.random.default_rng(0))
    ours, theirs = build(nn, ag.tensor), build(torch.nn, torch.tensor)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    xo, to = _tensors(x, t, "ours")
    xt, tt = _tensors(x, t, "torch")
    lo, lt = ours(xo, to), theirs(xt, tt)
    assert lo.shape == tuple(lt.shape)
    np.testing.assert_allclose(lo.numpy(), lt.detach().numpy(), atol=ATOL, rtol=ATOL)
    g = np.random.default_rng(1).standard_normal(lt.shape)
    lo.backward(Tensor(g))
    lt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), atol=ATOL, rtol=ATOL)
    if tt.grad is not None:
        np.testing.assert_allclose(to.grad.numpy(), tt.grad.numpy(), atol=ATOL, rtol=ATOL)


@pytest.mark.parametrize("name", list(CASES))
def test_loss_gradcheck(name):
    build, data = CASES[name]
    x, t = data(np.random.default_rng(0))
    loss = build(nn, ag.tensor)
    xo, to = _tensors(x, t, "ours")
    assert ag.gradcheck(lambda a, b: loss(a, b), (xo, to))


@pytest.mark.parametrize("name", ["ce_smooth", "ce_kdim", "ce_none", "bce_logits_pos", "bce", "ce_probs"])
def test_loss_gradgradcheck(name):
    build, data = CASES[name]
    x, t = data(np.random.default_rng(0))
    loss = build(nn, ag.tensor)
    xo, to = _tensors(x, t, "ours")
    assert ag.gradgradcheck(lambda a, b: loss(a, b), (xo, to))


def test_cross_entropy_is_one_node_and_fast_path_agrees_with_differentiable_path():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((8, 6)), requires_grad=True)
    t = Tensor(rng.integers(0, 6, 8))
    loss = F.cross_entropy(x, t, weight=ag.tensor(rng.random(6)), label_smoothing=0.1, ignore_index=2)
    assert loss.grad_fn.inputs == (x,)            # logits -> loss in one node
    (fast,) = ag.grad(loss, x, retain_graph=True)
    (slow,) = ag.grad(loss, x, create_graph=True)  # records the backward: the Tensor-op path
    np.testing.assert_allclose(fast.numpy(), slow.numpy(), rtol=1e-12, atol=1e-15)
    assert slow.requires_grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_stay_finite_and_match_torch(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [5e3, 1e4, -1e4]], dtype=dtype)
    t = np.array([1, 2, 0])
    for fo, ft, target in [
        (lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1), lambda a, b: torch.nn.functional.cross_entropy(
            a, b, label_smoothing=0.1), t),
        (lambda a, b: F.nll_loss(F.log_softmax(a, 1), b), lambda a, b: torch.nn.functional.nll_loss(
            torch.log_softmax(a, 1), b), t),
        (F.binary_cross_entropy_with_logits, torch.nn.functional.binary_cross_entropy_with_logits,
         (np.arange(9).reshape(3, 3) % 2).astype(dtype)),
        (lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=ag.tensor([2.0, 0.5, 1.0], dtype=dtype)),
         lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
             a, b, pos_weight=torch.tensor([2.0, 0.5, 1.0], dtype=a.dtype)), (np.arange(9).reshape(3, 3) % 2)
         .astype(dtype)),
    ]:
        xo, xt = Tensor(x.copy(), requires_grad=True), torch.tensor(x.copy(), requires_grad=True)
        lo, lt = fo(xo, Tensor(target)), ft(xt, torch.tensor(target))
        lo.backward()
        lt.backward()
        assert np.isfinite(lo.item()) and np.isfinite(xo.grad.numpy()).all()
        np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-5)
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
        assert xo.grad.dtype == dtype


def test_saturated_probabilities_and_zero_logits():
    p = Tensor(np.array([0.0, 1.0, 1.0, 0.0, 0.5]), requires_grad=True)
    y = Tensor(np.array([0.0, 1.0, 0.0, 1.0, 1.0]))
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 100.0, 100.0, math.log(2)], atol=1e-12)
    loss.sum().backward()
    assert np.isfinite(p.grad.numpy()).all()
    z = Tensor(np.zeros(3), requires_grad=True)      # |x| has subgradient 0 at 0: the fused node must not use it
    F.binary_cross_entropy_with_logits(z, Tensor(np.array([0.0, 1.0, 0.3])), reduction="sum").backward()
    np.testing.assert_allclose(z.grad.numpy(), [0.5, -0.5, 0.2])
    kl = F.kl_div(Tensor(np.log([0.5, 0.5]), requires_grad=True), Tensor(np.array([0.0, 1.0])), reduction="sum")
    np.testing.assert_allclose(kl.item(), math.log(2))


def test_all_targets_ignored_gives_nan_like_torch():
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([-100, -100]))
    assert math.isnan(loss.item())
    assert F.cross_entropy(x, ag.tensor([-100, -100]), reduction="sum").item() == 0.0


def test_errors_are_clear():
    x = ag.randn(4, 3)
    with pytest.raises(ag.ShapeError, match=r"\(4,\).*\(4, 1\)"):
        F.mse_loss(ag.randn(4, 1), ag.randn(4))
    with pytest.raises(ag.ShapeError, match=r"\(3,\)"):
        F.binary_cross_entropy_with_logits(x, ag.randn(3))
    with pytest.raises(IndexError, match="target 3 is out of bounds for 3 classes"):
        F.cross_entropy(x, ag.tensor([0, 1, 3, 2]))
    with pytest.raises(ValueError, match="out of bounds"):            # also a ValueError
        F.nll_loss(x, ag.tensor([0, -2, 1, 2]))
    with pytest.raises(ag.ShapeError, match=r"target shape \(4, 1\).*\(4, 3\).*\(4,\)"):
        F.cross_entropy(x, ag.tensor([[0], [1], [2], [0]]))
    with pytest.raises(TypeError, match="integers"):
        F.cross_entropy(x, ag.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ag.ShapeError, match="0-d"):
        F.cross_entropy(ag.tensor(1.0), ag.tensor(0))
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.cross_entropy(x, ag.tensor([0, 1, 2, 0]), reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="batchmean")
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5]), ag.tensor([1.0]))
    with pytest.raises(ag.ShapeError, match="weight"):
        F.cross_entropy(x, ag.tensor([0, 1, 2, 0]), weight=ag.ones(4))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, ag.tensor([0, 1, 2, 0]), label_smoothing=1.5)


def test_legacy_reduction_arguments():
    x, y = ag.randn(3, 2), ag.randn(3, 2)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        s = F.mse_loss(x, y, size_average=False)
    np.testing.assert_allclose(s.item(), F.mse_loss(x, y, reduction="sum").item())
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(x, y)


def test_loss_weights_are_buffers_and_reductions_are_consistent():
    loss = nn.CrossEntropyLoss(weight=ag.tensor(W5))
    assert list(loss.state_dict()) == ["weight"] and not list(loss.parameters())
    rng = np.random.default_rng(0)
    x, t = Tensor(rng.standard_normal((6, 5))), Tensor(rng.integers(0, 5, 6))
    none = F.cross_entropy(x, t, weight=ag.tensor(W5), reduction="none").numpy()
    np.testing.assert_allclose(F.cross_entropy(x, t, weight=ag.tensor(W5), reduction="sum").item(), none.sum())
    np.testing.assert_allclose(F.cross_entropy(x, t, weight=ag.tensor(W5)).item(), none.sum() / W5[t.numpy()].sum())
    f32 = F.cross_entropy(ag.randn(3, 4), ag.tensor([0, 1, 2]))
    assert f32.dtype == np.float32
