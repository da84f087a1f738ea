"""Every differentiable op, one file per family, each Function next to the function that applies it.

Families: ``elementwise`` (arithmetic and math), ``trig``, ``exponential``, ``rounding``, ``ternary`` (lerp,
addcmul, addcdiv), ``special`` (erf, gamma and Bessel functions), ``comparison`` (boolean results, all/any),
``bitwise``, ``counting`` (unique, bincount, histc), ``activation``, ``reduction`` (sums, extrema, softmax),
``cumulative`` (cumsum...), ``sorting`` (sort, topk, median, searchsorted...), ``shape`` (reshape, concatenation,
padding, ``sum_to``), ``rearrange`` (flip, roll, repeat, tril, the stacks), ``indexing`` (take, masked_select,
nonzero...), ``scatter`` (gather, scatter, index_add, index_put...), ``linalg`` (products), ``einsum``,
``diagonal``, ``norms``, ``decomposition`` (cholesky, qr, eigh, svd), ``solvers`` (inv, det, solve, pinv),
``distance``, ``conv``, ``conv_transpose``, ``pooling``, ``pooling3d``, ``pooling_variants`` (unpooling, LP,
fractional), ``resample`` (interpolate, pixel shuffle), ``grid_sample``, ``recurrent`` (cells and fused layers),
``attention``, ``embedding``, ``loss``, ``loss_margin``, ``loss_likelihood``, ``ctc``, ``packing``.
Each registers its public ops with ``@op`` (``registry.py``), which fills the family's ``__all__``; this module
re-exports them all (``autograd_core.ops.<name>``). Which of them are top-level functions of ``autograd_core`` and
which are Tensor methods is the registry's business, too.
"""
from . import registry
from .activation import *  # noqa: F403
from .attention import *  # noqa: F403
from .bitwise import *  # noqa: F403
from .comparison import *  # noqa: F403
from .conv import *  # noqa: F403
from .conv_transpose import *  # noqa: F403
from .counting import *  # noqa: F403
from .ctc import *  # noqa: F403
from .cumulative import *  # noqa: F403
from .decomposition import *  # noqa: F403
from .diagonal import *  # noqa: F403
from .distance import *  # noqa: F403
from .einsum import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .embedding import *  # noqa: F403
from .exponential import *  # noqa: F403
from .grid_sample import *  # noqa: F403
from .indexing import *  # noqa: F403
from .linalg import *  # noqa: F403
from .loss import *  # noqa: F403
from .loss_likelihood import *  # noqa: F403
from .loss_margin import *  # noqa: F403
from .norms import *  # noqa: F403
from .packing import *  # noqa: F403
from .pooling import *  # noqa: F403
from .pooling3d import *  # noqa: F403
from .pooling_variants import *  # noqa: F403
from .rearrange import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .reduction import *  # noqa: F403
from .resample import *  # noqa: F403
from .rounding import *  # noqa: F403
from .scatter import *  # noqa: F403
from .shape import *  # noqa: F403
from .solvers import *  # noqa: F403
from .sorting import *  # noqa: F403
from .special import *  # noqa: F403
from .ternary import *  # noqa: F403
from .trig import *  # noqa: F403
from .elementwise import cast, operands, pow_scalar  # noqa: F401  (helpers other ops use)
from .shape import sum_to  # noqa: F401

__all__ = sorted(registry.OPS) + sorted(a for d in registry.OPS.values() for a in d.aliases)
