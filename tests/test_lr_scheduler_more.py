"""Schedulers against PyTorch: learning rate and momentum sequences for two parameter groups, the deprecated
``step(epoch)`` closed forms, state dicts (same keys; save mid-run, load into fresh objects, continue) and
argument validation (same exception type and message)."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import optim
from autograd_core import Tensor
from optim import lr_scheduler as sched

LRS = (0.1, 0.02)
STEPS = 36


def make_opt(lib, kind="SGD", lrs=LRS):
    """Two groups with different learning rates (and, for SGD, momenta)."""
    if lib == "ours":
        params = [Tensor(np.ones(2), requires_grad=True) for _ in lrs]
        module = optim
    else:
        torch = pytest.importorskip("torch")
        params = [torch.ones(2, requires_grad=True) for _ in lrs]
        module = torch.optim
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)]
    if kind == "SGD":
        groups[1]["momentum"] = 0.5
        return module.SGD(groups, momentum=0.9)
    return getattr(module, kind)(groups)


def momentum_of(group):
    if "betas" in group:
        return group["betas"][0]
    return group.get("momentum", 0.0)


def history(opt, scheduler, steps=STEPS, epochs=None):
    """(lr, momentum) of every group after construction and after each step; ``epochs`` drives step(epoch)."""
    rows = [[(g["lr"], momentum_of(g)) for g in opt.param_groups]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecated step(epoch)
        for i in range(steps):
            opt.step()
            if epochs is None:
                scheduler.step()
            else:
                scheduler.step(epochs[i])
            rows.append([(g["lr"], momentum_of(g)) for g in opt.param_groups])
            assert scheduler.get_last_lr() == [g["lr"] for g in opt.param_groups]
    return np.array(rows, dtype=float)


def both(build, kind="SGD", **kw):
    torch = pytest.importorskip("torch")
    ours_opt, torch_opt = make_opt("ours", kind), make_opt("torch", kind)
    ours = history(ours_opt, build(sched, ours_opt), **kw)
    theirs = history(torch_opt, build(torch.optim.lr_scheduler, torch_opt), **kw)
    return ours, theirs, ours_opt, torch_opt


def scale_fn(x):  # a module-level function: saved as None in state dicts, as in PyTorch
    return 1 / (1.0 + 0.1 * x)


class ScaleObject:
    """A callable object: its __dict__ goes into the state dict."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return self.rate ** x


