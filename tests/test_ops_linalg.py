"""Linear algebra against PyTorch: what the op table (tests/op_table/linalg.py, decomposition.py) can't check —
non-differentiable results, the factors themselves, named-tuple fields, dtype rules, in-place forms, gradients at
singular points, and every error PyTorch raises."""
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")


def _same(ours, theirs, rtol=1e-10, atol=1e-12):
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t, rtol, atol)
        return
    theirs = theirs.detach()
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", "")), (ours.dtype, theirs.dtype)
    assert ours.shape == tuple(theirs.shape), (ours.shape, tuple(theirs.shape))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=atol, equal_nan=True)


def _both(shape, seed=0, dtype="float64"):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ag.tensor(a), torch.tensor(a)


# ------------------------------------------------------------------------------ factors and non-differentiable parts
def test_decomposition_factors_match_torch_up_to_sign():
    a, t = _both((2, 5, 3))
    Q, R = ag.linalg.qr(a)
    tQ, tR = torch.linalg.qr(t)
    signs = np.sign(np.diagonal(R.numpy(), axis1=-2, axis2=-1) * np.diagonal(tR.numpy(), axis1=-2, axis2=-1))
    np.testing.assert_allclose(Q.numpy() * signs[..., None, :], tQ.numpy(), atol=1e-12)
    U, S, Vh = ag.linalg.svd(a, full_matrices=False)
    tU, tS, tVh = torch.linalg.svd(t, full_matrices=False)
    _same(S, tS)
    np.testing.assert_allclose(np.abs(U.numpy()), np.abs(tU.numpy()), atol=1e-12)
    b, tb = _both((2, 5, 5), 1)
    L, V = ag.linalg.eigh(b @ b.mT)
    tL, tV = torch.linalg.eigh(tb @ tb.mT)
    _same(L, tL)
    np.testing.assert_allclose(np.abs(V.numpy()), np.abs(tV.numpy()), atol=1e-10)
    _same(ag.linalg.cholesky(b @ b.mT + 3 * ag.eye(5, dtype=ag.float64)),
          torch.linalg.cholesky(tb @ tb.mT + 3 * torch.eye(5, dtype=torch.float64)))


def test_named_tuples_have_torch_fields():
    a, t = _both((3, 3))
    for ours, theirs, fields in [(ag.linalg.qr(a), torch.linalg.qr(t), ("Q", "R")),
                                 (ag.linalg.svd(a), torch.linalg.svd(t), ("U", "S", "Vh")),
                                 (ag.svd(a), torch.svd(t), ("U", "S", "V")),
                                 (ag.linalg.eigh(a), torch.linalg.eigh(t), ("eigenvalues", "eigenvectors")),
                                 (ag.linalg.slogdet(a), torch.linalg.slogdet(t), ("sign", "logabsdet")),
                                 (ag.slogdet(a), torch.slogdet(t), ("sign", "logabsdet"))]:
        assert ours._fields == fields
        for f in fields:
            assert getattr(ours, f).shape == tuple(getattr(theirs, f).shape)
    _same(ag.slogdet(a).sign, torch.slogdet(t).sign)


def test_qr_modes_and_legacy_svd_shapes_match_torch():
    a, t = _both((5, 3))
    for mode in ("reduced", "complete", "r"):
        for o, th in zip(ag.linalg.qr(a, mode=mode), torch.linalg.qr(t, mode=mode)):
            assert o.shape == tuple(th.shape)
    _same(ag.linalg.qr(a, mode="r").R.abs(), torch.linalg.qr(t, mode="r").R.abs())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for some in (True, False):
            for o, th in zip(ag.svd(a, some=some), torch.svd(t, some=some)):
                assert o.shape == tuple(th.shape)
            for o, th in zip(ag.qr(a, some=some), torch.qr(t, some=some)):
                assert o.shape == tuple(th.shape)
        _same(ag.svd(a, compute_uv=False), torch.svd(t, compute_uv=False))
        U, S, V = ag.svd(a)
        np.testing.assert_allclose((U.numpy() * S.numpy()) @ V.numpy().T, a.numpy(), atol=1e-12)
    for full in (True, False):
        for o, th in zip(ag.linalg.svd(a.mT, full_matrices=full), torch.linalg.svd(t.mT, full_matrices=full)):
            assert o.shape == tuple(th.shape)


