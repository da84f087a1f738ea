"""Cumulative ops, sorting and order statistics, searchsorted/bucketize, the new reductions, and index selection
(take, masks, nonzero) against PyTorch: values, dtypes, ties, NaN, gradients where ties decide them, and the
exception type of every error case. Gradients on tie-free inputs are checked by the op table (tests/test_ops.py)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from torch_parity import raises_same, same, same_grads

NAN = np.nan
X = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
TIES = np.array([[1, 3, 3, 2], [2, 2, 1, 1], [0, 5, 5, 5]], dtype=np.float32)
NANS = np.array([[1, NAN, 3, NAN], [2, 0, 1, 4], [NAN, NAN, NAN, NAN]], dtype=np.float32)
INTS = np.array([[3, 1, 3, 2], [0, 0, 7, 1]], dtype=np.int64)
BOOLS = np.array([[True, False, True], [False, False, True]])
X64 = X.astype(np.float64)


# ---------------------------------------------------------------------- cumulative
CUMULATIVE = [
    ("cumsum", lambda lib, a: lib.cumsum(a, 1), X),
    ("cumsum_int32_is_int64", lambda lib, a: lib.cumsum(a, 0), INTS.astype(np.int32)),
    ("cumsum_bool", lambda lib, a: a.cumsum(-1), BOOLS),
    ("cumsum_dtype", lambda lib, a: lib.cumsum(a, 0, dtype=lib.float64), INTS),
    ("cumsum_0d", lambda lib, a: lib.cumsum(a, -1), np.array(2.5, dtype=np.float32)),
    ("cumsum_nan", lambda lib, a: lib.cumsum(a, 1), NANS),
    ("cumprod", lambda lib, a: lib.cumprod(a, 1), X),
    ("cumprod_int8", lambda lib, a: lib.cumprod(a, 0), INTS.astype(np.int8)),
    ("cummax_ties_take_the_last", lambda lib, a: lib.cummax(a, 1), TIES),
    ("cummin_ties_take_the_last", lambda lib, a: lib.cummin(a, 1), TIES),
    ("cummax_nan", lambda lib, a: lib.cummax(a, 1), NANS),
    ("cummin_nan", lambda lib, a: a.cummin(1), NANS),
    ("cummax_int", lambda lib, a: lib.cummax(a, 0), INTS),
    ("cummax_bool", lambda lib, a: lib.cummax(a, 1), BOOLS),
    ("cummax_0d", lambda lib, a: lib.cummax(a, 0), np.array(2.0, dtype=np.float32)),
    ("logcumsumexp", lambda lib, a: lib.logcumsumexp(a, 1), X),
    ("logcumsumexp_large", lambda lib, a: lib.logcumsumexp(a * 1000, 0), X),
    ("logcumsumexp_neg_inf", lambda lib, a: lib.logcumsumexp(a, 0), np.array([-np.inf, -np.inf, 1.0])),
]


@pytest.mark.parametrize("name,fn,x", CUMULATIVE, ids=[c[0] for c in CUMULATIVE])
def test_cumulative_matches_torch(name, fn, x):
    same(fn, x)


def test_cumulative_gradients_with_ties_zeros_and_nan_match_torch():
    same_grads(lambda lib, a: lib.cummax(a, 1).values, TIES.astype(np.float64))
    same_grads(lambda lib, a: lib.cummin(a, 0).values, TIES.astype(np.float64))
    same_grads(lambda lib, a: lib.cumprod(a, 1), np.array([[2.0, 0, 3, 0, 4], [0, 0, 1, 2, 3]]))
    same_grads(lambda lib, a: lib.cumprod(a, 0), np.array([[2.0, 0], [0, 1], [3, 0]]))
    same_grads(lambda lib, a: lib.logcumsumexp(a, 1), X64 * 300)


def test_cumprod_double_backward_with_zeros_is_exact():
    x = np.array([[2.0, 0, 3, 0.5], [1.5, -1, 0, 2]])
    assert ag.gradgradcheck(lambda t: ag.cumprod(t, 1), [ag.tensor(x, requires_grad=True)])
    torch = pytest.importorskip("torch")
    g = np.random.default_rng(1).standard_normal(x.shape)
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (go,) = ag.grad(ag.cumprod(ours, 1), ours, ag.tensor(g), create_graph=True)
    (gt,) = torch.autograd.grad(torch.cumprod(theirs, 1), theirs, torch.tensor(g), create_graph=True)
    np.testing.assert_allclose(go.numpy(), gt.detach().numpy())


@pytest.mark.parametrize("fn", [
    lambda lib, a: lib.cumsum(a, 2), lambda lib, a: lib.cumprod(a, -3), lambda lib, a: lib.cummax(a, 5),
    lambda lib, a: lib.logcumsumexp(a, 3), lambda lib, a: lib.cumsum(a),
], ids=["cumsum_dim", "cumprod_dim", "cummax_dim", "logcumsumexp_dim", "cumsum_no_dim"])
def test_cumulative_errors(fn):
    raises_same(fn, X)


def test_logcumsumexp_refuses_integers():
    raises_same(lambda lib, a: lib.logcumsumexp(a, 0), INTS)


def test_inplace_cumulative_keep_the_dtype_and_bump_the_version():
    for name in ("cumsum_", "cumprod_"):
        def fn(lib, a):
            b = a.clone()
            assert getattr(b, name)(1) is b
            return b
        same(fn, INTS.astype(np.int32))
        same(fn, X)
    t = ag.tensor([1.0, 2.0])
    v = t._version[0]
    t.cumsum_(0)
    assert t._version[0] == v + 1


# ---------------------------------------------------------------------- sorting
SORTING = [
    ("sort", lambda lib, a: lib.sort(a), X),
    ("sort_dim0_descending", lambda lib, a: a.sort(0, descending=True), X),
    ("sort_stable_ties", lambda lib, a: lib.sort(a, stable=True), TIES),
    ("sort_stable_ties_descending", lambda lib, a: lib.sort(a, dim=0, descending=True, stable=True), TIES),
    ("sort_nan_last", lambda lib, a: lib.sort(a, stable=True), NANS),
    ("sort_nan_first_descending", lambda lib, a: lib.sort(a, descending=True, stable=True), NANS),
    ("sort_int", lambda lib, a: lib.sort(a, stable=True), INTS),
    ("sort_bool", lambda lib, a: lib.sort(a, stable=True), BOOLS),
    ("sort_0d", lambda lib, a: lib.sort(a), np.array(3.0, dtype=np.float32)),
    ("sort_empty", lambda lib, a: lib.sort(a), np.zeros((0,), dtype=np.float32)),
    ("argsort", lambda lib, a: lib.argsort(a, dim=0), X),
    ("argsort_stable_descending", lambda lib, a: a.argsort(descending=True, stable=True), TIES),
    ("argsort_0d", lambda lib, a: lib.argsort(a), np.array(3.0)),
    ("msort", lambda lib, a: lib.msort(a), X),
    ("msort_int", lambda lib, a: a.msort(), INTS),
    ("topk", lambda lib, a: lib.topk(a, 2), X),
    ("topk_smallest_dim0", lambda lib, a: a.topk(2, dim=0, largest=False), X),
    ("topk_nan_is_largest", lambda lib, a: lib.topk(a, 2), np.array([1.0, NAN, 3.0])),
    ("topk_nan_smallest", lambda lib, a: lib.topk(a, 2, largest=False), np.array([1.0, NAN, 3.0])),
    ("topk_k0", lambda lib, a: lib.topk(a, 0), X),
    ("topk_int", lambda lib, a: lib.topk(a, 1), np.array([[3, 1, 7], [0, 2, 1]])),
    ("kthvalue", lambda lib, a: lib.kthvalue(a, 2), X),
    ("kthvalue_keepdim_dim0", lambda lib, a: a.kthvalue(3, 0, keepdim=True), X),
    ("kthvalue_int", lambda lib, a: lib.kthvalue(a, 1, dim=0), np.array([[3, 1], [0, 2]])),
    ("median", lambda lib, a: lib.median(a), X),
    ("median_even_count_is_lower", lambda lib, a: lib.median(a), np.array([4.0, 1.0, 3.0, 2.0])),
    ("median_dim", lambda lib, a: a.median(1), X),
    ("median_dim_keepdim", lambda lib, a: lib.median(a, 0, keepdim=True), X),
    ("median_nan", lambda lib, a: lib.median(a), NANS),
    ("median_dim_nan", lambda lib, a: lib.median(a, 1), NANS),
    ("median_int", lambda lib, a: lib.median(a), INTS),
    ("median_empty_is_nan", lambda lib, a: lib.median(a), np.zeros((0,), dtype=np.float32)),
    ("median_0d_dim", lambda lib, a: lib.median(a, 0), np.array(5.0)),
    ("nanmedian", lambda lib, a: lib.nanmedian(a), NANS),
    ("nanmedian_dim", lambda lib, a: a.nanmedian(dim=1), NANS[:2]),
    ("nanmedian_all_nan", lambda lib, a: lib.nanmedian(a), np.array([NAN, NAN])),
    ("mode", lambda lib, a: lib.mode(a), TIES),
    ("mode_dim0", lambda lib, a: a.mode(0), TIES),
    ("mode_keepdim", lambda lib, a: lib.mode(a, 1, True), TIES),
    ("mode_smallest_value_wins_last_index", lambda lib, a: lib.mode(a), np.array([1.0, 2, 2, 3, 3, 0])),
    ("mode_nan_never_equal", lambda lib, a: lib.mode(a), np.array([1.0, NAN, NAN])),
    ("mode_int", lambda lib, a: lib.mode(a, 1), INTS),
]


@pytest.mark.parametrize("name,fn,x", SORTING, ids=[c[0] for c in SORTING])
def test_sorting_matches_torch(name, fn, x):
    same(fn, x)


def test_ties_values_match_where_torch_index_is_unspecified():
    # PyTorch's unstable sort, topk, kthvalue and median(dim) pick any index among ties; values agree
    for fn in (lambda lib, a: lib.sort(a, 1).values, lambda lib, a: lib.topk(a, 2).values,
               lambda lib, a: lib.kthvalue(a, 2).values, lambda lib, a: lib.median(a, 1).values):
        same(fn, TIES)
    same(lambda lib, a: lib.nanmedian(a, 1).values, NANS)   # an all-NaN row: NaN at any of its indices


def test_sorting_gradients_follow_the_returned_indices():
    ties = TIES.astype(np.float64)
    same_grads(lambda lib, a: lib.sort(a, stable=True).values, ties)
    same_grads(lambda lib, a: lib.sort(a, dim=0, descending=True, stable=True).values, ties)
    same_grads(lambda lib, a: lib.median(a), ties)                   # global: shared among the tied medians
    same_grads(lambda lib, a: lib.median(a), NANS.astype(np.float64))   # NaN: shared among the NaNs
    same_grads(lambda lib, a: lib.nanmedian(a), NANS.astype(np.float64))
    same_grads(lambda lib, a: lib.mode(a, 1).values, ties)
    same_grads(lambda lib, a: lib.median(a, 1).values, NANS.astype(np.float64))


SORTING_ERRORS = [
    ("sort_dim", lambda lib, a: lib.sort(a, 2)),
    ("argsort_dim", lambda lib, a: lib.argsort(a, -3)),
    ("topk_k_too_big", lambda lib, a: lib.topk(a, 5)),
    ("topk_k_negative", lambda lib, a: lib.topk(a, -1)),
    ("topk_dim", lambda lib, a: lib.topk(a, 1, dim=2)),
    ("kthvalue_k0", lambda lib, a: lib.kthvalue(a, 0)),
    ("kthvalue_k_too_big", lambda lib, a: lib.kthvalue(a, 5)),
    ("median_dim", lambda lib, a: lib.median(a, 2)),
    ("median_keepdim_without_dim", lambda lib, a: lib.median(a, keepdim=True)),
    ("median_empty_dim", lambda lib, a: lib.median(a[:0], 0)),
    ("nanmedian_empty_dim", lambda lib, a: lib.nanmedian(a[:0], 0)),
    ("mode_empty_dim", lambda lib, a: lib.mode(a[:0], 0)),
    ("mode_dim", lambda lib, a: lib.mode(a, 3)),
]


@pytest.mark.parametrize("name,fn", SORTING_ERRORS, ids=[c[0] for c in SORTING_ERRORS])
def test_sorting_errors(name, fn):
    raises_same(fn, X)


def test_result_tuples_unpack_index_and_name_their_fields():
    r = ag.sort(ag.tensor([3.0, 1.0, 2.0]))
    values, indices = r
    assert r[0] is values and r.indices is indices and type(r) is ag.return_types.sort
    assert r._fields == ("values", "indices") and "return_types.sort(" in repr(r)
    assert ag.aminmax(ag.tensor([1.0, 2.0]))._fields == ("min", "max")
    assert type(ag.max(ag.tensor([[1.0]]), 1)) is ag.return_types.max


# ---------------------------------------------------------------------- searchsorted, bucketize
SEQ = np.array([1.0, 3.0, 5.0, 7.0], dtype=np.float32)
SEARCH = [
    ("left", lambda lib, s, v: lib.searchsorted(s, v), SEQ, np.array([3.0, 6.0, 9.0, 0.0, NAN], dtype=np.float32)),
    ("right", lambda lib, s, v: lib.searchsorted(s, v, right=True), SEQ, np.array([[3.0, 6.0]], dtype=np.float32)),
    ("side_right", lambda lib, s, v: lib.searchsorted(s, v, side="right"), SEQ, np.array([3.0, 7.0],
                                                                                           dtype=np.float32)),
    ("side_left_right_false", lambda lib, s, v: lib.searchsorted(s, v, side="left", right=False), SEQ,
     np.array([3.0])),
    ("int32", lambda lib, s, v: lib.searchsorted(s, v, out_int32=True), SEQ, np.array([3.0], dtype=np.float32)),
    ("scalar_value", lambda lib, s: lib.searchsorted(s, 4), SEQ),
    ("0d_value", lambda lib, s, v: lib.searchsorted(s, v), SEQ, np.array(5.0, dtype=np.float32)),
    ("int_values_in_float_seq", lambda lib, s, v: lib.searchsorted(s, v), SEQ, np.array([3, 6])),
    ("nd", lambda lib, s, v: lib.searchsorted(s, v), np.array([[1.0, 3.0], [2.0, 4.0]]),
     np.array([[2.0, 3.0, 1.0], [5.0, 0.0, 2.0]])),
    ("sorter", lambda lib, s, v: lib.searchsorted(s, v, sorter=lib.tensor([1, 3, 2, 0])),
     np.array([7.0, 1.0, 5.0, 3.0]), np.array([4.0, 8.0])),
    ("bucketize", lambda lib, v, b: lib.bucketize(v, b), np.array([[3.0, 6.0], [9.0, 1.0]], dtype=np.float32), SEQ),
    ("bucketize_right", lambda lib, v, b: lib.bucketize(v, b, right=True), np.array([3.0, 6.0]), SEQ),
    ("bucketize_int32", lambda lib, v, b: lib.bucketize(v, b, out_int32=True), np.array([3.0]), SEQ),
    ("bucketize_scalar", lambda lib, b: lib.bucketize(3.0, b), SEQ),
]


@pytest.mark.parametrize("name,fn,arrays", [(c[0], c[1], c[2:]) for c in SEARCH], ids=[c[0] for c in SEARCH])
def test_search_matches_torch(name, fn, arrays):
    same(fn, *arrays)


SEARCH_ERRORS = [
    ("side_and_right_opposite", lambda lib, s, v: lib.searchsorted(s, v, side="left", right=True), SEQ, SEQ),
    ("bad_side", lambda lib, s, v: lib.searchsorted(s, v, side="middle"), SEQ, SEQ),
    ("0d_boundaries", lambda lib, s, v: lib.searchsorted(s, v), np.array(1.0), SEQ),
    ("nd_leading_dims_differ", lambda lib, s, v: lib.searchsorted(s, v), np.ones((2, 2)), np.ones((1, 2))),
    ("nd_with_1d_values", lambda lib, s, v: lib.searchsorted(s, v), np.ones((2, 2)), np.ones(2)),
    ("sorter_size", lambda lib, s, v: lib.searchsorted(s, v, sorter=lib.tensor([1, 0, 2])), SEQ, SEQ),
    ("sorter_dtype", lambda lib, s, v: lib.searchsorted(s, v, sorter=lib.tensor([1.0, 0, 2, 3])), SEQ, SEQ),
    ("sorter_out_of_range", lambda lib, s, v: lib.searchsorted(s, v, sorter=lib.tensor([1, 0, 2, 9])), SEQ, SEQ),
    ("bucketize_2d_boundaries", lambda lib, v, b: lib.bucketize(v, b), SEQ, np.ones((2, 2))),
]


@pytest.mark.parametrize("name,fn,arrays", [(c[0], c[1], c[2:]) for c in SEARCH_ERRORS],
                         ids=[c[0] for c in SEARCH_ERRORS])
def test_search_errors(name, fn, arrays):
    raises_same(fn, *arrays)


# ---------------------------------------------------------------------- reductions: var_mean, std_mean, aminmax, max
REDUCTIONS = [
    ("var_mean", lambda lib, a: lib.var_mean(a), X),
    ("var_mean_dim_unbiased_false", lambda lib, a: lib.var_mean(a, 1, unbiased=False), X),
    ("var_mean_positional_unbiased", lambda lib, a: lib.var_mean(a, False), X),
    ("var_mean_correction_keepdim", lambda lib, a: lib.var_mean(a, dim=(0, 1), correction=0, keepdim=True), X),
    ("std_mean", lambda lib, a: lib.std_mean(a, 0), X),
    ("var_positional_unbiased", lambda lib, a: lib.var(a, False), X),
    ("aminmax", lambda lib, a: lib.aminmax(a), X),
    ("aminmax_dim_keepdim", lambda lib, a: a.aminmax(dim=1, keepdim=True), INTS),
    ("aminmax_keepdim_all", lambda lib, a: lib.aminmax(a, keepdim=True), X),
    ("aminmax_0d", lambda lib, a: lib.aminmax(a, dim=0), np.array(1.5)),
    ("aminmax_empty_rows", lambda lib, a: lib.aminmax(a, dim=1), np.zeros((0, 3), dtype=np.float32)),
    ("max_binary", lambda lib, a: lib.max(a, a.flip(0)), X),
    ("min_other_keyword", lambda lib, a: lib.min(a, other=a * 0.5), X),
    ("max_dim_type", lambda lib, a: lib.max(a, 1), X),
    ("min_dim_empty_rows", lambda lib, a: lib.min(a, 1), np.zeros((0, 3), dtype=np.float32)),
]


@pytest.mark.parametrize("name,fn,x", REDUCTIONS, ids=[c[0] for c in REDUCTIONS])
def test_reductions_match_torch(name, fn, x):
    same(fn, x)


def test_aminmax_shares_the_gradient_among_ties():
    same_grads(lambda lib, a: (lambda r: r.min + 2 * r.max)(lib.aminmax(a)), np.array([1.0, 3.0, 3.0, 1.0]))


@pytest.mark.parametrize("fn", [
    lambda lib, a: lib.aminmax(a[:0]), lambda lib, a: lib.aminmax(a[:0], dim=0), lambda lib, a: lib.max(a[:0]),
    lambda lib, a: lib.max(a[:0], 0), lambda lib, a: lib.aminmax(a, dim=2), lambda lib, a: lib.amax(a[:0]),
], ids=["aminmax_empty", "aminmax_empty_dim", "max_empty", "max_empty_dim", "aminmax_dim", "amax_empty"])
def test_reduction_errors(fn):
    raises_same(fn, X)


# ---------------------------------------------------------------------- nonzero, where, argwhere, take, masks
SELECTION = [
    ("nonzero", lambda lib, a: lib.nonzero(a), TIES - 1),
    ("nonzero_as_tuple", lambda lib, a: a.nonzero(as_tuple=True), TIES - 1),
    ("nonzero_bool", lambda lib, a: lib.nonzero(a), BOOLS),
    ("nonzero_nan_counts", lambda lib, a: lib.nonzero(a), NANS),
    ("nonzero_0d", lambda lib, a: lib.nonzero(a), np.array(5.0)),
    ("nonzero_0d_zero", lambda lib, a: lib.nonzero(a), np.array(0.0)),
    ("nonzero_0d_as_tuple", lambda lib, a: lib.nonzero(a, as_tuple=True), np.array(5.0)),
    ("where_one_argument", lambda lib, a: lib.where(a > 1), TIES),
    ("where_one_argument_0d", lambda lib, a: lib.where(a), np.array(True)),
    ("argwhere", lambda lib, a: lib.argwhere(a), INTS),
    ("argwhere_method", lambda lib, a: a.argwhere(), BOOLS),
    ("take", lambda lib, a: lib.take(a, lib.tensor([[0, -1], [5, 2]])), X),
    ("take_0d_index", lambda lib, a: a.take(lib.tensor(3)), X),
    ("take_int", lambda lib, a: lib.take(a, lib.tensor([7, 0])), INTS),
    ("take_along_dim", lambda lib, a: lib.take_along_dim(a, lib.tensor([[0], [2], [1]]), 1), X),
    ("take_along_dim_flat", lambda lib, a: lib.take_along_dim(a, lib.tensor([0, 11])), X),
    ("take_along_dim_negative", lambda lib, a: lib.take_along_dim(a, lib.tensor([[-1]]), 1), X),
    ("take_along_dim_broadcast", lambda lib, a: lib.take_along_dim(a[:, :1], lib.tensor([[0, 0]] * 3), 1), X),
    ("take_along_dim_argsort", lambda lib, a: lib.take_along_dim(a, a.argsort(dim=0), dim=0), X),
    ("masked_select", lambda lib, a: lib.masked_select(a, a > 0), X),
    ("masked_select_broadcast_mask", lambda lib, a: a.masked_select(lib.tensor([True, False, True, False])), X),
    ("masked_select_broadcast_input", lambda lib, a: lib.masked_select(a[0], lib.ones(3, 4, dtype=lib.bool)), X),
    ("masked_scatter", lambda lib, a: lib.masked_scatter(a, a > 0, lib.arange(12.0).reshape(3, 4)), X),
    ("masked_scatter_broadcast_mask", lambda lib, a: a.masked_scatter(lib.tensor([True, False, True, False]),
                                                                      lib.arange(100.0, 112.0)), X),
    ("masked_scatter_int", lambda lib, a: a.masked_scatter(a > 1, lib.tensor([10, 20, 30, 40])), INTS),
    ("masked_scatter_inplace", lambda lib, a: a.clone().masked_scatter_(a < 0, -lib.ones(12)), X),
]


@pytest.mark.parametrize("name,fn,x", SELECTION, ids=[c[0] for c in SELECTION])
def test_selection_matches_torch(name, fn, x):
    same(fn, x)


def test_selection_gradients_match_torch():
    same_grads(lambda lib, a: lib.take(a, lib.tensor([[0, 0], [11, -1]])), X64)
    same_grads(lambda lib, a, s: lib.masked_scatter(a, lib.tensor([[True, False, True, False]] * 3), s),
               X64, np.arange(20.0).reshape(4, 5))
    same_grads(lambda lib, a: lib.masked_select(a, a > 0), X64)


SELECTION_ERRORS = [
    ("take_out_of_range", lambda lib, a: lib.take(a, lib.tensor([12]))),
    ("take_negative_out_of_range", lambda lib, a: lib.take(a, lib.tensor([-13]))),
    ("take_float_index", lambda lib, a: lib.take(a, lib.tensor([1.0]))),
    ("take_int32_index", lambda lib, a: lib.take(a, lib.tensor([1], dtype=lib.int32))),
    ("take_list_index", lambda lib, a: lib.take(a, [1])),
    ("take_along_dim_ndim", lambda lib, a: lib.take_along_dim(a, lib.tensor([0, 1]), 0)),
    ("take_along_dim_float", lambda lib, a: lib.take_along_dim(a, lib.tensor([[1.0]]), 1)),
    ("take_along_dim_int32", lambda lib, a: lib.take_along_dim(a, lib.tensor([[1]], dtype=lib.int32), 1)),
    ("take_along_dim_broadcast", lambda lib, a: lib.take_along_dim(a, lib.tensor([[0, 1]]), 0)),
    ("take_along_dim_dim", lambda lib, a: lib.take_along_dim(a, lib.tensor([[0]]), 2)),
    ("masked_select_float_mask", lambda lib, a: lib.masked_select(a, (a > 0).float())),
    ("masked_select_uint8_mask", lambda lib, a: lib.masked_select(a, (a > 0).to(lib.uint8))),
    ("masked_select_shapes", lambda lib, a: lib.masked_select(a, lib.tensor([True, False]))),
    ("masked_scatter_too_few", lambda lib, a: a.masked_scatter(a > -10, lib.ones(3))),
    ("masked_scatter_float_mask", lambda lib, a: a.masked_scatter((a > 0).float(), lib.ones(12))),
    ("masked_scatter_dtype", lambda lib, a: a.masked_scatter(a > 0, lib.ones(12, dtype=lib.float64))),
    ("masked_scatter_inplace_broadcast_self", lambda lib, a: a[0].clone().masked_scatter_(a > 0, lib.ones(12))),
]


@pytest.mark.parametrize("name,fn", SELECTION_ERRORS, ids=[c[0] for c in SELECTION_ERRORS])
def test_selection_errors(name, fn):
    raises_same(fn, X)


# ---------------------------------------------------------------------- properties (hypothesis)
_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                     elements=st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0]))


@given(_arrays, st.integers(-3, 2), st.booleans())
def test_sort_and_argsort_agree_and_are_stable(x, dim, descending):
    dim = dim % x.ndim
    t = ag.tensor(x)
    values, indices = ag.sort(t, dim, descending=descending, stable=True)
    assert np.array_equal(ag.argsort(t, dim, descending=descending, stable=True).numpy(), indices.numpy())
    assert np.array_equal(np.take_along_axis(x, indices.numpy(), dim), values.numpy())
    key = -x if descending else x
    assert np.array_equal(indices.numpy(), np.argsort(key, axis=dim, kind="stable"))
    assert indices.dtype == np.int64


@given(_arrays, st.integers(0, 2))
def test_cumsum_cumprod_and_cummax_match_numpy(x, dim):
    dim = dim % x.ndim
    t = ag.tensor(x)
    np.testing.assert_allclose(ag.cumsum(t, dim).numpy(), np.cumsum(x, axis=dim))
    np.testing.assert_allclose(ag.cumprod(t, dim).numpy(), np.cumprod(x, axis=dim))
    values, indices = ag.cummax(t, dim)
    np.testing.assert_array_equal(values.numpy(), np.maximum.accumulate(x, axis=dim))
    np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy(), dim), values.numpy())


@given(_arrays, st.integers(1, 5))
def test_topk_kthvalue_and_median_agree_with_a_full_sort(x, k):
    v = x.reshape(-1)
    t = ag.tensor(v)
    k = min(k, v.size)
    s = np.sort(v)
    np.testing.assert_array_equal(ag.topk(t, k).values.numpy(), s[::-1][:k])
    np.testing.assert_array_equal(ag.topk(t, k, largest=False).values.numpy(), s[:k])
    assert ag.kthvalue(t, k).values.item() == s[k - 1]
    assert ag.median(t).item() == s[(v.size - 1) // 2]


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-5, 5)), st.lists(st.floats(-6, 6), max_size=6),
       st.booleans())
def test_searchsorted_matches_numpy(seq, values, right):
    seq = np.sort(seq)
    got = ag.searchsorted(ag.tensor(seq), ag.tensor(np.array(values, dtype=np.float64)), right=right)
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(seq, values, side="right" if right else "left"))
    assert got.dtype == np.int64


_API = ("cumsum cumprod cummax cummin logcumsumexp sort argsort msort topk kthvalue median nanmedian mode max min "
        "var_mean std_mean aminmax flip fliplr flipud roll rot90 repeat repeat_interleave tile tril triu narrow unbind "
        "movedim moveaxis swapaxes swapdims t transpose view_as reshape_as expand_as unflatten hstack vstack dstack "
        "column_stack row_stack atleast_1d atleast_2d atleast_3d take take_along_dim masked_select masked_scatter "
        "masked_fill gather scatter scatter_add scatter_reduce index_add index_copy index_fill index_put nonzero "
        "where argwhere searchsorted bucketize fill_diagonal").split()


@pytest.mark.parametrize("name", _API)
def test_every_function_method_and_inplace_form_torch_has_exists(name):
    torch = pytest.importorskip("torch")
    for ns_torch, ns_ours, n in ((torch, ag, name), (torch.Tensor, ag.Tensor, name), (torch.Tensor, ag.Tensor,
                                                                                        name + "_"),
                                 (torch, ag, name + "_")):
        if hasattr(ns_torch, n):
            assert callable(getattr(ns_ours, n, None)), f"{ns_ours.__name__}.{n} is missing"