SCHEDULERS = {
    "OneCycleLR-cos": ("SGD", lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.05], total_steps=STEPS)),
    "OneCycleLR-linear": ("SGD", lambda m, o: m.OneCycleLR(o, max_lr=0.3, epochs=6, steps_per_epoch=6,
                                                           anneal_strategy="linear", pct_start=0.25)),
    "OneCycleLR-three-phase": ("SGD", lambda m, o: m.OneCycleLR(o, max_lr=0.4, total_steps=STEPS, three_phase=True,
                                                                div_factor=10.0, final_div_factor=100.0,
                                                                base_momentum=[0.8, 0.7], max_momentum=0.99)),
    "OneCycleLR-adam": ("Adam", lambda m, o: m.OneCycleLR(o, max_lr=0.01, total_steps=STEPS + 4)),
    "OneCycleLR-no-momentum": ("Adagrad", lambda m, o: m.OneCycleLR(o, max_lr=0.2, total_steps=STEPS,
                                                                    cycle_momentum=False)),
    "CyclicLR-triangular": ("SGD", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.3], step_size_up=5)),
    "CyclicLR-triangular2": ("SGD", lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=4,
                                                            step_size_down=2, mode="triangular2",
                                                            base_momentum=[0.7, 0.6], max_momentum=[0.95, 0.9])),
    "CyclicLR-exp_range": ("SGD", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                          mode="exp_range", gamma=0.97)),
    "CyclicLR-scale_fn-cycle": ("SGD", lambda m, o: m.CyclicLR(o, 0.001, 0.1, step_size_up=4, scale_fn=scale_fn)),
    "CyclicLR-scale_fn-iterations": ("SGD", lambda m, o: m.CyclicLR(o, 0.001, 0.1, step_size_up=4,
                                                                    scale_fn=ScaleObject(0.95),
                                                                    scale_mode="iterations")),
    "CyclicLR-adam": ("Adam", lambda m, o: m.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=6)),
    "CyclicLR-no-momentum": ("Adagrad", lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                                cycle_momentum=False)),
    "CosineAnnealingWarmRestarts": ("SGD", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5)),
    "CosineAnnealingWarmRestarts-mult": ("SGD", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                                           eta_min=1e-3)),
    "PolynomialLR": ("SGD", lambda m, o: m.PolynomialLR(o, total_iters=20, power=2.0)),
    "PolynomialLR-default": ("SGD", lambda m, o: m.PolynomialLR(o)),
    "ConstantLR": ("SGD", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=7)),
    "ConstantLR-default": ("SGD", lambda m, o: m.ConstantLR(o)),
    "MultiplicativeLR": ("SGD", lambda m, o: m.MultiplicativeLR(o, lr_lambda=[lambda e: 0.9, lambda e: 1 - e / 100])),
    "SequentialLR": ("SGD", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.ExponentialLR(o, gamma=0.9),
            m.CosineAnnealingLR(o, T_max=8, eta_min=1e-3)], milestones=[5, 15])),
    "SequentialLR-constant-exp": ("SGD", lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.1, total_iters=4), m.ExponentialLR(o, gamma=0.9)], milestones=[4])),
    "ChainedScheduler": ("SGD", lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.1, total_iters=3), m.ExponentialLR(o, gamma=0.95), m.StepLR(o, 4, 0.5)])),
    "ChainedScheduler-in-Sequential": ("SGD", lambda m, o: m.SequentialLR(
        o, [m.ChainedScheduler([m.StepLR(o, 5, 0.5), m.MultiStepLR(o, [7, 9], 0.3)]),
            m.ConstantLR(o, factor=0.5, total_iters=3)], milestones=[12])),
    "StepLR": ("SGD", lambda m, o: m.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": ("SGD", lambda m, o: m.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3)),
    "ExponentialLR": ("SGD", lambda m, o: m.ExponentialLR(o, gamma=0.93)),
    "CosineAnnealingLR": ("SGD", lambda m, o: m.CosineAnnealingLR(o, T_max=12, eta_min=1e-3)),
    "LambdaLR": ("SGD", lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 1 / (1 + e), lambda e: 0.9 ** e])),
    "LinearLR": ("SGD", lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.5, total_iters=8)),
}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_lr_and_momentum_sequences_match_torch(name):
    kind, build = SCHEDULERS[name]
    ours, theirs, ours_opt, torch_opt = both(build, kind)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    for g, tg in zip(ours_opt.param_groups, torch_opt.param_groups):
        assert {k for k in g if k != "params"} == {k for k in tg if k != "params"}
        for key in ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum", "betas", "momentum"):
            if key in tg:
                np.testing.assert_allclose(g[key], tg[key], rtol=1e-12)


CLOSED_FORM = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 8, 8], gamma=0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=7),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.9),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=9, power=1.5),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 1 / (1 + e)),
}


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_step_with_epoch_uses_torchs_closed_form(name):
    epochs = [1, 2, 5, 3, 9, 9, 12, 0, 4, 15]
    ours, theirs, _, _ = both(CLOSED_FORM[name], steps=len(epochs), epochs=epochs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_match_torch(T_mult):
    epochs = [e + i / 4 for e in range(12) for i in range(4)]
    epochs[10:14] = [7.5, 1.25, 30.0, 0.0]  # jumps back and forth
    build = lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=T_mult, eta_min=0.005)  # noqa: E731
    ours, theirs, _, _ = both(build, steps=len(epochs), epochs=epochs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_reduce_on_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.9, 0.91, 0.92, 0.93, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.7] * 3

    def run(m, opt):
        s = m.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=[0.01, 0.001], threshold=0.05)
        out = []
        for x in metrics:
            opt.step()
            s.step(x)
            out.append(s.get_last_lr())
        return out, s

    ours, s = run(sched, make_opt("ours"))
    theirs, ts = run(torch.optim.lr_scheduler, make_opt("torch"))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert s.state_dict() == ts.state_dict()


