"""``autograd_core.linalg``: PyTorch's ``torch.linalg`` namespace, with its names, argument names and defaults.

Every function is an op of ``autograd_core/ops/`` (``decomposition.py``, ``solvers.py``, ``norms.py``,
``linalg.py``, ``diagonal.py``); those with no top-level ``torch`` function are registered under their ATen names
(``linalg_solve``...). Decompositions return named tuples as PyTorch's do (``Q, R = linalg.qr(A)``,
``linalg.svd(A).S``).

Example::

    >>> import autograd_core as torch
    >>> A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
    >>> torch.linalg.cholesky(A)
    tensor([[2.    , 0.    ],
            [0.5   , 1.6583]])
"""
from .errors import LinAlgError
from .ops import det, inverse, matmul, matrix_power, slogdet
from .ops import linalg_cholesky as cholesky
from .ops import linalg_cross as cross
from .ops import linalg_eigh as eigh
from .ops import linalg_eigvalsh as eigvalsh
from .ops import linalg_matrix_norm as matrix_norm
from .ops import linalg_matrix_rank as matrix_rank
from .ops import linalg_multi_dot as multi_dot
from .ops import linalg_norm as norm
from .ops import linalg_pinv as pinv
from .ops import linalg_qr as qr
from .ops import linalg_solve as solve
from .ops import linalg_svd as svd
from .ops import linalg_svdvals as svdvals
from .ops import linalg_vecdot as vecdot
from .ops import linalg_vector_norm as vector_norm
from .ops.diagonal import diagonal as _diagonal

inv = inverse

__all__ = ["LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul", "matrix_norm",
           "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
           "vecdot", "vector_norm"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal ``offset`` of the matrices over ``dim1, dim2`` (``torch.linalg.diagonal``: the last two dims
    by default)."""
    return _diagonal(A, offset, dim1, dim2)
