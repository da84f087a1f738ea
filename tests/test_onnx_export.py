"""ONNX export: the exported graph passes onnx.checker and onnxruntime reproduces the project's outputs (1e-5,
float32), at two batch sizes with dynamic axes; unsupported or unfaithful exports raise."""
import io
import math

import numpy as np
import pytest

import autograd_core as torch
import nn
import nn.functional as F
from autograd_core.onnx import OnnxExporterError, TrainingMode, UnsupportedOperatorError, export, supported_ops
from nn.models.course import CNN

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOL = 1e-5


def _export(model, args, **kw):
    f = io.BytesIO()
    export(model, args, f, **kw)
    data = f.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data))
    return data


def _session(data):
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])


def _outputs(out):
    if isinstance(out, torch.Tensor):
        return [out]
    acc = []
    for o in out:
        acc += _outputs(o)
    return acc


def check(model, batches, names=("x",), dynamic=(0,), tol=TOL, **kw):
    """Export ``model`` on ``batches[0]`` (a tuple of inputs) with ``dynamic`` axes, then compare onnxruntime
    with the model on every batch."""
    if hasattr(model, "eval"):
        model.eval()
    dyn = {n: {ax: f"dim{ax}" for ax in dynamic} for n in names} if dynamic else None
    data = _export(model, batches[0], input_names=list(names), dynamic_axes=dyn, **kw)
    sess = _session(data)
    for args in batches:
        ref = _outputs(model(*args))
        got = sess.run(None, {n: a.numpy() for n, a in zip(names, args)})
        assert len(got) == len(ref)
        for g, r in zip(got, ref):
            assert g.shape == r.shape
            np.testing.assert_allclose(g, r.numpy(), rtol=tol, atol=tol)
    return data


def rand(*shape):
    return torch.randn(*shape)


def ints(high, *shape):
    return torch.tensor(np.random.default_rng(sum(shape)).integers(0, high, shape))


# ---------------------------------------------------------------------- the models of the issue
def test_mlp():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.Tanh(), nn.Dropout(0.3), nn.Linear(16, 4))
    check(model, [(rand(5, 3, 4),), (rand(2, 3, 4),)])


def test_course_cnn():
    torch.manual_seed(0)
    check(CNN(dropout=0.2), [(rand(2, 1, 28, 28),), (rand(3, 1, 28, 28),)])


class _Recurrent(nn.Module):
    def __init__(self, kind, **kw):
        super().__init__()
        self.rnn = kind(6, 8, batch_first=True, **kw)
        self.fc = nn.Linear(8 * (2 if kw.get("bidirectional") else 1), 3)

    def forward(self, x):
        out, h = self.rnn(x)
        h = h[0] if isinstance(h, tuple) else h
        return self.fc(out[:, -1]) + h[-1].sum(dim=1, keepdim=True)


@pytest.mark.parametrize("kind,kw", [(nn.LSTM, {}), (nn.GRU, {}), (nn.RNN, {}), (nn.RNN, {"nonlinearity": "relu"}),
                                     (nn.LSTM, {"num_layers": 2, "bidirectional": True}),
                                     (nn.GRU, {"num_layers": 2, "bidirectional": True, "bias": False})],
                         ids=["lstm", "gru", "rnn", "rnn_relu", "bilstm2", "bigru2_nobias"])
def test_recurrent_classifier(kind, kw):
    torch.manual_seed(0)
    data = check(_Recurrent(kind, **kw), [(rand(4, 5, 6),), (rand(7, 5, 6),)])
    ops = {n.op_type for n in onnx.load_from_string(data).graph.node}
    assert {nn.LSTM: "LSTM", nn.GRU: "GRU", nn.RNN: "RNN"}[kind] in ops


def test_lstm_time_major_with_initial_state_and_all_outputs():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 5, num_layers=2)
    x, h0, c0 = rand(6, 2, 3), rand(2, 2, 5), rand(2, 2, 5)
    x2, h2, c2 = rand(6, 4, 3), rand(2, 4, 5), rand(2, 4, 5)

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = lstm

        def forward(self, x, h, c):
            return self.lstm(x, (h, c))
    check(M(), [(x, h0, c0), (x2, h2, c2)], names=("x", "h", "c"), dynamic=(1,))


