"""Op-table rows: index-based ops (take, masks, scatter, index_*). Index arguments are constants built in ``fn``."""
import warnings

from .base import OpInfo


def _scatter_with_reduce(lib, a, dim, index, s, reduce):
    with warnings.catch_warnings():   # reduce= is deprecated in PyTorch (and here): scatter_reduce replaces it
        warnings.simplefilter("ignore", UserWarning)
        return a.scatter(dim, lib.tensor(index), s, reduce=reduce)


def _scatter_reduce(reduce, include_self):
    def fn(lib, a, s):
        return a.scatter_reduce(1, lib.tensor([[0, 0, 1], [3, 3, 3]]), s, reduce, include_self=include_self)
    return fn


_REDUCE_DOMAIN = {"sum": "any", "mean": "any", "prod": "nonzero", "amax": "distinct", "amin": "distinct"}

OPS = [
    OpInfo("take", lambda lib, a: lib.take(a, lib.tensor([[0, 5], [11, -1], [5, 5]])), [(3, 4)]),
    OpInfo("take_along_dim", lambda lib, a: lib.take_along_dim(a, lib.tensor([[0], [2], [1]]), 1), [(3, 4)]),
    OpInfo("take_along_dim_flat", lambda lib, a: a.take_along_dim(lib.tensor([3, 0, 3])), [(2, 3)],
           op="take_along_dim"),
    OpInfo("take_along_dim_broadcast", lambda lib, a: lib.take_along_dim(a, lib.tensor([[0, 2, 0, 1], [1, 1, 2, 0]]),
                                                                          dim=0), [(3, 1)], op="take_along_dim"),
    OpInfo("masked_select", lambda lib, a: lib.masked_select(a, lib.tensor([True, False, True, True])), [(3, 4)]),
    OpInfo("masked_scatter", lambda lib, a, s: a.masked_scatter(lib.tensor([[True, False, True, False]]), s),
           [((3, 4), (2, 4)), ((3, 4), (7,))]),
    OpInfo("scatter", lambda lib, a, s: a.scatter(1, lib.tensor([[0, 3], [2, 1], [1, 0]]), s),
           [((3, 4), (3, 2))]),
    OpInfo("scatter_src_larger", lambda lib, a, s: lib.scatter(a, 0, lib.tensor([[0, 1], [2, 0]]), s),
           [((3, 4), (3, 3))], torch_ok=False, op="scatter"),   # PyTorch refuses this backward; ours pads zeros
    OpInfo("scatter_value", lambda lib, a: a.scatter(0, lib.tensor([[0, 1, 2, 0]]), 2.5), [(3, 4)], op="scatter"),
    OpInfo("scatter_reduce_add", lambda lib, a, s: _scatter_with_reduce(lib, a, 1, [[0, 0], [1, 3]], s, "add"),
           [((2, 4), (2, 2))], torch_ok=False, op="scatter"),   # PyTorch has no gradient for reduce=
    OpInfo("scatter_reduce_multiply", lambda lib, a, s: _scatter_with_reduce(lib, a, 0, [[0, 1], [0, 1]], s,
                                                                             "multiply"),
           [((2, 3), (2, 2))], torch_ok=False, domain="nonzero", op="scatter"),
    OpInfo("scatter_add", lambda lib, a, s: a.scatter_add(0, lib.tensor([[0, 1, 0, 2], [0, 0, 1, 2]]), s),
           [((3, 4), (2, 4))]),
    OpInfo("scatter_add_src_larger", lambda lib, a, s: lib.scatter_add(a, 1, lib.tensor([[0, 0], [1, 3]]), s),
           [((2, 4), (3, 5))], torch_ok=False, op="scatter_add"),
] + [
    OpInfo(f"scatter_reduce_{r}{'' if inc else '_exclude_self'}", _scatter_reduce(r, inc), [((2, 4), (2, 3))],
           domain=_REDUCE_DOMAIN[r], smooth=r not in ("amax", "amin"), op="scatter_reduce")
    for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)
] + [
    OpInfo("scatter_reduce_prod_zeros", _scatter_reduce("prod", True), [((2, 4), (2, 3))], domain="zeros",
           op="scatter_reduce"),
    OpInfo("index_add", lambda lib, a, s: a.index_add(0, lib.tensor([0, 2, 0]), s, alpha=2.0),
           [((3, 4), (3, 4))]),
    OpInfo("index_add_dim1", lambda lib, a, s: lib.index_add(a, 1, lib.tensor([3, 3]), s), [((2, 4), (2, 2))],
           op="index_add"),
    OpInfo("index_copy", lambda lib, a, s: a.index_copy(1, lib.tensor([3, 0]), s), [((3, 4), (3, 2))]),
    OpInfo("index_fill", lambda lib, a: a.index_fill(1, lib.tensor([0, 2]), -1.5), [(3, 4)]),
    OpInfo("index_fill_tensor_value", lambda lib, a, v: lib.index_fill(a, 0, lib.tensor([1, 2]), v),
           [((3, 4), ())], op="index_fill"),
    OpInfo("index_put", lambda lib, a, v: a.index_put((lib.tensor([0, 2]), lib.tensor([1, 3])), v),
           [((3, 4), (2,)), ((3, 4), ())]),
    OpInfo("index_put_accumulate", lambda lib, a, v: lib.index_put(a, (lib.tensor([0, 0, 2]),), v, accumulate=True),
           [((3, 4), (4,)), ((3, 4), (3, 4))], op="index_put"),
    OpInfo("index_put_function_inplace", lambda lib, a, v: lib.index_put_(a * 1.0, (lib.tensor([0, 2]),), v),
           [((3, 4), (4,))], op="index_put_"),
    OpInfo("index_put_mask", lambda lib, a, v: a.index_put((lib.tensor([True, False, True]),), v),
           [((3, 4), (4,))], op="index_put"),
]
