"""In-place changes of saved tensors, as PyTorch: for every differentiable op of the op table (and the common
``nn.functional`` losses, activations and norms), ``a = x * 1`` (a float64 non-leaf) goes through the op, then
``a.add_(1)`` (or, separately, ``out.mul_(2)`` on the op's output) before ``backward``. PyTorch rejects this when
its node saved that tensor; the library must accept and reject the same cases, and where both accept, give the
same gradients (an op that silently read the changed values would differ there)."""
import numpy as np
import pytest

import autograd_core as ag
import nn.functional as NF
from op_table import OPS, inputs_for

torch = pytest.importorskip("torch")

MESSAGE = "modified by an inplace operation"

# Where the library is stricter than PyTorch (it saves a tensor that PyTorch's kernel replaces by a copy of its
# own); each would need a copy in our forward to match, which the forward's speed forbids. Never a wrong gradient.
STRICTER = {
    ("normal_cdf", "input", 0): "torch.special.ndtr is a composite saving a scaled copy of the input",
    ("einsum_batched_implicit", "input", 0): "torch's einsum multiplies contiguous copies of permuted operands",
    ("einsum_ellipsis_summed", "input", 0): "torch's einsum multiplies contiguous copies of permuted operands",
    ("einsum_diagonal_trace", "input", 0): "torch's einsum multiplies contiguous copies of permuted operands",
    ("tensordot_lists", "input", 0): "torch's tensordot multiplies reshaped copies of permuted operands",
    ("tensordot_lists", "input", 1): "torch's tensordot multiplies reshaped copies of permuted operands",
    ("kron", "input", 0): "torch's kron multiplies reshaped copies",
    ("kron", "input", 1): "torch's kron multiplies reshaped copies",
    ("einsum_ellipsis#1", "input", 1): "torch's einsum multiplies a contiguous copy of the broadcast operand",
    ("matmul_1d#3", "input", 1): "torch's broadcasting matmul multiplies contiguous copies of expanded operands",
    ("matmul_batched#2", "input", 1): "torch's broadcasting matmul multiplies contiguous copies of expanded operands",
    ("matmul_batched#3", "input", 0): "torch's broadcasting matmul multiplies contiguous copies of expanded operands",
    ("matmul_batched#3", "input", 1): "torch's broadcasting matmul multiplies contiguous copies of expanded operands",
    ("sdpa#2", "input", 2): "torch's math attention multiplies a contiguous copy of the broadcast v",
    **{(name, "input", i): "torch's math attention saves scaled copies of q and k (and of v with GQA's repeat)"
       for name, idx in (("sdpa", (0, 1)), ("sdpa_float_mask", (0, 1)), ("sdpa_bool_mask", (0, 1)),
                         ("sdpa_causal", (0, 1)), ("sdpa_scale", (0, 1)), ("sdpa_gqa", (0, 1, 2)))
       for i in idx},
}
# Where the library is more lenient than PyTorch (no wrong gradient either: our node does not read the tensor).
LENIENT = {
    ("chunk", "input", 0): "views of a several-output op (split, chunk, unbind): PyTorch forbids their in-place use",
    ("chunk", "output", 0): "views of a several-output op (split, chunk, unbind): PyTorch forbids their in-place use",
}


def _outcome(lib, fn, arrays, mode, idx):
    """``('skip', why)``, ``('inplace', msg)`` (the in-place op raised), ``('backward', msg)`` (backward raised) or
    ``('ok', grads)``."""
    make = lib.tensor
    try:
        xs = [make(a, requires_grad=True) for a in arrays]
        a = [x * 1 for x in xs]
        out = fn(lib, *a)
    except Exception as exc:      # an op one library lacks (or a case it cannot build)
        return "skip", repr(exc)
    if not out.requires_grad:
        return "skip", "no graph"
    try:
        if mode == "input":
            a[idx].add_(1)
        else:
            out.mul_(2)
    except RuntimeError as exc:
        return "inplace", str(exc)
    upstream = np.random.default_rng(1).standard_normal(tuple(out.shape))
    try:
        out.backward(make(upstream))
    except RuntimeError as exc:
        return "backward", str(exc)
    return "ok", [None if x.grad is None else np.array(x.grad.tolist(), dtype=np.float64) for x in xs]


