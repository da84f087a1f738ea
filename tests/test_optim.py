"""Optimizers: PyTorch trajectories step for step, hand-computed updates, and the Optimizer machinery.

The comparisons feed both libraries identical float64 initial weights and identical gradients, computed in numpy
from the current weights of a fixed quadratic 0.5 (w - t)^T M (w - t) per parameter, so any difference comes
from the update rules alone. One parameter gets no gradient every third step, to check that both skip it.
"""
import io
import json
import math

import numpy as np
import pytest

import autograd_core
import optim
from autograd_core import Tensor

SHAPES = [(3, 4), (4,), (), (2, 1, 3)]
STEPS = 25
NO_GRAD_PARAM = 1  # this parameter gets no gradient at every third step


def make_problem(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    inits, hessians, targets = [], [], []
    for shape in SHAPES:
        n = int(np.prod(shape))
        q = rng.standard_normal((n, n))
        hessians.append(q @ q.T / n + 0.5 * np.eye(n))
        targets.append(rng.standard_normal(n))
        inits.append(rng.standard_normal(shape).astype(dtype))
    return inits, hessians, targets


def quad_grad(w, hessian, target):
    return (hessian @ (w.ravel() - target)).reshape(w.shape).astype(w.dtype)


def grouped(params, groups):
    if groups is None:
        return params
    return [dict(opts, params=[params[i] for i in idx]) for idx, opts in groups]


def run_ours(cls, kwargs, groups=None, steps=STEPS, dtype=np.float64, start=None):
    inits, hessians, targets = make_problem(dtype=dtype)
    params = [Tensor(w.copy(), requires_grad=True) for w in inits]
    opt = cls(grouped(params, groups), **kwargs)
    trajectory = []
    for step in range(steps):
        for i, p in enumerate(params):
            skip = i == NO_GRAD_PARAM and step % 3 == 2
            p.grad = None if skip else Tensor(quad_grad(p.numpy(), hessians[i], targets[i]))
        opt.step()
        trajectory.append([p.numpy().copy() for p in params])
    return trajectory, opt, params


def run_torch(name, kwargs, groups=None, steps=STEPS):
    torch = pytest.importorskip("torch")
    inits, hessians, targets = make_problem()
    params = [torch.tensor(w.copy(), requires_grad=True) for w in inits]
    opt = getattr(torch.optim, name)(grouped(params, groups), **kwargs)
    trajectory = []
    for step in range(steps):
        for i, p in enumerate(params):
            skip = i == NO_GRAD_PARAM and step % 3 == 2
            p.grad = None if skip else torch.tensor(quad_grad(p.detach().numpy(), hessians[i], targets[i]))
        opt.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory, opt


@pytest.fixture
def torch_f64():
    """PyTorch keeps scalar state (step, NAdam's mu_product) in the default dtype; make it float64 like ours."""
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
    ("SGD", dict(lr=0.02, momentum=0.5, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.05, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.2, amsgrad=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]

GROUPS = [([0, 2], dict(lr=0.02, weight_decay=0.05)), ([1, 3], dict())]


def case_id(case):
    name, kwargs = case
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


def assert_same_trajectory(ours, theirs, rtol=1e-10, atol=1e-12):
    assert len(ours) == len(theirs)
    for step, (a_params, b_params) in enumerate(zip(ours, theirs)):
        for i, (a, b) in enumerate(zip(a_params, b_params)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"step {step + 1}, parameter {i}")


# ---------------------------------------------------------------------------------------------- PyTorch parity
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_torch_trajectory(case, torch_f64):
    name, kwargs = case
    ours, opt, _ = run_ours(getattr(optim, name), kwargs)
    theirs, torch_opt = run_torch(name, kwargs)
    assert_same_trajectory(ours, theirs)
    assert ours[-1][0].dtype == np.float64

    # same state dict: same state keys and values, our group keys are PyTorch's (less foreach/fused/...)
    sd, tsd = opt.state_dict(), torch_opt.state_dict()
    assert sd["state"].keys() == tsd["state"].keys()
    for idx, state in sd["state"].items():
        assert state.keys() == tsd["state"][idx].keys()
        for key, value in state.items():
            np.testing.assert_allclose(value, tsd["state"][idx][key].numpy(), rtol=1e-10, atol=1e-12)
    for group, tgroup in zip(sd["param_groups"], tsd["param_groups"]):
        for key, value in group.items():
            assert tgroup[key] == value, key


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam"])
def test_param_groups_match_torch(name, torch_f64):
    kwargs = dict(lr=0.05, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=0.05)
    ours, _, _ = run_ours(getattr(optim, name), kwargs, groups=GROUPS)
    theirs, _ = run_torch(name, kwargs, groups=GROUPS)
    assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in ("SGD", "Adam", "RMSprop", "NAdam")][::2],
                         ids=case_id)
