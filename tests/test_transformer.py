"""The Transformer layers against PyTorch 2.13 after loading its state_dict (outputs and every gradient; train
with dropout 0 and eval; float32/float64; batch_first both ways; pre- and post-norm; relu/gelu/callable; masks),
PyTorch's inference conventions (NaN for queries that see no key, nested-tensor zeros), gradchecks through the
layers in float64, dropout in training, and the error cases."""
import itertools
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from attention_parity import compare_modules, load_from_torch

torch = pytest.importorskip("torch")

E, H, FF = 8, 2, 16


def _causal(n):
    return np.triu(np.full((n, n), -np.inf), 1)


def _seq(rng, batch_first, N, L, d=E, dtype=np.float64):
    return rng.standard_normal((N, L, d) if batch_first else (L, N, d)).astype(dtype)


def _pair(ours_cls, torch_cls, dtype=np.float64, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # enable_nested_tensor warnings, the same in both libraries
        theirs = torch_cls(**kw).to(torch.float64 if dtype == np.float64 else torch.float32)
        ours = ours_cls(**kw).to(dtype)
    return load_from_torch(ours, theirs), theirs


def _layer_pair(kind="encoder", dtype=np.float64, **kw):
    kw = dict(dict(d_model=E, nhead=H, dim_feedforward=FF, dropout=0.0), **kw)
    if kind == "encoder":
        return _pair(nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, dtype, **kw)
    return _pair(nn.TransformerDecoderLayer, torch.nn.TransformerDecoderLayer, dtype, **kw)


GRID = list(itertools.product([False, True], [False, True], ["relu", "gelu"]))


@pytest.mark.parametrize("batch_first,norm_first,activation", GRID)
def test_encoder_layer_matches_torch(rng, batch_first, norm_first, activation):
    ours, theirs = _layer_pair(batch_first=batch_first, norm_first=norm_first, activation=activation)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    x = _seq(rng, batch_first, 3, 5)
    compare_modules(torch, ours, theirs, [x])
    compare_modules(torch, ours, theirs, [x], dict(src_mask=_causal(5), src_key_padding_mask=kpm))
    compare_modules(torch, ours, theirs, [x], dict(src_mask=_causal(5), is_causal=True))
    ours.eval()
    theirs.eval()
    compare_modules(torch, ours, theirs, [x], dict(src_key_padding_mask=kpm), grad=False)
    compare_modules(torch, ours, theirs, [x], dict(src_key_padding_mask=kpm))


@pytest.mark.parametrize("batch_first,norm_first,activation", GRID)
def test_decoder_layer_matches_torch(rng, batch_first, norm_first, activation):
    ours, theirs = _layer_pair("decoder", batch_first=batch_first, norm_first=norm_first, activation=activation)
    tgt, memory = _seq(rng, batch_first, 3, 4), _seq(rng, batch_first, 3, 6)
    mkpm = np.zeros((3, 6), bool)
    mkpm[0, 4:] = True
    compare_modules(torch, ours, theirs, [tgt, memory], dict(tgt_mask=_causal(4), tgt_is_causal=True,
                                                              memory_key_padding_mask=mkpm))
    memory_mask = rng.standard_normal((4, 6))
    compare_modules(torch, ours, theirs, [tgt, memory], dict(tgt_mask=_causal(4), memory_mask=memory_mask))


@pytest.mark.parametrize("dtype,atol", [(np.float32, 5e-5), (np.float64, 1e-10)])
def test_layers_float32_and_float64(rng, dtype, atol):
    for kind in ("encoder", "decoder"):
        ours, theirs = _layer_pair(kind, dtype, batch_first=True)
        inputs = [_seq(rng, True, 2, 5, dtype=dtype)] + ([_seq(rng, True, 2, 3, dtype=dtype)] if kind == "decoder"
                                                          else [])
        compare_modules(torch, ours, theirs, inputs, atol=atol)
        assert ours(*[ag.tensor(a) for a in inputs]).dtype == dtype


def test_layer_options_bias_eps_and_callable_activation(rng):
    for kw in (dict(bias=False), dict(layer_norm_eps=1e-3), dict(activation=F.gelu), dict(activation="gelu")):
        ours, theirs = _layer_pair(**kw)
        if callable(kw.get("activation")):             # a callable: each library gets its own gelu
            theirs.activation = torch.nn.functional.gelu
        compare_modules(torch, ours, theirs, [_seq(rng, False, 2, 4)])
    ours, _ = _layer_pair(bias=False)
    assert ours.linear1.bias is None and ours.norm1.bias is None and ours.self_attn.in_proj_bias is None
    assert _layer_pair(activation=nn.GELU())[0].activation_relu_or_gelu == 2
    assert _layer_pair(activation=lambda x: x)[0].activation_relu_or_gelu == 0
    theirs_layer = torch.nn.TransformerEncoderLayer(E, H, FF)
    assert nn.TransformerEncoderLayer(E, H, FF).activation_relu_or_gelu == theirs_layer.activation_relu_or_gelu


def test_unbatched_input(rng):
    ours, theirs = _layer_pair(batch_first=True)
    compare_modules(torch, ours, theirs, [rng.standard_normal((5, E))], dict(src_mask=_causal(5)))
    ours, theirs = _layer_pair("decoder")
    compare_modules(torch, ours, theirs, [rng.standard_normal((4, E)), rng.standard_normal((6, E))])


def test_queries_without_keys_as_torch(rng):
    """Eval under no_grad is PyTorch's fast path: a query that sees no key is NaN; elsewhere it is a plain
    attention over nothing (0) and the rest of the layer runs on."""
    kpm = np.zeros((3, 5), bool)
    kpm[1] = True
    head_mask = np.zeros((3 * H, 5, 5))
    head_mask[1, 3] = -np.inf                            # one head of sample 0 sees nothing at position 3
    for batch_first, training, grad in itertools.product((False, True), (True, False), (True, False)):
        ours, theirs = _layer_pair(batch_first=batch_first)
        ours.train(training)
        theirs.train(training)
        x = _seq(rng, batch_first, 3, 5)
        compare_modules(torch, ours, theirs, [x], dict(src_key_padding_mask=kpm), grad=False)
        compare_modules(torch, ours, theirs, [x], dict(src_mask=head_mask), grad=False)


def _stack_pair(batch_first=True, norm=True, num_layers=2, **kw):
    ours_layer, theirs_layer = _layer_pair(batch_first=batch_first, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.TransformerEncoder(theirs_layer, num_layers,
                                             torch.nn.LayerNorm(E).double() if norm else None)
        ours = nn.TransformerEncoder(ours_layer, num_layers, nn.LayerNorm(E).double() if norm else None)
    with torch.no_grad():                                # distinct layers, distinct weights
        for p in theirs.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return load_from_torch(ours, theirs), theirs


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_stack_matches_torch(rng, batch_first):
    ours, theirs = _stack_pair(batch_first)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = _seq(rng, batch_first, 3, 5)
    kpm = np.zeros((3, 5), bool)
    kpm[2, 4:] = True
    compare_modules(torch, ours, theirs, [x], dict(mask=_causal(5)))
    compare_modules(torch, ours, theirs, [x], dict(mask=_causal(5), src_key_padding_mask=kpm, is_causal=True))
    compare_modules(torch, ours, theirs, [x], dict(src_key_padding_mask=np.where(kpm, -np.inf, 0.0)))


def test_encoder_nested_tensor_path_zeros_padded_positions(rng):
    """PyTorch's inference with nested tensors (eval, no grad, batch_first, padding at the end) returns 0 at
    padded positions before the final norm; with grad enabled, in training or with padding not at the end it
    does not."""
    ours, theirs = _stack_pair(True, norm=True)
    x = _seq(rng, True, 3, 5)
    tail = np.zeros((3, 5), bool)
    tail[0, 3:] = True
    tail[2] = True                                       # a fully padded sequence
    holes = np.zeros((3, 5), bool)
    holes[0, 1] = True
    for training, grad, kpm in itertools.product((True, False), (True, False), (tail, holes)):
        ours.train(training)
        theirs.train(training)
        compare_modules(torch, ours, theirs, [x], dict(src_key_padding_mask=kpm), grad=grad)
    ours.eval()
    with ag.no_grad():
        out = ours.layers[1](ours.layers[0](ag.tensor(x), src_key_padding_mask=ag.tensor(tail)),
                             src_key_padding_mask=ag.tensor(tail))
        final = ours(ag.tensor(x), src_key_padding_mask=ag.tensor(tail)).numpy()
    np.testing.assert_allclose(final[0, 3:], np.broadcast_to(ours.norm.bias.numpy(), (2, E)), atol=1e-12)
    assert np.isnan(out.numpy()[2]).all()                # the layers alone: NaN where nothing is seen


def test_enable_nested_tensor_warnings_as_torch():
    for kw in (dict(batch_first=False), dict(batch_first=True, norm_first=True), dict(batch_first=True, nhead=1),
               dict(batch_first=True)):
        kw = dict(dict(d_model=E, nhead=H, dim_feedforward=FF), **kw)
        with warnings.catch_warnings(record=True) as theirs_w:
            warnings.simplefilter("always")
            torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**kw), 2)
        with warnings.catch_warnings(record=True) as ours_w:
            warnings.simplefilter("always")
            enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kw), 2)
        assert [str(w.message) for w in ours_w] == [str(w.message) for w in theirs_w]
        assert enc.use_nested_tensor == (not theirs_w)