class _TransformerClassifier(nn.Module):
    def __init__(self, vocab=20, d=16, batch_first=True, activation="relu", norm_first=False):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        layer = nn.TransformerEncoderLayer(d, 4, 32, dropout=0.1, batch_first=batch_first, activation=activation,
                                           norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.fc = nn.Linear(d, 3)
        self.batch_first = batch_first

    def forward(self, tokens):
        h = self.encoder(self.emb(tokens))
        return self.fc(h.mean(dim=1 if self.batch_first else 0))


@pytest.mark.parametrize("kw", [{}, {"batch_first": False, "activation": "gelu", "norm_first": True}],
                         ids=["batch_first", "seq_first_gelu_prenorm"])
def test_transformer_encoder_classifier(kw):
    torch.manual_seed(0)
    model = _TransformerClassifier(**kw)
    if kw.get("batch_first", True):
        batches, dyn = [(ints(20, 3, 7),), (ints(20, 5, 7),)], (0,)
    else:
        batches, dyn = [(ints(20, 7, 3),), (ints(20, 7, 5),)], (1,)
    check(model, batches, names=("tokens",), dynamic=dyn)


def test_dynamic_sequence_length_too():
    torch.manual_seed(0)
    model = _TransformerClassifier()
    check(model, [(ints(20, 3, 7),), (ints(20, 5, 4),), (ints(20, 2, 11),)], names=("tokens",), dynamic=(0, 1))


def test_multihead_attention_with_weights_and_masks():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    mask = torch.tensor(np.triu(np.full((5, 5), -1e9, dtype=np.float32), 1))

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = mha

        def forward(self, q, kv):
            out, w = self.mha(q, kv, kv, attn_mask=mask)
            a, _ = self.mha(q, kv, kv, need_weights=False, is_causal=False)
            return out + a, w
    check(M(), [(rand(5, 2, 8), rand(5, 2, 8)), (rand(5, 3, 8), rand(5, 3, 8))], names=("q", "kv"), dynamic=(1,))


def test_causal_attention():
    torch.manual_seed(0)
    q, k, v = rand(2, 3, 5, 4), rand(2, 3, 5, 4), rand(2, 3, 5, 4)
    check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), [(q, k, v)],
          names=("q", "k", "v"), dynamic=())


# ---------------------------------------------------------------------- op families
class _Fn(nn.Module):
    def __init__(self, fn, *mods):
        super().__init__()
        self.fn = fn
        self.mods = nn.ModuleList(mods)

    def forward(self, *x):
        return self.fn(self, *x)