def test_load_torch_state_dict_and_continue(case, torch_f64):
    """A PyTorch state dict (tensors as values) loads into ours and the trajectories stay together."""
    torch = torch_f64
    name, kwargs = case
    _, torch_opt = run_torch(name, kwargs, steps=10)
    inits, hessians, targets = make_problem()
    # restart both from the weights PyTorch reached
    weights = [p.detach().numpy().copy() for g in torch_opt.param_groups for p in g["params"]]
    ours = [Tensor(w.copy(), requires_grad=True) for w in weights]
    theirs = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    opt = getattr(optim, name)(ours, **kwargs)
    opt.load_state_dict(torch_opt.state_dict())
    topt = getattr(torch.optim, name)(theirs, **kwargs)
    topt.load_state_dict(torch_opt.state_dict())
    for _ in range(10):
        for i, (p, q) in enumerate(zip(ours, theirs)):
            g = quad_grad(p.numpy(), hessians[i], targets[i])
            p.grad, q.grad = Tensor(g), torch.tensor(g.copy())
        opt.step()
        topt.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_param_names_in_state_dict(torch_f64):
    torch = torch_f64
    named = [("w", Tensor(np.ones(3), requires_grad=True)), ("b", Tensor(np.ones(1), requires_grad=True))]
    opt = optim.SGD(named, lr=0.1)
    topt = torch.optim.SGD([(n, torch.ones(p.shape, requires_grad=True)) for n, p in named], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == topt.state_dict()["param_groups"][0]["param_names"]


# ---------------------------------------------------------------------------------------------- hand-computed
def one_param(value, grad=None):
    p = Tensor(np.array(value, dtype=np.float64), requires_grad=True)
    if grad is not None:
        p.grad = Tensor(np.array(grad, dtype=np.float64))
    return p


def set_grad(p, grad):
    p.grad = Tensor(np.array(grad, dtype=np.float64))


W0, G1, G2 = np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.4, 2.0]), np.array([-0.1, 0.6, 1.0])


def two_steps(opt_factory):
    p = one_param(W0)
    opt = opt_factory([p])
    set_grad(p, G1)
    opt.step()
    w1 = p.numpy().copy()
    set_grad(p, G2)
    opt.step()
    return w1, p.numpy().copy()


def test_sgd_plain_by_hand():
    w1, w2 = two_steps(lambda ps: optim.SGD(ps, lr=0.1))
    np.testing.assert_allclose(w1, W0 - 0.1 * G1, rtol=1e-15)
    np.testing.assert_allclose(w2, W0 - 0.1 * G1 - 0.1 * G2, rtol=1e-15)


def test_sgd_momentum_dampening_weight_decay_by_hand():
    lr, mu, tau, wd = 0.1, 0.9, 0.25, 0.01
    w1, w2 = two_steps(lambda ps: optim.SGD(ps, lr=lr, momentum=mu, dampening=tau, weight_decay=wd))
    g1 = G1 + wd * W0
    buf = g1  # first buffer: the gradient itself, no dampening
    e1 = W0 - lr * buf
    g2 = G2 + wd * e1
    buf = mu * buf + (1 - tau) * g2
    np.testing.assert_allclose(w1, e1, rtol=1e-14)
    np.testing.assert_allclose(w2, e1 - lr * buf, rtol=1e-14)


def test_sgd_nesterov_by_hand():
    lr, mu = 0.1, 0.9
    w1, w2 = two_steps(lambda ps: optim.SGD(ps, lr=lr, momentum=mu, nesterov=True))
    buf = G1
    e1 = W0 - lr * (G1 + mu * buf)
    buf = mu * buf + G2
    np.testing.assert_allclose(w1, e1, rtol=1e-14)
    np.testing.assert_allclose(w2, e1 - lr * (G2 + mu * buf), rtol=1e-14)


