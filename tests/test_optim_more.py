"""RAdam, Rprop, ASGD, SparseAdam, LBFGS against PyTorch, and the implementation flags of every optimizer.

The trajectories reuse the fixed quadratic problem of ``test_optim.py`` (identical float64 weights and numpy
gradients in both libraries, one parameter skipped every third step) with two parameter groups; LBFGS, which
needs a closure, minimizes a smooth non-quadratic function written in both libraries' ops.
"""
import copy
import inspect
import pickle

import numpy as np
import pytest
from test_optim import (GROUPS, assert_same_trajectory, grouped, make_problem, npz_roundtrip, quad_grad, run_ours,
                        run_torch)

import autograd_core
import optim
from autograd_core import Tensor

CASES = [
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05, betas=(0.5, 0.9), maximize=True)),  # small beta2: rho_t > 5 from step 2 on
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(lr=0.02, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
]


@pytest.fixture
def both_f64():
    """Default dtype float64 in both libraries: PyTorch's 0-d state (step, ASGD's eta and mu) is then float64."""
    torch = pytest.importorskip("torch")
    previous = autograd_core.get_default_dtype(), torch.get_default_dtype()
    autograd_core.set_default_dtype(np.float64)
    torch.set_default_dtype(torch.float64)
    yield torch
    autograd_core.set_default_dtype(previous[0])
    torch.set_default_dtype(previous[1])


def case_id(case):
    name, kwargs = case
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


def assert_same_state(opt, torch_opt):
    sd, tsd = opt.state_dict(), torch_opt.state_dict()
    assert sd["state"].keys() == tsd["state"].keys()
    for idx, state in sd["state"].items():
        assert state.keys() == tsd["state"][idx].keys()
        for key, value in state.items():
            np.testing.assert_allclose(value, np.asarray(tsd["state"][idx][key]), rtol=1e-10, atol=1e-12)
    for group, tgroup in zip(sd["param_groups"], tsd["param_groups"]):
        assert group.keys() == tgroup.keys()
        for key, value in group.items():
            assert tgroup[key] == value, key


# ---------------------------------------------------------------------------------------------- PyTorch parity
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_new_optimizers_match_torch(case, both_f64):
    name, kwargs = case
    ours, opt, _ = run_ours(getattr(optim, name), kwargs, groups=GROUPS)
    theirs, torch_opt = run_torch(name, kwargs, groups=GROUPS)
    assert_same_trajectory(ours, theirs)
    assert_same_state(opt, torch_opt)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] != "ASGD"], ids=case_id)
def test_new_optimizers_match_torch_single_group(case, both_f64):
    name, kwargs = case
    ours, _, _ = run_ours(getattr(optim, name), kwargs)
    theirs, _ = run_torch(name, kwargs)
    assert_same_trajectory(ours, theirs)


def test_asgd_rounds_its_step_sizes_like_torch_default_float32():
    """With both default dtypes float32, ASGD's eta and mu are float32 numbers in both libraries."""
    pytest.importorskip("torch")
    kwargs = dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3)
    ours, opt, _ = run_ours(optim.ASGD, kwargs, groups=GROUPS)
    theirs, torch_opt = run_torch("ASGD", kwargs, groups=GROUPS)
    assert_same_trajectory(ours, theirs)
    eta = opt.state[opt.param_groups[0]["params"][0]]["eta"]
    assert eta == float(np.float32(eta))
    assert eta == torch_opt.state_dict()["state"][0]["eta"].item()