def test_rank_power_pinv_and_determinants_of_special_matrices():
    a, t = _both((4, 3))
    low = a @ a.mT                               # rank 3 of 4
    tlow = t @ t.mT
    _same(ag.linalg.matrix_rank(low), torch.linalg.matrix_rank(tlow))
    _same(ag.linalg.matrix_rank(low, hermitian=True), torch.linalg.matrix_rank(tlow, hermitian=True))
    _same(ag.linalg.matrix_rank(low, atol=1.0, rtol=0.0), torch.linalg.matrix_rank(tlow, atol=1.0, rtol=0.0))
    _same(ag.linalg.pinv(low), torch.linalg.pinv(tlow), rtol=1e-8, atol=1e-10)
    _same(ag.linalg.pinv(low, hermitian=True), torch.linalg.pinv(tlow, hermitian=True), rtol=1e-8, atol=1e-10)
    _same(ag.linalg.det(low), torch.linalg.det(tlow), atol=1e-10)
    _same(ag.logdet(-ag.eye(3, dtype=ag.float64)), torch.logdet(-torch.eye(3, dtype=torch.float64)))
    _same(ag.logdet(ag.zeros(3, 3, dtype=ag.float64)), torch.logdet(torch.zeros(3, 3, dtype=torch.float64)))
    sq, tsq = _both((2, 3, 3))
    _same(ag.linalg.matrix_power(sq, 0), torch.linalg.matrix_power(tsq, 0))
    _same(sq.matrix_power(5), tsq.matrix_power(5), rtol=1e-9)
    _same(ag.matrix_power(sq, -2), torch.matrix_power(tsq, -2), rtol=1e-9)
    i = ag.tensor([[1, 2], [3, 4]])
    _same(ag.matrix_power(i, 3), torch.matrix_power(torch.tensor([[1, 2], [3, 4]]), 3))


def test_det_gradient_at_singular_matrices_is_the_cofactor_matrix():
    """det is a polynomial: its gradient at a singular matrix is the cofactor matrix (nonzero for rank n - 1).
    PyTorch 2.13 returns zeros there; we return the true derivative, checked by finite differences."""
    for m in ([[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], np.zeros((3, 3))):
        x = ag.tensor(m, dtype=ag.float64, requires_grad=True)
        ag.linalg.det(x).backward()
        a = np.asarray(m, dtype=np.float64)
        eps, numerical = 1e-6, np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            d = np.zeros_like(a)
            d[idx] = eps
            numerical[idx] = (np.linalg.det(a + d) - np.linalg.det(a - d)) / (2 * eps)
        np.testing.assert_allclose(x.grad.numpy(), numerical, atol=1e-8)
    assert ag.gradcheck(lambda t: ag.linalg.det(t), ag.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=ag.float64,
                                                              requires_grad=True))


def test_spectral_values_gradients_at_repeated_values_match_torch():
    """svdvals / eigvalsh need no distinct values: their gradient is U diag(g) Vᵀ."""
    x = ag.eye(3, dtype=ag.float64).requires_grad_()
    t = torch.eye(3, dtype=torch.float64, requires_grad=True)
    (ag.linalg.svdvals(x) * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    (torch.linalg.svdvals(t) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(np.sort(np.diag(x.grad.numpy())), np.sort(np.diag(t.grad.numpy())), atol=1e-12)
    x.grad = None
    ag.linalg.matrix_norm(x, "nuc").backward()
    np.testing.assert_allclose(x.grad.numpy(), np.eye(3), atol=1e-12)
    y = ag.eye(3, dtype=ag.float64).requires_grad_()
    ag.linalg.eigvalsh(y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), np.eye(3), atol=1e-12)


def test_norm_gradients_at_zero_and_ties_match_torch():
    cases = [lambda L, x: L.linalg.vector_norm(x), lambda L, x: L.linalg.vector_norm(x, float("inf")),
             lambda L, x: L.linalg.vector_norm(x, 3), lambda L, x: L.linalg.vector_norm(x, 0.5),
             lambda L, x: L.linalg.vector_norm(x, 1), lambda L, x: L.norm(x), lambda L, x: L.dist(x, x * 0)]
    for values in ([0.0, 0.0, 0.0], [2.0, -2.0, 1.0], [0.0, 1.0, -3.0]):
        for f in cases:
            x = ag.tensor(values, dtype=ag.float64, requires_grad=True)
            t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
            f(ag, x).backward()
            f(torch, t).backward()
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-12)
    a = ag.zeros(3, 4, dtype=ag.float64).requires_grad_()
    ta = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True)
    ag.cdist(a, a).sum().backward()
    torch.cdist(ta, ta).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())