ACTIVATIONS = {
    "relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "softmax": lambda x: F.softmax(x, dim=1),
    "log_softmax": lambda x: F.log_softmax(x, dim=-1), "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda x: F.elu(x, 0.7), "silu": F.silu, "selu": F.selu, "celu": lambda x: F.celu(x, 1.5),
    "softplus": lambda x: F.softplus(x, beta=2.0), "relu_inplace": lambda x: F.relu(x * 1.0, inplace=True),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations(name):
    fn = ACTIVATIONS[name]
    check(_Fn(lambda m, x: fn(x)), [(rand(4, 6) * 3,), (rand(2, 6) * 3,)])


ARITHMETIC = {
    "add_sub_mul_div": lambda x, y: (x + y) * 2.0 - x / (y.abs() + 1.0),
    "pow_neg_exp": lambda x, y: (-x).exp() + y ** 2 + x.abs() ** 1.5 + x.abs() ** y.abs().clamp(max=2.0),
    "log_sqrt_abs": lambda x, y: (x.abs() + 1).log() + y.abs().sqrt() + torch.rsqrt(x * x + 1.0),
    "clamp": lambda x, y: x.clamp(-0.5, 0.5) + y.clamp(min=0.1) + x.clamp(max=0.2),
    "matmul_addmm": lambda x, y: x @ y.t() + torch.addmm(x.sum(dim=1, keepdim=True), x, y.t()),
    "max_min_where": lambda x, y: torch.maximum(x, y) - torch.minimum(x, 0.5 * y),
    "reductions": lambda x, y: (x.sum(dim=1, keepdim=True) + x.mean(dim=-1, keepdim=True)
                                + x.max(dim=1, keepdim=True)[0] + x.amax(dim=1, keepdim=True)
                                + x.sum() + y.mean()),
    "cast": lambda x, y: x.double().float() + y.to(torch.float32),
}


@pytest.mark.parametrize("name", sorted(ARITHMETIC))
def test_arithmetic(name):
    fn = ARITHMETIC[name]
    check(_Fn(lambda m, x, y: fn(x, y)), [(rand(3, 5), rand(3, 5)), (rand(6, 5), rand(6, 5))], names=("x", "y"))


SHAPES = {
    "reshape_view_flatten": lambda x: x.reshape(x.shape[0], -1) + x.view(x.shape[0], 12).flatten(1),
    "transpose_permute": lambda x: x.transpose(1, 2).permute(0, 2, 1).reshape(x.shape[0], -1),
    "unsqueeze_squeeze": lambda x: x.unsqueeze(1).squeeze(1).unsqueeze(-1).squeeze(-1),
    "cat_stack": lambda x: torch.cat([x, x * 2], dim=1) + torch.stack([x, x], dim=1).reshape(x.shape[0], 6, 4),
    "slicing": lambda x: x[:, 1:, ::2] * x[:, :2, -2:] + x[..., 1:3][:, None, 0, :],
    "indexing": lambda x: x[:, -1] + x[:, 0, 1] .unsqueeze(-1) + x[:, [2, 0], :].sum(1),
    "split_chunk": lambda x: torch.cat(list(x.chunk(2, dim=-1))[::-1], -1) + x.split([1, 2], dim=1)[1].sum(1, True),
    "expand": lambda x: x[:, :1, :].expand(x.shape[0], 3, 4) + x,
    "pad": lambda x: F.pad(x, (1, 2)),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_ops(name):
    fn = SHAPES[name]
    check(_Fn(lambda m, x: fn(x)), [(rand(2, 3, 4),), (rand(5, 3, 4),)])


LAYERS = {
    "conv1d": (lambda: [nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2)], (4, 11)),
    "conv2d": (lambda: [nn.Conv2d(4, 6, 3, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)], (4, 9, 8)),
    "conv2d_no_bias_padding_same": (lambda: [nn.Conv2d(3, 4, 4, padding="same", bias=False)], (3, 7, 7)),
    "conv_transpose2d": (lambda: [nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)],
                         (4, 5, 6)),
    "max_pool": (lambda: [nn.MaxPool2d(3, stride=2, padding=1)], (3, 9, 8)),
    "max_pool_ceil": (lambda: [nn.MaxPool2d(2, ceil_mode=True)], (3, 9, 7)),
    "max_pool1d": (lambda: [nn.MaxPool1d(2)], (3, 9)),
    "avg_pool": (lambda: [nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)], (3, 9, 8)),
    "avg_pool_include_pad": (lambda: [nn.AvgPool2d(2, padding=1)], (3, 8, 8)),
    "adaptive_avg_pool": (lambda: [nn.AdaptiveAvgPool2d((2, 3))], (3, 8, 9)),
    "adaptive_avg_pool_unequal": (lambda: [nn.AdaptiveAvgPool2d((3, 4)), nn.AdaptiveMaxPool2d((3, 2))], (3, 7, 10)),
    "global_avg_pool": (lambda: [nn.AdaptiveAvgPool2d(1)], (3, 5, 7)),
    "batch_norm2d": (lambda: [nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)], (3, 6, 6)),
    "batch_norm1d": (lambda: [nn.Linear(5, 4), nn.BatchNorm1d(4)], (5,)),
    "layer_norm": (lambda: [nn.LayerNorm((3, 5))], (3, 5)),
    "group_instance_norm": (lambda: [nn.GroupNorm(2, 4), nn.InstanceNorm2d(4, affine=True)], (4, 5, 5)),
    "conv3d": (lambda: [nn.Conv3d(2, 3, 3, stride=(1, 2, 1), padding=1)], (2, 5, 6, 4)),
    "conv_transpose1d": (lambda: [nn.ConvTranspose1d(4, 2, 3, stride=2, dilation=2)], (4, 7)),
    "dropout": (lambda: [nn.Dropout(0.5), nn.Dropout2d(0.5)], (3, 4, 4)),
    "embedding_bag_of_layers": (lambda: [nn.Flatten(), nn.Linear(12, 6), nn.GELU(), nn.Linear(6, 2)], (3, 4)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layers(name):
    torch.manual_seed(0)
    make, shape = LAYERS[name]
    mods = make()
    model = nn.Sequential(*mods)
    for m in mods:      # non-trivial running statistics
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.numpy()[:] = np.linspace(-1, 1, m.num_features)
            m.running_var.numpy()[:] = np.linspace(0.5, 2, m.num_features)
    check(model, [(rand(2, *shape),), (rand(3, *shape),)])


def test_embedding_and_gather():
    torch.manual_seed(0)
    emb = nn.Embedding(10, 4, padding_idx=0)
    model = _Fn(lambda m, t: m.mods[0](t).sum(dim=1), emb)
    check(model, [(ints(10, 2, 5),), (ints(10, 4, 5),)], names=("t",))


def test_mean_over_a_dynamic_axis():
    check(_Fn(lambda m, x: x.mean(dim=0) + x.mean()), [(rand(3, 4),), (rand(7, 4),)])


@pytest.mark.parametrize("opset", [13, 18])
def test_opsets(opset):
    torch.manual_seed(0)
    model = nn.Sequential(nn.LayerNorm(5), nn.Linear(5, 3), nn.Softmax(dim=1))
    data = check(model, [(rand(4, 5),), (rand(2, 5),)], opset_version=opset)
    assert onnx.load_from_string(data).opset_import[0].version == opset


# ---------------------------------------------------------------------- names, files, arguments
def test_names_initializers_and_dynamic_dims(tmp_path):
    torch.manual_seed(0)
    model = CNN()
    path = tmp_path / "model.onnx"
    export(model, torch.randn(2, 1, 28, 28), str(path), input_names=["images"], output_names=["logits"],
           dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}})
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    assert [i.name for i in m.graph.input] == ["images"]
    assert [o.name for o in m.graph.output] == ["logits"]
    assert {i.name for i in m.graph.initializer} >= set(model.state_dict())
    dims = m.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [1, 28, 28]
    assert m.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    x = torch.randn(5, 1, 28, 28)
    got = _session(path.read_bytes()).run(["logits"], {"images": x.numpy()})[0]
    np.testing.assert_allclose(got, model.eval()(x).numpy(), rtol=TOL, atol=TOL)


