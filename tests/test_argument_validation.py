"""Issue 17 for the library: bad constructor arguments raise PyTorch's exception type with a message naming the
value; factories, ``F.pad``, ``graph_text``'s bound, and checkpoints with absurd headers."""
import io
import os
import warnings
import zipfile

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core.errors import CheckpointError

#: (constructor call, text our message must contain); each is evaluated with ``nn``, ``optim``, ``S`` (the
#: schedulers), ``torch``, ``params`` and ``opt`` bound to torch's objects and to ours
OPTIMIZERS = [
    ("optim.SGD(params, lr=-0.1)", "-0.1"), ("optim.SGD(params, lr=0.1, momentum=-0.5)", "-0.5"),
    ("optim.SGD(params, lr=0.1, weight_decay=-1)", "-1"), ("optim.SGD(params, lr=0.1, nesterov=True)", "momentum=0"),
    ("optim.SGD(params, lr=0.1, momentum=0.9, dampening=0.5, nesterov=True)", "dampening=0.5"),
    ("optim.SGD([], lr=0.1)", "empty parameter list"),
    ("optim.Adam(params, lr=-1)", "-1"), ("optim.Adam(params, betas=(1.0, 0.999))", "index 0: 1.0"),
    ("optim.Adam(params, betas=(0.9, -0.1))", "index 1: -0.1"), ("optim.Adam(params, eps=-1e-8)", "-1e-08"),
    ("optim.Adam(params, weight_decay=-0.1)", "-0.1"), ("optim.AdamW(params, lr=-1)", "-1"),
    ("optim.AdamW(params, betas=(0.9, 1.5))", "1.5"), ("optim.AdamW(params, eps=-1)", "-1"),
    ("optim.AdamW(params, weight_decay=-1)", "-1"), ("optim.Adagrad(params, lr=-1)", "-1"),
    ("optim.Adagrad(params, lr_decay=-1)", "-1"), ("optim.Adagrad(params, weight_decay=-1)", "-1"),
    ("optim.Adagrad(params, initial_accumulator_value=-1)", "-1"), ("optim.Adagrad(params, eps=-1)", "-1"),
    ("optim.RMSprop(params, lr=-1)", "-1"), ("optim.RMSprop(params, eps=-1)", "-1"),
    ("optim.RMSprop(params, momentum=-1)", "-1"), ("optim.RMSprop(params, weight_decay=-1)", "-1"),
    ("optim.RMSprop(params, alpha=-1)", "-1"), ("optim.Adadelta(params, lr=-1)", "-1"),
    ("optim.Adadelta(params, rho=1.5)", "1.5"), ("optim.Adadelta(params, rho=-0.5)", "-0.5"),
    ("optim.Adadelta(params, eps=-1)", "-1"), ("optim.Adadelta(params, weight_decay=-1)", "-1"),
    ("optim.Adamax(params, lr=-1)", "-1"), ("optim.Adamax(params, betas=(1.0, 0.9))", "1.0"),
    ("optim.Adamax(params, eps=-1)", "-1"), ("optim.Adamax(params, weight_decay=-1)", "-1"),
    ("optim.NAdam(params, lr=-1)", "-1"), ("optim.NAdam(params, betas=(1.0, 0.9))", "1.0"),
    ("optim.NAdam(params, eps=-1)", "-1"), ("optim.NAdam(params, weight_decay=-1)", "-1"),
    ("optim.NAdam(params, momentum_decay=-1)", "-1"), ("optim.RAdam(params, lr=-1)", "-1"),
    ("optim.RAdam(params, betas=(0.9, 1.0))", "1.0"), ("optim.RAdam(params, eps=-1)", "-1"),
    ("optim.RAdam(params, weight_decay=-1)", "-1"), ("optim.Rprop(params, lr=-1)", "-1"),
    ("optim.Rprop(params, etas=(1.5, 1.2))", "1.5, 1.2"), ("optim.Rprop(params, etas=(0.5, 0.9))", "0.5, 0.9"),
    ("optim.ASGD(params, lr=-1)", "-1"), ("optim.ASGD(params, weight_decay=-1)", "-1"),
    ("optim.SparseAdam(params, lr=-1)", "-1"), ("optim.SparseAdam(params, eps=-1)", "-1"),
    ("optim.SparseAdam(params, betas=(1.0, 0.9))", "1.0"), ("optim.LBFGS(params, lr=-1)", "-1"),
]
SCHEDULERS = [
    ("S.ConstantLR(opt, factor=1.5)", "factor=1.5"), ("S.ConstantLR(opt, factor=-0.5)", "factor=-0.5"),
    ("S.LinearLR(opt, start_factor=0)", "start_factor=0"),
    ("S.LinearLR(opt, start_factor=1.5)", "start_factor=1.5"), ("S.LinearLR(opt, end_factor=1.5)", "end_factor=1.5"),
    ("S.CosineAnnealingWarmRestarts(opt, T_0=0)", "0"),
    ("S.CosineAnnealingWarmRestarts(opt, T_0=1.5)", "1.5"),
    ("S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)", "0"),
    ("S.OneCycleLR(opt, max_lr=1.0)", "total_steps"), ("S.OneCycleLR(opt, max_lr=1.0, total_steps=0)", "0"),
    ("S.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=1.5)", "1.5"),
    ("S.OneCycleLR(opt, max_lr=1.0, epochs=0, steps_per_epoch=5)", "epochs, but got 0"),
    ("S.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy='square')", "square"),
    ("S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, mode='bad')", "mode='bad'"),
    ("S.ReduceLROnPlateau(opt, factor=1.0)", "factor=1.0"), ("S.ReduceLROnPlateau(opt, factor=2.0)", "factor=2.0"),
    ("S.ReduceLROnPlateau(opt, mode='up')", "up"), ("S.ReduceLROnPlateau(opt, threshold_mode='bad')", "bad"),
    ("S.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])", "got 2"),
    ("S.SequentialLR(opt, schedulers=[S.StepLR(opt, 2), S.StepLR(opt, 3)], milestones=[1, 2])", "schedulers 2"),
    ("S.LambdaLR(opt, lr_lambda=[lambda e: 1.0, lambda e: 1.0])", "got 2"),
    ("S.StepLR('notopt', step_size=2)", "str"),
]
LAYERS = [
    ("nn.Linear(-1, 3)", "in_features=-1"), ("nn.Linear(3, -1)", "out_features=-1"),
    ("nn.Bilinear(-1, 2, 3)", "in1_features=-1"), ("nn.Conv1d(1, 1, kernel_size=-1)", "kernel_size=(-1,)"),
    ("nn.Conv2d(1, 1, kernel_size=-1)", "kernel_size=(-1, -1)"), ("nn.Conv2d(-1, 1, 3)", "in_channels=-1"),
    ("nn.Conv2d(1, -2, 3)", "out_channels=-2"), ("nn.Conv2d(3, 4, 3, groups=2)", "in_channels=3, groups=2"),
    ("nn.Conv2d(4, 3, 3, groups=2)", "out_channels=3, groups=2"), ("nn.Conv2d(4, 4, 3, groups=0)", "groups=0"),
    ("nn.Conv2d(4, 4, 3, groups=-1)", "groups=-1"), ("nn.Conv2d(1, 1, 3, padding='bad')", "'bad'"),
    ("nn.Conv2d(1, 1, 3, padding='same', stride=2)", "stride=2"), ("nn.Conv2d(1, 1, 3, padding_mode='bad')", "bad"),
    ("nn.ConvTranspose2d(3, 4, 3, groups=2)", "groups=2"),
    ("nn.Dropout(p=1.5)", "1.5"), ("nn.Dropout(p=-0.1)", "-0.1"), ("nn.Dropout2d(p=2)", "2"),
    ("nn.RNN(4, 8, num_layers=0)", "num_layers=0"), ("nn.RNN(4, 8, num_layers=1.5)", "float"),
    ("nn.RNN(4, 0)", "hidden_size=0"), ("nn.RNN(4, -1)", "hidden_size=-1"), ("nn.RNN(4, 8, dropout=1.5)", "1.5"),
    ("nn.RNN(4, 8, nonlinearity='sigmoid')", "sigmoid"), ("nn.LSTM(4, 8, proj_size=-1)", "proj_size=-1"),
    ("nn.LSTM(4, 8, proj_size=8)", "proj_size=8"), ("nn.GRU(4, 8, num_layers=-1)", "num_layers=-1"),
    ("nn.LSTM(4, 8, dropout=-0.5)", "-0.5"), ("nn.GRU(4, 2.5)", "float"), ("nn.LSTM(4, 8, num_layers='2')", "str"),
    ("nn.RNNCell(4, -1)", "hidden_size=-1"), ("nn.LSTMCell(-1, 3)", "input_size=-1"),
    ("nn.Embedding(-1, 3)", "num_embeddings=-1"), ("nn.Embedding(10, 3, padding_idx=10)", "dx"),
    ("nn.Embedding(10, 3, padding_idx=-11)", "dx"), ("nn.BatchNorm2d(-1)", "num_features=-1"),
    ("nn.LayerNorm(-1)", "normalized_shape=-1"), ("nn.GroupNorm(3, 4)", "(4)"), ("nn.RMSNorm(-1)", "-1"),
    ("nn.MultiheadAttention(10, 3)", "divisible"), ("nn.MultiheadAttention(0, 1)", "0"),
    ("nn.TransformerEncoderLayer(10, 3)", "divisible"),
    ("nn.TransformerEncoderLayer(8, 2, activation='swish')", "swish"),
    ("nn.Hardtanh(2.0, 1.0)", "max_val"),
]
CASES = OPTIMIZERS + SCHEDULERS + LAYERS


