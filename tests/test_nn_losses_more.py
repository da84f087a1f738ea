"""The losses of issue 15 against PyTorch, as modules (state_dict buffers loaded) in float32 and float64 and every
reduction: values and gradients of all float inputs; gradchecks through each module; PyTorch's input checks; CTC
against torch.nn.functional.ctc_loss (leaf log-probabilities, batched, unbatched, concatenated targets,
zero_infinity) and its kernel against the numpy oracle; and the existing losses' corner cases the issue lists
(BCEWithLogitsLoss(pos_weight), CrossEntropyLoss with probabilities and (N, C, d1, ...) inputs, NLLLoss with
K-dim inputs, KLDivLoss(log_target=True))."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor
from autograd_core import kernels
from autograd_core.kernels import reference as R
from parity import check_module, gradcheck_module


def _lib(x):
    """The library a tensor (or a module namespace) belongs to."""
    name = getattr(x, "__name__", None) or type(x).__module__
    if name.startswith("torch"):
        import torch
        return torch
    return ag


def _t(like, data, dtype=None):
    lib = _lib(like)
    return lib.tensor(data, dtype=dtype if dtype is not None else like.dtype)


def _long(like, data):
    lib = _lib(like)
    return lib.tensor(data, dtype=lib.int64)


SIGNS = [[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 1.0]]
LABELS = [[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 1.0]]
W4 = [0.5, 1.0, 2.0, 1.5]


def _ctc_call(m, x):
    lp = _lib(x).nn.functional.log_softmax(x, dim=2) if _lib(x) is not ag else F.log_softmax(x, dim=2)
    return m(lp, _long(x, [[1, 2, 2], [3, 1, 0], [2, 0, 0]]), _long(x, [6, 5, 3]), _long(x, [3, 2, 1]))


# name, factory(m, reduction), input shapes, call(module, *inputs)
LOSSES = [
    ("margin_ranking", lambda m, r: m.MarginRankingLoss(margin=0.2, reduction=r), [(4,), (4,)],
     lambda m, a, b: m(a, b, _t(a, [1.0, -1.0, -1.0, 1.0]))),
    ("hinge_embedding", lambda m, r: m.HingeEmbeddingLoss(margin=0.5, reduction=r), [(3, 4)],
     lambda m, x: m(x, _t(x, SIGNS))),
    ("soft_margin", lambda m, r: m.SoftMarginLoss(reduction=r), [(3, 4)], lambda m, x: m(x * 3, _t(x, SIGNS))),
    ("multilabel_soft_margin", lambda m, r: m.MultiLabelSoftMarginLoss(reduction=r), [(3, 4), (3, 4)],
     lambda m, x, y: m(x, y.sigmoid())),
    ("multilabel_soft_margin_weight",
     lambda m, r: m.MultiLabelSoftMarginLoss(weight=_lib(m).tensor(W4), reduction=r), [(3, 4)],
     lambda m, x: m(x, _t(x, LABELS))),
    ("multilabel_margin", lambda m, r: m.MultiLabelMarginLoss(reduction=r), [(3, 4)],
     lambda m, x: m(x, _long(x, [[3, 0, -1, 1], [1, -1, 2, 2], [0, 1, 2, 3]]))),
    ("multilabel_margin_1d", lambda m, r: m.MultiLabelMarginLoss(reduction=r), [(4,)],
     lambda m, x: m(x, _long(x, [2, 1, -1, 0]))),
    ("multi_margin", lambda m, r: m.MultiMarginLoss(reduction=r), [(3, 4)], lambda m, x: m(x, _long(x, [1, 0, 3]))),
    ("multi_margin_p2_weight", lambda m, r: m.MultiMarginLoss(p=2, margin=0.5, weight=_lib(m).tensor(W4),
                                                               reduction=r), [(3, 4)],
     lambda m, x: m(x, _long(x, [1, 0, 3]))),
    ("multi_margin_1d", lambda m, r: m.MultiMarginLoss(reduction=r), [(4,)], lambda m, x: m(x, _long(x, 2))),
    ("cosine_embedding", lambda m, r: m.CosineEmbeddingLoss(margin=0.1, reduction=r), [(3, 4), (3, 4)],
     lambda m, a, b: m(a, b, _t(a, [1.0, -1.0, -1.0]))),
    ("cosine_embedding_1d", lambda m, r: m.CosineEmbeddingLoss(reduction=r), [(4,), (4,)],
     lambda m, a, b: m(a, b, _t(a, -1.0))),
    ("triplet", lambda m, r: m.TripletMarginLoss(margin=3.0, reduction=r), [(3, 4), (3, 4), (3, 4)], None),
    ("triplet_p1_swap", lambda m, r: m.TripletMarginLoss(margin=3.0, p=1.0, eps=1e-3, swap=True, reduction=r),
     [(3, 4), (3, 4), (3, 4)], None),
    ("triplet_1d", lambda m, r: m.TripletMarginLoss(margin=2.0, reduction=r), [(4,), (4,), (4,)], None),
    ("triplet_distance", lambda m, r: m.TripletMarginWithDistanceLoss(margin=2.0, reduction=r),
     [(3, 4), (3, 4), (3, 4)], None),
    ("triplet_distance_fn", lambda m, r: m.TripletMarginWithDistanceLoss(
        distance_function=m.CosineSimilarity(), margin=1.5, swap=True, reduction=r), [(3, 4), (3, 4), (3, 4)], None),
    ("poisson_nll", lambda m, r: m.PoissonNLLLoss(reduction=r), [(3, 4), (3, 4)], lambda m, x, y: m(x, y.abs() * 3)),
    ("poisson_nll_full", lambda m, r: m.PoissonNLLLoss(log_input=False, full=True, eps=1e-4, reduction=r),
     [(3, 4), (3, 4)], lambda m, x, y: m(x.abs() + 0.1, y.abs() * 3)),
    ("gaussian_nll", lambda m, r: m.GaussianNLLLoss(reduction=r), [(3, 4), (3, 4), (3, 4)],
     lambda m, x, y, v: m(x, y, v.abs() + 0.1)),
    ("gaussian_nll_full_per_row", lambda m, r: m.GaussianNLLLoss(full=True, eps=0.05, reduction=r),
     [(3, 4), (3, 4), (3,)], lambda m, x, y, v: m(x, y, v.abs())),
    ("gaussian_nll_broadcast_dim", lambda m, r: m.GaussianNLLLoss(reduction=r), [(3, 4), (3, 4), (1, 4)],
     lambda m, x, y, v: m(x, y, v.abs() + 0.1)),
    ("ctc", lambda m, r: m.CTCLoss(reduction=r), [(6, 3, 4)], _ctc_call),
    ("ctc_blank_last", lambda m, r: m.CTCLoss(blank=3, reduction=r, zero_infinity=True), [(6, 3, 4)],
     lambda m, x: m(F.log_softmax(x, 2) if _lib(x) is ag else x.log_softmax(2), _long(x, [[1, 2, 2], [0, 1, 0],
                                                                                          [2, 0, 0]]),
                    _long(x, [6, 2, 3]), _long(x, [3, 3, 1]))),
    ("bce_with_logits_pos_weight", lambda m, r: m.BCEWithLogitsLoss(pos_weight=_lib(m).tensor(W4), reduction=r),
     [(3, 4), (3, 4)], lambda m, x, y: m(x, y.sigmoid())),
    ("bce_with_logits_weight_pos_weight_3d", lambda m, r: m.BCEWithLogitsLoss(
        weight=_lib(m).tensor([1.0, 0.5, 2.0, 1.0]), pos_weight=_lib(m).tensor(W4), reduction=r),
     [(2, 3, 4), (2, 3, 4)], lambda m, x, y: m(x, y.sigmoid())),
    ("cross_entropy_probs", lambda m, r: m.CrossEntropyLoss(reduction=r), [(3, 4), (3, 4)],
     lambda m, x, y: m(x, y.softmax(1))),
    ("cross_entropy_probs_kdim_weighted", lambda m, r: m.CrossEntropyLoss(
        weight=_lib(m).tensor(W4), label_smoothing=0.1, reduction=r), [(2, 4, 3, 2), (2, 4, 3, 2)],
     lambda m, x, y: m(x, y.softmax(1))),
    ("cross_entropy_kdim", lambda m, r: m.CrossEntropyLoss(weight=_lib(m).tensor(W4), ignore_index=1, reduction=r),
     [(2, 4, 3)], lambda m, x: m(x, _long(x, [[0, 1, 3], [2, 2, 1]]))),
    ("nll_kdim", lambda m, r: m.NLLLoss(reduction=r), [(2, 4, 3, 2)],
     lambda m, x: m(x, _long(x, [[[0, 1], [3, 2], [1, 1]], [[2, 0], [0, 3], [1, 2]]]))),
    ("kl_div_log_target", lambda m, r: m.KLDivLoss(reduction=r, log_target=True), [(3, 4), (3, 4)],
     lambda m, x, y: m(x, y)),
]
REDUCTIONS = ["mean", "sum", "none"]
_IDS = [c[0] for c in LOSSES]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")       # KLDivLoss's own warning, in both libraries
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,factory,specs,call", LOSSES, ids=_IDS)
def test_loss_matches_torch(name, factory, specs, call, reduction, dtype):
    pytest.importorskip("torch")
    c = (lambda m, *xs: m(*xs)) if call is None else call
    check_module(lambda m: factory(m, reduction), specs, dtype, modes=(True,), call=c)


# CTC's gradient is PyTorch's, exact through log_softmax (the call applies it); the kinked losses are
# gradchecked on inputs scaled away from their kinks by the call
@pytest.mark.parametrize("name,factory,specs,call", LOSSES, ids=_IDS)
def test_loss_gradcheck(name, factory, specs, call):
    module = factory(nn, "sum")
    gradcheck_module(module, specs, call=call)


def test_batchmean_and_legacy_reduction_arguments():
    torch = pytest.importorskip("torch")
    x, y = np.random.default_rng(0).standard_normal((2, 3, 4))
    ours = nn.KLDivLoss(reduction="batchmean", log_target=True)(Tensor(x), Tensor(y))
    theirs = torch.nn.KLDivLoss(reduction="batchmean", log_target=True)(torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    with pytest.warns(UserWarning, match="size_average and reduce"):
        m = nn.SoftMarginLoss(size_average=False)
    assert m.reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.MultiMarginLoss(reduce=False).reduction == "none"
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.CosineEmbeddingLoss(reduction="avg")
    with pytest.raises(ValueError, match="not a valid value"):
        F.triplet_margin_with_distance_loss(ag.randn(2, 3), ag.randn(2, 3), ag.randn(2, 3), reduction="avg")


def test_loss_reprs_and_buffers_match_torch():
    torch = pytest.importorskip("torch")
    for build in (lambda m: m.MultiMarginLoss(p=2, weight=_lib(m).ones(3)), lambda m: m.CTCLoss(blank=2),
                  lambda m: m.TripletMarginWithDistanceLoss(), lambda m: m.GaussianNLLLoss(full=True),
                  lambda m: m.MultiLabelSoftMarginLoss(weight=_lib(m).ones(3)), lambda m: m.PoissonNLLLoss()):
        ours, theirs = build(nn), build(torch.nn)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
    m = nn.TripletMarginWithDistanceLoss()
    assert isinstance(m.distance_function, nn.PairwiseDistance)
    assert nn.CTCLoss(zero_infinity=True).zero_infinity and nn.PoissonNLLLoss(eps=1e-3).eps == 1e-3


def test_loss_errors_match_torch():
    x = ag.randn(3, 4)
    with pytest.raises(RuntimeError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(x, x, ag.ones(3))
    with pytest.raises(RuntimeError, match="out of range"):
        F.multilabel_margin_loss(x, ag.tensor([[3, 5, -1, 1]] * 3))
    with pytest.raises(RuntimeError, match="inconsistent target size"):
        F.multilabel_margin_loss(x, ag.tensor([[3, 0, -1]] * 3))
    with pytest.raises(RuntimeError, match="Long"):
        F.multilabel_margin_loss(x, ag.tensor([[3.0, 0.0, -1.0, 1.0]] * 3))
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(x, ag.tensor([0, 4, 1]))
    with pytest.raises(RuntimeError, match="should be 1-D with size equal"):
        F.multi_margin_loss(x, ag.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="inconsistent weight size"):
        F.multi_margin_loss(x, ag.tensor([0, 1, 2]), weight=ag.ones(3))
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(x, ag.tensor([0, 1, 2]), p=3)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="1D tensor"):
        nn.MultiMarginLoss(weight=ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="0D or 1D target"):
        F.cosine_embedding_loss(x, x, ag.ones(3, 1))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input"):
        F.cosine_embedding_loss(x, x[0], ag.ones(3))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(x, x, x[0])
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(x, x, x, margin=0)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=-1.0)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginWithDistanceLoss(margin=0.0)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, x, ag.ones(4))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, x, ag.ones(2, 4))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(x, x, -1.0)
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(x, x, -ag.ones(3, 4))
    with pytest.raises(ag.ShapeError, match=r"\(3, 4\)"):
        F.soft_margin_loss(x, ag.ones(4, 3))


def test_gaussian_nll_variance_clamp_passes_the_gradient_like_torch():
    torch = pytest.importorskip("torch")
    var = np.array([1e-9, 0.5, 2.0])
    vo, vt = Tensor(var.copy(), requires_grad=True), torch.tensor(var.copy(), requires_grad=True)
    x, y = np.array([0.1, -0.3, 1.0]), np.zeros(3)
    lo = F.gaussian_nll_loss(Tensor(x), Tensor(y), vo, eps=1e-3)
    lt = torch.nn.functional.gaussian_nll_loss(torch.tensor(x), torch.tensor(y), vt, eps=1e-3)
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-12)
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(vo.grad.numpy(), vt.grad.numpy(), rtol=1e-12)
    assert np.isclose(F.gaussian_nll_loss(Tensor(x), Tensor(y), 0.5).item(),
                      torch.nn.functional.gaussian_nll_loss(torch.tensor(x), torch.tensor(y), 0.5).item())


# ---------------------------------------------------------------------- CTC
def _ctc_case(seed=0, T=8, N=4, C=5, S=4):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((T, N, C))
    lp = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
    targets = rng.integers(1, C, size=(N, S))
    targets[0, 1] = targets[0, 0]                               # a repeated label needs a blank between
    il = np.array([T, T - 1, 5, T])[:N]
    tl = np.array([S, 3, 2, 0])[:N]
    return lp, targets, il, tl


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_ctc_leaf_log_probs_match_torch(reduction, dtype):
    """PyTorch's documented example: log_probs a leaf (log_softmax outputs, detached), gradients compared."""
    torch = pytest.importorskip("torch")
    lp, targets, il, tl = _ctc_case()
    lo, lt = Tensor(lp.astype(dtype), requires_grad=True), torch.tensor(lp.astype(dtype), requires_grad=True)
    for tg_o, tg_t in ((Tensor(targets), torch.tensor(targets)),
                       (Tensor(np.concatenate([targets[n, :tl[n]] for n in range(4)])),
                        torch.tensor(np.concatenate([targets[n, :tl[n]] for n in range(4)])))):
        yo = F.ctc_loss(lo, tg_o, Tensor(il), Tensor(tl), reduction=reduction)
        yt = torch.nn.functional.ctc_loss(lt, tg_t, torch.tensor(il), torch.tensor(tl), reduction=reduction)
        tol = 1e-10 if dtype == np.float64 else 1e-5
        np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
        g = np.random.default_rng(1).standard_normal(yo.shape).astype(dtype)
        yo.backward(Tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(lo.grad.numpy(), lt.grad.numpy(), rtol=tol, atol=tol)
        assert lo.grad.dtype == dtype
        lo.grad, lt.grad = None, None


def test_ctc_unbatched_lists_int32_and_zero_infinity_match_torch():
    torch = pytest.importorskip("torch")
    lp, targets, il, tl = _ctc_case()
    ours = F.ctc_loss(Tensor(lp[:, 1]), Tensor(targets[1, :3]), Tensor(np.array(7)), Tensor(np.array(3)),
                      reduction="none")
    theirs = torch.nn.functional.ctc_loss(torch.tensor(lp[:, 1]), torch.tensor(targets[1, :3]), torch.tensor(7),
                                          torch.tensor(3), reduction="none")
    assert ours.shape == tuple(theirs.shape) == ()
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    ours = F.ctc_loss(Tensor(lp), Tensor(targets.astype(np.int32)), list(il), tuple(tl))
    theirs = torch.nn.functional.ctc_loss(torch.tensor(lp), torch.tensor(targets.astype(np.int32)), list(il),
                                          tuple(tl))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    short = np.array([8, 2, 5, 8])                             # sample 1 needs 3 frames for [a, b, c]: infeasible
    for zero in (False, True):
        lo, lt = Tensor(lp.copy(), requires_grad=True), torch.tensor(lp.copy(), requires_grad=True)
        yo = F.ctc_loss(lo, Tensor(targets), Tensor(short), Tensor(tl), reduction="none", zero_infinity=zero)
        yt = torch.nn.functional.ctc_loss(lt, torch.tensor(targets), torch.tensor(short), torch.tensor(tl),
                                          reduction="none", zero_infinity=zero)
        np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=1e-12)
        assert np.isinf(yo.numpy()[1]) != zero
        if zero:
            yo.sum().backward()
            yt.sum().backward()
            np.testing.assert_allclose(lo.grad.numpy(), lt.grad.numpy(), rtol=1e-10, atol=1e-12)
            assert not lo.grad.numpy()[:, 1].any()


