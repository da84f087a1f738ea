"""PyTorch's gradient conventions at NaN and Inf: max with a NaN, robust losses with infinite residuals,
cross-entropy whose targets are all ignored, ties and NaN in maximum/minimum/relu."""
import numpy as np
import pytest

import autograd_core as ag
import nn

torch = pytest.importorskip("torch")
nan, inf = float("nan"), float("inf")


def NF(L):
    return L.nn.functional if L is torch else nn.functional


def T(L, a, requires_grad=True, dtype=None):
    if L is torch:
        return torch.tensor(a, dtype=dtype or torch.float64, requires_grad=requires_grad)
    return ag.tensor(a, dtype=dtype or ag.float64, requires_grad=requires_grad)


def ignored(L, shape=(2,)):
    return T(L, np.full(shape, -100), False, torch.int64 if L is torch else ag.int64)


def zeros(L):
    return T(L, [0.0, 0.0, 0.0], False)


CASES = {
    "max_nan": (lambda L, x: x.max(), [[1.0, nan, 3.0], [nan, 0.0, 2.0]]),
    "max_one_nan": (lambda L, x: x.max(), [1.0, nan, 3.0]),
    "min_nan": (lambda L, x: x.min(), [1.0, nan, 3.0]),
    "max_ties": (lambda L, x: x.max(), [3.0, 1.0, 3.0]),
    "max_inf": (lambda L, x: x.max(), [1.0, inf, 3.0]),
    "amax_nan_dim": (lambda L, x: x.amax(1), [[1.0, nan, 3.0], [4.0, 0.0, 2.0]]),
    "max_dim_nan": (lambda L, x: x.max(1)[0], [[1.0, nan, 3.0], [4.0, 0.0, 2.0]]),
    "maximum_nan": (lambda L, x: L.maximum(x, x.detach() * 0 + 2), [1.0, nan, 3.0]),
    "minimum_nan": (lambda L, x: L.minimum(x, x.detach() * 0 + 2), [1.0, nan, 2.0]),
    "relu_nan": (lambda L, x: x.relu(), [1.0, nan, -3.0]),
    "clamp_nan": (lambda L, x: x.clamp(0, 2), [1.0, nan, 3.0]),
    "huber_inf": (lambda L, x: NF(L).huber_loss(x, zeros(L)), [inf, -inf, 0.5]),
    "huber_inf_delta": (lambda L, x: NF(L).huber_loss(x, zeros(L), delta=2.0), [inf, -inf, 0.5]),
    "huber_inf_target": (lambda L, x: NF(L).huber_loss(x, T(L, [inf, 0.0, 0.0], False)), [1.0, 2.0, 0.5]),
    "huber_sum": (lambda L, x: NF(L).huber_loss(x, zeros(L), reduction="sum"), [inf, -inf, 0.5]),
    "smooth_l1_inf": (lambda L, x: NF(L).smooth_l1_loss(x, zeros(L)), [inf, -inf, 0.5]),
    "smooth_l1_inf_beta": (lambda L, x: NF(L).smooth_l1_loss(x, zeros(L), beta=0.5), [inf, -inf, 0.5]),
    "l1_inf": (lambda L, x: NF(L).l1_loss(x, zeros(L)), [inf, -inf, 0.5]),
    "ce_all_ignored": (lambda L, x: NF(L).cross_entropy(x, ignored(L)), [[1.0, 2.0], [0.5, 0.1]]),
    "ce_all_ignored_sum": (lambda L, x: NF(L).cross_entropy(x, ignored(L), reduction="sum"),
                           [[1.0, 2.0], [0.5, 0.1]]),
    "ce_all_ignored_smoothing": (lambda L, x: NF(L).cross_entropy(x, ignored(L), label_smoothing=0.1),
                                 [[1.0, 2.0], [0.5, 0.1]]),
    "ce_all_ignored_weight": (lambda L, x: NF(L).cross_entropy(x, ignored(L), weight=T(L, [1.0, 2.0], False)),
                              [[1.0, 2.0], [0.5, 0.1]]),
    "ce_all_ignored_spatial": (lambda L, x: NF(L).cross_entropy(x, ignored(L, (1, 2))), [[[1.0, 2.0], [0.5, 0.1]]]),
    "nll_all_ignored": (lambda L, x: NF(L).nll_loss(x, ignored(L)), [[1.0, 2.0], [0.5, 0.1]]),
    "softmax_neg_inf": (lambda L, x: x.softmax(0)[0], [-inf, 1.0]),
    "sqrt_zero": (lambda L, x: x.sqrt().sum(), [0.0, 1.0]),
    "median_nan": (lambda L, x: x.median(), [1.0, nan, 3.0]),
    "nanmedian": (lambda L, x: x.nanmedian(), [1.0, nan, 3.0, 2.0]),
    "topk_nan": (lambda L, x: x.topk(1)[0], [1.0, nan, 3.0]),
}


def _run(L, name):
    fn, a = CASES[name]
    x = T(L, a)
    y = fn(L, x)
    y.sum().backward()
    return np.asarray(y.detach().numpy(), dtype=float), x.grad.numpy().astype(float)


@pytest.mark.parametrize("name", list(CASES))
def test_value_and_gradient_as_torch(name):
    (yo, go), (yt, gt) = _run(ag, name), _run(torch, name)
    np.testing.assert_allclose(yo, yt, equal_nan=True, rtol=1e-12)
    np.testing.assert_allclose(go, gt, equal_nan=True, rtol=1e-12)


def test_the_issue_cases_explicitly():
    x = ag.tensor([1.0, nan, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])     # only the NaN's position
    r = ag.tensor([inf, -inf], requires_grad=True)
    nn.functional.huber_loss(r, ag.zeros(2)).backward()
    assert np.isfinite(r.grad.numpy()).all() and np.abs(r.grad.numpy()).max() <= 1.0
    logits = ag.randn(4, 3, requires_grad=True)
    loss = nn.functional.cross_entropy(logits, ag.full((4,), -100, dtype=ag.int64))
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(logits.grad.numpy(), 0.0)


@pytest.mark.parametrize("create_graph", [False, True])
def test_relu_backward_of_an_infinite_or_nan_gradient_matches_torch(create_graph):
    """relu's backward is PyTorch's threshold_backward: 0 where the output is 0 even for an inf or NaN incoming
    gradient, the incoming gradient where the output is positive or NaN (recorded backward or not)."""
    x_val = [-1.0, 0.0, 2.0, nan, -3.0, 4.0]
    g_val = [inf, nan, inf, 1.0, -inf, nan]
    got = []
    for L in (ag, torch):
        x = T(L, x_val)
        y = L.relu(x)
        (gx,) = L.autograd.grad(y, x, T(L, g_val, False), create_graph=create_graph)
        got.append(gx.detach().numpy())
    np.testing.assert_array_equal(got[0], got[1])
