"""nn layers: PyTorch parity (repr, outputs, input/parameter gradients, buffers) after copying PyTorch's weights in,
float64 gradchecks through each module, and the behaviour PyTorch can't check for us (dropout statistics,
BatchNorm modes, embedding padding, errors, utilities).

One table drives both the torch comparison and the gradcheck: each entry builds the layer from a module namespace,
so ``factory(nn)`` and ``factory(torch.nn)`` give the same layer in both libraries.
"""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor

ATOL = 1e-5
F64 = np.float64


def make_inputs(specs, seed=0):
    """Shape tuples -> float64 normal arrays; ('int', shape, high) -> int64 indices in [0, high)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in specs:
        if s and s[0] == "int":
            out.append(rng.integers(0, s[2], size=s[1]).astype(np.int64))
        else:
            out.append(rng.standard_normal(s))
    return out


def as_ours(arrays, requires_grad=True):
    return [Tensor(a.copy(), requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays]


def as_torch(torch, arrays):
    return [torch.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]


def copy_torch_weights(ours, theirs):
    return ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare_with_torch(ours, theirs, arrays, train=True, seed=1):
    """Run both modules on the same inputs and gradient; compare outputs, input/parameter grads and buffers."""
    import torch
    ours.train(train)
    theirs.train(train)
    xo, xt = as_ours(arrays), as_torch(torch, arrays)
    yo, yt = ours(*xo), theirs(*xt)
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), atol=ATOL, rtol=ATOL)
    g = np.random.default_rng(seed).standard_normal(yt.shape)
    yo.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(xo, xt):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=ATOL, rtol=ATOL)
    params_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        gt = params_t[name].grad
        if gt is None:
            assert p.grad is None or not np.any(p.grad.numpy()), name
        else:
            np.testing.assert_allclose(p.grad.numpy(), gt.numpy(), atol=ATOL, rtol=ATOL, err_msg=name)
    sd_t = theirs.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.numpy(), sd_t[k].numpy(), atol=ATOL, rtol=ATOL, err_msg=k)
    ours.zero_grad()
    theirs.zero_grad()


LAYERS = [
    ("linear", lambda m: m.Linear(5, 3), [(4, 5)]),
    ("linear_3d_nobias", lambda m: m.Linear(5, 3, bias=False), [(2, 3, 5)]),
    ("linear_1d", lambda m: m.Linear(5, 2), [(5,)]),
    ("bilinear", lambda m: m.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("identity", lambda m: m.Identity(3, foo=1), [(2, 3)]),
    ("flatten", lambda m: m.Flatten(), [(2, 3, 2, 2)]),
    ("flatten_range", lambda m: m.Flatten(0, 1), [(2, 3, 2)]),
    ("unflatten", lambda m: m.Unflatten(1, (2, 3)), [(4, 6)]),
    ("relu", lambda m: m.ReLU(), [(3, 4)]),
    ("leaky_relu", lambda m: m.LeakyReLU(0.2), [(3, 4)]),
    ("elu", lambda m: m.ELU(alpha=0.7), [(3, 4)]),
    ("gelu", lambda m: m.GELU(), [(3, 4)]),
    ("gelu_tanh", lambda m: m.GELU(approximate="tanh"), [(3, 4)]),
    ("sigmoid", lambda m: m.Sigmoid(), [(3, 4)]),
    ("tanh", lambda m: m.Tanh(), [(3, 4)]),
    ("silu", lambda m: m.SiLU(), [(3, 4)]),
    ("softplus", lambda m: m.Softplus(beta=2.0, threshold=1.5), [(3, 4)]),
    ("softmax", lambda m: m.Softmax(dim=1), [(3, 4)]),
    ("log_softmax", lambda m: m.LogSoftmax(dim=-1), [(2, 3, 4)]),
    ("conv1d", lambda m: m.Conv1d(2, 3, 3), [(2, 2, 7)]),
    ("conv1d_strided", lambda m: m.Conv1d(4, 2, 2, stride=2, padding=1, dilation=2, groups=2, bias=False),
     [(2, 4, 9)]),
    ("conv2d", lambda m: m.Conv2d(2, 3, 3), [(2, 2, 5, 5)]),
    ("conv2d_args", lambda m: m.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
     [(2, 2, 6, 5)]),
    ("conv2d_same", lambda m: m.Conv2d(2, 2, 4, padding="same"), [(1, 2, 5, 5)]),
    ("conv2d_valid", lambda m: m.Conv2d(2, 2, 3, padding="valid"), [(1, 2, 5, 5)]),
    ("conv2d_reflect", lambda m: m.Conv2d(2, 2, 3, padding=1, padding_mode="reflect"), [(1, 2, 5, 4)]),
    ("conv2d_replicate", lambda m: m.Conv2d(1, 2, 3, padding=2, padding_mode="replicate"), [(1, 1, 4, 4)]),
    ("conv2d_circular", lambda m: m.Conv2d(1, 2, 3, padding=1, padding_mode="circular"), [(2, 1, 4, 4)]),
    ("conv2d_unbatched", lambda m: m.Conv2d(2, 2, 3), [(2, 5, 5)]),
    ("maxpool1d", lambda m: m.MaxPool1d(3, stride=2, padding=1), [(2, 3, 9)]),
    ("maxpool2d", lambda m: m.MaxPool2d(2), [(2, 3, 6, 6)]),
    ("maxpool2d_args", lambda m: m.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True),
     [(1, 2, 7, 6)]),
    ("avgpool1d", lambda m: m.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), [(2, 3, 8)]),
    ("avgpool2d", lambda m: m.AvgPool2d(2), [(2, 3, 6, 6)]),
    ("avgpool2d_args", lambda m: m.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
     [(1, 2, 7, 6)]),
    ("adaptive_avg", lambda m: m.AdaptiveAvgPool2d((2, 3)), [(2, 3, 5, 7)]),
    ("adaptive_avg_int", lambda m: m.AdaptiveAvgPool2d(1), [(2, 3, 4, 4)]),
    ("batchnorm1d", lambda m: m.BatchNorm1d(3), [(6, 3)]),
    ("batchnorm1d_3d", lambda m: m.BatchNorm1d(3, momentum=None), [(4, 3, 5)]),
    ("batchnorm2d", lambda m: m.BatchNorm2d(3, eps=1e-3, momentum=0.3), [(4, 3, 2, 3)]),
    ("batchnorm2d_no_affine", lambda m: m.BatchNorm2d(2, affine=False), [(3, 2, 2, 2)]),
    ("batchnorm2d_no_stats", lambda m: m.BatchNorm2d(2, track_running_stats=False), [(3, 2, 2, 2)]),
    ("batchnorm1d_no_bias", lambda m: m.BatchNorm1d(3, bias=False), [(5, 3)]),
    ("layernorm", lambda m: m.LayerNorm(5), [(3, 5)]),
    ("layernorm_2d", lambda m: m.LayerNorm((3, 4), eps=1e-3), [(2, 3, 4)]),
    ("layernorm_no_affine", lambda m: m.LayerNorm(4, elementwise_affine=False), [(3, 4)]),
    ("layernorm_no_bias", lambda m: m.LayerNorm(4, bias=False), [(3, 4)]),
    ("embedding", lambda m: m.Embedding(10, 3), [("int", (4, 5), 10)]),
    ("embedding_padding", lambda m: m.Embedding(6, 3, padding_idx=2), [("int", (3, 8), 6)]),
    ("embedding_freq", lambda m: m.Embedding(5, 2, scale_grad_by_freq=True), [("int", (12,), 5)]),
]
_IDS = [c[0] for c in LAYERS]
# scale_grad_by_freq divides the gradient by index counts on purpose: it is not the derivative of the forward
_NOT_A_DERIVATIVE = {"embedding_freq"}


def _has_batchnorm(module):
    return any(isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) for m in module.modules())


@pytest.mark.filterwarnings("ignore:Using padding='same'")   # torch's note about its own zero-padded copy
@pytest.mark.parametrize("name,factory,specs", LAYERS, ids=_IDS)
def test_layer_matches_torch(name, factory, specs):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = factory(torch.nn).double()
    ours = factory(nn).double()
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        assert ours.state_dict()[k].shape == tuple(v.shape), k
    copy_torch_weights(ours, theirs)
    arrays = make_inputs(specs)
    compare_with_torch(ours, theirs, arrays, train=True)
    compare_with_torch(ours, theirs, make_inputs(specs, seed=3), train=True)   # second step: running stats
    compare_with_torch(ours, theirs, make_inputs(specs, seed=4), train=False)


@pytest.mark.parametrize("name,factory,specs", [c for c in LAYERS if c[0] not in _NOT_A_DERIVATIVE],
                         ids=[i for i in _IDS if i not in _NOT_A_DERIVATIVE])
def test_layer_gradcheck(name, factory, specs):
    ours = factory(nn).double()
    inputs = as_ours(make_inputs(specs))
    n = len(inputs)
    params = [p for p in ours.parameters() if p.requires_grad]
    modes = (True, False) if _has_batchnorm(ours) else (True,)
    for mode in modes:
        ours.train(mode)
        assert ag.gradcheck(lambda *args: ours(*args[:n]), tuple(inputs) + tuple(params))


def test_nested_model_repr_and_names_match_torch():
    torch = pytest.importorskip("torch")

    def build(m):
        return m.Sequential(m.Conv2d(1, 4, 3, padding=1), m.BatchNorm2d(4), m.ReLU(), m.MaxPool2d(2),
                            m.Dropout2d(0.1), m.Flatten(), m.Linear(4 * 4 * 4, 8), m.Dropout(0.25), m.GELU(),
                            m.LayerNorm(8), m.Linear(8, 3), m.LogSoftmax(dim=1))
    ours, theirs = build(nn), build(torch.nn)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert nn.utils.count_parameters(ours) == sum(p.numel() for p in theirs.parameters())


def test_max_pool_return_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    for ours, theirs, inp in [(nn.MaxPool2d(3, 2, padding=1, return_indices=True),
                               torch.nn.MaxPool2d(3, 2, padding=1, return_indices=True), x),
                              (nn.MaxPool1d(2, return_indices=True), torch.nn.MaxPool1d(2, return_indices=True),
                               x[:, :, 0])]:
        (yo, io), (yt, it) = ours(Tensor(inp)), theirs(torch.tensor(inp))
        np.testing.assert_array_equal(io.numpy(), it.numpy())
        np.testing.assert_allclose(yo.numpy(), yt.numpy())


PUBLIC_CLASSES = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "ReLU", "LeakyReLU", "ELU", "GELU",
                  "Sigmoid", "Tanh", "SiLU", "Softplus", "Softmax", "LogSoftmax", "Conv1d", "Conv2d", "MaxPool1d",
                  "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d", "Dropout", "Dropout2d", "BatchNorm1d",
                  "BatchNorm2d", "LayerNorm", "Embedding", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss",
                  "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "HuberLoss", "SmoothL1Loss"]


@pytest.mark.parametrize("name", PUBLIC_CLASSES)
def test_constructor_signatures_match_torch(name):
    """Same argument names, order, kinds and defaults as torch.nn (annotations aside)."""
    import inspect
    torch = pytest.importorskip("torch")

    def sig(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()]
    assert sig(getattr(nn, name)) == sig(getattr(torch.nn, name))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "sigmoid", "tanh", "silu", "softmax", "log_softmax",
                                  "dropout", "dropout2d", "batch_norm", "layer_norm", "embedding", "pad",
                                  "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits", "kl_div", "huber_loss", "smooth_l1_loss",
                                  "adaptive_avg_pool2d", "unfold", "fold"])
def test_functional_signatures_match_torch(name):
    """Functions torch defines in Python (its C builtins have no inspectable signature)."""
    import inspect
    torch = pytest.importorskip("torch")

    def sig(f):
        return [(p.name, p.default) for p in inspect.signature(f).parameters.values()]
    assert sig(getattr(F, name)) == sig(getattr(torch.nn.functional, name))


# ---------------------------------------------------------------------- initialization of layers
@pytest.mark.parametrize("layer,fan_in", [(lambda: nn.Linear(400, 300), 400), (lambda: nn.Conv2d(16, 32, 5), 400),
                                          (lambda: nn.Conv1d(8, 64, 50), 400)])
def test_default_init_is_uniform_in_one_over_sqrt_fan_in(layer, fan_in):
    m = layer()
    bound = 1.0 / math.sqrt(fan_in)
    w, b = m.weight.numpy(), m.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3
    assert np.abs(b).max() <= bound
    assert m.weight.requires_grad and m.weight.is_leaf


def test_factory_dtype_and_reset():
    assert nn.Linear(3, 4).weight.dtype == np.float32
    for m in (nn.Linear(3, 4, dtype=ag.float64), nn.Conv2d(1, 2, 3, dtype=np.float64),
              nn.BatchNorm1d(3, dtype=ag.float64), nn.LayerNorm(3, dtype=ag.float64), nn.Embedding(4, 2, dtype=F64),
              nn.Bilinear(2, 2, 2, dtype=ag.float64)):
        assert all(t.dtype == np.float64 for t in m.parameters())
    bn = nn.BatchNorm1d(3, dtype=ag.float64)
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    assert nn.Embedding(5, 3, padding_idx=-1).weight.numpy()[4].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="no CUDA device: this engine runs on the CPU"):
        nn.Linear(2, 2, device="cuda")
    assert nn.Linear(2, 2, device=ag.device("cpu")).weight.device == ag.device("cpu")



# ---------------------------------------------------------------------- dropout
def test_dropout_statistics_and_eval_identity():
    x = ag.ones(200, 500)
    m = nn.Dropout(p=0.3)
    y = m(x).numpy()
    dropped = np.mean(y == 0)
    assert abs(dropped - 0.3) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02        # inverted dropout keeps the expectation
    m.eval()
    assert m(x) is x
    assert nn.Dropout(p=0.0)(x) is x
    assert not nn.Dropout(p=1.0)(x).numpy().any()
    assert repr(m) == "Dropout(p=0.3, inplace=False)"
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(p=1.5)


def test_dropout_gradient_is_the_mask_and_seeding_reproduces_it():
    x = Tensor(np.random.default_rng(0).standard_normal((50, 40)), requires_grad=True)
    ag.manual_seed(7)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    mask = y.numpy() / x.numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask)
    ag.manual_seed(7)
    np.testing.assert_array_equal(F.dropout(x, 0.5).numpy(), y.numpy())


@pytest.mark.parametrize("layer,shape", [(nn.Dropout(0.3), (4, 5)), (nn.Dropout2d(0.5), (3, 4, 2, 2))])
def test_dropout_gradcheck_with_a_fixed_mask(layer, shape):
    def f(x):
        ag.manual_seed(11)    # the same mask at every evaluation
        return layer(x)
    x = Tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    assert ag.gradcheck(f, (x,)) and ag.gradgradcheck(f, (x,))


def test_dropout2d_zeroes_whole_channels():
    x = ag.ones(64, 32, 3, 3)
    y = nn.Dropout2d(p=0.4)(x).numpy()
    per_channel = y.reshape(64, 32, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel != 0).all(-1))
    assert abs(np.mean(per_channel[..., 0] == 0) - 0.4) < 0.04
    np.testing.assert_allclose(y[y != 0], 1 / 0.6, rtol=1e-6)
    with pytest.warns(UserWarning):
        F.dropout2d(ag.ones(4, 5), 0.5)


# ---------------------------------------------------------------------- batch norm
def test_batchnorm_running_stats_match_torch_over_steps():
    torch = pytest.importorskip("torch")
    for momentum in (0.1, None):
        ours = nn.BatchNorm2d(3, momentum=momentum).double()
        theirs = torch.nn.BatchNorm2d(3, momentum=momentum).double()
        for step in range(4):
            x = np.random.default_rng(step).standard_normal((5, 3, 4, 4)) * (step + 1) + step
            ours(Tensor(x))
            theirs(torch.tensor(x))
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-10, err_msg=k)
        assert ours.num_batches_tracked.item() == 4


def test_batchnorm_eval_uses_running_stats_and_errors():
    bn = nn.BatchNorm1d(2).double()
    bn.running_mean.numpy()[:] = [1.0, -1.0]
    bn.running_var.numpy()[:] = [4.0, 0.25]
    bn.eval()
    x = Tensor(np.array([[3.0, 0.0]]))
    np.testing.assert_allclose(bn(x).numpy(), [[2.0 / math.sqrt(4 + 1e-5), 1.0 / math.sqrt(0.25 + 1e-5)]])
    assert bn.num_batches_tracked.item() == 0
    bn.train()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(x)
    with pytest.raises(ValueError, match="2D or 3D"):
        bn(ag.randn(2, 2, 2, 2))
    with pytest.raises(ValueError, match="channels"):
        bn(ag.randn(4, 3))
    with pytest.raises(ValueError, match="4D"):
        nn.BatchNorm2d(2)(ag.randn(4, 2))


# ---------------------------------------------------------------------- embedding
def test_embedding_padding_row_gets_no_gradient():
    emb = nn.Embedding(5, 3, padding_idx=0)
    assert not emb.weight.numpy()[0].any()
    idx = ag.tensor([[0, 1, 0], [2, 0, 1]])
    emb(idx).sum().backward()
    g = emb.weight.grad.numpy()
    assert not g[0].any()
    np.testing.assert_allclose(g[1:3], [[2] * 3, [1] * 3])
    assert emb(idx).shape == (2, 3, 3)
    with pytest.raises(IndexError, match="out of range"):
        emb(ag.tensor([5]))
    with pytest.raises(TypeError, match="integer"):
        emb(ag.tensor([0.0]))
    frozen = nn.Embedding.from_pretrained(np.eye(3))
    assert not frozen.weight.requires_grad and frozen(ag.tensor([2])).numpy().tolist() == [[0.0, 0.0, 1.0]]


def test_embedding_max_norm_renormalizes_looked_up_rows_like_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Embedding(6, 4, max_norm=1.0).double(), torch.nn.Embedding(6, 4, max_norm=1.0).double()
    copy_torch_weights(ours, theirs)
    idx = np.array([[0, 2], [2, 5]])
    np.testing.assert_allclose(ours(Tensor(idx)).numpy(), theirs(torch.tensor(idx)).detach().numpy(), atol=1e-7)
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), atol=1e-7)


# ---------------------------------------------------------------------- functional extras
@pytest.mark.parametrize("mode,pad", [("constant", (1, 2)), ("reflect", (2, 1, 1, 2)), ("replicate", (3, 0, 1, 1)),
                                      ("circular", (1, 2, 2, 0))])
def test_pad_matches_torch(mode, pad):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 5))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = F.pad(xo, pad, mode=mode), torch.nn.functional.pad(xt, pad, mode=mode)
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy())
    g = np.random.default_rng(1).standard_normal(yt.shape)
    yo.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy())


def test_one_hot_and_gelu_extremes():
    np.testing.assert_array_equal(F.one_hot(ag.tensor([0, 2, 1]), 4).numpy(),
                                  [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])
    assert F.one_hot(ag.tensor([[1, 3]])).shape == (1, 2, 4)
    with pytest.raises(RuntimeError):     # PyTorch's type
        F.one_hot(ag.tensor([3]), 2)
    x = Tensor(np.array([-1e4, -40.0, 0.0, 40.0, 1e4]), requires_grad=True)
    for f in (F.gelu, lambda t: F.gelu(t, approximate="tanh"), F.softplus, F.elu, F.logsigmoid, F.silu):
        y = f(x)
        y.sum().backward()
        assert np.isfinite(y.numpy()).all() and np.isfinite(x.grad.numpy()).all()
        x.grad = None
    np.testing.assert_allclose(F.softplus(x).numpy(), [0.0, math.log1p(math.exp(-40)), math.log(2), 40.0, 1e4])


def test_functional_gradgradcheck():
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    for f in (F.gelu, F.softplus, F.elu, lambda t: F.layer_norm(t, (4,)), F.logsigmoid):
        assert ag.gradgradcheck(f, (x,))


def test_shape_errors_name_the_shapes():
    with pytest.raises(ag.ShapeError, match=r"\(2, 4\).*\(3, 5\)"):
        nn.Linear(5, 3)(ag.randn(2, 4))
    with pytest.raises(ag.ShapeError, match=r"\(2, 3, 5, 5\)"):
        nn.Conv2d(2, 4, 3)(ag.randn(2, 3, 5, 5))
    with pytest.raises(ag.ShapeError, match=r"\(2, 6\)"):
        nn.LayerNorm(5)(ag.randn(2, 6))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 3, 3, stride=2, padding="same")


# ---------------------------------------------------------------------- state dict loading
def test_state_dict_strict_and_non_strict():
    src, dst = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)), nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    sd = src.state_dict()
    dst.load_state_dict(sd)
    np.testing.assert_array_equal(dst[0].weight.numpy(), src[0].weight.numpy())
    partial = {k: v for k, v in sd.items() if k != "1.running_var"}
    partial["extra.weight"] = np.zeros(2)
    with pytest.raises(RuntimeError, match=r'Missing key\(s\).*"1.running_var"'):
        dst.load_state_dict(partial)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\).*"extra.weight"'):
        dst.load_state_dict(partial)
    result = dst.load_state_dict(partial, strict=False)
    assert result.missing_keys == ["1.running_var"] and result.unexpected_keys == ["extra.weight"]
    bad = dict(sd)
    bad["0.weight"] = np.zeros((5, 3))
    with pytest.raises(RuntimeError, match=r"0.weight.*\(5, 3\).*\(4, 3\)"):
        dst.load_state_dict(bad, strict=False)


# ---------------------------------------------------------------------- utils
def _model_with_grads(torch_mod=None):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 3)) * 3, rng.standard_normal(4), rng.standard_normal((2, 4)) * 0.1]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    for p, a in zip(ours, arrays):
        p.grad = Tensor(a * 2)
    if torch_mod is None:
        return ours, None
    theirs = [torch_mod.tensor(a.copy(), requires_grad=True) for a in arrays]
    for p, a in zip(theirs, arrays):
        p.grad = torch_mod.tensor(a * 2)
    return ours, theirs


@pytest.mark.parametrize("norm_type,max_norm", [(2.0, 1.0), (1.0, 3.0), (math.inf, 0.5), (3.0, 1e6)])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    ours, theirs = _model_with_grads(torch)
    to = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    tt = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(to, Tensor) and to.shape == ()
    np.testing.assert_allclose(to.item(), tt.item(), rtol=1e-10)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10)


def test_clip_grad_value_vectors_and_counting():
    ours, _ = _model_with_grads()
    ours[1].grad = None
    nn.utils.clip_grad_value_(ours, 0.5)
    assert np.abs(ours[0].grad.numpy()).max() == 0.5
    ours[0].grad.numpy()[0, 0] = np.nan
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
    vec = nn.utils.parameters_to_vector(ours)
    assert vec.shape == (12 + 4 + 8,) and vec.requires_grad
    nn.utils.vector_to_parameters(vec * 2.0, ours)
    np.testing.assert_allclose(nn.utils.parameters_to_vector(ours).numpy(), vec.numpy() * 2)
    with pytest.raises(ValueError):
        nn.utils.vector_to_parameters(vec[:5], ours)
    m = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    m[1].bias.requires_grad_(False)
    assert nn.utils.count_parameters(m) == 16 + 10
    assert nn.utils.count_parameters(m, trainable_only=True) == 24


@pytest.mark.parametrize("layer", [nn.ReLU, lambda inplace: nn.LeakyReLU(0.1, inplace), nn.ELU, nn.SiLU,
                                   lambda inplace: nn.Dropout(0.5, inplace)])
def test_inplace_layers_overwrite_their_input_and_keep_gradients(layer):
    w = Tensor(np.random.default_rng(0).standard_normal(6), requires_grad=True)
    grads = []
    for inplace in (True, False):
        ag.manual_seed(1)
        h = w * 1.0
        y = layer(inplace=inplace)(h)
        assert (y is h) == inplace
        (y * y).sum().backward()
        grads.append(w.grad.numpy().copy())
        w.grad = None
    np.testing.assert_allclose(grads[0], grads[1])
    assert "inplace=True" in repr(layer(inplace=True))
    with pytest.raises(RuntimeError, match="leaf"):
        layer(inplace=True)(w)


# ---------------------------------------------------------------------- locally connected (unshared) convolution
def test_locally_connected_equals_conv_when_filters_are_shared_and_gradchecks():
    lc = nn.LocallyConnected2d(2, 3, input_size=(6, 5), kernel_size=(3, 2), stride=(2, 1), padding=1,
                               dilation=(1, 2)).double()
    conv = nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2)).double()
    oh, ow = lc.output_size
    assert lc.weight.shape == (oh, ow, 3, 2, 3, 2) and lc.bias.shape == (3, oh, ow)
    lc.weight.numpy()[...] = conv.weight.numpy()
    lc.bias.numpy()[...] = conv.bias.numpy()[:, None, None]
    x = Tensor(np.random.default_rng(0).standard_normal((2, 2, 6, 5)), requires_grad=True)
    np.testing.assert_allclose(lc(x).numpy(), conv(x).numpy(), atol=1e-12)
    small = nn.LocallyConnected2d(1, 2, input_size=4, kernel_size=2, stride=2).double()
    xs = Tensor(np.random.default_rng(1).standard_normal((2, 1, 4, 4)), requires_grad=True)
    assert ag.gradcheck(lambda a, w, b: small(a), (xs, small.weight, small.bias))
    assert repr(small) == "LocallyConnected2d(1, 2, input_size=(4, 4), kernel_size=(2, 2), stride=(2, 2))"
    with pytest.raises(ag.ShapeError, match=r"\(N, 1, 4, 4\).*\(2, 1, 5, 4\)"):
        small(ag.randn(2, 1, 5, 4, dtype=ag.float64))


def test_locally_connected_position_filters_are_independent():
    lc = nn.LocallyConnected2d(1, 1, input_size=3, kernel_size=2).double()
    x = Tensor(np.ones((1, 1, 3, 3)))
    lc(x).sum().backward()
    np.testing.assert_allclose(lc.weight.grad.numpy(), np.ones(lc.weight.shape))   # each filter sees its patch
    lc.weight.grad = None
    lc(x)[0, 0, 1, 0].backward()                     # one output position: only its own filter gets a gradient
    g = lc.weight.grad.numpy()
    assert g[1, 0].sum() == 4 and g.sum() == 4


@pytest.mark.parametrize("name", ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
                                  "parameters_to_vector", "vector_to_parameters"])
def test_utils_signatures_match_torch(name):
    import inspect
    torch = pytest.importorskip("torch")

    def sig(f):
        return [(p.name, p.default) for p in inspect.signature(f).parameters.values()]
    assert sig(getattr(nn.utils, name)) == sig(getattr(torch.nn.utils, name))