def test_file_object_and_default_names():
    model = nn.Linear(3, 2)
    f = io.BytesIO()
    assert export(model, (torch.randn(4, 3),), f) is None
    m = onnx.load_from_string(f.getvalue())
    assert [i.name for i in m.graph.input] == ["input"]
    assert [o.name for o in m.graph.output] == ["output"]
    # without dynamic axes the shapes are fixed
    assert [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim] == [4, 3]


def test_export_params_false_and_initializers_as_inputs():
    model = nn.Linear(3, 2)
    m = onnx.load_from_string(_export(model, torch.randn(4, 3), export_params=False))
    assert not m.graph.initializer
    assert [i.name for i in m.graph.input] == ["input", "weight", "bias"]
    m = onnx.load_from_string(_export(model, torch.randn(4, 3), keep_initializers_as_inputs=True))
    assert {i.name for i in m.graph.initializer} == {"weight", "bias"}
    assert [i.name for i in m.graph.input] == ["input", "weight", "bias"]


def test_training_mode_restored_and_eval_used():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.9))
    model.train()
    data = _export(model, torch.randn(4, 3))
    assert model.training
    x = torch.randn(4, 3)
    got = _session(data).run(None, {"input": x.numpy()})[0]
    np.testing.assert_allclose(got, model.eval()(x).numpy(), rtol=TOL, atol=TOL)
    with pytest.raises(OnnxExporterError, match="TRAINING"):
        export(model, torch.randn(4, 3), io.BytesIO(), training=TrainingMode.TRAINING)


