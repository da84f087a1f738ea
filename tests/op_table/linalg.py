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
