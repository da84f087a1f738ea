"""Op-table rows: reductions."""
from .base import OpInfo, UNARY_SHAPES


def sum_pair(pair):
    """``first + 2 * second`` of a (var, mean) / (min, max) pair: one output that depends on both."""
    return pair[0] + 2.0 * pair[1]


OPS = [
    # ---- reductions
    OpInfo("sum", lambda lib, a: a.sum(), UNARY_SHAPES),
    OpInfo("sum_dim", lambda lib, a: a.sum(dim=1), [(3, 4), (2, 3, 4)], op="sum"),
    OpInfo("sum_dims_keepdim", lambda lib, a: a.sum(dim=(0, -1), keepdim=True), [(3, 4), (2, 3, 4)], op="sum"),
    OpInfo("mean", lambda lib, a: a.mean(), UNARY_SHAPES),
    OpInfo("mean_dim", lambda lib, a: a.mean(dim=-1, keepdim=True), [(3, 4), (2, 1, 3)], op="mean"),
    OpInfo("var", lambda lib, a: a.var(), [(3, 4), (5,)]),
    OpInfo("var_dim", lambda lib, a: a.var(dim=0, unbiased=False), [(3, 4), (2, 3, 4)], op="var"),
    OpInfo("std", lambda lib, a: a.std(dim=(0, 1), keepdim=True), [(3, 4), (2, 3, 4)]),
    OpInfo("max", lambda lib, a: a.max(), [(3, 4), (5,)], smooth=False),
    OpInfo("min", lambda lib, a: a.min(), [(3, 4), (5,)], smooth=False),
    OpInfo("max_dim", lambda lib, a: a.max(dim=1).values, [(3, 4), (2, 3, 4)], smooth=False, op="max"),
    OpInfo("min_dim_keepdim", lambda lib, a: a.min(dim=0, keepdim=True)[0],
           [(3, 4), (2, 3, 4)], smooth=False, op="min"),
    OpInfo("amax", lambda lib, a: lib.amax(a, dim=(0, 1)), [(3, 4), (2, 3, 4)], smooth=False),
    OpInfo("logsumexp", lambda lib, a: lib.logsumexp(a, dim=1), [(3, 4), (2, 3, 4)]),
    OpInfo("softmax", lambda lib, a: lib.softmax(a, dim=-1), [(3, 4), (2, 3, 4), (5,)]),
    OpInfo("softmax_dim0", lambda lib, a: lib.softmax(a, dim=0), [(3, 4)], op="softmax"),
    OpInfo("log_softmax", lambda lib, a: lib.log_softmax(a, dim=1), [(3, 4), (2, 3, 4)]),
    OpInfo("prod", lambda lib, a: a.prod(dim=1), [(3, 4)], domain="nonzero"),
    OpInfo("amin", lambda lib, a: lib.amin(a, dim=1), [(3, 4), (2, 3, 4)], smooth=False),
]

OPS += [
    OpInfo("var_mean", lambda lib, a: sum_pair(lib.var_mean(a, 1)), [(3, 4), (2, 3, 4)]),
    OpInfo("std_mean", lambda lib, a: sum_pair(lib.std_mean(a, dim=(0, 1), correction=0, keepdim=True)),
           [(3, 4)]),
    OpInfo("aminmax", lambda lib, a: sum_pair(lib.aminmax(a)), [(3, 4)], domain="distinct", smooth=False),
    OpInfo("aminmax_dim", lambda lib, a: sum_pair(a.aminmax(dim=1, keepdim=True)), [(3, 4), (2, 3, 4)],
           domain="distinct", smooth=False, op="aminmax"),
    OpInfo("max_binary", lambda lib, a, b: lib.max(a, b), [((3, 4), (3, 4)), ((3, 4), (4,))], smooth=False,
           op="max"),
    OpInfo("min_binary_other", lambda lib, a, b: lib.min(a, other=b), [((3, 4), (3, 1))], smooth=False, op="min"),
]
