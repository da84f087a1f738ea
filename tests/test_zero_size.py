"""Zero-size tensors and empty batches as PyTorch's: (0, ...) results, zero gradients, or PyTorch's error."""
import numpy as np
import pytest

import autograd_core as ag
import nn

torch = pytest.importorskip("torch")


def NN(L):
    return L.nn if L is torch else nn


def NF(L):
    return L.nn.functional if L is torch else nn.functional


def _lib(L):
    return torch if L is torch else ag


def _targets(L):
    return _lib(L).zeros(0, dtype=_lib(L).int64)


LAYERS = {
    "conv1d": (lambda L: NN(L).Conv1d(3, 4, 3), (0, 3, 8)),
    "conv2d": (lambda L: NN(L).Conv2d(3, 4, 3, padding=1), (0, 3, 8, 8)),
    "conv3d": (lambda L: NN(L).Conv3d(2, 3, 3), (0, 2, 5, 5, 5)),
    "conv_transpose2d": (lambda L: NN(L).ConvTranspose2d(3, 4, 3, stride=2), (0, 3, 5, 5)),
    "max_pool2d": (lambda L: NN(L).MaxPool2d(2), (0, 3, 8, 8)),
    "max_pool1d": (lambda L: NN(L).MaxPool1d(2), (0, 3, 8)),
    "avg_pool2d": (lambda L: NN(L).AvgPool2d(2), (0, 3, 8, 8)),
    "adaptive_avg_pool2d": (lambda L: NN(L).AdaptiveAvgPool2d(1), (0, 3, 8, 8)),
    "lstm": (lambda L: NN(L).LSTM(4, 5, batch_first=True), (0, 3, 4)),
    "lstm_2layer_bidir": (lambda L: NN(L).LSTM(4, 5, num_layers=2, bidirectional=True), (3, 0, 4)),
    "gru": (lambda L: NN(L).GRU(4, 5, batch_first=True), (0, 3, 4)),
    "rnn": (lambda L: NN(L).RNN(4, 5, batch_first=True), (0, 3, 4)),
    "linear": (lambda L: NN(L).Linear(4, 5), (0, 4)),
    "batch_norm1d": (lambda L: NN(L).BatchNorm1d(4), (0, 4)),
    "batch_norm2d": (lambda L: NN(L).BatchNorm2d(3), (0, 3, 4, 4)),
    "layer_norm": (lambda L: NN(L).LayerNorm(4), (0, 4)),
    "group_norm": (lambda L: NN(L).GroupNorm(2, 4), (0, 4, 3)),
    "dropout": (lambda L: NN(L).Dropout(0.5), (0, 3)),
    "flatten": (lambda L: NN(L).Flatten(), (0, 3, 4)),
    "mha": (lambda L: (lambda m: (lambda x: m(x, x, x)[0]))(NN(L).MultiheadAttention(4, 2, batch_first=True)),
            (0, 3, 4)),
    "transformer_layer": (lambda L: NN(L).TransformerEncoderLayer(4, 2, 8, batch_first=True, dropout=0.0),
                          (0, 3, 4)),
    "softmax_empty_dim": (lambda L: (lambda x: x.softmax(-1)), (2, 0)),
    "log_softmax_empty_dim": (lambda L: (lambda x: x.log_softmax(-1)), (2, 0)),
    "softmax_empty_batch": (lambda L: (lambda x: x.softmax(0)), (0, 3)),
    "amax_nonempty_dim": (lambda L: (lambda x: x.amax(0)), (2, 0)),
    "amax_empty_dim": (lambda L: (lambda x: x.amax(1)), (2, 0)),
    "amax_all": (lambda L: (lambda x: x.amax()), (2, 0)),
    "amin_dims": (lambda L: (lambda x: x.amin((0, 1))), (2, 0)),
    "max_all": (lambda L: (lambda x: x.max()), (2, 0)),
    "max_empty_dim": (lambda L: (lambda x: x.max(1)[0]), (2, 0)),
    "max_nonempty_dim": (lambda L: (lambda x: x.max(0)[0]), (2, 0)),
    "sum": (lambda L: (lambda x: x.sum()), (2, 0)),
    "mean": (lambda L: (lambda x: x.mean()), (2, 0)),
    "prod": (lambda L: (lambda x: x.prod()), (2, 0)),
    "logsumexp": (lambda L: (lambda x: x.logsumexp(1)), (2, 0)),
    "cumsum": (lambda L: (lambda x: x.cumsum(1)), (2, 0)),
    "matmul_to_zeros": (lambda L: (lambda x: x @ x.t()), (2, 0)),
    "matmul_empty": (lambda L: (lambda x: x.t() @ x), (2, 0)),
    "cross_entropy": (lambda L: (lambda x: NF(L).cross_entropy(x, _targets(L))), (0, 3)),
    "cross_entropy_sum": (lambda L: (lambda x: NF(L).cross_entropy(x, _targets(L), reduction="sum")), (0, 3)),
    "nll_loss": (lambda L: (lambda x: NF(L).nll_loss(x, _targets(L))), (0, 3)),
    "mse_loss": (lambda L: (lambda x: NF(L).mse_loss(x, x.detach())), (0, 3)),
    "cat": (lambda L: (lambda x: _lib(L).cat([x, x], 0)), (0, 3)),
}


def _run(L, name):
    make, shape = LAYERS[name]
    _lib(L).manual_seed(0)
    f = make(L)
    x = _lib(L).zeros(shape, dtype=_lib(L).float32).requires_grad_(True) if L is torch else \
        ag.zeros(*shape).requires_grad_(True)
    try:
        y = f(x)
    except Exception as e:           # noqa: BLE001  (compared with PyTorch's error)
        return ("error", type(e))
    y = y[0] if isinstance(y, tuple) else y
    y.sum().backward()
    params = [p.grad for p in f.parameters()] if hasattr(f, "parameters") else []
    grads = [None if g is None else (tuple(g.shape), float(np.abs(g.detach().numpy()).sum())) for g in params]
    value = np.nan_to_num(y.detach().numpy(), nan=-1.0)
    return ("ok", tuple(y.shape), value.tolist(), tuple(x.grad.shape), float(np.abs(x.grad.numpy()).sum()), grads)


@pytest.mark.parametrize("name", list(LAYERS))
def test_empty_like_torch(name):
    ours, theirs = _run(ag, name), _run(torch, name)
    if theirs[0] == "error":
        assert ours[0] == "error", f"{name}: PyTorch raises {theirs[1].__name__}, we return {ours}"
        assert issubclass(ours[1], theirs[1]), (ours[1], theirs[1])
        return
    assert ours == theirs


def test_amax_errors_name_the_dim_as_torch():
    x = ag.zeros(2, 0)
    with pytest.raises(IndexError, match=r"amax\(\): Expected reduction dim 1 to have non-zero size"):
        x.amax(1)
    with pytest.raises(RuntimeError, match=r"amax\(\): Expected reduction dim to be specified"):
        x.amax()
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified"):
        x.max()


def test_rnn_empty_sequence_raises_runtime_error():
    with pytest.raises(RuntimeError, match="sequence of length"):
        nn.LSTM(4, 5, batch_first=True)(ag.zeros(2, 0, 4))