def test_adam_first_two_steps_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    w1, w2 = two_steps(lambda ps: optim.Adam(ps, lr=lr))
    # step 1: the bias-corrected moments are g and g^2, so the step is lr * g / (|g| + eps)
    e1 = W0 - lr * G1 / (np.abs(G1) + eps)
    m = b1 * (1 - b1) * G1 + (1 - b1) * G2
    v = b2 * (1 - b2) * G1 ** 2 + (1 - b2) * G2 ** 2
    e2 = e1 - lr / (1 - b1 ** 2) * m / (np.sqrt(v) / math.sqrt(1 - b2 ** 2) + eps)
    np.testing.assert_allclose(w1, e1, rtol=1e-13)
    np.testing.assert_allclose(w2, e2, rtol=1e-13)


def test_adamw_amsgrad_by_hand():
    lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.1
    w1, w2 = two_steps(lambda ps: optim.AdamW(ps, lr=lr, weight_decay=wd, amsgrad=True))
    e1 = W0 * (1 - lr * wd) - lr * G1 / (np.abs(G1) + eps)
    m = b1 * (1 - b1) * G1 + (1 - b1) * G2
    v = np.maximum((1 - b2) * G1 ** 2, b2 * (1 - b2) * G1 ** 2 + (1 - b2) * G2 ** 2)
    e2 = e1 * (1 - lr * wd) - lr / (1 - b1 ** 2) * m / (np.sqrt(v) / math.sqrt(1 - b2 ** 2) + eps)
    np.testing.assert_allclose(w1, e1, rtol=1e-13)
    np.testing.assert_allclose(w2, e2, rtol=1e-13)


def test_adagrad_by_hand():
    lr, decay, eps, init = 0.1, 0.5, 1e-10, 0.25
    w1, w2 = two_steps(lambda ps: optim.Adagrad(ps, lr=lr, lr_decay=decay, initial_accumulator_value=init))
    s = init + G1 ** 2
    e1 = W0 - lr * G1 / (np.sqrt(s) + eps)
    s = s + G2 ** 2
    e2 = e1 - lr / (1 + decay) * G2 / (np.sqrt(s) + eps)
    np.testing.assert_allclose(w1, e1, rtol=1e-14)
    np.testing.assert_allclose(w2, e2, rtol=1e-14)


def test_rmsprop_by_hand():
    lr, a, eps = 0.01, 0.99, 1e-8
    w1, w2 = two_steps(lambda ps: optim.RMSprop(ps, lr=lr))
    v = (1 - a) * G1 ** 2
    e1 = W0 - lr * G1 / (np.sqrt(v) + eps)
    v = a * v + (1 - a) * G2 ** 2
    np.testing.assert_allclose(w1, e1, rtol=1e-14)
    np.testing.assert_allclose(w2, e1 - lr * G2 / (np.sqrt(v) + eps), rtol=1e-14)


def test_rmsprop_centered_momentum_by_hand():
    lr, a, eps, mu = 0.01, 0.9, 1e-8, 0.5
    w1, w2 = two_steps(lambda ps: optim.RMSprop(ps, lr=lr, alpha=a, momentum=mu, centered=True))
    v, gbar = (1 - a) * G1 ** 2, (1 - a) * G1
    buf = G1 / (np.sqrt(v - gbar ** 2) + eps)
    e1 = W0 - lr * buf
    v, gbar = a * v + (1 - a) * G2 ** 2, a * gbar + (1 - a) * G2
    buf = mu * buf + G2 / (np.sqrt(v - gbar ** 2) + eps)
    np.testing.assert_allclose(w1, e1, rtol=1e-12)
    np.testing.assert_allclose(w2, e1 - lr * buf, rtol=1e-12)


def test_adadelta_by_hand():
    lr, rho, eps = 1.0, 0.9, 1e-6
    w1, w2 = two_steps(lambda ps: optim.Adadelta(ps))
    v = (1 - rho) * G1 ** 2
    d1 = np.sqrt(eps) / np.sqrt(v + eps) * G1
    u = (1 - rho) * d1 ** 2
    e1 = W0 - lr * d1
    v = rho * v + (1 - rho) * G2 ** 2
    d2 = np.sqrt(u + eps) / np.sqrt(v + eps) * G2
    np.testing.assert_allclose(w1, e1, rtol=1e-14)
    np.testing.assert_allclose(w2, e1 - lr * d2, rtol=1e-14)