def test_ctc_trains_a_tiny_model_like_torch():
    torch = pytest.importorskip("torch")
    lp, targets, il, tl = _ctc_case(T=10, N=3, C=4, S=3)
    torch.manual_seed(0)
    theirs = torch.nn.Linear(4, 4).double()
    ours = nn.Linear(4, 4).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((10, 3, 4))
    lo = nn.CTCLoss()(F.log_softmax(ours(Tensor(x)), 2), Tensor(targets), Tensor(il[:3]), Tensor(tl[:3]))
    lt = torch.nn.CTCLoss()(theirs(torch.tensor(x)).log_softmax(2), torch.tensor(targets), torch.tensor(il[:3]),
                            torch.tensor(tl[:3]))
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-10)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_ctc_second_derivative_raises():
    lp, targets, il, tl = _ctc_case()
    x = Tensor(lp, requires_grad=True)
    loss = F.ctc_loss(F.log_softmax(x, 2), Tensor(targets), Tensor(il), Tensor(tl))
    (g,) = ag.grad(loss, [x], create_graph=True)
    with pytest.raises(RuntimeError, match="not implemented"):
        g.sum().backward()


def test_ctc_errors_match_torch():
    lp = Tensor(_ctc_case()[0])
    tg = Tensor(np.array([[1, 2], [1, 1], [2, 3], [1, 0]]))
    lens = Tensor(np.array([8, 8, 8, 8]))
    two = Tensor(np.array([2, 2, 2, 2]))
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        F.ctc_loss(lp, tg, lens, two, blank=5)
    with pytest.raises(RuntimeError, match="at most 8"):
        F.ctc_loss(lp, tg, Tensor(np.array([9, 8, 8, 8])), two)
    with pytest.raises(RuntimeError, match="must be of size batch_size"):
        F.ctc_loss(lp, tg, Tensor(np.array([8, 8])), two)
    with pytest.raises(RuntimeError, match="at least 3 at dimension 1"):
        F.ctc_loss(lp, tg, lens, Tensor(np.array([3, 2, 2, 2])))
    with pytest.raises(RuntimeError, match="size 8 at dimension 0"):
        F.ctc_loss(lp, Tensor(np.array([1, 2, 3])), lens, two)
    with pytest.raises(RuntimeError, match="at least 0"):
        F.ctc_loss(lp, tg, lens, Tensor(np.array([-1, 2, 2, 2])))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.ctc_loss(lp, tg, lens, two, reduction="bad")