def test_norm_values_and_dtypes_match_torch():
    a, t = _both((2, 3, 4), dtype="float32")
    for f in [lambda L, x: L.linalg.norm(x), lambda L, x: L.linalg.norm(x, dim=(1, 2)),
              lambda L, x: L.linalg.norm(x, ord=2, dim=(0, 2), keepdim=True),
              lambda L, x: L.linalg.norm(x, ord=-math.inf, dim=1), lambda L, x: L.linalg.vector_norm(x, 0),
              lambda L, x: L.linalg.vector_norm(x, dtype=L.float64), lambda L, x: L.norm(x, p="fro", dim=(0, 1)),
              lambda L, x: L.norm(x, p="nuc", dim=(1, 2)), lambda L, x: x.norm(2, 1, True),
              lambda L, x: L.linalg.matrix_norm(x, -2), lambda L, x: L.linalg.matrix_norm(x, 1, dim=(2, 0))]:
        _same(f(ag, a), f(torch, t), rtol=1e-5, atol=1e-6)
    _same(ag.cdist(a, a[:, :2]), torch.cdist(t, t[:, :2]), rtol=1e-5, atol=1e-5)
    _same(ag.cdist(a, a, p=0), torch.cdist(t, t, p=0))
    _same(ag.cdist(a, a, p=math.inf), torch.cdist(t, t, p=math.inf), rtol=1e-6)


def test_product_values_and_inplace_forms_match_torch():
    (c, tc), (m1, t1), (m2, t2) = _both((3, 2)), _both((3, 4), 1), _both((4, 2), 2)
    _same(c.clone().addmm_(m1, m2, beta=0.5, alpha=2.0), tc.clone().addmm_(t1, t2, beta=0.5, alpha=2.0))
    nan = ag.full((3, 2), float("nan"), dtype=ag.float64)
    _same(ag.addmm(nan, m1, m2, beta=0), torch.addmm(torch.full((3, 2), float("nan"), dtype=torch.float64), t1,
                                                      t2, beta=0))
    (v, tv), (w, tw) = _both((4,), 3), _both((3,), 4)
    _same(w.clone().addmv_(m1, v, alpha=-1.0), tw.clone().addmv_(t1, tv, alpha=-1.0))
    (b1, tb1), (b2, tb2), (c3, tc3) = _both((2, 3, 4), 5), _both((2, 4, 2), 6), _both((2, 3, 2), 7)
    _same(c3.clone().baddbmm_(b1, b2, beta=2.0), tc3.clone().baddbmm_(tb1, tb2, beta=2.0))
    _same(c.clone().addbmm_(b1, b2), tc.clone().addbmm_(tb1, tb2))
    _same(ag.trace(ag.eye(3, dtype=ag.int32)), torch.trace(torch.eye(3, dtype=torch.int32)))
    x, tx = _both((3, 3))
    x.diagonal().zero_()
    tx.diagonal().zero_()
    _same(x, tx)


def test_einsum_matches_torch_on_many_equations():
    rng = np.random.default_rng(0)
    cases = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("...ij,jk", [(2, 3, 4), (4, 5)]),
             ("...ij,jk->ik", [(2, 3, 4), (4, 5)]), ("ij,ij->ij", [(3, 1), (3, 4)]), ("i,j->ij", [(3,), (4,)]),
             ("ijk->", [(2, 3, 4)]), ("iij->ji", [(3, 3, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
             ("...i,...i->...", [(2, 1, 3), (4, 3)]), ("i,->i", [(3,), ()]), ("ba,bc", [(2, 3), (2, 4)]),
             ("iji->j", [(3, 2, 3)]), ("Ab,bA->A", [(2, 3), (3, 2)]), (" i j , j k -> i k ", [(2, 3), (3, 4)]),
             ("ij->...ij", [(2, 3)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)])]
    for eq, shapes in cases:
        arrays = [rng.standard_normal(s) for s in shapes]
        _same(ag.einsum(eq, *[ag.tensor(x) for x in arrays]), torch.einsum(eq, *[torch.tensor(x) for x in arrays]))
    ints = [np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)]
    _same(ag.einsum("ij,jk", *[ag.tensor(x) for x in ints]), torch.einsum("ij,jk", *[torch.tensor(x) for x in ints]))