def _namespace(lib):
    if lib == "torch":
        import torch
        params = [torch.nn.Parameter(torch.zeros(2))]
        return dict(torch=torch, nn=torch.nn, optim=torch.optim, S=torch.optim.lr_scheduler, params=params,
                    opt=torch.optim.SGD(params, lr=0.1))
    params = [nn.Parameter(ag.zeros(2))]
    return dict(torch=ag, nn=nn, optim=optim, S=optim.lr_scheduler, params=params, opt=optim.SGD(params, lr=0.1))


def _raised(expr, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            eval(expr, _namespace(lib))
        except Exception as exc:   # noqa: BLE001 - what is raised is the point
            return exc
    return None


@pytest.mark.parametrize("expr,named", CASES, ids=[c[0] for c in CASES])
def test_bad_constructor_raises_like_torch(expr, named):
    pytest.importorskip("torch")
    theirs = _raised(expr, "torch")
    assert theirs is not None, f"torch accepts {expr}"
    ours = _raised(expr, "ours")
    assert isinstance(ours, type(theirs)), (expr, type(theirs).__name__, repr(ours))
    assert named in str(ours), (expr, str(ours))


#: PyTorch accepts these at construction and fails (or silently misbehaves) later; ours refuse at once
STRICTER = [
    ("S.StepLR(opt, step_size=0)", "step_size=0"), ("S.StepLR(opt, step_size=1.5)", "step_size=1.5"),
    ("S.CosineAnnealingLR(opt, T_max=0)", "T_max=0"), ("S.CosineAnnealingLR(opt, T_max=-5)", "T_max=-5"),
    ("nn.EmbeddingBag(10, 3, mode='median')", "mode='median'"),
    ("nn.CrossEntropyLoss(label_smoothing=1.5)", "Got: 1.5"),
    ("nn.Conv2d(1, 1, 3, stride=0)", "stride=(0, 0)"), ("nn.Conv2d(1, 1, 3, padding=-1)", "padding=(-1, -1)"),
    ("nn.Conv2d(1, 1, 3, dilation=0)", "dilation=(0, 0)"), ("nn.MaxPool2d(2, stride=0)", "stride=(0, 0)"),
    ("nn.MaxPool2d(2, padding=2)", "padding=(2, 2)"), ("nn.PixelShuffle(0)", "upscale_factor=0"),
    ("nn.MSELoss(reduction='bad')", "'bad'"), ("nn.GRUCell(4, 0)", "hidden_size=0"),
]


@pytest.mark.parametrize("expr,named", STRICTER, ids=[c[0] for c in STRICTER])
def test_arguments_torch_only_checks_later_are_refused_at_construction(expr, named):
    ours = _raised(expr, "ours")
    assert isinstance(ours, ValueError) and named in str(ours), (expr, repr(ours))


# ---------------------------------------------------------------------------------------------- factories
FACTORIES = [
    ("torch.zeros(-1, 3)", "zeros(): Trying to create tensor with negative dimension -1: [-1, 3]"),
    ("torch.ones(2, -3)", "negative dimension -3: [2, -3]"), ("torch.empty(-1)", "negative dimension -1"),
    ("torch.full((-1,), 1.0)", "negative dimension -1"), ("torch.rand(-2)", "negative dimension -2"),
    ("torch.randn(2, -2)", "negative dimension -2"),
    ("torch.randint(5, 2, (3,))", "from=5 >= to=2"), ("torch.randint(0, (3,))", "from=0 >= to=0"),
    ("torch.randperm(-1)", "negative dimension -1"), ("torch.normal(0.0, -1.0, (3,))", "std -1.0"),
    ("torch.arange(0, 10, 0)", "step=0"), ("torch.arange(10, 0, 1)", "start=10, end=0, step=1"),
    ("torch.linspace(0, 1, -1)", "steps=-1"), ("torch.eye(-1)", "n=-1"),
]


@pytest.mark.parametrize("expr,named", FACTORIES, ids=[c[0] for c in FACTORIES])
def test_bad_factory_arguments_raise_like_torch(expr, named):
    pytest.importorskip("torch")
    theirs, ours = _raised(expr, "torch"), _raised(expr, "ours")
    assert isinstance(theirs, RuntimeError) and isinstance(ours, RuntimeError)
    assert named in str(ours)


def test_valid_factory_edges_still_work():
    assert ag.zeros(0, 3).shape == (0, 3) and ag.arange(5, 5).shape == (0,) and ag.arange(5, 0, -1).tolist() == \
        [5, 4, 3, 2, 1]
    assert ag.randperm(0).shape == (0,) and ag.linspace(0, 1, 0).shape == (0,) and ag.eye(0).shape == (0, 0)


# ---------------------------------------------------------------------------------------------- F.pad
@pytest.mark.parametrize("pad,ok", [((-2, -2), False), ((-4, 0), False), ((-3, 0), True), ((-1, -1), True)])
def test_pad_with_negative_padding_larger_than_the_size_raises(pad, ok):
    torch = pytest.importorskip("torch")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    try:
        expected = torch.nn.functional.pad(torch.tensor(x), pad).numpy()
    except RuntimeError:
        expected = None
    assert (expected is not None) == ok
    if ok:
        np.testing.assert_array_equal(F.pad(ag.tensor(x), pad).numpy(), expected)
    else:
        with pytest.raises(RuntimeError, match=r"negative padding .* removes more than its size 3"):
            F.pad(ag.tensor(x), pad)


# ---------------------------------------------------------------------------------------------- graph_text
def test_graph_text_is_bounded_and_says_what_was_cut(capsys):
    from autograd_core.viz import graph_text, print_graph
    x = ag.randn(3, requires_grad=True)
    y = x
    for _ in range(1500):
        y = y * 1.01 + x
    loss = y.sum()
    full = graph_text(loss, max_nodes=None).splitlines()
    text = graph_text(loss).splitlines()                      # default: 500 nodes
    assert len(full) > 4000 and len(text) < 600
    assert text[-1].startswith("… 2502 more nodes not shown (max_nodes=500)") and "max_depth" in text[-1]
    short = graph_text(loss, max_nodes=3).splitlines()
    assert len(short) == 4 and short[-1].startswith("… 2999 more nodes not shown (max_nodes=3)")
    print_graph(loss, max_nodes=2)
    assert capsys.readouterr().out.splitlines()[-1].startswith("… 3000 more nodes")
    with pytest.raises(ValueError, match="max_nodes must be None or an int >= 1, got 0"):
        graph_text(loss, max_nodes=0)


# ---------------------------------------------------------------------------------------------- checkpoints
def _with_header(path, member, shape):
    """Rewrite one .npy member of an nn.save archive so that its header declares ``shape``."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in items:
            if name == member + ".npy":
                head = io.BytesIO()
                np.lib.format.write_array_header_1_0(head, {"descr": "<f4", "fortran_order": False, "shape": shape})
                data = head.getvalue() + data[len(head.getvalue()):]
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("member", ["a0", "__meta__"])
def test_absurd_header_size_is_a_checkpoint_error_not_a_memory_error(tmp_path, member):
    path = tmp_path / "ckpt.npz"
    nn.save({"w": ag.ones(40)}, path)
    _with_header(path, member, (1 << 40,))                     # 4 TiB of float32
    with pytest.raises(CheckpointError, match=r"declares shape \(1099511627776,\) .* but holds \d+ bytes"):
        nn.load(path)


def test_failed_save_keeps_nothing_and_a_stale_temp_of_a_dead_process_goes(tmp_path):
    path = tmp_path / "ckpt.npz"
    stale = tmp_path / ".ckpt.npz.tmp-999999999-0"               # a pid that can't exist
    stale.write_bytes(b"half a checkpoint")
    with pytest.raises(TypeError):
        nn.save({"x": object()}, path)                           # fails while encoding: nothing written
    nn.save({"w": ag.ones(2)}, path)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]