@pytest.mark.parametrize("seed", range(4))
def test_ctc_kernel_matches_reference(seed):
    rng = np.random.default_rng(seed)
    T, N, C = rng.integers(1, 12), rng.integers(1, 5), rng.integers(2, 6)
    S = int(rng.integers(0, 5))
    logits = rng.standard_normal((T, N, C))
    lp = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
    blank = int(rng.integers(0, C))
    targets = rng.integers(0, C, size=(N, S))
    targets[targets == blank] = (blank + 1) % C
    il = rng.integers(0, T + 1, size=N)
    tl = rng.integers(0, S + 1, size=N)
    nll, alpha = kernels.ctc_forward(lp, targets, il, tl, blank)
    nll_r, alpha_r = R.ctc_forward(lp, targets, il, tl, blank)
    np.testing.assert_allclose(nll, nll_r, rtol=1e-12)
    with np.errstate(invalid="ignore"):
        g = kernels.ctc_backward(lp, targets, il, tl, blank, nll, alpha)
        g_r = R.ctc_backward(lp, targets, il, tl, blank, nll_r, alpha_r)
    np.testing.assert_allclose(g, g_r, rtol=1e-10, atol=1e-12)


def test_ctc_kernel_large_batch_runs_in_parallel_path():
    rng = np.random.default_rng(0)
    T, N, C, S = 60, 40, 6, 20
    logits = rng.standard_normal((T, N, C))
    lp = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
    targets = rng.integers(1, C, size=(N, S))
    il, tl = np.full(N, T), rng.integers(1, S + 1, size=N)
    nll, alpha = kernels.ctc_forward(lp, targets, il, tl, 0)
    nll_r, alpha_r = R.ctc_forward(lp, targets, il, tl, 0)
    np.testing.assert_allclose(nll, nll_r, rtol=1e-12)
    np.testing.assert_allclose(kernels.ctc_backward(lp, targets, il, tl, 0, nll, alpha),
                               R.ctc_backward(lp, targets, il, tl, 0, nll_r, alpha_r), rtol=1e-9, atol=1e-12)
