"""nn.utils against PyTorch: weight and spectral normalization (hook style and parametrizations), the
parametrize machinery, gradient clipping, parameters as a vector, and conv/linear + batch-norm fusion.

State dicts cross in both directions with ``strict=True``; outputs and gradients are compared in float64.
"""
import copy
import math
import pickle
import warnings

import numpy as np
import pytest

import autograd_core
import nn
from autograd_core import Tensor
from nn.utils import parametrizations, parametrize

torch = pytest.importorskip("torch")


def to_torch_sd(sd):
    return {k: torch.tensor(v.numpy().copy()) for k, v in sd.items()}


def to_ours_sd(sd):
    return {k: v.detach().numpy().copy() for k, v in sd.items()}


def pair(kind="linear", dtype=np.float64):
    """The same layer in both libraries, with our initial weights copied into PyTorch's."""
    if kind == "linear":
        ours, theirs = nn.Linear(4, 3), torch.nn.Linear(4, 3)
    else:
        ours, theirs = nn.Conv2d(2, 3, 3, padding=1), torch.nn.Conv2d(2, 3, 3, padding=1)
    ours.to(dtype)
    theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    theirs.load_state_dict(to_torch_sd(ours.state_dict()))
    return ours, theirs


def inputs(kind, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((5, 4) if kind == "linear" else (2, 2, 5, 5))
    return Tensor(x), torch.tensor(x)


def run_both(ours, theirs, kind, seed=0):
    """Forward a batch through both, backpropagate sum(out ** 2); return the outputs."""
    x, tx = inputs(kind, seed)
    out, tout = ours(x), theirs(tx)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    return out.numpy(), tout.detach().numpy()


def assert_grads_match(ours, theirs):
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


# ---------------------------------------------------------------------------------------------- weight_norm (hooks)
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("kind, dim", [("linear", 0), ("linear", 1), ("linear", None), ("conv", 0), ("conv", 1),
                                       ("conv", -1), ("conv", -2), ("conv", 3)])
def test_weight_norm_hook_matches_torch(kind, dim):
    ours, theirs = pair(kind)
    nn.utils.weight_norm(ours, dim=dim)
    torch.nn.utils.weight_norm(theirs, dim=dim)
    sd = ours.state_dict()
    assert list(sd) == list(theirs.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert sd["weight_g"].shape == tuple(theirs.weight_g.shape)
    np.testing.assert_allclose(sd["weight_g"].numpy(), theirs.weight_g.detach().numpy(), rtol=1e-12)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]

    out, tout = run_both(ours, theirs, kind)
    np.testing.assert_allclose(out, tout, rtol=1e-12, atol=1e-12)
    assert_grads_match(ours, theirs)

    # a state dict of ours loads strictly into PyTorch's module, and back
    theirs.load_state_dict(to_torch_sd(ours.state_dict()), strict=True)
    ours.load_state_dict(to_ours_sd(theirs.state_dict()), strict=True)

    nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-12)
    assert isinstance(ours.weight, nn.Parameter)


def test_weight_norm_hook_errors_and_warning():
    m = nn.Linear(3, 2)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        nn.utils.weight_norm(m)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nn.utils.weight_norm(m)
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found in"):
        nn.utils.remove_weight_norm(m, "bias")


# ---------------------------------------------------------------------------------------------- spectral_norm (hooks)
@pytest.mark.parametrize("kind, n_power_iterations, dim", [("linear", 1, None), ("linear", 3, 1), ("conv", 1, None),
                                                           ("conv", 2, 1)])
def test_spectral_norm_hook_matches_torch(kind, n_power_iterations, dim):
    ours, theirs = pair(kind)
    nn.utils.spectral_norm(ours, n_power_iterations=n_power_iterations, dim=dim)
    torch.nn.utils.spectral_norm(theirs, n_power_iterations=n_power_iterations, dim=dim)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    # start both from our random u, v: our state dict loads strictly into PyTorch's module
    theirs.load_state_dict(to_torch_sd(ours.state_dict()), strict=True)

    for step in range(3):  # training: each forward runs the power iteration and updates u, v in place
        out, tout = run_both(ours, theirs, kind, seed=step)
        np.testing.assert_allclose(out, tout, rtol=1e-10, atol=1e-12)
        for key in ("weight_u", "weight_v"):
            np.testing.assert_allclose(ours.state_dict()[key].numpy(), theirs.state_dict()[key].numpy(), rtol=1e-10,
                                       atol=1e-12)
    assert_grads_match(ours, theirs)

    ours.eval()
    theirs.eval()
    u_before = ours.weight_u.numpy().copy()
    out, tout = run_both(ours, theirs, kind, seed=5)
    np.testing.assert_allclose(out, tout, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(ours.weight_u.numpy(), u_before)  # eval uses the stored vectors

    ours.load_state_dict(to_ours_sd(theirs.state_dict()), strict=True)
    nn.utils.remove_spectral_norm(ours)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-10)


