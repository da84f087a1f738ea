"""Op-table rows: cumulative ops, sorting and order statistics (inputs without ties: the ``distinct`` domain)."""
from .base import OpInfo

OPS = [
    # ---- cumulative
    OpInfo("cumsum", lambda lib, a: lib.cumsum(a, dim=-1), [(3, 4), (5,), ()]),
    OpInfo("cumsum_method_dim0", lambda lib, a: a.cumsum(0), [(3, 4), (2, 3, 4)], op="cumsum"),
    OpInfo("cumprod", lambda lib, a: lib.cumprod(a, -1), [(3, 4), (2, 3, 4), ()]),
    OpInfo("cumprod_with_zeros", lambda lib, a: a.cumprod(1), [(3, 7), (2, 5, 2)], domain="zeros", op="cumprod"),
    OpInfo("cumprod_with_zeros_dim0", lambda lib, a: lib.cumprod(a, 0), [(6, 2)], domain="zeros", op="cumprod"),
    OpInfo("logcumsumexp", lambda lib, a: lib.logcumsumexp(a, 1), [(3, 4), (2, 3, 4)]),
    OpInfo("logcumsumexp_large", lambda lib, a: lib.logcumsumexp(a * 40.0, 0), [(5, 3)], op="logcumsumexp"),
    OpInfo("cummax", lambda lib, a: lib.cummax(a, 1).values, [(3, 5), (2, 3, 4)], domain="distinct"),
    OpInfo("cummin", lambda lib, a: a.cummin(0)[0], [(5, 3), ()], domain="distinct"),
    # ---- sorting
    OpInfo("sort", lambda lib, a: lib.sort(a, dim=1).values, [(3, 4), (2, 3, 4)], domain="distinct"),
    OpInfo("sort_descending", lambda lib, a: a.sort(0, descending=True)[0], [(4, 3), (5,), ()], domain="distinct",
           op="sort"),
    OpInfo("sort_stable", lambda lib, a: lib.sort(a, stable=True, dim=-1).values, [(3, 4)], domain="distinct",
           op="sort"),
    OpInfo("msort", lambda lib, a: lib.msort(a), [(4, 3), (5,)], domain="distinct"),
    OpInfo("topk", lambda lib, a: lib.topk(a, 2, dim=1).values, [(3, 4), (2, 5, 3)], domain="distinct"),
    OpInfo("topk_smallest", lambda lib, a: a.topk(3, largest=False)[0], [(2, 5), (4,)], domain="distinct",
           op="topk"),
    OpInfo("kthvalue", lambda lib, a: lib.kthvalue(a, 2, 1).values, [(3, 4), (2, 3, 4)], domain="distinct"),
    OpInfo("kthvalue_keepdim", lambda lib, a: a.kthvalue(3, dim=0, keepdim=True)[0], [(4, 3)], domain="distinct",
           op="kthvalue"),
    OpInfo("median", lambda lib, a: lib.median(a), [(3, 4), (5,), ()], domain="distinct"),
    OpInfo("median_dim", lambda lib, a: a.median(dim=0).values, [(4, 3), (5, 2)], domain="distinct", op="median"),
    OpInfo("median_dim_keepdim", lambda lib, a: lib.median(a, -1, keepdim=True)[0], [(2, 3, 4)], domain="distinct",
           op="median"),
    OpInfo("nanmedian", lambda lib, a: lib.nanmedian(a), [(3, 4)], domain="distinct"),
    OpInfo("nanmedian_dim", lambda lib, a: a.nanmedian(1).values, [(3, 4)], domain="distinct", op="nanmedian"),
    OpInfo("mode", lambda lib, a: lib.mode(a, 1).values, [(3, 4)], domain="distinct"),
]
