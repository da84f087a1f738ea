"""Every differentiable op, one file per family, each Function next to the function that applies it.

Families: ``elementwise`` (arithmetic and math), ``comparison`` (boolean results), ``activation``,
``reduction`` (sums, extrema, softmax), ``shape`` (reshape, indexing, concatenation, padding, ``sum_to``),
``linalg``, ``conv``, ``conv_transpose``, ``pooling``, ``pooling3d``, ``pooling_variants`` (unpooling, LP,
fractional), ``resample`` (interpolate, pixel shuffle), ``grid_sample`` (affine_grid, grid_sample), ``recurrent``
(cells and fused layers), ``embedding``, ``loss``, ``packing``, ``cumulative`` (cumsum...), ``sorting`` (sort,
topk, median, searchsorted...), ``rearrange`` (flip, roll, repeat, tril, the stacks), ``indexing`` (take,
masked_select, nonzero...), ``scatter`` (scatter, index_add, index_put...), ``distance``, ``loss_margin``,
``loss_likelihood``, ``ctc``, ``attention``.
Each registers its public ops with ``@op`` (``registry.py``), which fills the family's ``__all__``; this module
re-exports them all (``autograd_core.ops.<name>``). Which of them are top-level functions of ``autograd_core`` and
which are Tensor methods is the registry's business, too.
"""
from . import registry
from .activation import *  # noqa: F403
from .attention import *  # noqa: F403
from .comparison import *  # noqa: F403
from .conv import *  # noqa: F403
from .ctc import *  # noqa: F403
from .distance import *  # noqa: F403
from .conv_transpose import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .elementwise import cast, operands, pow_scalar  # noqa: F401  (helpers other ops use)
from .embedding import *  # noqa: F403
from .grid_sample import *  # noqa: F403
from .linalg import *  # noqa: F403
from .loss import *  # noqa: F403
from .loss_likelihood import *  # noqa: F403
from .loss_margin import *  # noqa: F403
from .packing import *  # noqa: F403
from .pooling import *  # noqa: F403
from .pooling3d import *  # noqa: F403
from .pooling_variants import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .reduction import *  # noqa: F403
from .resample import *  # noqa: F403
from .shape import *  # noqa: F403
from .shape import sum_to  # noqa: F401
from .cumulative import *  # noqa: F403
from .indexing import *  # noqa: F403
from .rearrange import *  # noqa: F403
from .scatter import *  # noqa: F403
from .sorting import *  # noqa: F403

__all__ = sorted(registry.OPS) + sorted(a for d in registry.OPS.values() for a in d.aliases)
