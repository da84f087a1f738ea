"""Op-table rows: linear algebra."""
from .base import OpInfo, _F

OPS = [
    # ---- linear algebra
    OpInfo("matmul_2d", lambda lib, a, b: a @ b, [((3, 4), (4, 5)), ((1, 4), (4, 1))], op="matmul"),
    OpInfo("matmul_1d", lambda lib, a, b: a @ b,
           [((4,), (4,)), ((4,), (4, 3)), ((3, 4), (4,)), ((4,), (2, 4, 3))], op="matmul"),
    OpInfo("matmul_batched", lambda lib, a, b: lib.matmul(a, b),
           [((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2))], op="matmul"),
    OpInfo("linear", lambda lib, x, w, b: _F(lib).linear(x, w, b),
           [((5, 4), (3, 4), (3,)), ((2, 5, 4), (3, 4), (3,)), ((4,), (3, 4), (3,))]),
    OpInfo("mm", lambda lib, a, b: lib.mm(a, b), [((3, 4), (4, 2))]),
    OpInfo("bmm", lambda lib, a, b: lib.bmm(a, b), [((2, 3, 4), (2, 4, 5))]),
    OpInfo("dot", lambda lib, a, b: lib.dot(a, b), [((4,), (4,))]),
    OpInfo("outer", lambda lib, a, b: lib.outer(a, b), [((3,), (4,))]),
]

_INF = float("inf")

