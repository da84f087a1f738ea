"""Scaled dot-product attention and nn.MultiheadAttention against PyTorch 2.13 (outputs, attention weights, the
gradients of inputs, masks and parameters, after loading PyTorch's state_dict), gradchecks in float64, the two
backward paths of the fused node, dropout, and the error cases."""
import itertools
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from attention_parity import as_pair, compare_modules, load_from_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _qkv(rng, q=(2, 3, 4, 8), k=(2, 3, 5, 8), v=(2, 3, 5, 6), dtype=np.float64):
    return [rng.standard_normal(s).astype(dtype) for s in (q, k, v)]


def _sdpa_both(arrays, mask=None, grad_mask=False, atol=1e-10, **kw):
    """Run both libraries' sdpa; compare the output and the gradients of q, k, v (and a float mask)."""
    pairs = [as_pair(torch, a, requires_grad=True) for a in arrays]
    om = tm = None
    if mask is not None:
        om, tm = as_pair(torch, mask, requires_grad=grad_mask)
    out = F.scaled_dot_product_attention(*[p[0] for p in pairs], attn_mask=om, **kw)
    ref = TF.scaled_dot_product_attention(*[p[1] for p in pairs], attn_mask=tm, **kw)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), atol=atol, rtol=atol)
    g = np.random.default_rng(5).standard_normal(out.shape).astype(arrays[0].dtype)
    out.backward(ag.tensor(g))
    ref.backward(torch.tensor(g))
    for o, t in pairs + ([(om, tm)] if grad_mask else []):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), atol=atol, rtol=atol)
    return out, pairs


# ---------------------------------------------------------------------------------------------- the fused op
@pytest.mark.parametrize("dtype,atol", [(np.float64, 1e-10), (np.float32, 2e-5)])
def test_sdpa_matches_torch_plain_and_scaled(rng, dtype, atol):
    arrays = _qkv(rng, dtype=dtype)
    _sdpa_both(arrays, atol=atol)
    _sdpa_both(arrays, atol=atol, scale=0.17)


@pytest.mark.parametrize("mask_shape", [(4, 5), (3, 4, 5), (2, 1, 4, 5), (2, 3, 4, 5), (1, 5)])
def test_sdpa_float_mask_is_added_and_differentiable(rng, mask_shape):
    mask = rng.standard_normal(mask_shape)
    _sdpa_both(_qkv(rng), mask=mask, grad_mask=True)


@pytest.mark.parametrize("mask_shape", [(4, 5), (2, 1, 4, 5), (3, 1, 5)])
def test_sdpa_bool_mask_true_takes_part(rng, mask_shape):
    mask = rng.random(mask_shape) > 0.4
    _sdpa_both(_qkv(rng), mask=mask)


@pytest.mark.parametrize("L,S", [(4, 4), (3, 6), (6, 3)])
def test_sdpa_is_causal_upper_left_aligned(rng, L, S):
    _sdpa_both(_qkv(rng, q=(2, 2, L, 8), k=(2, 2, S, 8), v=(2, 2, S, 3)), is_causal=True)


def test_sdpa_fully_masked_rows_give_zero_output_and_gradients_as_torch(rng):
    bool_mask = rng.random((4, 5)) > 0.3
    bool_mask[1] = False
    out, pairs = _sdpa_both(_qkv(rng), mask=bool_mask)
    assert np.all(out.numpy()[:, :, 1] == 0)
    assert np.all(pairs[0][0].grad.numpy()[:, :, 1] == 0)
    float_mask = rng.standard_normal((4, 5))
    float_mask[2] = -np.inf
    out, _ = _sdpa_both(_qkv(rng), mask=float_mask, grad_mask=True)
    assert np.isfinite(out.numpy()).all() and np.all(out.numpy()[:, :, 2] == 0)
    # no keys at all (S = 0): the output is 0, as in PyTorch
    q, k, v = _qkv(rng, k=(2, 3, 0, 8), v=(2, 3, 0, 6))
    out = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(k), ag.tensor(v))
    ref = TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v))
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_sdpa_unbatched_broadcast_gqa_and_5d(rng):
    _sdpa_both(_qkv(rng, q=(4, 8), k=(5, 8), v=(5, 3)))
    _sdpa_both(_qkv(rng, q=(2, 3, 4, 8), k=(1, 3, 5, 8), v=(1, 3, 5, 6)))
    _sdpa_both(_qkv(rng, q=(1, 3, 4, 8), k=(1, 3, 5, 8), v=(2, 3, 5, 6)))      # value's batch is the larger
    _sdpa_both(_qkv(rng, q=(2, 6, 4, 8), k=(2, 2, 5, 8), v=(2, 2, 5, 6)), enable_gqa=True)
    _sdpa_both(_qkv(rng, q=(2, 2, 2, 4, 8), k=(2, 2, 2, 5, 8), v=(2, 2, 2, 5, 6)), is_causal=True)