def test_sparse_adam_matches_torch_on_embedding_like_gradients(both_f64):
    torch = both_f64
    rng = np.random.default_rng(1)
    w0 = [rng.standard_normal((6, 3)), rng.standard_normal((5, 2))]
    ours = [Tensor(w.copy(), requires_grad=True) for w in w0]
    theirs = [torch.tensor(w.copy(), requires_grad=True) for w in w0]
    groups = lambda ps: [{"params": [ps[0]], "lr": 0.05}, {"params": [ps[1]]}]  # noqa: E731
    opt = optim.SparseAdam(groups(ours), lr=0.02, betas=(0.8, 0.95))
    topt = torch.optim.SparseAdam(groups(theirs), lr=0.02, betas=(0.8, 0.95))
    for step in range(25):
        for p, q in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            g[rng.random(p.shape[0]) < 0.5] = 0.0  # rows that were not looked up this step
            if step == 3:
                g[...] = 0.0  # no row at all: the step count advances, nothing else moves
            p.grad = Tensor(g)
            q.grad = torch.tensor(g).to_sparse(1)  # PyTorch's sparse layout: only the nonzero rows stored
        opt.step()
        topt.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-14)
    for i, p in enumerate(ours):
        tstate = topt.state_dict()["state"][i]
        assert opt.state[p]["step"] == tstate["step"] == 25 and isinstance(opt.state[p]["step"], int)
        np.testing.assert_allclose(opt.state[p]["exp_avg_sq"], tstate["exp_avg_sq"].numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------- LBFGS
W_LBFGS = np.array([[-1.2, 1.0, 0.3], [0.5, -0.7, 1.1]])
B_LBFGS = np.array([0.1, -0.2])


_M = np.random.default_rng(7).standard_normal((10, 8)) / 2
_T = np.random.default_rng(8).standard_normal(10)


def lbfgs_value_and_grads(w, b):
    """A smooth convex non-quadratic objective in numpy, of x = (w, b) flattened: a log-cosh regression plus
    quartic and quadratic penalties. Convex and well conditioned, so rounding differences do not grow.

    Both libraries get their loss and gradients from here, so any difference comes from L-BFGS alone.
    """
    x = np.concatenate([w.ravel(), b])
    r = _M @ x - _T
    loss = np.log(np.cosh(r)).sum() + 0.025 * (x ** 4).sum() + 0.05 * (x * x).sum()
    g = _M.T @ np.tanh(r) + 0.1 * x ** 3 + 0.1 * x
    return float(loss), g[:w.size].reshape(w.shape), g[w.size:]


def lbfgs_loss(lib, w, b):
    """The same objective in the library's ops (for the tests that do not compare with PyTorch)."""
    rosen = (100 * (w[:, 1:] - w[:, :-1] ** 2) ** 2 + (1 - w[:, :-1]) ** 2).sum()
    z = w.sum(1) + b
    return rosen + lib.log((lib.exp(z) + lib.exp(-z)) / 2).sum()


def run_lbfgs(lib, kwargs, steps=6):
    if lib is autograd_core:
        w, b = (Tensor(a.copy(), requires_grad=True) for a in (W_LBFGS, B_LBFGS))
        opt, wrap = optim.LBFGS([w, b], **kwargs), Tensor
    else:
        w, b = (lib.tensor(a.copy(), requires_grad=True) for a in (W_LBFGS, B_LBFGS))
        opt, wrap = lib.optim.LBFGS([w, b], **kwargs), lib.tensor
    calls = []

    def closure():
        calls.append(lib.is_grad_enabled())
        loss, gw, gb = lbfgs_value_and_grads(np.array(w.detach().numpy()), np.array(b.detach().numpy()))
        w.grad, b.grad = wrap(gw), wrap(gb)
        return loss

    history = []
    for _ in range(steps):
        loss = opt.step(closure)
        history.append((float(loss), np.array(w.detach().numpy()), np.array(b.detach().numpy())))
    assert all(calls)
    return history, opt, (w, b)


LBFGS_CASES = [
    dict(),
    dict(lr=0.1, max_iter=5),
    dict(lr=1, max_iter=7, history_size=3),
    dict(line_search_fn="strong_wolfe"),
    dict(lr=0.8, max_iter=12, history_size=4, line_search_fn="strong_wolfe"),
    dict(max_iter=30, max_eval=18, line_search_fn="strong_wolfe", tolerance_change=1e-12),
]


@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=lambda k: "-".join(f"{a}={v}" for a, v in k.items()) or "default")
def test_lbfgs_matches_torch(kwargs, both_f64):
    torch = both_f64
    ours, opt, _ = run_lbfgs(autograd_core, kwargs)
    theirs, topt, _ = run_lbfgs(torch, kwargs)
    for step, ((l1, w1, b1), (l2, w2, b2)) in enumerate(zip(ours, theirs)):
        assert l1 == pytest.approx(l2, rel=1e-10, abs=1e-12), step
        np.testing.assert_allclose(w1, w2, rtol=1e-10, atol=1e-12, err_msg=f"step {step}")
        np.testing.assert_allclose(b1, b2, rtol=1e-10, atol=1e-12, err_msg=f"step {step}")
    state, tstate = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert state.keys() == tstate.keys()
    assert state["func_evals"] == tstate["func_evals"] and state["n_iter"] == tstate["n_iter"]
    assert len(state["old_dirs"]) == len(tstate["old_dirs"]) <= opt.param_groups[0]["history_size"]
    np.testing.assert_allclose(state["d"], tstate["d"].numpy(), rtol=1e-8, atol=1e-10)
    # ro = 1 / (y.s) comes from differences of nearly equal gradients near the optimum: loose on purpose
    np.testing.assert_allclose(np.asarray(state["ro"], dtype=float), [float(r) for r in tstate["ro"]], rtol=1e-5)
    assert opt.param_groups[0] == {**topt.param_groups[0], "params": opt.param_groups[0]["params"]}