# ---------------------------------------------------------------------------------------------- state dicts
@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_keys_are_torchs(name):
    torch = pytest.importorskip("torch")
    kind, build = SCHEDULERS[name]
    ours = build(sched, make_opt("ours", kind)).state_dict()
    theirs = build(torch.optim.lr_scheduler, make_opt("torch", kind)).state_dict()
    assert list(ours) == list(theirs)
    for key in ("base_lrs", "last_epoch", "_step_count", "_last_lr", "total_steps", "T_i", "T_cur", "max_lrs",
                "_milestones", "_schedule_phases", "_anneal_func_type", "use_beta1", "scale_mode"):
        if key in theirs:
            assert ours[key] == pytest.approx(theirs[key]) if key != "_schedule_phases" else ours[key] == theirs[key]
    if "_schedulers" in theirs:
        assert [list(s) for s in ours["_schedulers"]] == [list(s) for s in theirs["_schedulers"]]


@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_roundtrip_continues_identically(name):
    """Save optimizer and scheduler mid-run, load both into fresh ones, continue: same as never stopping."""
    kind, build = SCHEDULERS[name]
    opt = make_opt("ours", kind)
    scheduler = build(sched, opt)
    history(opt, scheduler, steps=13)
    saved_opt = copy.deepcopy(opt.state_dict())
    saved = pickle.loads(pickle.dumps(scheduler.state_dict()))
    rest = history(opt, scheduler, steps=STEPS - 13)

    fresh_opt = make_opt("ours", kind)
    fresh = build(sched, fresh_opt)
    fresh.load_state_dict(saved)
    fresh_opt.load_state_dict(saved_opt)
    np.testing.assert_array_equal(history(fresh_opt, fresh, steps=STEPS - 13), rest)


def test_custom_scale_fn_object_is_saved_and_restored():
    opt = make_opt("ours")
    s = sched.CyclicLR(opt, 0.01, 0.1, scale_fn=ScaleObject(0.9))
    state = s.state_dict()
    assert state["_scale_fn_custom"] == {"rate": 0.9} and "_scale_fn_ref" not in state
    other = sched.CyclicLR(make_opt("ours"), 0.01, 0.1, scale_fn=ScaleObject(0.5))
    other.load_state_dict(state)
    assert other._scale_fn_custom.rate == 0.9
    assert sched.CyclicLR(make_opt("ours"), 0.01, 0.1, scale_fn=scale_fn).state_dict()["_scale_fn_custom"] is None
    assert sched.MultiplicativeLR(make_opt("ours"), ScaleObject(0.3)).state_dict()["lr_lambdas"] == [
        {"rate": 0.3}, {"rate": 0.3}]


# ---------------------------------------------------------------------------------------------- validation
def _opt(m):
    return make_opt("ours" if m is sched else "torch")