def test_decoder_stack_and_causal_detection(rng):
    ours_layer, theirs_layer = _layer_pair("decoder")
    theirs = torch.nn.TransformerDecoder(theirs_layer, 2, torch.nn.LayerNorm(E).double())
    ours = load_from_torch(nn.TransformerDecoder(ours_layer, 2, nn.LayerNorm(E).double()), theirs)
    tgt, memory = _seq(rng, False, 2, 4), _seq(rng, False, 2, 6)
    compare_modules(torch, ours, theirs, [tgt, memory], dict(tgt_mask=_causal(4)))
    from nn.transformer import _detect_is_causal_mask
    m = nn.Transformer.generate_square_subsequent_mask(4)
    assert _detect_is_causal_mask(m) and _detect_is_causal_mask(m, None, 4)
    assert not _detect_is_causal_mask(m, None, 5) and not _detect_is_causal_mask(ag.zeros(4, 4))
    assert _detect_is_causal_mask(None, True) and not _detect_is_causal_mask(m, False)


@pytest.mark.parametrize("batch_first,norm_first", [(False, False), (True, True)])
def test_transformer_matches_torch(rng, batch_first, norm_first):
    kw = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=FF, dropout=0.0,
              batch_first=batch_first, norm_first=norm_first)
    ours, theirs = _pair(nn.Transformer, torch.nn.Transformer, **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    src, tgt = _seq(rng, batch_first, 2, 6), _seq(rng, batch_first, 2, 4)
    spm = np.zeros((2, 6), bool)
    spm[1, 5] = True
    compare_modules(torch, ours, theirs, [src, tgt],
                    dict(tgt_mask=_causal(4), src_key_padding_mask=spm, memory_key_padding_mask=spm))


def test_transformer_defaults_init_and_mask():
    model = nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32)
    theirs = torch.nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                  dim_feedforward=32)
    assert [(n, tuple(p.shape)) for n, p in model.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    w = model.encoder.layers[0].linear1.weight.numpy()
    assert np.abs(w).max() <= np.sqrt(6 / (16 + 32))      # xavier_uniform_ on every matrix
    assert model.encoder.layers[0].dropout.p == 0.1 and model.encoder.layers[0].linear1.out_features == 32
    full = nn.Transformer()
    assert full.encoder.num_layers == 6 and full.decoder.num_layers == 6 and full.d_model == 512
    m = nn.Transformer.generate_square_subsequent_mask(5)
    np.testing.assert_array_equal(m.numpy(), torch.nn.Transformer.generate_square_subsequent_mask(5).numpy())
    assert m.dtype == np.float32
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64).dtype == np.float64