def test_bad_arguments():
    model = nn.Linear(3, 2)
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match="opset_version"):
        export(model, x, io.BytesIO(), opset_version=9)
    with pytest.raises(ValueError, match="dynamic_axes"):
        export(model, x, io.BytesIO(), dynamic_axes={"nope": [0]})
    with pytest.raises(ValueError, match="input_names"):
        export(model, x, io.BytesIO(), input_names=["a", "b"])
    with pytest.raises(TypeError, match="Tensors"):
        export(model, (x, 3), io.BytesIO())


# ---------------------------------------------------------------------- refusals: never a silently wrong graph
class _Inner(nn.Module):
    def forward(self, x):
        return torch.cumprod(x, dim=1)


def test_unsupported_op_names_op_and_module():
    model = nn.Sequential(nn.Linear(3, 3), _Inner())
    with pytest.raises(UnsupportedOperatorError, match=r"cumprod.*module '1' \(_Inner\)"):
        export(model, torch.randn(2, 3), io.BytesIO())
    assert "conv2d" in supported_ops() and "cumprod" not in supported_ops()


def test_value_computed_outside_the_recorded_ops_raises():
    # the comparison is not a recorded op: its mask depends on the input, so it cannot be a constant
    model = _Fn(lambda m, x: x * (x > 0))
    with pytest.raises(OnnxExporterError, match="depends on the input"):
        export(model, torch.randn(3, 4), io.BytesIO())


def test_python_loop_over_a_dynamic_axis_raises():
    model = _Fn(lambda m, x: torch.stack([x[i] * 2 for i in range(x.shape[0])]))
    with pytest.raises(OnnxExporterError, match="different number of ops"):
        export(model, torch.randn(3, 4), io.BytesIO(), input_names=["x"], dynamic_axes={"x": [0]})
    # with a fixed batch it exports (the loop is unrolled)
    check(model, [(rand(3, 4),)], dynamic=())


def test_hidden_in_place_change_raises():
    def fn(m, x):
        y = x * 2
        y.numpy()[0] = 0.0      # behind the library's back
        y._bump_version()
        return y + 1
    with pytest.raises(OnnxExporterError, match="modified in place"):
        export(_Fn(fn), torch.randn(3, 4), io.BytesIO())


def test_packed_sequences_raise():
    lstm = nn.LSTM(3, 4)

    def fn(m, x):
        packed = nn.utils.rnn.pack_padded_sequence(x, [5, 3], enforce_sorted=True)
        return nn.utils.rnn.pad_packed_sequence(m.mods[0](packed)[0])[0]
    with pytest.raises((OnnxExporterError, UnsupportedOperatorError)):
        export(_Fn(fn, lstm), torch.randn(5, 2, 3), io.BytesIO())


def test_tracing_hook_is_removed():
    from autograd_core import function
    with pytest.raises(UnsupportedOperatorError):
        export(_Fn(lambda m, x: torch.cumprod(x, 0)), torch.randn(2, 2), io.BytesIO())
    assert function._tracer is None
    assert math.isclose(float((torch.ones(2) * 2).sum().item()), 4.0)