def test_adamax_and_nadam_first_step_by_hand():
    lr, b1, b2, eps, psi = 0.01, 0.9, 0.999, 1e-8, 4e-3
    w1, _ = two_steps(lambda ps: optim.Adamax(ps, lr=lr))
    np.testing.assert_allclose(w1, W0 - lr / (1 - b1) * (1 - b1) * G1 / (np.abs(G1) + eps), rtol=1e-14)
    w1, _ = two_steps(lambda ps: optim.NAdam(ps, lr=lr))
    mu1 = b1 * (1 - 0.5 * 0.96 ** psi)
    mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
    denom = np.sqrt((1 - b2) * G1 ** 2 / (1 - b2)) + eps
    e1 = W0 - lr * (1 - mu1) / (1 - mu1) * G1 / denom - lr * mu2 / (1 - mu1 * mu2) * (1 - b1) * G1 / denom
    np.testing.assert_allclose(w1, e1, rtol=1e-13)


def test_maximize_is_minimizing_the_negation():
    p, q = one_param(W0, G1), one_param(W0, -G1)
    optim.Adam([p], lr=0.1, maximize=True).step()
    optim.Adam([q], lr=0.1).step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_param_groups_with_different_lr_and_weight_decay():
    a, b = one_param(W0, G1), one_param(W0, G1)
    opt = optim.SGD([{"params": [a], "lr": 0.5, "weight_decay": 0.1}, {"params": [b]}], lr=0.01)
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["weight_decay"] == 0
    assert opt.param_groups[0]["momentum"] == 0  # defaults fill the missing keys
    opt.step()
    np.testing.assert_allclose(a.numpy(), W0 - 0.5 * (G1 + 0.1 * W0), rtol=1e-15)
    np.testing.assert_allclose(b.numpy(), W0 - 0.01 * G1, rtol=1e-15)