def _compare(fn, arrays, mode, idx):
    ref = _outcome(torch, fn, arrays, mode, idx)
    if ref[0] == "skip":
        pytest.skip(f"torch cannot build the case: {ref[1]}")
    got = _outcome(ag, fn, arrays, mode, idx)
    assert got[0] == ref[0], f"torch: {ref[0]} ({str(ref[1])[:200]}); ours: {got[0]} ({str(got[1])[:200]})"
    if ref[0] == "backward" and MESSAGE in ref[1]:
        assert MESSAGE in got[1]
    if ref[0] == "ok":
        for g, r in zip(got[1], ref[1]):
            assert (g is None) == (r is None)
            if g is not None:
                np.testing.assert_allclose(g, r, rtol=1e-6, atol=1e-9)   # a changed value read: O(1) off


def _known(key):
    """The reason a case differs from PyTorch (keys name a row, or one case of it as ``row#i``), or None."""
    return STRICTER.get(key) or LENIENT.get(key)


def _cases(rows):
    out = []
    for row in rows:
        for ci, shapes in enumerate(row.shapes):
            n = len(inputs_for(row, shapes))
            for mode, idx in [("input", i) for i in range(n)] + [("output", 0)]:
                reason = _known((f"{row.name}#{ci}", mode, idx)) or _known((row.name, mode, idx))
                marks = pytest.mark.xfail(strict=True, reason=reason) if reason else ()
                name = f"{row.name}-{ci}-{mode}{idx if mode == 'input' else ''}"
                out.append(pytest.param(row, ci, mode, idx, marks=marks, id=name))
    return out


@pytest.mark.parametrize("row,ci,mode,idx", _cases([r for r in OPS if r.torch_ok]))
def test_op_table_inplace_like_torch(row, ci, mode, idx):
    _compare(row.fn, inputs_for(row, row.shapes[ci]), mode, idx)


# ------------------------------------------------------------------ nn.functional beyond the op table's rows
def _F(lib):
    return lib.nn.functional if lib is torch else NF


def _target(lib, a):
    return lib.tensor(np.linspace(-1.0, 1.0, a.numel()).reshape(tuple(a.shape)), dtype=a.dtype)


def _prob(lib, a):
    return lib.tensor(np.linspace(0.1, 0.9, a.numel()).reshape(tuple(a.shape)), dtype=a.dtype)