def test_gradcheck_through_layers(rng):
    for kind, kw in (("encoder", dict(norm_first=True)), ("encoder", dict(activation="gelu")), ("decoder", {})):
        ours, _ = _layer_pair(kind, dim_feedforward=6, **kw)
        x = ag.tensor(rng.standard_normal((3, 2, E)), requires_grad=True)
        m = ag.tensor(rng.standard_normal((4, 2, E)), requires_grad=True)
        params = list(ours.parameters())[:4]
        if kind == "encoder":
            assert ag.gradcheck(lambda x, *p: ours(x, src_mask=ag.tensor(_causal(3))), [x] + params)
        else:
            assert ag.gradcheck(lambda x, m, *p: ours(x, m, tgt_mask=ag.tensor(_causal(3))), [x, m] + params)


def test_dropout_in_training(rng):
    layer = nn.TransformerEncoderLayer(E, H, FF, dropout=0.3).double()
    x = ag.tensor(rng.standard_normal((4, 2, E)))
    ag.manual_seed(2)
    a = layer(x).numpy()
    ag.manual_seed(2)
    np.testing.assert_array_equal(layer(x).numpy(), a)
    assert not np.allclose(layer(x).numpy(), a)
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())


def test_errors():
    model = nn.Transformer(d_model=E, nhead=H, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=FF)
    with pytest.raises(RuntimeError, match="batch number"):
        model(ag.randn(5, 2, E), ag.randn(4, 3, E))
    with pytest.raises(RuntimeError, match="feature number"):
        model(ag.randn(5, 2, E), ag.randn(4, 2, E + 1))
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(E, H, activation="tanh")
    with pytest.raises(AssertionError, match="divisible"):
        nn.TransformerEncoderLayer(E, 3)
    layer = nn.TransformerEncoderLayer(E, H, FF)
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        layer(ag.randn(5, 2, E), src_mask=ag.zeros(4, 4))
    with pytest.raises(AssertionError, match="bool and floating"):
        layer(ag.randn(5, 2, E), src_key_padding_mask=ag.zeros(2, 5, dtype=ag.int64))