def test_lbfgs_float32_stays_float32():
    w = Tensor(np.array([1.5, -0.5], dtype=np.float32), requires_grad=True)
    opt = optim.LBFGS([w], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((w - Tensor(np.array([0.5, 2.0], dtype=np.float32))) ** 2).sum() + (w ** 4).sum() * 0.1
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    assert w.dtype == np.float32
    state = opt.state[w]
    assert state["d"].dtype == np.float32 and state["prev_flat_grad"].dtype == np.float32
    assert all(np.asarray(r).dtype == np.float32 for r in state["ro"])


def test_lbfgs_stops_at_an_optimum_and_counts_evaluations():
    w = Tensor(np.zeros(3), requires_grad=True)
    opt = optim.LBFGS([w])
    evaluations = []

    def closure():
        evaluations.append(1)
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert len(evaluations) == 1 and opt.state[w] == {"func_evals": 1, "n_iter": 0}


def test_lbfgs_state_dict_roundtrip_continues_identically():
    hist, opt, (w, b) = run_lbfgs(autograd_core, dict(max_iter=4, history_size=3), steps=3)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    snapshot = copy.deepcopy(saved)
    w2, b2 = Tensor(w.numpy().copy(), requires_grad=True), Tensor(b.numpy().copy(), requires_grad=True)
    fresh = optim.LBFGS([w2, b2], max_iter=4, history_size=3)
    fresh.load_state_dict(saved)

    def closure_for(opt_, w_, b_):
        def closure():
            opt_.zero_grad()
            loss = lbfgs_loss(autograd_core, w_, b_)
            loss.backward()
            return loss
        return closure

    for _ in range(3):
        opt.step(closure_for(opt, w, b))
        fresh.step(closure_for(fresh, w2, b2))
    np.testing.assert_array_equal(w.numpy(), w2.numpy())
    np.testing.assert_array_equal(b.numpy(), b2.numpy())
    # the saved dict was a snapshot: later steps (which pop and append the history) did not change it
    assert len(saved["state"][0]["old_dirs"]) == len(snapshot["state"][0]["old_dirs"])
    for a, c in zip(saved["state"][0]["old_dirs"], snapshot["state"][0]["old_dirs"]):
        np.testing.assert_array_equal(a, c)


def test_lbfgs_loads_a_torch_state_dict(both_f64):
    torch = both_f64
    _, topt, (tw, tb) = run_lbfgs(torch, dict(max_iter=5, history_size=4), steps=2)
    w, b = Tensor(tw.detach().numpy().copy(), requires_grad=True), Tensor(tb.detach().numpy().copy(),
                                                                         requires_grad=True)
    opt = optim.LBFGS([w, b], max_iter=5, history_size=4)
    opt.load_state_dict(topt.state_dict())
    state = opt.state[w]
    assert isinstance(state["d"], np.ndarray) and state["d"].dtype == np.float64
    assert all(isinstance(r, np.floating) for r in state["ro"])

    def closure():
        opt.zero_grad()
        loss = lbfgs_loss(autograd_core, w, b)
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = lbfgs_loss(torch, tw, tb)
        loss.backward()
        return loss

    for _ in range(2):
        opt.step(closure)
        topt.step(tclosure)
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-8, atol=1e-10)