def test_sdpa_is_one_node():
    q = ag.randn(2, 4, 3, requires_grad=True)
    out = F.scaled_dot_product_attention(q, q, q)
    assert out.grad_fn.name() == "ScaledDotProductAttentionBackward0"
    assert [f is not None for f, _ in out.grad_fn.next_functions] == [True, True, True]


@pytest.mark.parametrize("kind", ["plain", "float_mask", "bool_mask", "causal"])
def test_sdpa_both_backward_paths_agree_and_second_order(rng, kind):
    """create_graph=False runs numpy products on the saved weights, create_graph=True Tensor ops on a
    re-computation: both give the same gradients, and the second gives exact second derivatives."""
    q, k, v = [ag.tensor(a, requires_grad=True) for a in _qkv(rng, q=(2, 3, 3), k=(2, 4, 3), v=(2, 4, 2))]
    m = rng.standard_normal((3, 4))
    m[1] = -np.inf
    kw = {"plain": {}, "float_mask": {"attn_mask": ag.tensor(m, requires_grad=True)},
          "bool_mask": {"attn_mask": ag.tensor(np.isfinite(m))}, "causal": {"is_causal": True}}[kind]
    inputs = [q, k, v] + ([kw["attn_mask"]] if kind == "float_mask" else [])

    def fn(*t):
        extra = {"attn_mask": t[3]} if kind == "float_mask" else {kk: vv for kk, vv in kw.items()}
        return F.scaled_dot_product_attention(t[0], t[1], t[2], **extra)

    g = ag.tensor(rng.standard_normal((2, 3, 2)))
    fast = ag.grad(fn(*inputs), inputs, g)
    graph = ag.grad(fn(*inputs), inputs, g, create_graph=True)
    assert all(t.requires_grad for t in graph)
    for a, b in zip(fast, graph):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12, rtol=1e-12)
    assert ag.gradcheck(fn, inputs)
    assert ag.gradgradcheck(fn, inputs)


def test_sdpa_second_derivative_matches_torch(rng):
    arrays = _qkv(rng, q=(2, 3, 4), k=(2, 5, 4), v=(2, 5, 3))
    mask = rng.standard_normal((3, 5))
    results = []
    for lib, sdpa in ((ag, F.scaled_dot_product_attention), (torch, TF.scaled_dot_product_attention)):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = sdpa(*ts, attn_mask=lib.tensor(mask))
        grads = (ag.grad if lib is ag else torch.autograd.grad)((out * out).sum(), ts, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        second = (ag.grad if lib is ag else torch.autograd.grad)(total, ts)
        results.append([s.detach().numpy() for s in second])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, atol=1e-9, rtol=1e-9)


# ---------------------------------------------------------------------------------------------- dropout
def test_sdpa_dropout_is_the_composition_with_the_same_generator_draw(rng):
    q, k, v = [ag.tensor(a, requires_grad=True) for a in _qkv(rng)]
    ag.manual_seed(11)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)
    ag.manual_seed(11)
    weights = F.softmax(q @ k.transpose(-2, -1) * (1 / np.sqrt(8)), dim=-1)
    ref = F.dropout(weights, 0.3) @ v
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-12)
    g = ag.tensor(rng.standard_normal(out.shape))
    a = ag.grad(out, [q, k, v], g)
    b = ag.grad(ref, [q, k, v], g)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.numpy(), y.numpy(), atol=1e-12)
    assert not np.allclose(out.numpy(), F.scaled_dot_product_attention(q, k, v).numpy())