FUNCTIONAL = {
    "mse_loss": lambda lib, a: _F(lib).mse_loss(a, _target(lib, a)),
    "mse_loss_none": lambda lib, a: _F(lib).mse_loss(a, _target(lib, a), reduction="none"),
    "l1_loss": lambda lib, a: _F(lib).l1_loss(a, _target(lib, a)),
    "smooth_l1_loss": lambda lib, a: _F(lib).smooth_l1_loss(a, _target(lib, a), beta=0.5),
    "smooth_l1_loss_beta0": lambda lib, a: _F(lib).smooth_l1_loss(a, _target(lib, a), beta=0.0),
    "huber_loss": lambda lib, a: _F(lib).huber_loss(a, _target(lib, a), delta=0.7),
    "bce": lambda lib, a: _F(lib).binary_cross_entropy(lib.sigmoid(a), _prob(lib, a)),
    "bce_with_logits": lambda lib, a: _F(lib).binary_cross_entropy_with_logits(a, _prob(lib, a)),
    "kl_div": lambda lib, a: _F(lib).kl_div(_F(lib).log_softmax(a, dim=1), _prob(lib, a), reduction="batchmean"),
    "soft_margin": lambda lib, a: _F(lib).soft_margin_loss(a, lib.sign(_target(lib, a)) + 0.5),
    "cross_entropy": lambda lib, a: _F(lib).cross_entropy(a, lib.tensor([0, 2, 1])),
    "nll_loss": lambda lib, a: _F(lib).nll_loss(_F(lib).log_softmax(a, dim=1), lib.tensor([0, 2, 1])),
    "gaussian_nll": lambda lib, a: _F(lib).gaussian_nll_loss(a, _target(lib, a), _prob(lib, a)),
    "poisson_nll": lambda lib, a: _F(lib).poisson_nll_loss(a, _prob(lib, a)),
    "cosine_embedding": lambda lib, a: _F(lib).cosine_embedding_loss(a, _target(lib, a), lib.tensor([1, -1, 1])),
    "relu": lambda lib, a: _F(lib).relu(a),
    "leaky_relu": lambda lib, a: _F(lib).leaky_relu(a, 0.1),
    "elu": lambda lib, a: _F(lib).elu(a),
    "selu": lambda lib, a: _F(lib).selu(a),
    "celu": lambda lib, a: _F(lib).celu(a, 0.7),
    "gelu": lambda lib, a: _F(lib).gelu(a),
    "gelu_tanh": lambda lib, a: _F(lib).gelu(a, approximate="tanh"),
    "silu": lambda lib, a: _F(lib).silu(a),
    "mish": lambda lib, a: _F(lib).mish(a),
    "softplus": lambda lib, a: _F(lib).softplus(a),
    "hardtanh": lambda lib, a: _F(lib).hardtanh(a),
    "relu6": lambda lib, a: _F(lib).relu6(a),
    "hardsigmoid": lambda lib, a: _F(lib).hardsigmoid(a),
    "hardswish": lambda lib, a: _F(lib).hardswish(a),
    "logsigmoid": lambda lib, a: _F(lib).logsigmoid(a),
    "softsign": lambda lib, a: _F(lib).softsign(a),
    "tanhshrink": lambda lib, a: _F(lib).tanhshrink(a),
    "threshold": lambda lib, a: _F(lib).threshold(a, 0.1, -2.0),
    "hardshrink": lambda lib, a: _F(lib).hardshrink(a),
    "softshrink": lambda lib, a: _F(lib).softshrink(a),
    "glu": lambda lib, a: _F(lib).glu(a, dim=1),
    "softmax": lambda lib, a: _F(lib).softmax(a, dim=1),
    "softmin": lambda lib, a: _F(lib).softmin(a, dim=1),
    "log_softmax": lambda lib, a: _F(lib).log_softmax(a, dim=1),
    "normalize": lambda lib, a: _F(lib).normalize(a, dim=1),
    "cosine_similarity": lambda lib, a: _F(lib).cosine_similarity(a, _target(lib, a)),
    "layer_norm": lambda lib, a: _F(lib).layer_norm(a, (4,)),
    "rms_norm": lambda lib, a: _F(lib).rms_norm(a, (4,)),
    "batch_norm": lambda lib, a: _F(lib).batch_norm(a, None, None, training=True),
    "group_norm": lambda lib, a: _F(lib).group_norm(a.reshape(3, 4, 1), 2),
    "instance_norm": lambda lib, a: _F(lib).instance_norm(a.reshape(1, 3, 4)),
    "local_response_norm": lambda lib, a: _F(lib).local_response_norm(a.reshape(1, 3, 4), 2),
    "dropout_eval": lambda lib, a: _F(lib).dropout(a, 0.5, training=False),
    "linear": lambda lib, a: _F(lib).linear(a, _target(lib, a)),
    "linear_weight": lambda lib, a: _F(lib).linear(_target(lib, a), a, a[:, 0] * 0 + 1),
    "conv1d": lambda lib, a: _F(lib).conv1d(a.reshape(1, 3, 4), _target(lib, a)[:, :2].reshape(2, 3, 1)),
    "conv1d_weight": lambda lib, a: _F(lib).conv1d(_target(lib, a).reshape(1, 3, 4), a.reshape(2, 3, 2)),
    "conv1d_bias": lambda lib, a: _F(lib).conv1d(_target(lib, a).reshape(1, 3, 4), _prob(lib, a).reshape(2, 3, 2),
                                                a[0, :2]),
    "conv2d": lambda lib, a: _F(lib).conv2d(a.reshape(1, 1, 3, 4), _target(lib, a)[:1, :2].reshape(1, 1, 1, 2)),
    "embedding_weight": lambda lib, a: _F(lib).embedding(lib.tensor([0, 2, 2]), a),
    "prelu": lambda lib, a: _F(lib).prelu(a, lib.tensor([0.1, 0.2, 0.3, 0.4], dtype=a.dtype)),
    "margin_ranking": lambda lib, a: _F(lib).margin_ranking_loss(a, _target(lib, a), lib.sign(_target(lib, a))),
    "hinge_embedding": lambda lib, a: _F(lib).hinge_embedding_loss(a, lib.sign(_target(lib, a))),
    "multi_margin": lambda lib, a: _F(lib).multi_margin_loss(a, lib.tensor([0, 2, 1])),
    "multilabel_soft_margin": lambda lib, a: _F(lib).multilabel_soft_margin_loss(a, (_prob(lib, a) > 0.5) * 1.0),
    "triplet_margin": lambda lib, a: _F(lib).triplet_margin_loss(a, _target(lib, a), _prob(lib, a)),
    "bce_weighted": lambda lib, a: _F(lib).binary_cross_entropy(lib.sigmoid(a), _prob(lib, a), weight=_prob(lib, a)),
    "interpolate_bilinear": lambda lib, a: _F(lib).interpolate(a.reshape(1, 1, 3, 4), scale_factor=2,
                                                               mode="bilinear", align_corners=False),
    "interpolate_nearest": lambda lib, a: _F(lib).interpolate(a.reshape(1, 1, 3, 4), scale_factor=2),
    "unfold": lambda lib, a: _F(lib).unfold(a.reshape(1, 1, 3, 4), 2),
    "pixel_shuffle": lambda lib, a: _F(lib).pixel_shuffle(a.reshape(1, 4, 3, 1), 2),
    "max_pool1d": lambda lib, a: _F(lib).max_pool1d(a.reshape(1, 3, 4), 2),
    "avg_pool1d": lambda lib, a: _F(lib).avg_pool1d(a.reshape(1, 3, 4), 2),
    "adaptive_avg_pool2d_1": lambda lib, a: _F(lib).adaptive_avg_pool2d(a.reshape(1, 1, 3, 4), 1),
    "lp_pool1d": lambda lib, a: _F(lib).lp_pool1d(a.reshape(1, 3, 4).abs() + 0.5, 2.0, 2),
}
FUNCTIONAL_LENIENT = {}