def test_cli_export_onnx(tmp_path):
    from nn.models.course import build_model
    from nn.training import cli
    out = tmp_path / "run"
    assert cli.main(["--limit", "200", "--epochs", "1", "--quiet", "--no-graph", "--export-onnx",
                     "--out", str(out)]) == 0
    path = out / "model.onnx"
    onnx.checker.check_model(onnx.load(str(path)))
    model = build_model("mlp")
    weights = out / "model.safetensors"
    model.load_state_dict(nn.load(str(weights if weights.exists() else out / "model.npz")))
    model.eval()
    x = torch.randn(7, 1, 28, 28)
    got = _session(path.read_bytes()).run(["logits"], {"input": x.numpy()})[0]
    np.testing.assert_allclose(got, model(x).numpy(), rtol=TOL, atol=TOL)
    assert (got.argmax(1) == model(x).numpy().argmax(1)).all()


def test_batch_norm_statistics_are_named_initializers():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    model[1].running_var.numpy()[:] = np.linspace(0.5, 2, 4)
    data = check(model, [(rand(2, 3, 6, 6),), (rand(4, 3, 6, 6),)])
    names = {i.name for i in onnx.load_from_string(data).graph.initializer}
    assert names >= {"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"}


def test_same_tensor_passed_twice():
    model = nn.Bilinear(4, 4, 2)
    x = rand(3, 4)
    check(model, [(x, x)], names=("a", "b"))


@pytest.mark.parametrize("kind,kw", [(nn.LSTM, {}), (nn.GRU, {"num_layers": 2, "bidirectional": True})],
                         ids=["lstm", "bigru2"])
def test_recurrent_dynamic_batch_and_length(kind, kw):
    torch.manual_seed(0)
    rnn = kind(6, 8, batch_first=True, **kw)
    fc = nn.Linear(8 * (2 if kw else 1), 3)
    model = _Fn(lambda m, x: m.mods[1](m.mods[0](x)[0]).mean(dim=1), rnn, fc)
    check(model, [(rand(2, 5, 6),), (rand(3, 9, 6),), (rand(1, 2, 6),)], dynamic=(0, 1))


def test_resampling_and_3d_pooling():
    torch.manual_seed(0)
    for mods, shape in (([nn.Upsample(scale_factor=2)], (3, 4, 5)),
                        ([nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=False)], (3, 4, 5)),
                        ([nn.MaxPool3d(2), nn.AvgPool3d(2, padding=1)], (2, 4, 6, 5))):
        check(nn.Sequential(*mods), [(rand(2, *shape),), (rand(3, *shape),)])


def test_numpy_mask_of_the_input_raises():
    model = nn.Hardtanh()     # its mask comes from a numpy comparison, outside the recorded ops
    with pytest.raises(OnnxExporterError, match="computed outside the recorded ops"):
        export(model, torch.randn(3, 4), io.BytesIO())


