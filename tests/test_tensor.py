"""Tensor construction, dtype rules, attributes, conversions, factories and error messages."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag


# ---------------------------------------------------------------- dtype rules (PyTorch's)
@pytest.mark.parametrize("data,dtype", [
    (1.5, np.float32), ([1.0, 2.0], np.float32), ([[1, 2]], np.int64), (3, np.int64), (True, np.bool_),
    (np.array([1.0]), np.float64), (np.array([1], dtype=np.int32), np.int32), (np.float64(2.0), np.float64),
])
def test_dtype_inference(data, dtype):
    assert ag.tensor(data).dtype == dtype


def test_explicit_dtype_wins_and_default_float():
    assert ag.tensor([1, 2], dtype=ag.float64).dtype == np.float64
    assert ag.tensor(np.array([1.0]), dtype=ag.float32).dtype == np.float32
    assert ag.zeros(2).dtype == ag.float32 and ag.randn(2).dtype == np.float32
    assert ag.get_default_dtype() == np.float32


def test_scalar_promotion_keeps_tensor_dtype():
    x = ag.ones(2)
    assert (x * 2.5).dtype == np.float32
    assert (2.5 - x).dtype == np.float32
    assert (ag.arange(3) * 2.5).dtype == np.float32   # int tensor * float -> default float
    assert (ag.arange(3) / 2).dtype == np.float32     # true division
    assert (ag.arange(3) * 2).dtype == np.int64
    assert (ag.ones(2) + ag.ones(2, dtype=ag.float64)).dtype == np.float64


def test_tensor_copies_numpy_but_from_numpy_shares():
    a = np.zeros(3)
    t = ag.tensor(a)
    a[0] = 1
    assert t.numpy()[0] == 0
    s = ag.from_numpy(a)
    a[1] = 5
    assert s.numpy()[1] == 5


def test_numpy_interop():
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(np.asarray(t), np.ndarray)
    np.testing.assert_array_equal(np.asarray(t), [[1, 2], [3, 4]])
    r = np.ones(2) + t            # numpy defers to Tensor
    assert isinstance(r, ag.Tensor)
    assert t.data.numpy() is t.numpy()


def test_attributes():
    t = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert t.shape == (1, 3) and t.ndim == 2 and t.size() == (1, 3) and t.size(1) == 3 and t.numel() == 3
    assert t.T.shape == (3, 1)
    assert t.sum().item() == 6.0
    assert t.grad is None and t.is_leaf and t.grad_fn is None
    assert t.tolist() == [[1.0, 2.0, 3.0]]
    assert len(t) == 1
    with pytest.raises(ValueError, match="3 elements"):
        t.item()


def test_repr():
    assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ag.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "dtype=autograd_core.float64" in repr(ag.tensor([1.0], dtype=ag.float64))
    assert "grad_fn=<MulBackward0>" in repr(ag.tensor([1.0], requires_grad=True) * 2)


def test_factories():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).shape == (2, 3)
    assert ag.ones(4).numpy().sum() == 4
    assert (ag.full((2,), 7.0).numpy() == 7).all() and ag.full((2,), 7).dtype == np.int64
    assert ag.zeros_like(ag.ones(3, dtype=ag.float64)).dtype == np.float64
    assert ag.ones_like(ag.zeros(2)).numpy().tolist() == [1, 1]
    assert ag.arange(5).numpy().tolist() == [0, 1, 2, 3, 4] and ag.arange(5).dtype == np.int64
    assert ag.arange(0, 1, 0.5).dtype == np.float32
    np.testing.assert_array_equal(ag.eye(3).numpy(), np.eye(3))
    r = ag.rand(1000)
    assert 0 <= r.numpy().min() and r.numpy().max() < 1
    assert abs(ag.randn(10000).numpy().std() - 1) < 0.05
    assert ag.randn(2, requires_grad=True).requires_grad


def test_manual_seed_reproducible():
    ag.manual_seed(123)
    a = ag.randn(5).numpy()
    ag.manual_seed(123)
    b = ag.randn(5).numpy()
    np.testing.assert_array_equal(a, b)


def test_casts_are_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), 3.0)
    assert x.long().dtype == np.int64 and x.to(ag.float64).dtype == np.float64


def test_comparisons_have_no_grad():
    x = ag.tensor([1.0, -1.0], requires_grad=True)
    m = x > 0
    assert m.dtype == np.bool_ and not m.requires_grad
    assert ((x == 1.0) | (x < 0)).numpy().all()


# ---------------------------------------------------------------- errors name op and shapes
def test_matmul_error_names_shapes():
    with pytest.raises(ag.ShapeError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        ag.ones(2, 3) @ ag.ones(4, 5)
    with pytest.raises(ValueError):       # ShapeError is a ValueError ...
        ag.ones(2, 3) @ ag.ones(4, 5)
    with pytest.raises(RuntimeError):     # ... and a RuntimeError (PyTorch's habit)
        ag.ones(2, 3) @ ag.ones(4, 5)


def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(ag.ShapeError, match=r"add.*\(2, 3\), \(4,\)"):
        ag.ones(2, 3) + ag.ones(4)
    with pytest.raises(ag.ShapeError, match=r"mul.*\(3,\), \(2,\)"):
        ag.ones(3) * ag.ones(2)


def test_reshape_error():
    with pytest.raises(ag.ShapeError, match=r"reshape.*\(4, 2\).*\(2, 3\)"):
        ag.ones(2, 3).reshape(4, 2)


def test_cat_error():
    with pytest.raises(ag.ShapeError, match=r"cat.*\(2, 3\).*\(2, 4\)"):
        ag.cat([ag.ones(2, 3), ag.ones(2, 4)], dim=0)
    with pytest.raises(ag.ShapeError, match="stack"):
        ag.stack([ag.ones(2), ag.ones(3)])


def test_index_errors():
    with pytest.raises(IndexError):
        ag.ones(2, 3)[5]
    with pytest.raises(IndexError, match="dimension out of range"):
        ag.ones(2, 3).sum(dim=4)


def test_expand_error():
    with pytest.raises(ag.ShapeError, match=r"expand.*\(3,\).*\(2, 4\)"):
        ag.ones(3).expand(2, 4)


# ---------------------------------------------------------------- property tests
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_broadcast_gradient_shapes_property(bshapes):
    (sa, sb), out = bshapes.input_shapes, bshapes.result_shape
    a = ag.tensor(np.ones(sa), requires_grad=True)
    b = ag.tensor(np.full(sb, 2.0), requires_grad=True)
    y = a * b + a
    assert y.shape == out
    y.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    # each element of a is used prod(out)/prod(sa) times, with derivative (b + 1) = 3
    np.testing.assert_allclose(a.grad.numpy(), 3.0 * np.prod(out) / max(np.prod(sa), 1))


@given(st.data())
def test_indexing_gradient_property(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = np.random.default_rng(0).standard_normal(shape)
    idx = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    t = ag.tensor(x, requires_grad=True)
    out = t[idx]
    np.testing.assert_array_equal(out.numpy(), x[idx])
    out.sum().backward()
    expected = np.zeros_like(x)
    expected[idx] += 1.0 if np.ndim(x[idx]) == 0 else np.ones_like(x[idx])
    np.testing.assert_array_equal(t.grad.numpy(), expected)


@given(st.lists(st.integers(0, 4), min_size=1, max_size=10))
def test_advanced_indexing_repeated_indices_property(indices):
    x = ag.tensor(np.arange(5.0), requires_grad=True)
    x[indices].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.bincount(indices, minlength=5))


def test_argmax_argmin():
    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    x = ag.tensor(a)
    assert x.argmax().item() == 3 and x.argmin().item() == 4
    np.testing.assert_array_equal(x.argmax(dim=1).numpy(), [1, 0])
    np.testing.assert_array_equal(ag.argmin(x, dim=0, keepdim=True).numpy(), [[0, 1, 0]])
    assert x.argmax(dim=1).dtype == np.int64
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.numpy(), [5, 7])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