def test_sdpa_dropout_gradchecks_with_a_fixed_draw(rng):
    q, k, v = [ag.tensor(a, requires_grad=True) for a in _qkv(rng, q=(2, 3, 3), k=(2, 4, 3), v=(2, 4, 2))]

    def fn(*t):
        ag.manual_seed(4)                          # the same dropout mask at every evaluation
        return F.scaled_dot_product_attention(*t, dropout_p=0.4)

    assert ag.gradcheck(fn, [q, k, v])
    assert ag.gradgradcheck(fn, [q, k, v])


def test_sdpa_dropout_edge_probabilities(rng):
    q, k, v = [ag.tensor(a) for a in _qkv(rng)]
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy(), 0)
    # PyTorch ignores a negative probability
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=-0.5).numpy(),
                                  F.scaled_dot_product_attention(q, k, v).numpy())


# ---------------------------------------------------------------------------------------------- errors
def test_sdpa_errors_name_the_problem(rng):
    q, k, v = [ag.tensor(a) for a in _qkv(rng)]
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q.float(), k, v)
    with pytest.raises(RuntimeError, match="attn_mask dtype"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ag.zeros(4, 5, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="attn_mask dtype"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ag.zeros(4, 5, dtype=ag.float32))
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(4, 6\)"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ag.zeros(4, 6, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="does not broadcast"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ag.zeros(1, 2, 3, 4, 5, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ag.zeros(4, 5, dtype=ag.float64), is_causal=True)
    with pytest.raises(RuntimeError, match="embedding size"):
        F.scaled_dot_product_attention(q, ag.randn(2, 3, 5, 7).double(), v)
    with pytest.raises(RuntimeError, match="sequence length"):
        F.scaled_dot_product_attention(q, k, ag.randn(2, 3, 6, 6).double())
    with pytest.raises(RuntimeError, match="at least 2"):
        F.scaled_dot_product_attention(ag.randn(8), ag.randn(8), ag.randn(8))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    with pytest.raises(RuntimeError, match="divide"):
        F.scaled_dot_product_attention(ag.randn(2, 6, 4, 8), ag.randn(2, 4, 5, 8), ag.randn(2, 4, 5, 8),
                                       enable_gqa=True)
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(ag.randn(2, 6, 4, 8), ag.randn(2, 2, 5, 8), ag.randn(2, 2, 5, 8))
    with pytest.raises(TypeError):
        F.scaled_dot_product_attention(q, k, v, None, 0.0, False, 0.5)      # scale is keyword-only


# ---------------------------------------------------------------------------------------------- MultiheadAttention
def _mha_pair(dtype=np.float64, **kw):
    theirs = torch.nn.MultiheadAttention(**kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = nn.MultiheadAttention(**kw).to(dtype)
    return load_from_torch(ours, theirs), theirs


CONFIGS = [
    dict(embed_dim=8, num_heads=2),
    dict(embed_dim=8, num_heads=2, batch_first=True),
    dict(embed_dim=8, num_heads=1, bias=False),
    dict(embed_dim=8, num_heads=4, add_bias_kv=True),
    dict(embed_dim=8, num_heads=2, add_zero_attn=True, batch_first=True),
    dict(embed_dim=8, num_heads=2, kdim=5, vdim=3),
    dict(embed_dim=8, num_heads=2, kdim=5, vdim=3, add_bias_kv=True, add_zero_attn=True, batch_first=True),
]


def _mha_inputs(rng, cfg, N=3, L=4, S=5, batched=True, self_attention=False):
    E, kd, vd = cfg["embed_dim"], cfg.get("kdim") or cfg["embed_dim"], cfg.get("vdim") or cfg["embed_dim"]
    if self_attention:
        S = L
    shape = (lambda n, d: (N, n, d) if cfg.get("batch_first") else (n, N, d)) if batched else (lambda n, d: (n, d))
    q = rng.standard_normal(shape(L, E))
    if self_attention:
        return [q]
    return [q, rng.standard_normal(shape(S, kd)), rng.standard_normal(shape(S, vd))]


def _masks(rng, cfg, kind, N=3, L=4, S=5, float_masks=False):
    H = cfg["num_heads"]
    kpm = rng.random((N, S)) > 0.6
    kpm[:, 0] = False                                    # every query keeps a key: no NaN rows here
    am2 = rng.random((L, S)) > 0.7
    am2[:, 0] = False
    am3 = rng.random((N * H, L, S)) > 0.7
    am3[:, :, 0] = False
    if float_masks:
        kpm, am2, am3 = (np.where(m, -np.inf, 0.0) + 0.3 * rng.standard_normal(m.shape) for m in (kpm, am2, am3))
    return {"none": {}, "kpm": {"key_padding_mask": kpm}, "attn2d": {"attn_mask": am2}, "attn3d": {"attn_mask": am3},
            "both": {"key_padding_mask": kpm, "attn_mask": am2}}[kind]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_matches_torch_configs(rng, cfg, need_weights, average):
    ours, theirs = _mha_pair(**cfg)
    compare_modules(torch, ours, theirs, _mha_inputs(rng, cfg),
                    dict(need_weights=need_weights, average_attn_weights=average))


@pytest.mark.parametrize("kind,float_masks", list(itertools.product(["kpm", "attn2d", "attn3d", "both"],
                                                                    [False, True])))
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_masks_match_torch(rng, kind, float_masks, need_weights, batch_first):
    cfg = dict(embed_dim=8, num_heads=2, batch_first=batch_first)
    ours, theirs = _mha_pair(**cfg)
    compare_modules(torch, ours, theirs, _mha_inputs(rng, cfg),
                    dict(_masks(rng, cfg, kind, float_masks=float_masks), need_weights=need_weights))


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_is_causal_self_attention(rng, need_weights):
    cfg = dict(embed_dim=8, num_heads=2, batch_first=True)
    ours, theirs = _mha_pair(**cfg)
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    compare_modules(torch, ours, theirs, _mha_inputs(rng, cfg, self_attention=True),
                    dict(attn_mask=causal, is_causal=True, need_weights=need_weights), same_input=True)
    kpm = np.zeros((3, 4), bool)
    kpm[1, 3] = True
    compare_modules(torch, ours, theirs, _mha_inputs(rng, cfg, self_attention=True),
                    dict(attn_mask=causal, is_causal=True, key_padding_mask=kpm, need_weights=need_weights),
                    same_input=True)


@pytest.mark.parametrize("cfg", [CONFIGS[0], CONFIGS[1], CONFIGS[6]], ids=["seq", "batch_first", "kdim"])
def test_mha_unbatched(rng, cfg):
    ours, theirs = _mha_pair(**cfg)
    kpm = np.array([False, True, False, True, False])
    compare_modules(torch, ours, theirs, _mha_inputs(rng, cfg, batched=False), dict(key_padding_mask=kpm))
    am3 = rng.random((cfg["num_heads"], 4, 5)) > 0.6
    am3[:, :, 0] = False
    compare_modules(torch, ours, theirs, _mha_inputs(rng, cfg, batched=False),
                    dict(attn_mask=am3, need_weights=True, average_attn_weights=False))


@pytest.mark.parametrize("dtype,atol", [(np.float32, 3e-5), (np.float64, 1e-10)])
@pytest.mark.parametrize("training", [True, False])
def test_mha_float32_float64_train_and_eval(rng, dtype, atol, training):
    cfg = dict(embed_dim=8, num_heads=2, batch_first=True)
    ours, theirs = _mha_pair(dtype, **cfg)
    ours.train(training)
    theirs.train(training)
    inputs = [a.astype(dtype) for a in _mha_inputs(rng, cfg, self_attention=True)]
    masks = {k: (v.astype(dtype) if v.dtype != bool else v) for k, v in _masks(rng, cfg, "both", S=4).items()}
    compare_modules(torch, ours, theirs, inputs, dict(masks, need_weights=False), atol=atol, same_input=True)
    compare_modules(torch, ours, theirs, inputs, masks, atol=atol, same_input=True, grad=False)


def test_mha_fully_masked_queries_as_torch(rng):
    """need_weights=True: NaN (plain softmax); need_weights=False: 0 (fused attention), except in PyTorch's
    inference fast path (eval, no grad, batch_first, self-attention, boolean masks), which gives NaN."""
    for batch_first in (False, True):
        cfg = dict(embed_dim=8, num_heads=2, batch_first=batch_first)
        ours, theirs = _mha_pair(**cfg)
        x = _mha_inputs(rng, cfg, self_attention=True)
        kpm = np.zeros((3, 4), bool)
        kpm[1] = True
        for training, need_weights, grad in itertools.product((True, False), (True, False), (True, False)):
            ours.train(training)
            theirs.train(training)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compare_modules(torch, ours, theirs, x, dict(key_padding_mask=kpm, need_weights=need_weights),
                                same_input=True, grad=False)
        float_kpm = np.where(kpm, -np.inf, 0.0)          # float masks never take the fast path
        ours.eval()
        theirs.eval()
        compare_modules(torch, ours, theirs, x, dict(key_padding_mask=float_kpm, need_weights=False),
                        same_input=True, grad=False)


def test_mha_dropout_in_training_only(rng):
    mha = nn.MultiheadAttention(8, 2, dropout=0.5).double()
    x = ag.tensor(rng.standard_normal((4, 3, 8)))
    ag.manual_seed(1)
    a, wa = mha(x, x, x)
    ag.manual_seed(1)
    b, wb = mha(x, x, x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    c, _ = mha(x, x, x)
    assert not np.allclose(a.numpy(), c.numpy())
    # the weights returned are the dropped-out ones (as PyTorch): some zeros, rows no longer summing to 1
    per_head = mha(x, x, x, average_attn_weights=False)[1].numpy()
    assert (per_head == 0).any()
    mha.eval()
    np.testing.assert_array_equal(mha(x, x, x)[0].numpy(), mha(x, x, x)[0].numpy())
    np.testing.assert_allclose(mha(x, x, x)[1].numpy().sum(-1), 1.0)


def test_mha_gradcheck_through_the_module(rng):
    for cfg in (dict(embed_dim=4, num_heads=2), dict(embed_dim=4, num_heads=2, kdim=3, vdim=2, add_bias_kv=True,
                                                     add_zero_attn=True, batch_first=True)):
        mha = nn.MultiheadAttention(**cfg).double()
        q, k, v = [ag.tensor(a, requires_grad=True) for a in _mha_inputs(rng, cfg, N=2, L=3, S=3)]
        kpm = ag.tensor(np.array([[False, False, True], [False, True, False]]))
        for need_weights in (True, False):
            params = [p for p in mha.parameters()]

            def fn(q, k, v, *ps, nw=need_weights):
                return mha(q, k, v, key_padding_mask=kpm, need_weights=nw)[0]

            assert ag.gradcheck(fn, [q, k, v] + params)


def test_mha_state_dict_keys_and_parameter_order_are_torch_s():
    for cfg in CONFIGS:
        ours, theirs = _mha_pair(**cfg)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
        for k, v in ours.state_dict().items():
            assert v.shape == tuple(theirs.state_dict()[k].shape)
    assert repr(nn.MultiheadAttention(8, 2)) == repr(torch.nn.MultiheadAttention(8, 2))


def test_mha_default_init_as_torch():
    m = nn.MultiheadAttention(64, 4, add_bias_kv=True)
    assert np.all(m.in_proj_bias.numpy() == 0) and np.all(m.out_proj.bias.numpy() == 0)
    bound = np.sqrt(6 / (64 + 192))                     # xavier_uniform_ of (3E, E)
    w = m.in_proj_weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert m.bias_k.shape == (1, 1, 64) and np.std(m.bias_k.numpy()) > 0
    assert m.in_proj_weight.dtype == np.float32


def test_merge_masks_as_torch(rng):
    ours, theirs = _mha_pair(embed_dim=8, num_heads=2, batch_first=True)
    x = rng.standard_normal((3, 4, 8))
    am = rng.standard_normal((4, 4))
    kpm = rng.standard_normal((3, 4))
    for a, k in ((None, None), (None, kpm), (am, None), (am, kpm), (rng.standard_normal((6, 4, 4)), kpm)):
        mine = ours.merge_masks(None if a is None else ag.tensor(a), None if k is None else ag.tensor(k), ag.tensor(x))
        ref = theirs.merge_masks(None if a is None else torch.tensor(a), None if k is None else torch.tensor(k),
                                 torch.tensor(x))
        assert mine[1] == ref[1]
        if ref[0] is None:
            assert mine[0] is None
        else:
            np.testing.assert_allclose(mine[0].numpy(), ref[0].numpy())


def test_functional_multi_head_attention_forward_matches_torch(rng):
    E, H, L, S, N = 8, 2, 4, 5, 3
    names = ["in_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj_weight", "out_proj_bias"]
    shapes = [(3 * E, E), (3 * E,), (1, 1, E), (1, 1, E), (E, E), (E,)]
    arrays = {n: rng.standard_normal(s) for n, s in zip(names, shapes)}
    q, k, v = (rng.standard_normal(s) for s in ((L, N, E), (S, N, E), (S, N, E)))
    static_k = rng.standard_normal((N * H, S, E // H))
    for extra in ({}, {"static_k": static_k, "static_v": static_k * 0.5, "bias_k": None, "bias_v": None}):
        res = []
        for lib, fwd in ((ag, F.multi_head_attention_forward), (torch, TF.multi_head_attention_forward)):
            t = {n: lib.tensor(a) for n, a in arrays.items()}
            t.update({n: (None if a is None else lib.tensor(a)) for n, a in extra.items()})
            out, w = fwd(lib.tensor(q), lib.tensor(k), lib.tensor(v), E, H, t["in_proj_weight"], t["in_proj_bias"],
                         t["bias_k"], t["bias_v"], False, 0.0, t["out_proj_weight"], t["out_proj_bias"],
                         static_k=t.get("static_k"), static_v=t.get("static_v"))
            res.append((out.numpy(), w.numpy()))
        np.testing.assert_allclose(res[0][0], res[1][0], atol=1e-10)
        np.testing.assert_allclose(res[0][1], res[1][1], atol=1e-10)


def test_mha_errors():
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="greater than 0"):
        nn.MultiheadAttention(0, 2)
    mha = nn.MultiheadAttention(8, 2)
    x = ag.randn(4, 3, 8)
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        mha(x, x, x, attn_mask=ag.zeros(4, 5))
    with pytest.raises(RuntimeError, match="3D attn_mask"):
        mha(x, x, x, attn_mask=ag.zeros(3, 4, 4))
    with pytest.raises(AssertionError, match="key_padded_mask"):
        mha(x, x, x, key_padding_mask=ag.zeros(3, 5, dtype=ag.bool))
    with pytest.raises(AssertionError, match="2-D"):
        mha(x, x, x, key_padding_mask=ag.zeros(3, 4, 1, dtype=ag.bool))
    with pytest.raises(AssertionError, match="bool and floating"):
        mha(x, x, x, attn_mask=ag.zeros(4, 4, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="3-D"):
        mha(x, ag.randn(4, 8), ag.randn(4, 8))
    with pytest.raises(AssertionError, match="unbatched 2D or batched 3D"):
        mha(ag.randn(1, 4, 3, 8), x, x)
    with pytest.raises(AssertionError, match="embedding dimension of 8"):
        mha(ag.randn(4, 3, 6), x, x)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        mha(x, x, x, key_padding_mask=ag.zeros(3, 4, dtype=ag.bool), attn_mask=ag.zeros(4, 4))
