"""Op-table rows: the losses of ``ops/loss_margin.py``, ``ops/loss_regression.py`` and ``ops/ctc.py``, and
``embedding_bag`` (integer targets, indices and offsets are constants of each row)."""
from .base import OpInfo, _NF


def _bag(mode, **kw):
    def f(lib, w):
        idx = lib.tensor([1, 2, 4, 0, 4, 3, 2, 0])
        return _NF(lib).embedding_bag(idx, w, lib.tensor([0, 3, 3, 6]), mode=mode, **kw)
    return f


def _bag_weighted(lib, w, psw):
    idx = lib.tensor([[1, 2, 4], [4, 3, 0]])
    return _NF(lib).embedding_bag(idx, w, mode="sum", per_sample_weights=psw)


_SIGNS = [[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 1.0]]
_LABELS = [[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 1.0]]


def _t(lib, data, like):
    return lib.tensor(data, dtype=like.dtype)


def _ctc(lib, x):
    lp = _NF(lib).log_softmax(x, dim=2)                                  # (T=6, N=2, C=4)
    targets = lib.tensor([[1, 2, 2], [3, 1, 0]])
    return _NF(lib).ctc_loss(lp, targets, lib.tensor([6, 5]), lib.tensor([3, 2]))


def _ctc_zero_infinity(lib, x):
    """The second sample ([1, 1] needs 3 frames, it has 2) is infeasible: its loss and gradient become 0."""
    lp = _NF(lib).log_softmax(x, dim=2)
    targets = lib.tensor([[1, 2, 3], [1, 1, 0]])
    return _NF(lib).ctc_loss(lp, targets, lib.tensor([6, 2]), lib.tensor([3, 2]), reduction="none",
                             zero_infinity=True)


def _ctc_concat(lib, x):
    lp = _NF(lib).log_softmax(x, dim=2)
    return _NF(lib).ctc_loss(lp, lib.tensor([1, 1, 3, 2]), lib.tensor([5, 4]), lib.tensor([2, 2]), blank=0,
                             reduction="sum")


OPS = [
    OpInfo("margin_ranking_loss", lambda lib, a, b: _NF(lib).margin_ranking_loss(
        a, b, _t(lib, [1.0, -1.0, 1.0, -1.0], a), margin=0.3), [((4,), (4,))], domains=("kinkfree", "kinkfree")),
    OpInfo("hinge_embedding_loss", lambda lib, x: _NF(lib).hinge_embedding_loss(x, _t(lib, _SIGNS, x), margin=0.4,
                                                                               reduction="sum"),
           [(3, 4)], domain="kinkfree"),
    OpInfo("soft_margin_loss", lambda lib, x: _NF(lib).soft_margin_loss(x * 3.0, _t(lib, _SIGNS, x)), [(3, 4)]),
    OpInfo("multilabel_soft_margin_loss", lambda lib, x: _NF(lib).multilabel_soft_margin_loss(
        x, _t(lib, _LABELS, x), weight=_t(lib, [0.5, 1.0, 2.0, 1.5], x)), [(3, 4)]),
    OpInfo("multilabel_margin_loss", lambda lib, x: _NF(lib).multilabel_margin_loss(
        x * 3.0, lib.tensor([[3, 0, -1, 1], [1, -1, 2, 2], [0, 1, 2, 3]]), reduction="none"), [(3, 4)],
        domain="kinkfree", smooth=False),
    OpInfo("multi_margin_loss", lambda lib, x: _NF(lib).multi_margin_loss(x * 2.0, lib.tensor([1, 0, 3]), margin=0.7),
           [(3, 4)], domain="kinkfree", smooth=False),
    OpInfo("multi_margin_loss_p2_weight", lambda lib, x: _NF(lib).multi_margin_loss(
        x * 2.0, lib.tensor([1, 0, 3]), p=2, weight=_t(lib, [0.5, 1.0, 2.0, 1.5], x), reduction="sum"), [(3, 4)],
        domain="kinkfree", smooth=False, op="multi_margin_loss"),
    OpInfo("cosine_embedding_loss", lambda lib, a, b: _NF(lib).cosine_embedding_loss(
        a, b, _t(lib, [1.0, -1.0, -1.0], a), margin=-0.5), [((3, 4), (3, 4))]),
    OpInfo("triplet_margin_loss", lambda lib, a, p, n: _NF(lib).triplet_margin_loss(a, p, n, margin=5.0),
           [((3, 4), (3, 4), (3, 4))]),
    OpInfo("triplet_margin_loss_swap_p1", lambda lib, a, p, n: _NF(lib).triplet_margin_loss(
        a, p, n, margin=5.0, p=1, swap=True, reduction="none"), [((3, 4), (3, 4), (3, 4))], smooth=False,
        op="triplet_margin_loss"),
    OpInfo("triplet_margin_with_distance_loss", lambda lib, a, p, n: _NF(lib).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda x, y: 1.0 - _NF(lib).cosine_similarity(x, y), margin=3.0),
        [((3, 4), (3, 4), (3, 4))]),
    OpInfo("poisson_nll_loss", lambda lib, x, y: _NF(lib).poisson_nll_loss(x, y.abs() * 2.0), [((3, 4), (3, 4))],
           domains=("any", "positive")),
    OpInfo("poisson_nll_loss_full", lambda lib, x, y: _NF(lib).poisson_nll_loss(
        x.abs() + 0.1, y * 2.0, log_input=False, full=True, reduction="sum"), [((3, 4), (3, 4))],
        domains=("positive", "positive"), op="poisson_nll_loss"),
    OpInfo("gaussian_nll_loss", lambda lib, x, y, v: _NF(lib).gaussian_nll_loss(x, y, v.abs() + 0.1, full=True),
           [((3, 4), (3, 4), (3, 4)), ((3, 4), (3, 4), (3,)), ((3, 4), (3, 4), (3, 1))],
           domains=("any", "any", "positive")),
    OpInfo("ctc_loss", _ctc, [(6, 2, 4)], smooth=False),
    OpInfo("ctc_loss_concat", _ctc_concat, [(5, 2, 4)], smooth=False, op="ctc_loss"),
    OpInfo("ctc_loss_none_zero_infinity", _ctc_zero_infinity, [(6, 2, 4)], smooth=False, op="ctc_loss"),
    OpInfo("embedding_bag", _bag("mean"), [(5, 3)]),
    OpInfo("embedding_bag_sum_padding", _bag("sum", padding_idx=2), [(5, 3)], op="embedding_bag"),
    OpInfo("embedding_bag_max", _bag("max"), [(5, 3)], op="embedding_bag"),
    OpInfo("embedding_bag_per_sample_weights", _bag_weighted, [((5, 3), (2, 3))], op="embedding_bag"),
]