# ---- einsum (autograd_core/ops/einsum.py): any numpy equation, ellipsis, repeated subscripts, broadcasting
OPS += [
    OpInfo("einsum_matmul", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [((3, 4), (4, 2))], op="einsum"),
    OpInfo("einsum_batched_implicit", lambda lib, a, b: lib.einsum("bij,bjk", a, b), [((2, 3, 4), (2, 4, 2))],
           op="einsum"),
    OpInfo("einsum_ellipsis", lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b),
           [((2, 3, 4), (4, 2)), ((2, 1, 3, 4), (5, 4, 2))], op="einsum"),
    OpInfo("einsum_ellipsis_summed", lambda lib, a, b: lib.einsum("...ij,jk->ik", a, b), [((2, 3, 4), (4, 2))],
           op="einsum"),
    OpInfo("einsum_diagonal_trace", lambda lib, a: lib.einsum("ii->i", a) + lib.einsum("ii", a), [(3, 3)],
           op="einsum"),
    OpInfo("einsum_repeated_3", lambda lib, a, b: lib.einsum("iij,j->ij", a, b), [((3, 3, 2), (2,))], op="einsum"),
    OpInfo("einsum_outer_sum", lambda lib, a, b: lib.einsum("i,j->", a, b) + lib.einsum("ij->j", lib.einsum(
        "i,j->ij", a, b)).sum(), [((3,), (4,))], op="einsum"),
    OpInfo("einsum_three", lambda lib, a, b, c: lib.einsum("ij,jk,kl->il", a, b, c), [((2, 3), (3, 4), (4, 2))],
           op="einsum"),
    OpInfo("einsum_broadcast_size1", lambda lib, a, b: lib.einsum("ij,ij->ij", a, b), [((3, 1), (3, 4))],
           op="einsum"),
    OpInfo("einsum_list_and_sublist", lambda lib, a, b: lib.einsum("ij,jk", [a, b]) + lib.einsum(a, [0, 1], b, [1, 2],
                                                                                                [0, 2]),
           [((2, 3), (3, 4))], op="einsum"),
    # ---- products built from matmul (ops/linalg.py)
    OpInfo("mv", lambda lib, a, v: lib.mv(a, v) + a.mv(v), [((3, 4), (4,))]),
    OpInfo("addmm", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=-2.0), [((3, 2), (3, 4), (4, 2)),
                                                                                      ((2,), (3, 4), (4, 2))]),
    OpInfo("addmm_method_beta0", lambda lib, c, a, b: c.addmm(a, b, beta=0), [((3, 2), (3, 4), (4, 2))],
           op="addmm", torch_ok=False),
    OpInfo("addmv", lambda lib, c, a, v: lib.addmv(c, a, v, alpha=3.0), [((3,), (3, 4), (4,)), ((), (3, 4), (4,))]),
    OpInfo("baddbmm", lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=2.0, alpha=0.5),
           [((2, 3, 2), (2, 3, 4), (2, 4, 2)), ((3, 2), (2, 3, 4), (2, 4, 2))]),
    OpInfo("addbmm", lambda lib, c, a, b: lib.addbmm(c, a, b, beta=-1.0), [((3, 2), (2, 3, 4), (2, 4, 2))]),
    OpInfo("tensordot", lambda lib, a, b: lib.tensordot(a, b), [((2, 3, 4), (3, 4, 2))]),
    OpInfo("tensordot_lists", lambda lib, a, b: lib.tensordot(a, b, dims=([1, 0], [0, 2])),
           [((2, 3, 4), (3, 2, 2))], op="tensordot"),
    OpInfo("tensordot_outer", lambda lib, a, b: lib.tensordot(a, b, dims=0), [((2, 3), (2,))], op="tensordot"),
    OpInfo("kron", lambda lib, a, b: lib.kron(a, b), [((2, 3), (3, 2)), ((2,), (2, 1, 3))]),
    OpInfo("cross", lambda lib, a, b: lib.cross(a, b), [((4, 3), (4, 3)), ((3, 2), (3, 2))]),
    OpInfo("linalg_cross", lambda lib, a, b: lib.linalg.cross(a, b), [((4, 3), (1, 3)), ((2, 1, 3), (2, 4, 3))]),
    OpInfo("linalg_multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
           [((3,), (3, 4), (4, 2)), ((2, 3), (3, 4), (4,))]),
    OpInfo("linalg_vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b), [((3, 4), (4,)), ((2, 3), (2, 3))]),
    # ---- diagonals (ops/diagonal.py)
    OpInfo("diagonal", lambda lib, a: a.diagonal() + lib.diagonal(a, 1)[:2].sum(), [(3, 3), (3, 4)]),
    OpInfo("diagonal_dims", lambda lib, a: lib.diagonal(a, -1, 2, 0), [(3, 2, 4)], op="diagonal"),
    OpInfo("linalg_diagonal", lambda lib, a: lib.linalg.diagonal(a, offset=1), [(2, 3, 4)], op="diagonal"),
    OpInfo("diag_embed", lambda lib, a: lib.diag_embed(a, offset=1, dim1=0, dim2=2), [(2, 3)]),
    OpInfo("diag_embed_default", lambda lib, a: a.diag_embed(), [(2, 3), (4,)], op="diag_embed"),
    OpInfo("diag", lambda lib, a: lib.diag(a, -1), [(3,), (3, 4)]),
    OpInfo("trace", lambda lib, a: a.trace(), [(3, 3), (3, 4)]),
    # ---- norms and distances (ops/norms.py)
    OpInfo("linalg_vector_norm", lambda lib, a: lib.linalg.vector_norm(a), [(3, 4), (5,), ()]),
    OpInfo("linalg_vector_norm_ords", lambda lib, a: lib.linalg.vector_norm(a, 3, dim=1) +
           lib.linalg.vector_norm(a, 1.5, dim=1), [(3, 4)], op="linalg_vector_norm"),
    OpInfo("linalg_vector_norm_small_ords", lambda lib, a: lib.linalg.vector_norm(a, 0.5, dim=(0, 1), keepdim=True) +
           lib.linalg.vector_norm(a, -1, dim=-1, keepdim=True), [(3, 4)], domain="positive",
           op="linalg_vector_norm"),
    OpInfo("linalg_vector_norm_l1_inf", lambda lib, a: lib.linalg.vector_norm(a, 1, dim=0) +
           lib.linalg.vector_norm(a, _INF, dim=0) + lib.linalg.vector_norm(a, -_INF, dim=0), [(3, 4)],
           domain="kinkfree", op="linalg_vector_norm"),
    OpInfo("linalg_vector_norm_ord0", lambda lib, a: lib.linalg.vector_norm(a, 0, dim=1) * a.sum(), [(3, 4)],
           smooth=False, op="linalg_vector_norm"),
    OpInfo("linalg_matrix_norm_fro_nuc", lambda lib, a: lib.linalg.matrix_norm(a) + lib.linalg.matrix_norm(a, "nuc"),
           [(3, 4), (2, 4, 3)], op="linalg_matrix_norm"),
    OpInfo("linalg_matrix_norm_spectral", lambda lib, a: lib.linalg.matrix_norm(a, 2) - lib.linalg.matrix_norm(a, -2),
           [(3, 4), (2, 3, 3)], op="linalg_matrix_norm"),
    OpInfo("linalg_matrix_norm_1_inf", lambda lib, a: lib.linalg.matrix_norm(a, 1, dim=(0, 2), keepdim=True) +
           lib.linalg.matrix_norm(a, -_INF, dim=(0, 2), keepdim=True), [(3, 2, 4)], domain="kinkfree",
           op="linalg_matrix_norm"),
    OpInfo("linalg_matrix_norm_m1_inf", lambda lib, a: lib.linalg.matrix_norm(a, -1) + lib.linalg.matrix_norm(a, _INF),
           [(3, 4)], domain="kinkfree", op="linalg_matrix_norm"),
    OpInfo("linalg_norm", lambda lib, a: lib.linalg.norm(a) + lib.linalg.norm(a, dim=1).sum(), [(3, 4), (2, 3, 4)]),
    OpInfo("linalg_norm_ords", lambda lib, a: lib.linalg.norm(a, 2) + lib.linalg.norm(a, "nuc") +
           lib.linalg.norm(a, 3, dim=0).sum(), [(3, 4)], op="linalg_norm"),
    OpInfo("norm", lambda lib, a: a.norm() + lib.norm(a, p=3, dim=1).sum() + a.norm(dim=(0, 1), keepdim=True).sum(),
           [(3, 4)]),
    OpInfo("norm_nuc", lambda lib, a: lib.norm(a, p="nuc"), [(3, 4)], op="norm"),
    OpInfo("dist", lambda lib, a, b: lib.dist(a, b) + a.dist(b, p=3), [((3, 4), (4,)), ((2, 3), (2, 3))]),
    OpInfo("dist_l1", lambda lib, a, b: lib.dist(a, b, p=1), [((3, 4), (3, 4))], domains=("kinkfree", "any"),
           smooth=False, op="dist"),
    OpInfo("cdist", lambda lib, a, b: lib.cdist(a, b), [((3, 4), (5, 4)), ((2, 3, 4), (2, 2, 4)),
                                                         ((2, 1, 3, 4), (5, 2, 4))]),
    OpInfo("cdist_p", lambda lib, a, b: lib.cdist(a, b, p=3) + lib.cdist(a, b, p=1.5), [((3, 4), (2, 4))],
           op="cdist"),
]