def test_spectral_norm_hook_normalizes_and_errors():
    m = nn.utils.spectral_norm(nn.Linear(6, 5))
    for _ in range(30):
        m(autograd_core.randn(2, 6))
    sigma = np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, rel=1e-4)
    np.testing.assert_allclose(np.linalg.norm(m.weight_u.numpy()), 1.0)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="spectral_norm of 'bias' not found"):
        nn.utils.remove_spectral_norm(m, "bias")
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    no_bias = nn.Linear(2, 2, bias=False)
    with pytest.raises(ValueError, match="cannot be applied as parameter `bias` is None"):
        nn.utils.spectral_norm(no_bias, name="bias")


# ---------------------------------------------------------------------------------------------- parametrizations
@pytest.mark.parametrize("kind, dim", [("linear", 0), ("linear", None), ("conv", 1), ("conv", 0)])
def test_parametrized_weight_norm_matches_torch(kind, dim):
    ours, theirs = pair(kind)
    parametrizations.weight_norm(ours, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
    keys = ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == keys
    assert type(ours).__name__ == type(theirs).__name__ == ("ParametrizedLinear" if kind == "linear"
                                                            else "ParametrizedConv2d")
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12)
    out, tout = run_both(ours, theirs, kind)
    np.testing.assert_allclose(out, tout, rtol=1e-12, atol=1e-12)
    assert_grads_match(ours, theirs)
    theirs.load_state_dict(to_torch_sd(ours.state_dict()), strict=True)
    ours.load_state_dict(to_ours_sd(theirs.state_dict()), strict=True)

    # assigning the weight goes through right_inverse: g = ||w||, v = w
    w = np.random.default_rng(3).standard_normal(ours.weight.shape)
    ours.weight = Tensor(w)
    with torch.no_grad():
        theirs.weight = torch.tensor(w)
    np.testing.assert_allclose(ours.parametrizations.weight.original0.numpy(),
                               theirs.parametrizations.weight.original0.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.detach().numpy(), w, rtol=1e-12)

    parametrize.remove_parametrizations(ours, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(theirs, "weight")
    assert type(ours) is (nn.Linear if kind == "linear" else nn.Conv2d)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("kind, n_power_iterations", [("linear", 1), ("linear", 4), ("conv", 2)])
def test_parametrized_spectral_norm_matches_torch(kind, n_power_iterations):
    ours, theirs = pair(kind)
    parametrizations.spectral_norm(ours, n_power_iterations=n_power_iterations)
    torch.nn.utils.parametrizations.spectral_norm(theirs, n_power_iterations=n_power_iterations)
    keys = ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
            "parametrizations.weight.0._v"]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == keys
    theirs.load_state_dict(to_torch_sd(ours.state_dict()), strict=True)
    for step in range(3):
        out, tout = run_both(ours, theirs, kind, seed=step)
        np.testing.assert_allclose(out, tout, rtol=1e-10, atol=1e-12)
    for key in keys[2:]:
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), theirs.state_dict()[key].numpy(), rtol=1e-10,
                                   atol=1e-12)
    assert_grads_match(ours, theirs)

    ours.eval()
    theirs.eval()
    with autograd_core.no_grad(), torch.no_grad():
        np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.numpy(), rtol=1e-10)
    ours.load_state_dict(to_ours_sd(theirs.state_dict()), strict=True)

    # leave_parametrized=False keeps the unnormalized original; the parameter object survives (optimizers)
    original = ours.parametrizations.weight.original
    parametrize.remove_parametrizations(ours, "weight", leave_parametrized=False)
    torch.nn.utils.parametrize.remove_parametrizations(theirs, "weight", leave_parametrized=False)
    assert ours.weight is original
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-12)


