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


OPS = [
    OpInfo("embedding_bag", _bag("mean"), [(5, 3)]),
    OpInfo("embedding_bag_sum_padding", _bag("sum", padding_idx=2), [(5, 3)], op="embedding_bag"),
    OpInfo("embedding_bag_max", _bag("max"), [(5, 3)], op="embedding_bag"),
    OpInfo("embedding_bag_per_sample_weights", _bag_weighted, [((5, 3), (2, 3))], op="embedding_bag"),
]