MORE = {
    "norms": lambda x: x.norm(dim=1, keepdim=True)
                                 + torch.linalg.vector_norm(x, ord=1, dim=-1, keepdim=True)
                                 + torch.linalg.vector_norm(x, ord=3, dim=-1, keepdim=True),
    "cumsum_flip": lambda x: torch.cumsum(x, dim=1) + torch.flip(x, dims=(1,)),
    "tril_triu": lambda x: torch.tril(x[:, :4]) + torch.triu(x[:, :4], 1),
    "einsum": lambda x: torch.einsum("bi,bj->bij", x, x).sum(-1),
    "erf_trunc": lambda x: torch.special.erf(x) + torch.trunc(x * 3),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_ops(name):
    fn = MORE[name]
    check(_Fn(lambda m, x: fn(x)), [(rand(4, 5),), (rand(2, 5),)])


def test_a_wrong_mapping_is_caught_by_shape_inference(monkeypatch):
    from autograd_core.onnx import context
    from autograd_core.ops.shape import PermuteFunction
    wrong = (lambda ctx, rec: ctx.g.op("Identity", [ctx.name(rec.inputs[0])]), frozenset(), frozenset())
    monkeypatch.setitem(context.MAPPINGS, PermuteFunction, wrong)
    with pytest.raises(OnnxExporterError, match="internal error.*permute"):
        export(_Fn(lambda m, x: x.t() * 2), torch.randn(2, 3), io.BytesIO())


def test_index_mixing_ints_and_arrays_raises():
    with pytest.raises(OnnxExporterError, match="index array"):
        export(_Fn(lambda m, x: x[0, :, [1, 0]]), torch.randn(2, 3, 4), io.BytesIO())


def test_boolean_mask_input_in_where():
    model = _Fn(lambda m, x, mask: torch.where(mask, x, x * -2.0))
    x, mask = rand(3, 4), torch.tensor(np.random.default_rng(1).random((3, 4)) < 0.5)
    x2, mask2 = rand(5, 4), torch.tensor(np.random.default_rng(2).random((5, 4)) < 0.5)
    check(model, [(x, mask), (x2, mask2)], names=("x", "mask"))


def test_verify_runs_onnxruntime():
    model = nn.Sequential(nn.Linear(3, 4), nn.GELU())
    export(model, torch.randn(2, 3), io.BytesIO(), input_names=["x"], dynamic_axes={"x": [0]}, verify=True)


def test_verify_catches_wrong_values(monkeypatch):
    from autograd_core.onnx import context
    from autograd_core.ops.activation import ReluFunction
    wrong = (lambda ctx, rec: ctx.g.op("Neg", [ctx.name(rec.inputs[0])]), frozenset(), frozenset())
    monkeypatch.setitem(context.MAPPINGS, ReluFunction, wrong)
    with pytest.raises(OnnxExporterError, match="verify"):
        export(nn.ReLU(), torch.randn(2, 3), io.BytesIO(), verify=True)


def test_keyword_inputs_and_dict_outputs():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x, scale=None):
            return {"logits": self.fc(x) * scale, "probs": F.softmax(self.fc(x), dim=-1)}
    model = M()
    x, s = rand(4, 3), rand(4, 1)
    data = _export(model, (x, {"scale": s}), output_names=["logits", "probs"])
    m = onnx.load_from_string(data)
    assert [i.name for i in m.graph.input] == ["x", "scale"]
    got = _session(data).run(None, {"x": x.numpy(), "scale": s.numpy()})
    ref = model(x, scale=s)
    np.testing.assert_allclose(got[0], ref["logits"].numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(got[1], ref["probs"].numpy(), rtol=TOL, atol=TOL)


def test_model_failing_at_other_sizes_says_why():
    table = nn.Embedding(8, 3)          # a length-8 position table: a longer sequence does not fit
    model = _Fn(lambda m, x: x + m.mods[0](torch.arange(x.shape[1])), table)
    with pytest.raises(OnnxExporterError, match="second time.*enlarged along the dynamic_axes"):
        export(model, rand(2, 6, 3), io.BytesIO(), input_names=["x"], dynamic_axes={"x": [0, 1]})
    check(model, [(rand(2, 6, 3),), (rand(5, 6, 3),)], dynamic=(0,))


def test_signature_details():
    model = nn.Linear(3, 2)
    x = torch.randn(4, 3)
    proto = export(model, (x,))                     # no file: the ModelProto
    onnx.checker.check_model(proto)
    with pytest.raises(TypeError):
        export(model, (x,), io.BytesIO(), dynamic_axis={"input": [0]})     # a misspelt argument is not ignored
    with pytest.raises(ValueError, match="dynamic_axes"):
        export(model, (x,), io.BytesIO(), dynamic_shapes={"input": {0: "batch"}})
    class Scaled(nn.Module):
        def forward(self, x, scale=None):
            return x * scale
    proto = export(Scaled(), (x,), kwargs={"scale": torch.randn(4, 3)})
    assert [i.name for i in proto.graph.input] == ["x", "scale"]


def test_parameter_names_never_clash_with_generated_names():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.Gemm_0 = nn.Parameter(torch.randn(2, 3))
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x) @ self.Gemm_0.t()
    check(M(), [(rand(4, 3),), (rand(2, 3),)])


def test_output_is_a_parameter_or_an_input():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(2))

        def forward(self, x):
            return x, self.w, x * 2
    data = check(M(), [(rand(3, 2),)], dynamic=())
    assert "w" in {i.name for i in onnx.load_from_string(data).graph.initializer}