def test_function_method_and_inplace_forms_exist_as_in_torch():
    names = ["einsum", "mv", "addmm", "addmv", "baddbmm", "addbmm", "tensordot", "kron", "cross", "diag", "diagonal",
             "diag_embed", "trace", "norm", "dist", "cdist", "det", "inverse", "cholesky", "slogdet", "logdet", "qr",
             "svd", "pinverse", "matrix_power", "matmul", "mm", "bmm", "dot", "outer"]
    for name in names:
        assert hasattr(ag, name) == hasattr(torch, name), name
        assert hasattr(ag.Tensor, name) == hasattr(torch.Tensor, name), name
        assert hasattr(ag.Tensor, name + "_") == hasattr(torch.Tensor, name + "_"), name + "_"


def test_linalg_namespace_names_are_torch_linalg_names():
    for name in ag.linalg.__all__:
        assert hasattr(torch.linalg, name), name
    assert issubclass(ag.linalg.LinAlgError, RuntimeError)
    a, t = _both((3, 4))
    _same(ag.linalg.matmul(a, a.mT), torch.linalg.matmul(t, t.mT))
    _same(ag.linalg.diagonal(a), torch.linalg.diagonal(t))


# ------------------------------------------------------------------------------ errors, as PyTorch raises them
@pytest.mark.parametrize("call, exc, match", [
    (lambda L: L.linalg.inv(L.ones(3, 4)), RuntimeError, "A must be batches of square matrices"),
    (lambda L: L.linalg.inv(L.ones(3)), RuntimeError, "at least 2 dimensions"),
    (lambda L: L.linalg.inv(L.zeros(3, 3)), "linalg", "singular"),
    (lambda L: L.linalg.inv(L.eye(3, dtype=L.long)), RuntimeError, "Expected a floating point or complex tensor"),
    (lambda L: L.det(L.ones(2, 3)), RuntimeError, "square matrices"),
    (lambda L: L.linalg.solve(L.eye(3), L.ones(4, 2)), RuntimeError, "Incompatible shapes of A and B"),
    (lambda L: L.linalg.solve(L.eye(3), L.ones(3, dtype=L.float64)), RuntimeError, "same dtype"),
    (lambda L: L.linalg.solve(L.zeros(2, 2), L.ones(2)), "linalg", "singular"),
    (lambda L: L.linalg.cholesky(-L.eye(2)), "linalg", "positive-definite"),
    (lambda L: L.linalg.cholesky(L.ones(2, 3)), RuntimeError, "square matrices"),
    (lambda L: L.linalg.qr(L.ones(3, 3), mode="x"), RuntimeError, "unrecognized mode"),
    (lambda L: L.linalg.qr(L.ones(3)), RuntimeError, "at least 2 dimensions"),
    (lambda L: L.linalg.eigh(L.eye(3), UPLO="X"), RuntimeError, "UPLO"),
    (lambda L: L.linalg.svd(L.ones(3)), RuntimeError, "at least 2 dimensions"),
    (lambda L: L.linalg.matrix_power(L.ones(3, 4), 2), RuntimeError, "square matrices"),
    (lambda L: L.linalg.matrix_power(L.eye(3), 2.0), TypeError, "must be int"),
    (lambda L: L.linalg.vector_norm(L.eye(3), ord="fro"), TypeError, "must be Number"),
    (lambda L: L.linalg.vector_norm(L.tensor([1, 2])), RuntimeError, "floating point"),
    (lambda L: L.linalg.vector_norm(L.zeros(0), ord=float("inf")), RuntimeError, "empty tensor"),
    (lambda L: L.linalg.matrix_norm(L.eye(3), ord=3), RuntimeError, "Order 3 not supported"),
    (lambda L: L.linalg.matrix_norm(L.ones(3)), RuntimeError, "at least 2 dimensions"),
    (lambda L: L.linalg.norm(L.ones(2, 3, 4), ord=2), RuntimeError, "must be 1D or 2D"),
    (lambda L: L.linalg.norm(L.ones(3), ord="nuc"), RuntimeError, "at least 2 dimensions"),
    (lambda L: L.norm(L.tensor([3, 4])), RuntimeError, "floating point"),
    (lambda L: L.cdist(L.ones(3, 4), L.ones(5, 3)), RuntimeError, "same number of columns"),
    (lambda L: L.cdist(L.ones(3, 4), L.ones(5, 4), p=-1), RuntimeError, "non-negative p"),
    (lambda L: L.cdist(L.ones(4), L.ones(5, 4)), RuntimeError, "at least 2D"),
    (lambda L: L.cross(L.ones(2, 3), L.ones(3), dim=1), RuntimeError, "same number of dimensions"),
    (lambda L: L.linalg.cross(L.ones(4, 4), L.ones(4, 4)), RuntimeError, "must have length 3"),
    (lambda L: L.tensordot(L.ones(2, 3), L.ones(4, 5), dims=1), RuntimeError, "contracted dimensions need to match"),
    (lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 5), dims=-1), RuntimeError, "dims >= 0"),
    (lambda L: L.trace(L.ones(2, 2, 2)), RuntimeError, "expected a matrix"),
    (lambda L: L.diag(L.ones(2, 2, 2)), RuntimeError, "Supports 1D or 2D"),
    (lambda L: L.diagonal(L.ones(3, 3), 0, 1, 1), RuntimeError, "cannot be identical"),
    (lambda L: L.mv(L.ones(3, 3), L.ones(4)), RuntimeError, "size mismatch"),
    (lambda L: L.mv(L.ones(2, 3, 3), L.ones(3)), RuntimeError, "vector \\+ matrix @ vector expected"),
    (lambda L: L.addmm(L.ones(2), L.ones(3, 3), L.ones(3, 4)), RuntimeError, ""),
    (lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64), RuntimeError, "same dtype"),
    (lambda L: L.mm(L.ones(2, 2), L.ones(2, 2, dtype=L.float64)), RuntimeError, "same dtype"),
    (lambda L: L.linalg.multi_dot([L.ones(2, 2)]), RuntimeError, "at least 2 tensors"),
    (lambda L: L.einsum("ij", L.ones(2, 3), L.ones(2)), RuntimeError, "more operands"),
    (lambda L: L.einsum("ij,jk", L.ones(2, 3)), RuntimeError, "fewer operands"),
    (lambda L: L.einsum("ij,jk", L.ones(2, 3, 1), L.ones(3, 4)), RuntimeError, "number of subscripts"),
    (lambda L: L.einsum("ij,jk", L.ones(2, 3), L.ones(4, 4)), RuntimeError, "does not broadcast"),
    (lambda L: L.einsum("ij->ik", L.ones(2, 3)), RuntimeError, "does not appear in the equation"),
    (lambda L: L.einsum("ij->ii", L.ones(2, 3)), RuntimeError, "appears more than once"),
    (lambda L: L.einsum("i1->i", L.ones(2, 3)), RuntimeError, "subscripts must be in \\[a-zA-Z\\]"),
    (lambda L: L.einsum("ii->i", L.ones(3, 4)), RuntimeError, "sizes don't match"),
    (lambda L: L.einsum("...i...->i", L.ones(2, 3)), RuntimeError, "ellipsis was already found"),
    (lambda L: L.einsum("ij,jk", L.ones(2, 3), L.ones(3, 4, dtype=L.float64)), RuntimeError, ""),
])
def test_errors_match_torch(call, exc, match):
    for lib in (torch, ag):
        expected = lib.linalg.LinAlgError if exc == "linalg" else exc
        with warnings.catch_warnings(), pytest.raises(expected, match=match):
            warnings.simplefilter("ignore")
            call(lib)


def test_backward_errors_of_non_differentiable_modes():
    for lib in (torch, ag):
        a = lib.ones(4, 3, dtype=lib.float64) + lib.eye(4, 3, dtype=lib.float64)
        a.requires_grad_()
        with pytest.raises(RuntimeError, match="mode='r'"):
            lib.linalg.qr(a, mode="r")[1].sum().backward()
        with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
            lib.linalg.qr(a, mode="complete")[0].sum().backward()


def test_deprecated_forms_warn_like_torch():
    from autograd_core.ops import decomposition
    decomposition._WARNED.clear()
    a = ag.eye(3) * 2.0
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
        ag.cholesky(a)
    with pytest.warns(UserWarning, match="torch.qr is deprecated"):
        ag.qr(a)
    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        ag.cross(ag.ones(3, 3), ag.ones(3, 3))