def test_lbfgs_errors():
    p = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="per-parameter options"):
        optim.LBFGS([{"params": [p]}, {"params": [Tensor(np.ones(1), requires_grad=True)]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS([p], lr=-1)
    opt = optim.LBFGS([p], line_search_fn="backtracking")

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    with pytest.raises(TypeError):
        opt.step()
    assert optim.LBFGS([p], max_iter=8).param_groups[0]["max_eval"] == 10


# ---------------------------------------------------------------------------------------------- state dicts
@pytest.mark.parametrize("cls, kwargs", [
    (optim.RAdam, dict(lr=0.05, decoupled_weight_decay=True, weight_decay=0.1)),
    (optim.Rprop, dict(lr=0.05)),
    (optim.ASGD, dict(lr=0.05, t0=3)),
    (optim.SparseAdam, dict(lr=0.05)),
], ids=lambda x: x.__name__ if isinstance(x, type) else "")
def test_state_dict_roundtrip_continues_identically(cls, kwargs):
    _, hessians, targets = make_problem()
    _, opt, params = run_ours(cls, kwargs, groups=GROUPS, steps=10)
    saved = npz_roundtrip(opt.state_dict())
    clones = [Tensor(p.numpy().copy(), requires_grad=True) for p in params]
    fresh = cls(grouped(clones, [(idx, {}) for idx, _ in GROUPS]), **kwargs)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == 0.02
    for _ in range(10):
        for ps in (params, clones):
            for i, p in enumerate(ps):
                p.grad = Tensor(quad_grad(p.numpy(), hessians[i], targets[i]))
        opt.step()
        fresh.step()
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
        for key, value in opt.state[p].items():
            assert type(fresh.state[q][key]) is type(value)


@pytest.mark.parametrize("name, kwargs", [("RAdam", dict(lr=0.05)), ("Rprop", dict(lr=0.05)),
                                          ("ASGD", dict(lr=0.05, t0=4))])
def test_load_torch_state_dict_and_continue(name, kwargs, both_f64):
    torch = both_f64
    _, torch_opt = run_torch(name, kwargs, steps=10)
    _, hessians, targets = make_problem()
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


# ---------------------------------------------------------------------------------------------- signatures, flags
ALL_NAMES = ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD",
             "SparseAdam", "LBFGS"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_constructor_signature_is_torchs(name):
    """Same argument names, order, kinds (positional or keyword-only) and defaults as PyTorch 2.13."""
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(optim, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    assert list(ours) == list(theirs)
    for arg, p in theirs.items():
        assert ours[arg].kind == p.kind, arg
        assert ours[arg].default == p.default, arg


FLAG_CASES = [dict(foreach=True), dict(foreach=False), dict(fused=True), dict(fused=False), dict(capturable=True),
              dict(differentiable=True), dict(foreach=True, fused=True), dict(fused=True, differentiable=True)]


def outcome(build, step):
    """'ok', or where (ctor/step) and which exception type."""
    try:
        opt = build()
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return f"ctor {type(e).__name__}"
    try:
        step(opt)
    except Exception as e:  # noqa: BLE001
        return f"step {type(e).__name__}"
    return "ok"


@pytest.mark.parametrize("flags", FLAG_CASES, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
@pytest.mark.parametrize("name", ALL_NAMES[:-2])
def test_implementation_flags_behave_like_torch_on_cpu(name, flags, both_f64):
    """Accepted where PyTorch accepts them; rejected (TypeError for an unknown one, RuntimeError/AssertionError
    for an unsupported combination, at construction or at step) where PyTorch rejects them; and when accepted,
    the trajectory is the default one."""
    torch = both_f64
    _, hessians, targets = make_problem()
    kwargs = dict(lr=0.05)

    def run(lib, p):
        cls = getattr(optim, name) if lib == "ours" else getattr(torch.optim, name)
        holder = {}

        def build():
            holder["opt"] = cls([p], **kwargs, **flags)
            return holder["opt"]

        def step(opt):
            for _ in range(5):
                g = quad_grad(np.asarray(p.detach().numpy()), hessians[0], targets[0])
                p.grad = Tensor(g) if lib == "ours" else torch.tensor(g)
                opt.step()
        return outcome(build, step)

    w0 = make_problem()[0][0]
    ours_p, torch_p = Tensor(w0.copy(), requires_grad=True), torch.tensor(w0.copy(), requires_grad=True)
    ours, theirs = run("ours", ours_p), run("torch", torch_p)
    assert ours == theirs
    if ours == "ok":
        np.testing.assert_allclose(ours_p.numpy(), torch_p.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_flag_error_messages():
    p = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together."):
        optim.Adam([p], fused=True, foreach=True)
    with pytest.raises(RuntimeError, match="`fused` does not support `differentiable`"):
        optim.SGD([p], fused=True, differentiable=True)
    p.grad = Tensor(np.ones(3))
    with pytest.raises(AssertionError, match="capturable=True"):
        optim.RMSprop([p], capturable=True).step()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        optim.Adam([p], differentiable=True).step()
    # differentiable=True admits a non-leaf parameter (as PyTorch), but a step through it is not implemented
    q = p * 2
    q.retain_grad()
    opt = optim.SGD([p * 3], lr=0.1, differentiable=True)
    opt.param_groups[0]["params"][0].grad = Tensor(np.ones(3))
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        opt.step()
    # without gradients there is nothing to refuse
    r = Tensor(np.ones(2), requires_grad=True)
    optim.Adam([r], capturable=True).step()
    # a parameter that requires no grad steps normally under differentiable=True
    s = Tensor(np.ones(2))
    s.grad = Tensor(np.ones(2))
    optim.SGD([s], lr=0.5, differentiable=True).step()
    np.testing.assert_array_equal(s.numpy(), 0.5)


def test_state_dict_records_the_flags(both_f64):
    torch = both_f64
    p = Tensor(np.ones(3), requires_grad=True)
    tp = torch.ones(3, requires_grad=True)
    for name in ALL_NAMES:
        ours = getattr(optim, name)([p]).state_dict()["param_groups"][0]
        theirs = getattr(torch.optim, name)([tp]).state_dict()["param_groups"][0]
        assert ours == theirs, name


BAD = [
    (optim.RAdam, dict(lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (optim.RAdam, dict(eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (optim.RAdam, dict(betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (optim.RAdam, dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (optim.Rprop, dict(etas=(0.5, 1.0)), ValueError, "Invalid eta values: 0.5, 1.0"),
    (optim.Rprop, dict(etas=(0.0, 1.2)), ValueError, "Invalid eta values: 0.0, 1.2"),
    (optim.Rprop, dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    (optim.ASGD, dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    (optim.ASGD, dict(weight_decay=-0.5), ValueError, "Invalid weight_decay value: -0.5"),
    (optim.SparseAdam, dict(lr=0), ValueError, "Invalid learning rate: 0"),
    (optim.SparseAdam, dict(eps=0.0), ValueError, "Invalid epsilon value: 0.0"),
    (optim.SparseAdam, dict(betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
    (optim.Adam, dict(betas=(0, 0.9)), ValueError, "betas must be either both floats or both Tensors"),
    (optim.SGD, dict(lr=Tensor(np.array([0.1, 0.2]))), ValueError, "Tensor lr must be 1-element"),
    (optim.Adagrad, dict(fused=True, foreach=True), RuntimeError, "cannot be `True` together"),
]


@pytest.mark.parametrize("cls, kwargs, exc, message", BAD, ids=lambda x: x.__name__ if isinstance(x, type) else "")
def test_bad_hyperparameters_raise_like_torch(cls, kwargs, exc, message):
    with pytest.raises(exc, match=message.replace("(", r"\(").replace(")", r"\)")):
        cls([Tensor(np.ones(3), requires_grad=True)], **kwargs)


def test_bad_hyperparameters_also_raise_in_torch():
    torch = pytest.importorskip("torch")
    for cls, kwargs, exc, message in BAD:
        kwargs = {k: (torch.tensor(v.numpy()) if isinstance(v, Tensor) else v) for k, v in kwargs.items()}
        with pytest.raises(exc, match=message.replace("(", r"\(").replace(")", r"\)")):
            getattr(torch.optim, cls.__name__)([torch.ones(3, requires_grad=True)], **kwargs)


def test_rprop_by_hand():
    p = Tensor(np.array([1.0, 1.0, 1.0]), requires_grad=True)
    opt = optim.Rprop([p], lr=0.1, etas=(0.5, 2.0), step_sizes=(0.01, 0.3))
    for g in ([1.0, -1.0, 0.0], [1.0, 1.0, 2.0], [1.0, 1.0, 2.0]):
        p.grad = Tensor(np.array(g))
        opt.step()
    # coord 0: same sign twice -> 0.1, 0.2, 0.3 (capped): 1 - 0.1 - 0.2 - 0.3
    # coord 1: +0.1, then a flip: step 0.05 and no move, then "no information": moves by 0.05
    # coord 2: no move (grad 0), then 0.1 (sign 0 -> factor 1), then 0.2
    np.testing.assert_allclose(p.numpy(), [1 - 0.6, 1 + 0.1 - 0.05, 1 - 0.1 - 0.2])
    np.testing.assert_allclose(opt.state[p]["step_size"], [0.3, 0.05, 0.2])


def test_asgd_average_starts_at_t0():
    p = Tensor(np.array([1.0]), requires_grad=True)
    opt = optim.ASGD([p], lr=0.1, lambd=0.0, t0=2)
    seen = []
    for _ in range(5):
        p.grad = Tensor(np.array([1.0]))
        opt.step()
        seen.append(p.numpy().copy())
    # mu = 1 / max(1, t - t0) stays 1 through step 4 (ax copies the parameter), then 1/2, 1/3, ...
    state = opt.state[p]
    expected = seen[3] + (seen[4] - seen[3]) * 0.5
    np.testing.assert_allclose(state["ax"], expected)
    assert state["mu"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("cls", [optim.RAdam, optim.Rprop, optim.ASGD, optim.SparseAdam], ids=lambda c: c.__name__)
def test_float32_stays_float32(cls):
    ours32, opt, params = run_ours(cls, dict(lr=0.01), dtype=np.float32)
    ours64, _, _ = run_ours(cls, dict(lr=0.01))
    for p in params:
        assert p.numpy().dtype == np.float32
    for state in opt.state.values():
        for value in state.values():
            assert isinstance(value, (int, float)) or value.dtype == np.float32
    assert_same_trajectory(ours32, ours64, rtol=1e-3, atol=1e-4)