def _functional_cases():
    out = []
    for name in FUNCTIONAL:
        for mode in ("input", "output"):
            marks = ()
            if (name, mode) in FUNCTIONAL_LENIENT:
                marks = pytest.mark.xfail(strict=True, reason=FUNCTIONAL_LENIENT[(name, mode)])
            out.append(pytest.param(name, mode, marks=marks, id=f"{name}-{mode}"))
    return out


@pytest.mark.parametrize("name,mode", _functional_cases())
def test_functional_inplace_like_torch(name, mode):
    x = np.random.default_rng(0).standard_normal((3, 4))
    _compare(FUNCTIONAL[name], [x], mode, 0)


# ------------------------------------------------------------------ the examples and the pieces of the fix
def test_var_and_mse_loss_reject_a_changed_input():
    for f in (lambda a: a.var(), lambda a: NF.mse_loss(a, ag.zeros(3, 4, dtype=ag.float64))):
        x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
        a = x * 1
        y = f(a)
        a.add_(1)
        with pytest.raises(RuntimeError, match=MESSAGE):
            y.backward()


def test_guarded_composites_print_pytorch_node_names():
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    tx = torch.tensor(x.numpy(), requires_grad=True)
    cases = [lambda lib, a: a.var(), lambda lib, a: a.std(), lambda lib, a: lib.logsumexp(a, 1),
             lambda lib, a: _F(lib).mse_loss(a, a * 0), lambda lib, a: _F(lib).layer_norm(a, (4,)),
             lambda lib, a: lib.dist(a, a * 2), lambda lib, a: lib.lerp(a, a * 2, a * 0 + 0.3),
             lambda lib, a: _F(lib).huber_loss(a, a * 0)]
    for f in cases:
        assert f(ag, x).grad_fn.name() == f(torch, tx).grad_fn.name()