BAD = [
    ("OneCycleLR-no-steps", lambda m, o: m.OneCycleLR(o, max_lr=0.1), ValueError),
    ("OneCycleLR-total-0", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError),
    ("OneCycleLR-total-float", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10.0), ValueError),
    ("OneCycleLR-epochs", lambda m, o: m.OneCycleLR(o, max_lr=0.1, epochs=-1, steps_per_epoch=3), ValueError),
    ("OneCycleLR-spe", lambda m, o: m.OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=0), ValueError),
    ("OneCycleLR-pct", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5), ValueError),
    ("OneCycleLR-pct-int", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1), ValueError),
    ("OneCycleLR-anneal", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"),
     ValueError),
    ("OneCycleLR-max_lr-len", lambda m, o: m.OneCycleLR(o, max_lr=[0.1], total_steps=10), ValueError),
    ("OneCycleLR-momentum-len", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, max_momentum=[0.9]),
     ValueError),
    ("CyclicLR-mode", lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="square"), ValueError),
    ("CyclicLR-base-len", lambda m, o: m.CyclicLR(o, [0.01, 0.02, 0.03], 0.1), ValueError),
    ("CyclicLR-not-opt", lambda m, o: m.CyclicLR(object(), 0.01, 0.1), TypeError),
    ("WarmRestarts-T0", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0), ValueError),
    ("WarmRestarts-T0-float", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2.0), ValueError),
    ("WarmRestarts-Tmult", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError),
    ("WarmRestarts-eta", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"), ValueError),
    ("ConstantLR-factor", lambda m, o: m.ConstantLR(o, factor=1.5), ValueError),
    ("LinearLR-start", lambda m, o: m.LinearLR(o, start_factor=0), ValueError),
    ("LinearLR-end", lambda m, o: m.LinearLR(o, end_factor=1.5), ValueError),
    ("MultiplicativeLR-not-callable", lambda m, o: m.MultiplicativeLR(o, lr_lambda=[0.9, 0.9]), TypeError),
    ("LambdaLR-len", lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 1.0]), ValueError),
    ("SequentialLR-empty", lambda m, o: m.SequentialLR(o, [], []), ValueError),
    ("SequentialLR-milestones", lambda m, o: m.SequentialLR(o, [m.ConstantLR(o), m.StepLR(o, 2)], [2, 4]),
     ValueError),
    ("SequentialLR-plateau", lambda m, o: m.SequentialLR(o, [m.ConstantLR(o), m.ReduceLROnPlateau(o)], [2]),
     ValueError),
    ("SequentialLR-other-opt", lambda m, o: m.SequentialLR(o, [m.ConstantLR(o), m.StepLR(_opt(m), 2)], [2]),
     ValueError),
    ("ChainedScheduler-empty", lambda m, o: m.ChainedScheduler([]), ValueError),
    ("ChainedScheduler-plateau", lambda m, o: m.ChainedScheduler([m.ReduceLROnPlateau(o)]), ValueError),
    ("ChainedScheduler-no-optimizer", lambda m, o: m.ChainedScheduler([m.StepLR(o, 2), object()]), TypeError),
    ("Plateau-factor", lambda m, o: m.ReduceLROnPlateau(o, factor=1.0), ValueError),
    ("Plateau-mode", lambda m, o: m.ReduceLROnPlateau(o, mode="up"), ValueError),
    ("Plateau-min_lr", lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError),
    ("StepLR-not-opt", lambda m, o: m.StepLR("sgd", 3), TypeError),
    ("resume-without-initial_lr", lambda m, o: m.StepLR(o, 3, last_epoch=4), KeyError),
]


@pytest.mark.parametrize("case", BAD, ids=lambda c: c[0])
def test_validation_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, build, exc = case
    with pytest.raises(exc) as ours:
        build(sched, make_opt("ours"))
    with pytest.raises(exc) as theirs:
        build(torch.optim.lr_scheduler, make_opt("torch"))
    if "other-opt" not in case[0]:  # that message prints the optimizer objects
        # PyTorch's words; some of ours go on to name the value ("..., got factor=1.5")
        assert str(ours.value) == str(theirs.value) or str(ours.value).startswith(str(theirs.value).rstrip(".") + ",") \
            or str(ours.value).startswith(str(theirs.value).rstrip(".") + ":")


def test_cycle_momentum_needs_a_momentum():
    torch = pytest.importorskip("torch")
    for m, o in ((sched, make_opt("ours", "Adagrad")), (torch.optim.lr_scheduler, make_opt("torch", "Adagrad"))):
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            m.CyclicLR(o, 0.01, 0.1)
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            m.OneCycleLR(o, 0.1, total_steps=5)


def test_one_cycle_refuses_to_step_past_the_end():
    opt = make_opt("ours")
    s = sched.OneCycleLR(opt, max_lr=0.1, total_steps=4)
    for _ in range(4):
        opt.step()
        s.step()
    with pytest.raises(ValueError, match="Tried to step 5 times. The specified number of total steps is 4"):
        s.step()


def test_warm_restarts_rejects_negative_epochs():
    s = sched.CosineAnnealingWarmRestarts(make_opt("ours"), T_0=3)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        s.step(-1)


# ---------------------------------------------------------------------------------------------- warnings
def test_get_lr_outside_step_warns_like_torch():
    opt = make_opt("ours")
    s = sched.StepLR(opt, 3)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        s.step()  # inside step: no warning


def test_scheduler_before_optimizer_warns():
    opt = make_opt("ours")
    s = sched.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()


def test_lbfgs_step_counts_as_an_optimizer_step():
    w = Tensor(np.ones(2), requires_grad=True)
    opt = optim.LBFGS([w], max_iter=2)
    s = sched.StepLR(opt, 2)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()


def test_old_module_paths_still_work():
    from optim.lr_scheduler import ReduceLROnPlateau, StepLR, _LRScheduler

    assert optim.lr_scheduler.StepLR is StepLR and issubclass(ReduceLROnPlateau, _LRScheduler)
    assert isinstance(sched.EPOCH_DEPRECATION_WARNING, str)