# ---------------------------------------------------------------------------------------------- machinery
ALL = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW, optim.Adadelta, optim.Adamax, optim.NAdam]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_float32_stays_float32(cls):
    ours32, opt, params = run_ours(cls, dict(lr=0.01), dtype=np.float32)
    ours64, _, _ = run_ours(cls, dict(lr=0.01))
    for p in params:
        assert p.numpy().dtype == np.float32
    for state in opt.state.values():
        for value in state.values():
            assert isinstance(value, float) or value.dtype == np.float32
    assert_same_trajectory(ours32, ours64, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_params_without_grad_are_skipped(cls):
    p, q = one_param(W0, G1), one_param(W0)
    opt = cls([p, q], lr=0.1)
    version = q._version[0]
    opt.step()
    np.testing.assert_array_equal(q.numpy(), W0)
    assert q._version[0] == version
    assert not np.array_equal(p.numpy(), W0)
    if cls is not optim.Adagrad:  # Adagrad creates its state eagerly, like PyTorch
        assert len(opt.state[q]) == 0


def test_step_updates_in_place_and_bumps_version():
    p = one_param(W0, G1)
    array, version = p.numpy(), p._version[0]
    optim.Adam([p], lr=0.1).step()
    assert p.numpy() is array
    assert p._version[0] > version
    assert p.grad.numpy().tolist() == G1.tolist()  # the gradient is not modified


def test_state_is_lazy_and_keyed_by_parameter():
    p = one_param(W0, G1)
    opt = optim.Adam([p], lr=0.1)
    assert len(opt.state) == 0
    opt.step()
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_avg_sq"}
    assert opt.state[p]["step"] == 1.0


def test_zero_grad_set_to_none():
    p = one_param(W0, G1)
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad()
    assert p.grad is None
    opt.zero_grad()  # no grad: nothing to do


def test_zero_grad_in_place():
    p = one_param(W0, G1)
    grad, array = p.grad, p.grad.numpy()
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and p.grad.numpy() is array
    np.testing.assert_array_equal(array, 0.0)
    opt.step()  # a zero gradient is still a step
    np.testing.assert_array_equal(p.numpy(), W0)
    assert "momentum_buffer" in opt.state[p]


def test_closure_runs_with_grad_enabled_and_returns_loss():
    p = one_param(W0)
    calls = []

    def closure():
        calls.append(autograd_core.is_grad_enabled())
        opt.zero_grad()
        set_grad(p, 2 * p.numpy())  # gradient of |w|^2
        return float((p.numpy() ** 2).sum())

    opt = optim.SGD([p], lr=0.25)
    with autograd_core.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss == pytest.approx((W0 ** 2).sum())
    np.testing.assert_allclose(p.numpy(), W0 * 0.5)
    assert opt.step() is None


def test_closure_with_real_backward():
    p = Tensor(W0.copy(), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss) == pytest.approx((W0 ** 2).sum())
    np.testing.assert_allclose(p.numpy(), W0 - 0.1 * 2 * W0)


BAD_HYPERPARAMETERS = [
    (optim.SGD, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.SGD, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (optim.SGD, dict(weight_decay=-1e-4), "Invalid weight_decay value"),
    (optim.SGD, dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (optim.SGD, dict(momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
    (optim.Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value"),
    (optim.Adagrad, dict(eps=-1), "Invalid epsilon value: -1"),
    (optim.RMSprop, dict(alpha=-0.1), "Invalid alpha value"),
    (optim.RMSprop, dict(momentum=-1), "Invalid momentum value"),
    (optim.Adam, dict(lr=-1e-3), "Invalid learning rate: -0.001"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (optim.AdamW, dict(weight_decay=-0.1), "Invalid weight_decay value"),
    (optim.Adam, dict(eps=-1e-8), "Invalid epsilon value"),
    (optim.Adadelta, dict(rho=1.5), "Invalid rho value: 1.5"),
    (optim.Adamax, dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1"),
    (optim.NAdam, dict(momentum_decay=-1), "Invalid momentum_decay value"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_raise(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([one_param(W0)], **kwargs)


def test_bad_params_raise():
    p = one_param(W0)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD({p}, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([p])


def test_add_param_group_uses_defaults():
    p, q = one_param(W0, G1), one_param(W0, G1)
    opt = optim.Adam([p], lr=0.1, betas=(0.8, 0.9))
    opt.add_param_group({"params": q, "lr": 0.01})
    assert opt.param_groups[1]["params"][0] is q
    assert opt.param_groups[1]["betas"] == (0.8, 0.9) and opt.param_groups[1]["lr"] == 0.01
    opt.step()
    assert opt.state[q]["step"] == 1.0


def test_gradient_shape_mismatch_raises():
    p = one_param(W0)
    p.grad = Tensor(np.ones(4))
    with pytest.raises(autograd_core.ShapeError, match=r"\(4,\).*\(3,\)"):
        optim.SGD([p], lr=0.1).step()


def test_repr_lists_groups():
    text = repr(optim.SGD([one_param(W0)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# ---------------------------------------------------------------------------------------------- state dicts
def npz_roundtrip(state_dict):
    """Save a state dict the way a no-pickle checkpoint would: arrays in an .npz, the rest as JSON."""
    arrays = {f"state/{i}/{k}": np.asarray(v) for i, s in state_dict["state"].items() for k, v in s.items()}
    arrays["param_groups"] = np.array(json.dumps(state_dict["param_groups"]))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    loaded = np.load(buffer, allow_pickle=False)
    state = {}
    for key in loaded.files:
        if key.startswith("state/"):
            _, i, k = key.split("/")
            state.setdefault(i, {})[k] = loaded[key]  # string indices and 0-d arrays, on purpose
    return {"state": state, "param_groups": json.loads(str(loaded["param_groups"]))}


@pytest.mark.parametrize("cls, kwargs", [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    (optim.RMSprop, dict(momentum=0.5, centered=True)),
    (optim.Adam, dict(lr=0.05, amsgrad=True)),
    (optim.AdamW, dict(lr=0.05)),
    (optim.Adadelta, dict()),
    (optim.Adamax, dict(lr=0.05)),
    (optim.NAdam, dict(lr=0.05)),
], ids=lambda x: x.__name__ if isinstance(x, type) else "")
def test_state_dict_roundtrip_continues_identically(cls, kwargs):
    _, hessians, targets = make_problem()
    _, opt, params = run_ours(cls, kwargs, groups=GROUPS, steps=10)
    saved = npz_roundtrip(opt.state_dict())

    clones = [Tensor(p.numpy().copy(), requires_grad=True) for p in params]
    fresh = cls(grouped(clones, [(idx, {}) for idx, _ in GROUPS]), **kwargs)  # hyperparameters come from the file
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == 0.02 and fresh.param_groups[0]["weight_decay"] == 0.05
    for _ in range(10):
        for ps in (params, clones):
            for i, p in enumerate(ps):
                p.grad = Tensor(quad_grad(p.numpy(), hessians[i], targets[i]))
        opt.step()
        fresh.step()
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    for p, q in zip(params, clones):
        for key, value in opt.state[p].items():
            assert type(fresh.state[q][key]) is type(value)
            np.testing.assert_array_equal(fresh.state[q][key], value)


def test_state_dict_structure_and_snapshot():
    _, opt, params = run_ours(optim.SGD, dict(lr=0.1, momentum=0.9), groups=GROUPS, steps=2)
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert set(sd["state"]) == {0, 1, 2, 3}
    assert set(sd["state"][0]) == {"momentum_buffer"}
    buffer = sd["state"][0]["momentum_buffer"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"], buffer)  # later steps do not leak in
    assert sd["param_groups"][0]["params"] == [0, 1] and opt.param_groups[0]["params"][0] is params[0]


def test_load_state_dict_rejects_mismatches():
    a, b = one_param(W0, G1), one_param(W0, G1)
    opt = optim.Adam([a, b], lr=0.1)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.Adam([a]).load_state_dict(sd)
    c = Tensor(np.zeros(5), requires_grad=True)
    with pytest.raises(autograd_core.ShapeError, match="exp_avg"):
        optim.Adam([a, c]).load_state_dict(sd)


def test_adamw_load_keeps_decoupled_weight_decay():
    p = one_param(W0, G1)
    sd = optim.Adam([p], lr=0.1).state_dict()
    opt = optim.AdamW([one_param(W0)])
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


# ---------------------------------------------------------------------------------------------- weight_decay_groups
class TinyModel:
    def __init__(self):
        self.weight = Tensor(np.ones((2, 3)), requires_grad=True)
        self.bias = Tensor(np.ones(2), requires_grad=True)
        self.norm_w = Tensor(np.ones((2, 2)), requires_grad=True)  # 2-D but named like a norm parameter
        self.scale = Tensor(np.ones(3), requires_grad=True)
        self.frozen = Tensor(np.ones((3, 3)))

    def named_parameters(self):
        yield "fc.weight", self.weight
        yield "fc.bias", self.bias
        yield "layer_norm.weight", self.norm_w
        yield "scale", self.scale
        yield "frozen.weight", self.frozen
        yield "tied.weight", self.weight  # shared parameter listed twice


def test_weight_decay_groups_split():
    m = TinyModel()
    decay, exempt = optim.weight_decay_groups(m, 0.1, lr=0.5)
    assert [id(p) for p in decay["params"]] == [id(m.weight)]
    assert [id(p) for p in exempt["params"]] == [id(m.bias), id(m.norm_w), id(m.scale)]
    assert decay["weight_decay"] == 0.1 and exempt["weight_decay"] == 0.0
    assert decay["lr"] == exempt["lr"] == 0.5
    decay, exempt = optim.weight_decay_groups(m.named_parameters(), 0.1, no_decay=("bias",))
    assert [id(p) for p in decay["params"]] == [id(m.weight), id(m.norm_w)]
    with pytest.raises(ValueError, match="weight_decay"):
        optim.weight_decay_groups(m, -1.0)


def test_weight_decay_groups_drive_an_optimizer():
    m = TinyModel()
    opt = optim.SGD(optim.weight_decay_groups(m, 0.5), lr=0.1)
    for _, p in m.named_parameters():
        if p.requires_grad:
            p.grad = Tensor(np.zeros(p.shape))
    opt.step()
    np.testing.assert_allclose(m.weight.numpy(), 1 - 0.1 * 0.5)  # pure decay on the weight
    np.testing.assert_array_equal(m.bias.numpy(), 1.0)  # none on the bias
    np.testing.assert_array_equal(m.scale.numpy(), 1.0)
