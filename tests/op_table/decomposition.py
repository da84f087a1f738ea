"""Op-table rows: decompositions, inverses, determinants and solves (``autograd_core/ops/decomposition.py``,
``solvers.py``).

Each ``fn`` builds a well-conditioned input from the random one (``A @ Aᵀ + n I`` for Cholesky, ``A + 3 I`` for an
inverse, ``(A + Aᵀ)/2`` for eigh), and makes its output independent of the factors' gauge (signs of eigenvectors and
singular vectors, of Q's columns and R's rows) by returning elementwise squares, as PyTorch's own tests do.
"""
from .base import OpInfo


def _eye(lib, a, n):
    return lib.eye(n, dtype=a.dtype)


def _spd(lib, a):
    return a @ a.mT + _eye(lib, a, a.shape[-1]) * a.shape[-1]


def _sym(lib, a):
    return (a + a.mT) * 0.5


def _shifted(lib, a):
    return a + _eye(lib, a, a.shape[-1]) * 3.0


def _flat(lib, *parts):
    return lib.cat([p.reshape(-1) for p in parts])


OPS = [
    OpInfo("linalg_cholesky", lambda lib, a: lib.linalg.cholesky(_spd(lib, a)), [(3, 3), (2, 4, 4)]),
    OpInfo("linalg_cholesky_upper", lambda lib, a: lib.linalg.cholesky(_spd(lib, a), upper=True), [(3, 3)],
           op="linalg_cholesky"),
    OpInfo("cholesky", lambda lib, a: lib.cholesky(_spd(lib, a)) + _spd(lib, a).cholesky(upper=True), [(3, 3)]),
    OpInfo("linalg_qr", lambda lib, a: _flat(lib, *(t * t for t in lib.linalg.qr(a))), [(4, 3), (3, 3), (2, 3, 2)]),
    OpInfo("linalg_qr_wide", lambda lib, a: _flat(lib, *(t * t for t in lib.linalg.qr(a))), [(3, 5), (2, 2, 4)],
           op="linalg_qr"),
    OpInfo("linalg_qr_complete_square", lambda lib, a: _flat(lib, *(t * t for t in lib.linalg.qr(a, "complete"))),
           [(3, 3), (2, 4)], op="linalg_qr"),
    OpInfo("qr", lambda lib, a: _flat(lib, *(t * t for t in lib.qr(a))) + a.qr()[1].sum() * 0, [(4, 3)]),
    OpInfo("linalg_eigh", lambda lib, a: _flat(lib, *(lambda lv: (lv[0], lv[1] * lv[1]))(
        lib.linalg.eigh(_sym(lib, a)))), [(3, 3), (2, 4, 4)]),
    OpInfo("linalg_eigh_upper", lambda lib, a: (lambda lv: lv[1] * lv[1] * lv[0].unsqueeze(-2))(
        lib.linalg.eigh(_sym(lib, a), UPLO="U")), [(4, 4)], op="linalg_eigh"),
    OpInfo("linalg_eigvalsh", lambda lib, a: lib.linalg.eigvalsh(_sym(lib, a)), [(3, 3), (2, 4, 4)]),
    OpInfo("linalg_svd", lambda lib, a: _flat(lib, *(lambda u, s, vh: (u * u, s, vh * vh))(
        *lib.linalg.svd(a, full_matrices=False))), [(4, 3), (3, 5), (2, 3, 3)]),
    OpInfo("linalg_svd_full_square", lambda lib, a: _flat(lib, *(lambda u, s, vh: (u * u, s, vh * vh))(
        *lib.linalg.svd(a))), [(3, 3)], op="linalg_svd"),
    OpInfo("linalg_svd_reconstruct", lambda lib, a: (lambda u, s, vh: (u * s.unsqueeze(-2)) @ vh)(
        *lib.linalg.svd(a, full_matrices=False)) * 2.0, [(4, 3), (2, 3, 4)], op="linalg_svd"),
    OpInfo("linalg_svdvals", lambda lib, a: lib.linalg.svdvals(a), [(4, 3), (2, 3, 5)]),
    OpInfo("svd", lambda lib, a: _flat(lib, *(lambda u, s, v: (u * u, s, v * v))(*lib.svd(a))), [(4, 3), (3, 4)]),
    OpInfo("inverse", lambda lib, a: lib.linalg.inv(_shifted(lib, a)) + lib.inverse(_shifted(lib, a)),
           [(3, 3), (2, 4, 4)]),
    OpInfo("det", lambda lib, a: lib.linalg.det(a) + lib.det(_shifted(lib, a)) + a.det(), [(3, 3), (2, 4, 4)]),
    OpInfo("slogdet", lambda lib, a: lib.linalg.slogdet(a)[1] + lib.slogdet(_shifted(lib, a)).logabsdet,
           [(3, 3), (2, 4, 4)]),
    OpInfo("logdet", lambda lib, a: lib.logdet(_spd(lib, a)) + _spd(lib, a).logdet(), [(3, 3), (2, 4, 4)]),
    OpInfo("linalg_solve", lambda lib, a, b: lib.linalg.solve(_shifted(lib, a), b),
           [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((2, 1, 3, 3), (4, 3, 2)), ((3, 3), (2, 3, 1))]),
    OpInfo("linalg_solve_right", lambda lib, a, b: lib.linalg.solve(_shifted(lib, a), b, left=False),
           [((3, 3), (4, 3)), ((2, 3, 3), (2, 1, 3))], op="linalg_solve"),
    OpInfo("linalg_pinv", lambda lib, a: lib.linalg.pinv(a), [(4, 3), (3, 5), (2, 3, 3)]),
    OpInfo("linalg_pinv_hermitian", lambda lib, a: lib.linalg.pinv(_spd(lib, a), hermitian=True), [(3, 3)],
           op="linalg_pinv"),
    OpInfo("pinverse", lambda lib, a: lib.pinverse(a) + a.pinverse(rcond=1e-10), [(4, 3)]),
    OpInfo("matrix_power", lambda lib, a: lib.matrix_power(a, 3) + lib.linalg.matrix_power(a, 1) + a.matrix_power(2),
           [(3, 3), (2, 3, 3)]),
    OpInfo("matrix_power_negative", lambda lib, a: lib.linalg.matrix_power(_shifted(lib, a), -3), [(3, 3)],
           op="matrix_power"),
]