def test_guard_adds_no_node_without_a_graph():
    x = ag.randn(3, 4)
    assert x.var().grad_fn is None
    with ag.no_grad():
        assert ag.randn(3, 4, requires_grad=True).var().grad_fn is None


def test_guarded_output_change_is_seen_by_the_inner_node():
    # std's sqrt saved its output: changing the returned tensor in place must reach that check (shared version)
    x = ag.randn(5, dtype=ag.float64, requires_grad=True)
    y = x.std()
    y.mul_(2)
    with pytest.raises(RuntimeError, match=MESSAGE):
        y.backward()


def test_reflected_division_reads_the_reciprocal():
    # ``2 / t`` is ``t.reciprocal() * 2`` in PyTorch: changing t afterwards is allowed, the gradient is unchanged
    x = ag.tensor([1.0, 2.0, 4.0], dtype=ag.float64, requires_grad=True)
    a = x * 1
    y = 2.0 / a
    a.add_(1)
    y.sum().backward()
    tx = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64, requires_grad=True)
    (2.0 / (tx * 1)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    assert (2 / ag.tensor([1, 2])).dtype == ag.float32       # an integer tensor gives floats, as PyTorch


def test_advanced_index_result_has_its_own_version():
    # numpy may return an index along a later dim as a view of its scratch buffer: not a view of the input
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    a = x * 1
    z = (a * a).sum()
    y = a[:, [0, 2]]
    y.add_(1)
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())


def test_repeat_of_one_element_is_writable():
    t = ag.tensor(1.5).repeat(3)
    t.mul_(2)
    np.testing.assert_array_equal(t.numpy(), [3.0, 3.0, 3.0])


def test_log1p_expm1_are_accurate_for_small_inputs():
    x = ag.tensor([1e-12, -1e-10, 0.5], dtype=ag.float64, requires_grad=True)
    tx = torch.tensor(x.numpy(), requires_grad=True)
    np.testing.assert_allclose(ag.log1p(x).detach().numpy(), torch.log1p(tx).detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(ag.expm1(x).detach().numpy(), torch.expm1(tx).detach().numpy(), rtol=1e-15)


def test_create_graph_backward_refuses_changed_logits_and_mask():
    # cross_entropy and attention read log p / the weights in a plain backward (the change is allowed, as in
    # PyTorch), but a create_graph backward recomputes from the logits / the float mask: there it is an error
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    a = x * 1
    loss = NF.cross_entropy(a, ag.tensor([0, 2, 1]))
    a.add_(1)
    with pytest.raises(RuntimeError, match=MESSAGE):
        loss.backward(create_graph=True)
    q, k, v = (ag.randn(2, 3, 4, dtype=ag.float64, requires_grad=True) for _ in range(3))
    m = ag.randn(3, 3, dtype=ag.float64, requires_grad=True) * 1
    out = NF.scaled_dot_product_attention(q, k, v, attn_mask=m)
    m.add_(1)
    out.sum().backward(retain_graph=True)          # allowed, as PyTorch
    with pytest.raises(RuntimeError, match=MESSAGE):
        out.sum().backward(create_graph=True)