def test_parametrized_spectral_norm_of_a_vector_is_its_normalization():
    ours, theirs = pair("linear")
    parametrizations.spectral_norm(ours, name="bias")
    torch.nn.utils.parametrizations.spectral_norm(theirs, name="bias")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    out, tout = run_both(ours, theirs, "linear")
    np.testing.assert_allclose(out, tout, rtol=1e-12)
    assert_grads_match(ours, theirs)
    np.testing.assert_allclose(np.linalg.norm(ours.bias.detach().numpy()), 1.0)


def test_spectral_norm_parametrization_checks():
    with pytest.raises(IndexError, match="Dimension out of range"):
        parametrizations.spectral_norm(nn.Linear(3, 2), dim=2)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        parametrizations.spectral_norm(nn.Linear(3, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'kernel'"):
        parametrizations.spectral_norm(nn.Linear(3, 2), name="kernel")


class Scale(nn.Module):
    """A parametrization without right_inverse."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, X):
        return X * self.factor


class Positive(nn.Module):
    """exp, with log as right inverse."""

    def forward(self, X):
        return X.exp()

    def right_inverse(self, Y):
        return Y.log()


class Symmetric(nn.Module):
    def forward(self, X):
        return (X + X.transpose(0, 1)) / 2


def test_register_parametrization_custom_and_chained():
    m = nn.Linear(3, 3)
    w0 = m.weight.detach().numpy().copy()
    parametrize.register_parametrization(m, "weight", Symmetric())
    np.testing.assert_allclose(m.weight.detach().numpy(), (w0 + w0.T) / 2, rtol=1e-6)
    parametrize.register_parametrization(m, "weight", Scale(2.0))
    np.testing.assert_allclose(m.weight.detach().numpy(), w0 + w0.T, rtol=1e-6)
    assert len(m.parametrizations.weight) == 2
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert parametrize.type_before_parametrizations(m) is nn.Linear
    assert isinstance(m, nn.Linear) and type(m).__name__ == "ParametrizedLinear"
    assert type(nn.Linear(3, 3)) is nn.Linear  # other instances are untouched

    # gradients flow to the original through the chain
    m(autograd_core.ones(1, 3)).sum().backward()
    g = m.parametrizations.weight.original.grad.numpy()
    np.testing.assert_allclose(g, np.full((3, 3), 2.0), rtol=1e-6)  # d/dW_ij of sum((W + W^T) 1) is 2
    with pytest.raises(RuntimeError, match="Scale does not implement right_inverse"):
        m.weight = autograd_core.zeros(3, 3)


def test_parametrized_buffer_and_right_inverse():
    m = nn.Linear(2, 2)
    m.register_buffer("scale", Tensor(np.array([2.0, 3.0], dtype=np.float32)))
    parametrize.register_parametrization(m, "scale", Positive())
    # right_inverse ran at registration: original = log(scale), the value is unchanged
    np.testing.assert_allclose(m.parametrizations.scale.original.numpy(), np.log([2.0, 3.0]), rtol=1e-6)
    np.testing.assert_allclose(m.scale.numpy(), [2.0, 3.0], rtol=1e-6)
    assert "parametrizations.scale.original" in m.state_dict()
    assert [n for n, _ in m.named_buffers()] == ["parametrizations.scale.original"]
    m.scale = Tensor(np.array([5.0, 7.0], dtype=np.float32))
    np.testing.assert_allclose(m.scale.numpy(), [5.0, 7.0], rtol=1e-6)


def test_parametrization_state_dict_loads_into_torch_strictly():
    class TorchPositive(torch.nn.Module):
        def forward(self, X):
            return X.exp()

        def right_inverse(self, Y):
            return Y.log()

    ours, theirs = pair("linear")
    ours.bias.numpy()[...] = [0.5, 1.0, 2.0]
    theirs.load_state_dict(to_torch_sd(ours.state_dict()))
    parametrize.register_parametrization(ours, "bias", Positive())
    torch.nn.utils.parametrize.register_parametrization(theirs, "bias", TorchPositive())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict(to_torch_sd(ours.state_dict()), strict=True)
    out, tout = run_both(ours, theirs, "linear")
    np.testing.assert_allclose(out, tout, rtol=1e-12)
    assert_grads_match(ours, theirs)


def test_cached_computes_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 1.0

    m = nn.Linear(2, 2)
    parametrize.register_parametrization(m, "weight", Counting())
    calls.clear()
    m.weight, m.weight
    assert len(calls) == 2
    calls.clear()
    with parametrize.cached():
        a, b = m.weight, m.weight
        with parametrize.cached():  # nested: still the same cache
            c = m.weight
    assert len(calls) == 1 and a is b is c
    m.weight
    assert len(calls) == 2  # the cache is gone after the outermost context


def test_parametrize_errors():
    m = nn.Linear(3, 2)

    class Bad(nn.Module):
        def forward(self, X):
            return X[:1]

    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(m, "weight", Bad())
    assert not parametrize.is_parametrized(m) and type(m) is nn.Linear
    parametrize.register_parametrization(m, "weight", Bad(), unsafe=True)
    assert m.weight.shape == (1, 3)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
        parametrize.register_parametrization(m, "kernel", Scale(1.0))
    with pytest.raises(ValueError, match="does not have a parametrization on bias"):
        parametrize.remove_parametrizations(m, "bias")
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        m.weight = nn.Parameter(autograd_core.zeros(2, 3))

    n = parametrizations.weight_norm(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        parametrize.remove_parametrizations(n, "weight", leave_parametrized=False)
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(n)
    clone = copy.deepcopy(n)  # deepcopy still works
    np.testing.assert_array_equal(clone.weight.detach().numpy(), n.weight.detach().numpy())
    assert clone.parametrizations.weight.original0 is not n.parametrizations.weight.original0


def test_remove_parametrizations_keeps_the_optimized_parameter():
    m = nn.Linear(3, 2)
    parametrize.register_parametrization(m, "weight", Scale(3.0))
    original = m.parametrizations.weight.original
    import optim

    opt = optim.SGD(m.parameters(), lr=0.1)
    m(autograd_core.ones(1, 3)).sum().backward()
    opt.step()
    parametrize.remove_parametrizations(m, "weight")  # leave_parametrized: original now holds 3 * original
    assert m.weight is original and isinstance(m.weight, nn.Parameter)
    assert any(p is original for p in opt.param_groups[0]["params"])


def test_transfer_parametrizations():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    parametrize.register_parametrization(a, "weight", Scale(2.0))
    parametrize.transfer_parametrizations_and_params(a, b)
    assert b.parametrizations.weight.original is a.parametrizations.weight.original
    np.testing.assert_array_equal(b.weight.detach().numpy(), a.weight.detach().numpy())


# ---------------------------------------------------------------------------------------------- clip_grad
def grads_pair(dtype=np.float64, with_zeros=True):
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(5), np.zeros(3) if with_zeros else rng.random(3),
              rng.standard_normal(())]
    arrays[1][2] = 0.0
    ours, theirs = [], []
    for a in arrays:
        p, q = Tensor(a.astype(dtype), requires_grad=True), torch.tensor(a.astype(dtype), requires_grad=True)
        p.grad, q.grad = Tensor(a.astype(dtype) * 3), torch.tensor(a.astype(dtype) * 3)
        ours.append(p)
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, -math.inf, 0, 0.5, 3.0, -1.0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    ours, theirs = grads_pair(dtype, with_zeros=norm_type not in (0.5, -1.0))
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    assert total.dtype == dtype and total.shape == ()
    np.testing.assert_allclose(total.numpy(), ttotal.numpy(), rtol=rtol)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=rtol, atol=1e-7)


def test_clip_grad_norm_nonfinite_and_empty():
    p = Tensor(np.ones(3), requires_grad=True)
    p.grad = Tensor(np.array([1.0, np.inf, 0.0]))
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert math.isinf(float(nn.utils.clip_grad_norm_([p], 1.0)))
    with pytest.warns(UserWarning, match="empty generator"):
        total = nn.utils.clip_grad_norm_((q for q in []), 1.0)
    assert float(total) == 0.0 and total.dtype == np.float32
    assert float(nn.utils.get_total_norm([])) == 0.0
    with pytest.warns(FutureWarning):
        nn.utils.clip_grad_norm([p], 1.0)


def test_get_total_norm_and_clip_grads_with_norm_match_torch():
    ours, theirs = grads_pair()
    total = nn.utils.get_total_norm([p.grad for p in ours], 3.0)
    ttotal = torch.nn.utils.get_total_norm([q.grad for q in theirs], 3.0)
    np.testing.assert_allclose(total.numpy(), ttotal.numpy(), rtol=1e-12)
    nn.utils.clip_grads_with_norm_(ours, 0.7, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.7, ttotal)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_matches_torch():
    ours, theirs = grads_pair()
    nn.utils.clip_grad_value_(ours, 0.8)
    torch.nn.utils.clip_grad_value_(theirs, 0.8)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


# ---------------------------------------------------------------------------------------------- vectors
def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = pair("conv")
    vec = nn.utils.parameters_to_vector(ours.parameters())
    tvec = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(vec.numpy(), tvec.detach().numpy())
    new = np.arange(vec.shape[0], dtype=np.float64)
    nn.utils.vector_to_parameters(Tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.detach().numpy(), err_msg=name)
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.utils.vector_to_parameters(new, ours.parameters())


# ---------------------------------------------------------------------------------------------- fusion
def bn_pair(n, dtype=np.float64):
    rng = np.random.default_rng(9)
    ours, theirs = nn.BatchNorm2d(n).to(dtype), torch.nn.BatchNorm2d(n).double()
    state = {"weight": rng.standard_normal(n), "bias": rng.standard_normal(n), "running_mean": rng.standard_normal(n),
             "running_var": rng.random(n) + 0.5, "num_batches_tracked": np.array(3)}
    ours.load_state_dict(state)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    return ours.eval(), theirs.eval()


def test_fuse_conv_bn_eval_matches_torch_and_the_unfused_pair():
    conv, tconv = pair("conv")
    bn, tbn = bn_pair(3)
    conv.eval()
    tconv.eval()
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    tfused = torch.nn.utils.fuse_conv_bn_eval(tconv, tbn)
    assert type(fused) is nn.Conv2d and fused is not conv
    np.testing.assert_allclose(fused.weight.numpy(), tfused.weight.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(fused.bias.numpy(), tfused.bias.detach().numpy(), rtol=1e-12)
    assert isinstance(fused.weight, nn.Parameter) and fused.weight.requires_grad
    x, _ = inputs("conv")
    with autograd_core.no_grad():
        np.testing.assert_allclose(fused(x).numpy(), bn(conv(x)).numpy(), rtol=1e-10, atol=1e-12)
    conv.train()
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        nn.utils.fuse_conv_bn_eval(conv, bn)


def test_fuse_conv_bn_weights_without_bias_and_transposed():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((4, 3, 2, 2))
    rm, rv, g, b = rng.standard_normal(3), rng.random(3) + 0.1, rng.standard_normal(3), rng.standard_normal(3)
    fw, fb = nn.utils.fuse_conv_bn_weights(Tensor(w), None, Tensor(rm), Tensor(rv), 1e-3, Tensor(g), None,
                                           transpose=True)
    tfw, tfb = torch.nn.utils.fuse_conv_bn_weights(torch.tensor(w), None, torch.tensor(rm), torch.tensor(rv), 1e-3,
                                                   torch.tensor(g), None, transpose=True)
    np.testing.assert_allclose(fw.numpy(), tfw.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(fb.numpy(), tfb.detach().numpy(), rtol=1e-12)
    assert fw.requires_grad == tfw.requires_grad and fb.requires_grad == tfb.requires_grad
    del b


def test_fuse_linear_bn_eval_matches_torch():
    lin, tlin = pair("linear")
    rng = np.random.default_rng(5)
    bn, tbn = nn.BatchNorm1d(3).double(), torch.nn.BatchNorm1d(3).double()
    state = {"weight": rng.standard_normal(3), "bias": rng.standard_normal(3), "running_mean": rng.standard_normal(3),
             "running_var": rng.random(3) + 0.5, "num_batches_tracked": np.array(1)}
    bn.load_state_dict(state)
    tbn.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    for m in (lin, tlin, bn, tbn):
        m.eval()
    fused = nn.utils.fuse_linear_bn_eval(lin, bn)
    tfused = torch.nn.utils.fuse_linear_bn_eval(tlin, tbn)
    np.testing.assert_allclose(fused.weight.numpy(), tfused.weight.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(fused.bias.numpy(), tfused.bias.detach().numpy(), rtol=1e-12)
    x, _ = inputs("linear")
    with autograd_core.no_grad():
        np.testing.assert_allclose(fused(x).numpy(), bn(lin(x)).numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(AssertionError, match="linear.out_features == bn.num_features"):
        nn.utils.fuse_linear_bn_eval(lin, nn.BatchNorm1d(4).eval())
