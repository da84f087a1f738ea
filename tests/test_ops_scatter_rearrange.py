"""gather/scatter/index_* ops, fill_diagonal_, every in-place variant, and the rearranging ops (flip, roll, rot90,
repeat, tile, repeat_interleave, tril/triu, narrow, movedim, the stacks) against PyTorch: values, dtypes, the
exception type of every error case, and gradients through the in-place forms."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from torch_parity import raises_same, same, same_grads, torch

X = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
X64 = X.astype(np.float64)
INTS = np.arange(12).reshape(3, 4)
SRC = np.arange(100.0, 112.0, dtype=np.float32).reshape(3, 4)


def _idx(lib, rows):
    return lib.tensor(rows)


# ---------------------------------------------------------------------- gather, scatter family
SCATTER = [
    ("gather", lambda lib, a: lib.gather(a, 1, _idx(lib, [[0, 0], [3, 1]]))),
    ("gather_index_smaller", lambda lib, a: a.gather(0, _idx(lib, [[2, 0, 1]]))),
    ("scatter_src", lambda lib, a: lib.zeros(3, 4).scatter(0, _idx(lib, [[0, 1], [2, 0]]), a)),
    ("scatter_src_keyword", lambda lib, a: lib.scatter(lib.zeros(3, 4), 1, _idx(lib, [[0, 1], [2, 0]]), src=a)),
    ("scatter_value", lambda lib, a: a.scatter(1, _idx(lib, [[0, 1], [2, 0]]), 7.0)),
    ("scatter_value_keyword", lambda lib, a: a.scatter(1, _idx(lib, [[3], [2]]), value=-1)),
    ("scatter_value_int_truncates", lambda lib, a: a.long().scatter(1, _idx(lib, [[0, 1]]), 2.5)),
    ("scatter_empty_index", lambda lib, a: a.scatter(1, lib.zeros(0, dtype=lib.int64), a)),
    ("scatter_0d", lambda lib, a: a[0, 0].scatter(0, lib.tensor(0), a[1, 1])),
    ("scatter_add", lambda lib, a: lib.zeros(3, 4).scatter_add(1, _idx(lib, [[0, 0], [1, 1]]), a)),
    ("scatter_add_0d", lambda lib, a: a[0].scatter_add(0, _idx(lib, [0, 0]), a[1, :2])),
    ("scatter_add_int", lambda lib, a: lib.zeros(2, 3, dtype=lib.int64).scatter_add(
        0, _idx(lib, [[1, 1, 0]]), lib.tensor([[5, 6, 7]]))),
] + [
    (f"scatter_reduce_{r}_{inc}", (lambda r, inc: lambda lib, a: lib.full((3, 4), 2.0).scatter_reduce(
        1, _idx(lib, [[0, 0, 1], [1, 1, 1]]), a, r, include_self=inc))(r, inc))
    for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)
] + [
    ("scatter_reduce_mean_int_floors", lambda lib, a: lib.full((1, 3), -2).scatter_reduce(
        1, _idx(lib, [[0, 0, 1]]), lib.tensor([[-1, 0, -3]]), "mean")),
    ("scatter_reduce_amax_int_exclude", lambda lib, a: lib.zeros(1, 3, dtype=lib.int64).scatter_reduce(
        1, _idx(lib, [[0, 0, 1]]), lib.tensor([[-1, -5, -3]]), "amax", include_self=False)),
    ("index_add", lambda lib, a: lib.zeros(3, 4).index_add(0, _idx(lib, [0, 0, 2]), a, alpha=2)),
    ("index_add_int32_index", lambda lib, a: lib.index_add(a, 1, lib.tensor([3, 3], dtype=lib.int32), a[:, :2])),
    ("index_add_0d", lambda lib, a: a[0, 0].index_add(0, lib.tensor([0]), a[1, 1])),
    ("index_add_int_alpha", lambda lib, a: a.long().index_add(0, _idx(lib, [1, 2, 0]), a.long(), alpha=3)),
    ("index_copy", lambda lib, a: lib.zeros(3, 4).index_copy(0, _idx(lib, [2, 0]), a[:2])),
    ("index_copy_0d_index", lambda lib, a: lib.zeros(3, 4).index_copy(1, lib.tensor(2), a[:, :1])),
    ("index_fill", lambda lib, a: a.index_fill(1, _idx(lib, [0, 2]), -1)),
    ("index_fill_negative", lambda lib, a: lib.index_fill(a, 1, _idx(lib, [0, -1]), 3.5)),
    ("index_fill_tensor_value", lambda lib, a: a.index_fill(0, _idx(lib, [1]), lib.tensor(5.0))),
    ("index_fill_int_truncates", lambda lib, a: a.long().index_fill(1, _idx(lib, [0]), 2.7)),
    ("index_fill_0d_index", lambda lib, a: a.index_fill(0, lib.tensor(1), 0.0)),
    ("index_put", lambda lib, a: a.index_put((_idx(lib, [0, 2]),), lib.tensor(1.0))),
    ("index_put_pairs", lambda lib, a: lib.index_put(a, (_idx(lib, [0, 2]), _idx(lib, [1, -1])),
                                                     lib.tensor([1.0, 2.0]))),
    ("index_put_accumulate_repeats", lambda lib, a: a.index_put((_idx(lib, [0, 0]), _idx(lib, [1, 1])),
                                                                lib.tensor([1.0, 2.0]), accumulate=True)),
    ("index_put_list_accumulate", lambda lib, a: a.index_put([_idx(lib, [0, 0])], lib.tensor(1.0), True)),
    ("index_put_mask", lambda lib, a: a.index_put((a > 0,), lib.tensor(-1.0))),
    ("index_put_row_mask", lambda lib, a: a.index_put((lib.tensor([True, False, True]),), lib.arange(4.0))),
    ("index_put_int32", lambda lib, a: a.index_put((lib.tensor([1], dtype=lib.int32),), lib.tensor(1.0))),
]


@pytest.mark.parametrize("name,fn", SCATTER, ids=[c[0] for c in SCATTER])
def test_scatter_family_matches_torch(name, fn):
    same(fn, X)


def test_scatter_reduce_is_deprecated_but_works():
    with pytest.warns(UserWarning, match="deprecated"):
        same(lambda lib, a: lib.ones(3, 4).scatter(1, _idx(lib, [[0, 1], [2, 0]]), a, reduce="add"), SRC)
        same(lambda lib, a: lib.ones(3, 4).scatter(1, _idx(lib, [[0, 1], [2, 0]]), a, reduce="multiply"), SRC)
    same(lambda lib, a: lib.ones(3, 4).scatter(1, _idx(lib, [[0, 1], [2, 0]]), 2.0, reduce="add"), SRC)


SCATTER_GRADS = [
    ("scatter_src", lambda lib, a, s: a.scatter(1, _idx(lib, [[0, 1], [2, 0]]), s[:2, :2]), X64, X64 * 2),
    ("scatter_add", lambda lib, a, s: a.scatter_add(1, _idx(lib, [[0, 0], [2, 0]]), s[:2, :2]), X64, X64 * 2),
    ("gather_smaller_index", lambda lib, a: lib.gather(a, 0, _idx(lib, [[2, 0, 2]])), X64),
] + [
    (f"scatter_reduce_{r}_{inc}", (lambda r, inc: lambda lib, a, s: a.scatter_reduce(
        0, _idx(lib, [[0, 1, 0, 0], [0, 1, 1, 0]]), s[:2], r, include_self=inc))(r, inc), X64, X64[::-1].copy())
    for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)
] + [
    ("scatter_reduce_prod_zeros", lambda lib, a, s: a.scatter_reduce(0, _idx(lib, [[0, 1, 0], [0, 0, 0]]), s, "prod"),
     np.array([[1.0, 0, 2], [3, 4, 0]]), np.array([[0.0, 2, 0], [5, 0, 3]])),
    ("scatter_reduce_amax_ties", lambda lib, a, s: a.scatter_reduce(1, _idx(lib, [[0, 0, 1]]), s, "amax"),
     np.array([[2.0, 1, 0]]), np.array([[2.0, 2, 1]])),
    ("index_add", lambda lib, a, s: a.index_add(1, _idx(lib, [0, 0, 3]), s[:, :3], alpha=-0.5), X64, X64 + 1),
    ("index_copy", lambda lib, a, s: a.index_copy(0, _idx(lib, [2, 0]), s[:2]), X64, X64 + 1),
    ("index_fill_value_tensor", lambda lib, a, v: a.index_fill(1, _idx(lib, [0, 2]), v), X64, np.array(3.0)),
    ("index_put_accumulate", lambda lib, a, v: a.index_put((_idx(lib, [0, 0, 1]),), v, accumulate=True),
     X64, np.arange(4.0)),
]


@pytest.mark.parametrize("name,fn,arrays", [(c[0], c[1], c[2:]) for c in SCATTER_GRADS],
                         ids=[c[0] for c in SCATTER_GRADS])
def test_scatter_family_gradients_match_torch(name, fn, arrays):
    same_grads(fn, *arrays)


SCATTER_ERRORS = [
    ("gather_int16_index", lambda lib, a: lib.gather(a, 1, lib.tensor([[0]], dtype=lib.int16))),
    ("gather_ndim", lambda lib, a: lib.gather(a, 1, _idx(lib, [0]))),
    ("gather_out_of_range", lambda lib, a: lib.gather(a, 1, _idx(lib, [[4]]))),
    ("gather_negative", lambda lib, a: lib.gather(a, 1, _idx(lib, [[-1]]))),
    ("gather_index_larger", lambda lib, a: lib.gather(a, 1, lib.zeros(4, 1, dtype=lib.int64))),
    ("gather_dim", lambda lib, a: lib.gather(a, 2, _idx(lib, [[0]]))),
    ("scatter_index_ndim", lambda lib, a: a.scatter(1, _idx(lib, [0, 1]), a)),
    ("scatter_out_of_range", lambda lib, a: a.scatter(1, _idx(lib, [[4, 0]]), a)),
    ("scatter_negative", lambda lib, a: a.scatter(1, _idx(lib, [[-1]]), a)),
    ("scatter_int16_index", lambda lib, a: a.scatter(1, lib.tensor([[0]], dtype=lib.int16), a)),
    ("scatter_float_index", lambda lib, a: a.scatter(1, lib.tensor([[0.0]]), a)),
    ("scatter_dtype", lambda lib, a: a.scatter(1, _idx(lib, [[0]]), a.double())),
    ("scatter_index_larger_than_self", lambda lib, a: a.scatter(1, lib.zeros(4, 1, dtype=lib.int64), lib.ones(5, 5))),
    ("scatter_index_larger_than_src", lambda lib, a: a.scatter(1, lib.zeros(1, 2, dtype=lib.int64), a[:1, :1])),
    ("scatter_src_ndim", lambda lib, a: a.scatter(1, _idx(lib, [[0], [1]]), lib.tensor(3.0))),
    ("scatter_bad_reduce", lambda lib, a: a.scatter(1, _idx(lib, [[0]]), a, reduce="mean")),
    ("scatter_dim", lambda lib, a: a.scatter(2, _idx(lib, [[0]]), a)),
    ("scatter_add_value", lambda lib, a: a.scatter_add(1, _idx(lib, [[0]]), 2.0)),
    ("scatter_add_out_of_range", lambda lib, a: a.scatter_add(0, _idx(lib, [[3]]), a)),
    ("scatter_reduce_out_of_range", lambda lib, a: a.scatter_reduce(0, _idx(lib, [[3]]), a, "sum")),
    ("scatter_reduce_dtype", lambda lib, a: a.scatter_reduce(0, _idx(lib, [[0]]), a.double(), "amax")),
    ("index_add_count", lambda lib, a: a.index_add(0, _idx(lib, [0, 0, 2]), a[:2])),
    ("index_add_out_of_range", lambda lib, a: a.index_add(0, _idx(lib, [0, 0, 3]), a)),
    ("index_add_negative", lambda lib, a: a.index_add(0, _idx(lib, [0, 0, -1]), a)),
    ("index_add_float_index", lambda lib, a: a.index_add(0, lib.tensor([0.0, 0, 1]), a)),
    ("index_add_2d_index", lambda lib, a: a.index_add(0, _idx(lib, [[0, 0, 1]]), a)),
    ("index_add_dtype", lambda lib, a: a.index_add(0, _idx(lib, [1, 2, 0]), a.double())),
    ("index_add_slice_shape", lambda lib, a: a.index_add(0, _idx(lib, [0, 1]), lib.zeros(2, 5))),
    ("index_copy_int32", lambda lib, a: a.index_copy(0, lib.tensor([2, 0], dtype=lib.int32), a[:2])),
    ("index_copy_out_of_range", lambda lib, a: a.index_copy(0, _idx(lib, [3, 0]), a[:2])),
    ("index_copy_negative", lambda lib, a: a.index_copy(0, _idx(lib, [-1, 0]), a[:2])),
    ("index_copy_count", lambda lib, a: a.index_copy(0, _idx(lib, [1, 0]), a)),
    ("index_copy_dtype", lambda lib, a: a.index_copy(0, _idx(lib, [1, 0]), a[:2].double())),
    ("index_copy_slice_shape", lambda lib, a: a.index_copy(0, _idx(lib, [0, 1]), lib.zeros(2, 5))),
    ("index_fill_out_of_range", lambda lib, a: a.index_fill(1, _idx(lib, [0, 4]), -1)),
    ("index_fill_int32", lambda lib, a: a.index_fill(1, lib.tensor([0], dtype=lib.int32), -1)),
    ("index_fill_1d_value", lambda lib, a: a.index_fill(1, _idx(lib, [0]), lib.tensor([5.0]))),
    ("index_fill_2d_index", lambda lib, a: a.index_fill(1, _idx(lib, [[1]]), 0)),
    ("index_put_out_of_range", lambda lib, a: a.index_put((_idx(lib, [3]),), lib.tensor(1.0))),
    ("index_put_float_index", lambda lib, a: a.index_put((lib.tensor([1.0]),), lib.tensor(1.0))),
    ("index_put_number_values", lambda lib, a: a.index_put((_idx(lib, [1]),), 1.0)),
    ("index_put_values_shape", lambda lib, a: a.index_put((_idx(lib, [1]),), lib.tensor([1.0, 2.0]))),
    ("index_put_dtype", lambda lib, a: a.index_put((_idx(lib, [1]),), lib.tensor(1.0, dtype=lib.float64))),
    ("index_put_none_index", lambda lib, a: lib.index_put(a, (_idx(lib, [1]), None), lib.tensor(1.0))),
    ("index_put_too_many", lambda lib, a: a.index_put((_idx(lib, [1]),) * 3, lib.tensor(1.0))),
    ("index_put_mask_shape", lambda lib, a: a.index_put((lib.tensor([True]),), lib.tensor(1.0))),
]


@pytest.mark.parametrize("name,fn", SCATTER_ERRORS, ids=[c[0] for c in SCATTER_ERRORS])
def test_scatter_family_errors(name, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_same(fn, X)


# ---------------------------------------------------------------------- in-place variants
INPLACE = [
    ("scatter_", lambda b, s, lib: b.scatter_(1, _idx(lib, [[0, 1], [2, 0]]), s[:2, :2])),
    ("scatter_value_", lambda b, s, lib: b.scatter_(0, _idx(lib, [[0, 1]]), -3.0)),
    ("scatter_add_", lambda b, s, lib: b.scatter_add_(1, _idx(lib, [[0, 0], [1, 1]]), s[:2, :2])),
    ("scatter_reduce_", lambda b, s, lib: b.scatter_reduce_(1, _idx(lib, [[0, 0], [1, 1]]), s[:2, :2], "amax",
                                                            include_self=False)),
    ("index_add_", lambda b, s, lib: b.index_add_(0, _idx(lib, [0, 0, 2]), s, alpha=0.5)),
    ("index_copy_", lambda b, s, lib: b.index_copy_(1, _idx(lib, [3, 0]), s[:, :2])),
    ("index_fill_", lambda b, s, lib: b.index_fill_(1, _idx(lib, [0, 2]), 9.0)),
    ("index_put_", lambda b, s, lib: b.index_put_((_idx(lib, [0, 2]), _idx(lib, [1, 1])), s[0, :2])),
    ("index_put_accumulate_", lambda b, s, lib: b.index_put_((_idx(lib, [0, 0]),), s[1], accumulate=True)),
    ("masked_scatter_", lambda b, s, lib: b.masked_scatter_(b > 0, s)),
    ("masked_fill_", lambda b, s, lib: b.masked_fill_(b > 0, 0.5)),
    ("tril_", lambda b, s, lib: b.tril_(1)),
    ("triu_", lambda b, s, lib: b.triu_(-1)),
    ("cumsum_", lambda b, s, lib: b.cumsum_(1)),
    ("cumprod_", lambda b, s, lib: b.cumprod_(0)),
    ("fill_diagonal_", lambda b, s, lib: b.fill_diagonal_(2.5)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_variants_write_into_the_tensor_and_backpropagate(name, fn):
    def run(lib, a, s):
        b = a * 1.0   # a non-leaf: in-place is allowed and recorded
        v = b._version if lib is torch else b._version[0]
        out = fn(b, s * 2.0, lib)
        assert out is b
        assert (b._version if lib is torch else b._version[0]) > v
        return b
    same_grads(run, X64, X64[::-1].copy() + 1)


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    x = ag.tensor(X64, requires_grad=True)
    for call in (lambda: x.scatter_(0, ag.tensor([[0]]), 1.0), lambda: x.fill_diagonal_(0.0),
                 lambda: x.index_fill_(0, ag.tensor([0]), 1.0), lambda: x.tril_()):
        with pytest.raises(RuntimeError, match="leaf"):
            call()
    with ag.no_grad():
        x.index_fill_(0, ag.tensor([0]), 1.0)
    assert x[0].tolist() == [1.0] * 4


FILL_DIAGONAL = [
    ("wide", lambda lib: lib.zeros(3, 4).fill_diagonal_(5)),
    ("tall", lambda lib: lib.zeros(7, 3).fill_diagonal_(5)),
    ("tall_wrap", lambda lib: lib.zeros(7, 3).fill_diagonal_(5, wrap=True)),
    ("cube", lambda lib: lib.zeros(2, 2, 2).fill_diagonal_(5)),
    ("int_truncates", lambda lib: lib.zeros(3, 3, dtype=lib.int64).fill_diagonal_(2.5)),
    ("tensor_value", lambda lib: lib.zeros(3, 4).fill_diagonal_(lib.tensor(2.0))),
]


@pytest.mark.parametrize("name,fn", FILL_DIAGONAL, ids=[c[0] for c in FILL_DIAGONAL])
def test_fill_diagonal_matches_torch(name, fn):
    same(fn)


@pytest.mark.parametrize("fn", [lambda lib: lib.zeros(3).fill_diagonal_(1), lambda lib: lib.zeros(2, 3, 2)
                                .fill_diagonal_(1)], ids=["1d", "unequal_dims"])
def test_fill_diagonal_errors(fn):
    raises_same(fn)


# ---------------------------------------------------------------------- rearranging
REARRANGE = [
    ("flip", lambda lib, a: lib.flip(a, (0, 1))),
    ("flip_method_varargs", lambda lib, a: a.flip(0, 1)),
    ("flip_keyword", lambda lib, a: lib.flip(a, dims=[1])),
    ("flip_empty_dims", lambda lib, a: lib.flip(a, ())),
    ("flip_int", lambda lib, a: lib.flip(a.long(), (1,))),
    ("fliplr", lambda lib, a: lib.fliplr(a)),
    ("flipud", lambda lib, a: a.flipud()),
    ("roll_flat", lambda lib, a: lib.roll(a, 1)),
    ("roll_dims", lambda lib, a: lib.roll(a, (1, 2), (0, 1))),
    ("roll_negative", lambda lib, a: a.roll(-5, 1)),
    ("rot90", lambda lib, a: lib.rot90(a)),
    ("rot90_k_neg", lambda lib, a: lib.rot90(a, -1)),
    ("rot90_k2", lambda lib, a: a.rot90(2, [1, 0])),
    ("rot90_k4", lambda lib, a: lib.rot90(a, 4)),
    ("tril", lambda lib, a: lib.tril(a, 1)),
    ("triu_batched", lambda lib, a: lib.triu(a.reshape(2, 2, 3), -1)),
    ("tril_bool", lambda lib, a: lib.tril(a > 0)),
    ("repeat", lambda lib, a: a.repeat(2, 1, 2)),
    ("repeat_tuple", lambda lib, a: a.repeat((2, 2))),
    ("repeat_zero", lambda lib, a: a.repeat(0, 1)),
    ("repeat_ones_is_a_copy", lambda lib, a: a.repeat(1, 1)),
    ("tile_short", lambda lib, a: lib.tile(a, (2,))),
    ("tile_long", lambda lib, a: a.tile(2, 1, 1)),
    ("repeat_interleave_flat", lambda lib, a: lib.repeat_interleave(a, 2)),
    ("repeat_interleave_tensor", lambda lib, a: lib.repeat_interleave(a, lib.tensor([1, 0, 2]), dim=0)),
    ("repeat_interleave_one_count", lambda lib, a: a.repeat_interleave(lib.tensor([2]), dim=0)),
    ("repeat_interleave_0d_count", lambda lib, a: lib.repeat_interleave(a, lib.tensor(2), dim=1)),
    ("repeat_interleave_output_size", lambda lib, a: lib.repeat_interleave(a, 2, dim=0, output_size=6)),
    ("repeat_interleave_counts_only", lambda lib, a: lib.repeat_interleave(lib.tensor([1, 2, 0, 1]))),
    ("repeat_interleave_0d", lambda lib, a: lib.repeat_interleave(a[0, 0], 3)),
    ("narrow", lambda lib, a: lib.narrow(a, 1, 1, 2)),
    ("narrow_negative_start", lambda lib, a: a.narrow(0, -1, 1)),
    ("narrow_empty", lambda lib, a: a.narrow(0, 3, 0)),
    ("narrow_tensor_start", lambda lib, a: a.narrow(0, lib.tensor(1), 2)),
    ("movedim", lambda lib, a: lib.movedim(a.reshape(1, 3, 4), 0, -1)),
    ("movedim_tuples", lambda lib, a: lib.movedim(a.reshape(1, 3, 4), (0, 1), (2, 0))),
    ("moveaxis", lambda lib, a: lib.moveaxis(a.reshape(1, 3, 4), [0], [1])),
    ("swapaxes", lambda lib, a: lib.swapaxes(a, 0, 1)),
    ("swapdims", lambda lib, a: a.swapdims(1, 0)),
    ("unflatten_minus_one", lambda lib, a: lib.unflatten(a, 1, (2, -1))),
    ("view_as", lambda lib, a: a.view_as(lib.zeros(4, 3))),
    ("reshape_as", lambda lib, a: a.reshape_as(lib.zeros(12))),
    ("expand_as", lambda lib, a: a[:1].expand_as(a)),
    ("atleast_1d", lambda lib, a: lib.atleast_1d(a[0, 0])),
    ("atleast_2d_many", lambda lib, a: lib.atleast_2d(a[0, 0], a[0], a)),
    ("atleast_3d_list", lambda lib, a: lib.atleast_3d([a[0, 0], a[0], a])),
    ("hstack_1d", lambda lib, a: lib.hstack([a[0], a[1]])),
    ("hstack_2d", lambda lib, a: lib.hstack((a, a))),
    ("hstack_0d_and_1d", lambda lib, a: lib.hstack([a[0, 0], a[0]])),
    ("hstack_promotes", lambda lib, a: lib.hstack([a[0], a[0].long()])),
    ("vstack_1d", lambda lib, a: lib.vstack([a[0], a[1]])),
    ("vstack_0d", lambda lib, a: lib.vstack([a[0, 0], a[0, 1]])),
    ("row_stack", lambda lib, a: lib.row_stack([a, a[0]])),
    ("dstack", lambda lib, a: lib.dstack([a, a])),
    ("dstack_1d", lambda lib, a: lib.dstack([a[0], a[1]])),
    ("column_stack", lambda lib, a: lib.column_stack([a[0], a[1]])),
    ("column_stack_0d", lambda lib, a: lib.column_stack([a[0, 0], a[0, 1]])),
    ("column_stack_mixed", lambda lib, a: lib.column_stack([a, a[:, 0]])),
    ("flip_0d", lambda lib, a: lib.flip(a[0, 0], (0,))),
    ("tile_0d_no_dims", lambda lib, a: lib.tile(a[0, 0], ())),
]


@pytest.mark.parametrize("name,fn", REARRANGE, ids=[c[0] for c in REARRANGE])
def test_rearranging_matches_torch(name, fn):
    same(fn, X)


def test_copies_are_not_views_of_the_input():
    x = ag.tensor(X)
    for out in (x.flip(0), x.repeat(1, 1), ag.rot90(x, 4), x.roll(1), ag.tril(x), x.tile((1,))):
        out[0, 0] = 99.0
        assert x[0, 0].item() != 99.0
    x.narrow(0, 0, 1)[0, 0] = 42.0   # narrow is a view, as in PyTorch
    assert x[0, 0].item() == 42.0


REARRANGE_ERRORS = [
    ("flip_int_dims_function", lambda lib, a: lib.flip(a, 0) if lib is torch else lib.flip(a, 0.5)),
    ("flip_repeated", lambda lib, a: lib.flip(a, (0, 0))),
    ("flip_repeated_negative", lambda lib, a: lib.flip(a, (1, -1))),
    ("flip_dim", lambda lib, a: lib.flip(a, (2,))),
    ("fliplr_1d", lambda lib, a: lib.fliplr(a[0])),
    ("flipud_0d", lambda lib, a: lib.flipud(a[0, 0])),
    ("roll_misaligned", lambda lib, a: lib.roll(a, (1, 2), 0)),
    ("roll_misaligned_dims", lambda lib, a: lib.roll(a, 1, (0, 1))),
    ("roll_flat_tuple", lambda lib, a: lib.roll(a, (1, 2))),
    ("roll_dim", lambda lib, a: lib.roll(a, 1, 5)),
    ("rot90_same_dims", lambda lib, a: lib.rot90(a, 1, [0, 0])),
    ("rot90_same_dims_negative", lambda lib, a: lib.rot90(a, 1, [0, -2])),
    ("rot90_1d", lambda lib, a: lib.rot90(a[0])),
    ("rot90_three_dims", lambda lib, a: lib.rot90(a, 1, [0, 1, 2])),
    ("rot90_dim", lambda lib, a: lib.rot90(a, 1, [0, 2])),
    ("tril_1d", lambda lib, a: lib.tril(a[0])),
    ("triu_0d", lambda lib, a: lib.triu(a[0, 0])),
    ("repeat_too_few", lambda lib, a: a.repeat(2)),
    ("repeat_negative", lambda lib, a: a.repeat(-1, 1)),
    ("repeat_no_sizes", lambda lib, a: a.repeat()),
    ("repeat_interleave_0d_with_dim", lambda lib, a: lib.repeat_interleave(a[0, 0], 2, dim=0)),
    ("repeat_interleave_negative", lambda lib, a: lib.repeat_interleave(a, -1)),
    ("repeat_interleave_negative_tensor", lambda lib, a: lib.repeat_interleave(a, lib.tensor([1, -1, 1]), dim=0)),
    ("repeat_interleave_float_tensor", lambda lib, a: lib.repeat_interleave(a, lib.tensor([1.0, 1, 1]), dim=0)),
    ("repeat_interleave_size", lambda lib, a: lib.repeat_interleave(a, lib.tensor([1, 2]), dim=0)),
    ("repeat_interleave_2d_repeats", lambda lib, a: lib.repeat_interleave(a, lib.tensor([[1, 1, 1]]), dim=0)),
    ("repeat_interleave_output_size", lambda lib, a: lib.repeat_interleave(a, 2, dim=0, output_size=5)),
    ("repeat_interleave_counts_2d", lambda lib, a: lib.repeat_interleave(lib.tensor([[1, 2]]))),
    ("repeat_interleave_dim", lambda lib, a: lib.repeat_interleave(a, 2, dim=2)),
    ("narrow_start_too_big", lambda lib, a: a.narrow(0, 4, 0)),
    ("narrow_start_too_small", lambda lib, a: a.narrow(0, -4, 1)),
    ("narrow_too_long", lambda lib, a: a.narrow(0, 2, 2)),
    ("narrow_negative_length", lambda lib, a: a.narrow(0, 1, -1)),
    ("narrow_dim", lambda lib, a: a.narrow(2, 0, 1)),
    ("narrow_0d", lambda lib, a: lib.narrow(a[0, 0], 0, 0, 1)),
    ("movedim_repeated", lambda lib, a: lib.movedim(a, (0, 0), (1, 0))),
    ("movedim_repeated_destination", lambda lib, a: lib.movedim(a, (0, 1), (1, -1))),
    ("movedim_lengths", lambda lib, a: lib.movedim(a, (0, 1), (1,))),
    ("movedim_dim", lambda lib, a: lib.movedim(a, 3, 0)),
    ("unflatten_bad_sizes", lambda lib, a: lib.unflatten(a, 1, (3, -1))),
    ("unflatten_product", lambda lib, a: lib.unflatten(a, 1, (5,))),
    ("unflatten_empty", lambda lib, a: lib.unflatten(a, 1, ())),
    ("view_as_size", lambda lib, a: a.view_as(lib.zeros(5))),
    ("hstack_empty", lambda lib, a: lib.hstack([])),
    ("hstack_tensor", lambda lib, a: lib.hstack(a)),
    ("vstack_shapes", lambda lib, a: lib.vstack([a, a[:, :2]])),
    ("column_stack_ndims", lambda lib, a: lib.column_stack([a.reshape(3, 2, 2), a[:, 0]])),
    ("dstack_shapes", lambda lib, a: lib.dstack([a, a[:2]])),
]


@pytest.mark.parametrize("name,fn", REARRANGE_ERRORS, ids=[c[0] for c in REARRANGE_ERRORS])
def test_rearranging_errors(name, fn):
    raises_same(fn, X)


# ---------------------------------------------------------------------- properties (hypothesis)
_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=st.floats(-3, 3))


@given(_arrays, st.lists(st.integers(0, 3), min_size=3, max_size=4), st.integers(-7, 7))
def test_repeat_tile_roll_flip_match_numpy(x, sizes, shift):
    t = ag.tensor(x)
    sizes = sizes[:max(len(sizes), x.ndim)] + [1] * (x.ndim - len(sizes))
    np.testing.assert_array_equal(t.repeat(*sizes).numpy(), np.tile(x, sizes))
    np.testing.assert_array_equal(ag.tile(t, tuple(sizes[:1])).numpy(), np.tile(x, sizes[:1]))
    np.testing.assert_array_equal(ag.roll(t, shift, 0).numpy(), np.roll(x, shift, 0))
    np.testing.assert_array_equal(ag.roll(t, shift).numpy(), np.roll(x, shift))
    np.testing.assert_array_equal(ag.flip(t, tuple(range(x.ndim))).numpy(), np.flip(x))


@given(_arrays, st.data())
def test_repeat_interleave_and_scatter_add_match_numpy(x, data):
    t = ag.tensor(x)
    counts = data.draw(st.lists(st.integers(0, 3), min_size=x.shape[0], max_size=x.shape[0]))
    np.testing.assert_array_equal(ag.repeat_interleave(t, ag.tensor(counts), dim=0).numpy(),
                                  np.repeat(x, counts, axis=0))
    index = data.draw(hnp.arrays(np.int64, x.shape, elements=st.integers(0, x.shape[0] - 1)))
    want = np.zeros_like(x)
    grids = list(np.indices(x.shape))
    grids[0] = index
    np.add.at(want, tuple(grids), x)
    np.testing.assert_allclose(ag.zeros(*x.shape, dtype=ag.float64).scatter_add(0, ag.tensor(index), t).numpy(), want)
    np.testing.assert_allclose(ag.gather(t, 0, ag.tensor(index)).numpy(), np.take_along_axis(x, index, 0))


@given(_arrays)
def test_index_put_accumulate_matches_numpy_add_at(x):
    rows = np.arange(x.shape[0]).repeat(2)
    want = x.copy()
    np.add.at(want, (rows,), 1.5)
    got = ag.tensor(x).index_put((ag.tensor(rows),), ag.tensor(1.5, dtype=ag.float64), accumulate=True)
    np.testing.assert_allclose(got.numpy(), want)


TRANSPOSES = [
    ("t_", lambda lib, a: a.clone().t_()),
    ("t_1d", lambda lib, a: a[0].clone().t_()),
    ("transpose_", lambda lib, a: a.reshape(2, 3, 2).transpose_(0, 2)),
    ("swapaxes_", lambda lib, a: a.reshape(2, 3, 2).swapaxes_(-1, 1)),
    ("swapdims_", lambda lib, a: a.clone().swapdims_(0, 1)),
]


@pytest.mark.parametrize("name,fn", TRANSPOSES, ids=[c[0] for c in TRANSPOSES])
def test_inplace_transposes_match_torch(name, fn):
    same(fn, X)


def test_inplace_transposes_share_memory_and_refuse_tensors_that_require_grad():
    x = ag.tensor(X)
    base = x.numpy()
    v = x._version[0]
    assert x.t_() is x and x.shape == (4, 3) and np.shares_memory(x.numpy(), base) and x._version[0] == v + 1
    raises_same(lambda lib, a: a.reshape(2, 3, 2).t_(), X)
    y = ag.tensor(X, requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="requires grad"):
        y.t_()
    with ag.no_grad():
        assert y.swapaxes_(0, 1).shape == (4, 3)
