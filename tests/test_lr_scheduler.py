"""Learning rate schedulers: PyTorch's values epoch by epoch, closed forms by hand, state dicts, ReduceLROnPlateau."""
import math
import warnings

import numpy as np
import pytest

import optim
from autograd_core import Tensor
from optim import lr_scheduler as sched

LRS = (0.1, 0.02)  # two parameter groups with different learning rates
EPOCHS = 40


def make_opt(lib="ours", lrs=LRS, momentum=0.9):
    if lib == "ours":
        params = [Tensor(np.ones(2), requires_grad=True) for _ in lrs]
        return optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], momentum=momentum)
    torch = pytest.importorskip("torch")
    params = [torch.ones(2, requires_grad=True) for _ in lrs]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], momentum=momentum)


def lr_history(opt, schedulers, epochs=EPOCHS, metrics=None):
    """Learning rates of every group after construction and after each epoch's scheduler steps."""
    history = [[g["lr"] for g in opt.param_groups]]
    for epoch in range(epochs):
        opt.step()  # no gradients: a no-op that keeps the "scheduler before optimizer" warning away
        for s in schedulers:
            if metrics is None:
                s.step()
            else:
                s.step(metrics[epoch])
        history.append([g["lr"] for g in opt.param_groups])
        assert schedulers[-1].get_last_lr() == history[-1]
    return np.array(history)


SCHEDULERS = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=12, eta_min=1e-3),
    "CosineAnnealingLR-eta0": lambda m, o: m.CosineAnnealingLR(o, T_max=5),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 1 / (1 + e), lambda e: 0.9 ** e]),
    "LambdaLR-single": lambda m, o: m.LambdaLR(o, lr_lambda=lambda e: (e % 4 + 1) / 4),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8),
    "LinearLR-down": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=15),
}


@pytest.fixture
def torch_sched():
    torch = pytest.importorskip("torch")
    return torch.optim.lr_scheduler


@pytest.mark.parametrize("name", SCHEDULERS)
def test_matches_torch(name, torch_sched):
    build = SCHEDULERS[name]
    ours_opt, torch_opt = make_opt(), make_opt("torch")
    ours = lr_history(ours_opt, [build(sched, ours_opt)])
    theirs = lr_history(torch_opt, [build(torch_sched, torch_opt)])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    assert ours_opt.param_groups[0]["initial_lr"] == torch_opt.param_groups[0]["initial_lr"] == LRS[0]


def test_chained_schedulers_match_torch(torch_sched):
    def build(m, o):
        return [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=20, eta_min=1e-4)]

    ours_opt, torch_opt = make_opt(), make_opt("torch")
    np.testing.assert_allclose(lr_history(ours_opt, build(sched, ours_opt)),
                               lr_history(torch_opt, build(torch_sched, torch_opt)), rtol=1e-12)


@pytest.mark.parametrize("name", ["ExponentialLR", "CosineAnnealingLR"])
def test_resume_with_last_epoch_matches_torch(name, torch_sched):
    """Building with last_epoch=k (groups already carrying initial_lr) continues the schedule like PyTorch."""
    results = []
    for module, lib in ((sched, "ours"), (torch_sched, "torch")):
        opt = make_opt(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        s = getattr(module, name)(opt, 0.9, last_epoch=6) if name == "ExponentialLR" else \
            getattr(module, name)(opt, T_max=10, last_epoch=6)
        results.append(lr_history(opt, [s], epochs=20))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"])
def test_step_with_epoch_uses_closed_form_like_torch(name, torch_sched):
    results = []
    for module, lib in ((sched, "ours"), (torch_sched, "torch")):
        opt = make_opt(lib)
        s = SCHEDULERS[name](module, opt)
        lrs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in (3, 9, 4, 17, 30):
                opt.step()
                s.step(epoch)
                lrs.append(s.get_last_lr())
        results.append(lrs)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8000001, 0.81, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7,
                   0.69999, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.7, 0.71, 0.72]


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(patience=1, factor=0.5),
    dict(patience=0, factor=0.5, cooldown=2),
    dict(patience=1, factor=0.2, min_lr=[0.01, 0.001]),
    dict(patience=1, factor=0.5, threshold=0.05, threshold_mode="abs"),
    dict(mode="max", patience=2, factor=0.5),
    dict(mode="max", patience=0, factor=0.5, threshold=0.01, threshold_mode="abs", cooldown=1, min_lr=0.004),
    dict(patience=0, factor=0.9, eps=0.005),
], ids=str)
def test_reduce_on_plateau_matches_torch(kwargs, torch_sched):
    ours_opt, torch_opt = make_opt(), make_opt("torch")
    ours = lr_history(ours_opt, [sched.ReduceLROnPlateau(ours_opt, **kwargs)], len(PLATEAU_METRICS), PLATEAU_METRICS)
    theirs = lr_history(torch_opt, [torch_sched.ReduceLROnPlateau(torch_opt, **kwargs)], len(PLATEAU_METRICS),
                        PLATEAU_METRICS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ---------------------------------------------------------------------------------------------- by hand
def run(build, epochs=EPOCHS, lrs=LRS):
    opt = make_opt(lrs=lrs)
    return lr_history(opt, [build(opt)], epochs)


def test_step_lr_by_hand():
    h = run(lambda o: sched.StepLR(o, step_size=3, gamma=0.5), epochs=10, lrs=(1.0,))[:, 0]
    np.testing.assert_allclose(h, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125])


def test_multistep_lr_by_hand():
    h = run(lambda o: sched.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.1), epochs=7, lrs=(1.0,))[:, 0]
    np.testing.assert_allclose(h, [1, 1, 0.1, 0.1, 0.1, 1e-3, 1e-3, 1e-3])


def test_exponential_lr_by_hand():
    h = run(lambda o: sched.ExponentialLR(o, gamma=0.9), epochs=20)
    np.testing.assert_allclose(h, np.outer(0.9 ** np.arange(21), LRS), rtol=1e-13)


def test_cosine_annealing_follows_closed_form():
    T, eta_min = 10, 1e-3
    h = run(lambda o: sched.CosineAnnealingLR(o, T_max=T, eta_min=eta_min), epochs=3 * T)
    t = np.arange(3 * T + 1)[:, None]
    expected = eta_min + (np.array(LRS) - eta_min) * (1 + np.cos(np.pi * t / T)) / 2  # cycles back up after T
    np.testing.assert_allclose(h, expected, rtol=1e-10)
    assert h[T, 0] == pytest.approx(eta_min)


def test_linear_lr_by_hand():
    h = run(lambda o: sched.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=4), epochs=6, lrs=(1.0,))
    np.testing.assert_allclose(h[:, 0], [0.5, 0.625, 0.75, 0.875, 1.0, 1.0, 1.0], rtol=1e-14)


def test_lambda_lr_by_hand():
    h = run(lambda o: sched.LambdaLR(o, lambda e: 1.0 / (e + 1)), epochs=4)
    np.testing.assert_allclose(h, np.outer(1 / np.arange(1, 6), LRS), rtol=1e-14)


def test_constructor_sets_initial_lr_and_last_epoch():
    opt = make_opt()
    s = sched.StepLR(opt, step_size=2)
    assert s.last_epoch == 0 and s.base_lrs == list(LRS)
    assert [g["initial_lr"] for g in opt.param_groups] == list(LRS)
    assert s.get_last_lr() == list(LRS)
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(make_opt(), step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        sched.StepLR(object(), step_size=2)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        sched.LinearLR(make_opt(), start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        sched.LinearLR(make_opt(), end_factor=1.5)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        sched.LambdaLR(make_opt(), [lambda e: 1.0])
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        sched.ReduceLROnPlateau(make_opt(), factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        sched.ReduceLROnPlateau(make_opt(), mode="avg")
    with pytest.raises(ValueError, match="threshold mode"):
        sched.ReduceLROnPlateau(make_opt(), threshold_mode="pct")
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        sched.ReduceLROnPlateau(make_opt(), min_lr=[0.1])


def test_warns_when_stepped_before_optimizer():
    s = sched.ExponentialLR(make_opt(), gamma=0.9)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()


def test_scheduler_drives_optimizer_updates():
    p = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    s = sched.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = Tensor(-np.ones(1))
        opt.step()
        s.step()
    np.testing.assert_allclose(p.numpy(), [1.0 + 0.5 + 0.25])


# ---------------------------------------------------------------------------------------------- state dicts
class Warmup:
    """A callable object: LambdaLR saves its __dict__ (plain functions are saved as None)."""

    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.epochs)


@pytest.mark.parametrize("build", [
    lambda o: sched.StepLR(o, step_size=4, gamma=0.5),
    lambda o: sched.MultiStepLR(o, milestones=[2, 6, 6], gamma=0.5),
    lambda o: sched.CosineAnnealingLR(o, T_max=9, eta_min=0.001),
    lambda o: sched.LinearLR(o, start_factor=0.2, total_iters=10),
    lambda o: sched.LambdaLR(o, [Warmup(5), lambda e: 0.95 ** e]),
    lambda o: sched.ExponentialLR(o, gamma=0.8),
], ids=["StepLR", "MultiStepLR", "Cosine", "LinearLR", "LambdaLR", "ExponentialLR"])
def test_scheduler_state_dict_roundtrip(build):
    opt = make_opt()
    s = build(opt)
    lr_history(opt, [s], epochs=7)
    opt_state, sched_state = opt.state_dict(), s.state_dict()
    assert "optimizer" not in sched_state and sched_state["last_epoch"] == 7

    fresh_opt = make_opt(lrs=(5.0, 5.0))
    fresh = build(fresh_opt)  # build first, then load: loading restores the optimizer's lr and initial_lr
    if isinstance(fresh, sched.LambdaLR):
        fresh.lr_lambdas[0].epochs = 99  # overwritten by the saved __dict__
    fresh_opt.load_state_dict(opt_state)
    fresh.load_state_dict(sched_state)
    assert fresh.last_epoch == 7 and fresh.get_last_lr() == s.get_last_lr()
    np.testing.assert_array_equal(lr_history(fresh_opt, [fresh], epochs=12), lr_history(opt, [s], epochs=12))


def test_lambda_lr_state_dict_saves_objects_not_functions():
    s = sched.LambdaLR(make_opt(), [Warmup(3), lambda e: 1.0])
    assert s.state_dict()["lr_lambdas"] == [{"epochs": 3}, None]


def test_multistep_state_dict_from_plain_dict():
    """A saver without pickles returns the milestones Counter as a plain dict with string keys."""
    opt = make_opt()
    s = sched.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    state = s.state_dict()
    state["milestones"] = {str(k): v for k, v in state["milestones"].items()}
    s.load_state_dict(state)
    assert lr_history(opt, [s], epochs=5)[-1][0] == pytest.approx(LRS[0] / 4)


# ---------------------------------------------------------------------------------------------- ReduceLROnPlateau
def plateau_history(metrics, **kwargs):
    opt = make_opt(lrs=(1.0,))
    s = sched.ReduceLROnPlateau(opt, **kwargs)
    return lr_history(opt, [s], len(metrics), metrics)[1:, 0], s


def test_plateau_patience():
    # best 1.0, then three epochs without improvement: the third exceeds patience=2
    lrs, s = plateau_history([1.0, 1.0, 1.0, 1.0, 1.0], patience=2, factor=0.5)
    np.testing.assert_allclose(lrs, [1, 1, 1, 0.5, 0.5])
    assert s.num_bad_epochs == 1 and s.best == 1.0


def test_plateau_improvement_resets_count():
    lrs, _ = plateau_history([1.0, 1.0, 0.5, 0.5, 0.4, 0.4, 0.4], patience=1, factor=0.5)
    np.testing.assert_allclose(lrs, [1, 1, 1, 1, 1, 1, 0.5])


def test_plateau_threshold_rel_and_abs():
    # 0.99995 is not better than 1.0 * (1 - 1e-4); with patience 0 the lr drops at once
    lrs, _ = plateau_history([1.0, 0.99995], patience=0, factor=0.5)
    np.testing.assert_allclose(lrs, [1, 0.5])
    lrs, _ = plateau_history([1.0, 0.95, 0.85], patience=0, factor=0.5, threshold=0.1, threshold_mode="abs")
    np.testing.assert_allclose(lrs, [1, 0.5, 0.5])


def test_plateau_max_mode_cooldown_and_min_lr():
    lrs, _ = plateau_history([1, 1, 1, 1, 1, 1, 1], mode="max", patience=0, factor=0.5, cooldown=2, min_lr=0.2)
    # drop at epoch 2, two cooldown epochs, drop at epoch 5, then the floor 0.2 (not 0.125)
    np.testing.assert_allclose(lrs, [1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25])
    lrs, _ = plateau_history([1] * 8, mode="max", patience=0, factor=0.5, min_lr=0.2)
    np.testing.assert_allclose(lrs, [1, 0.5, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2])


def test_plateau_eps_skips_tiny_reductions():
    lrs, _ = plateau_history([1.0, 1.0, 1.0], patience=0, factor=0.5, min_lr=0.9999999999)
    np.testing.assert_allclose(lrs, [1.0, 1.0, 1.0])


def test_plateau_state_dict_roundtrip():
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85]
    opt = make_opt()
    s = sched.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1)
    lr_history(opt, [s], 5, metrics)
    saved_opt, saved = opt.state_dict(), s.state_dict()

    fresh_opt = make_opt()
    fresh = sched.ReduceLROnPlateau(fresh_opt, mode="max")  # settings come back from the state dict
    fresh_opt.load_state_dict(saved_opt)
    fresh.load_state_dict(saved)
    assert fresh.mode == "min" and fresh.best == 0.9 and fresh.last_epoch == 5
    np.testing.assert_array_equal(lr_history(fresh_opt, [fresh], 5, metrics[5:]),
                                  lr_history(opt, [s], 5, metrics[5:]))


def test_plateau_accepts_tensor_metric():
    opt = make_opt()
    s = sched.ReduceLROnPlateau(opt, patience=0)
    s.step(Tensor(np.array(1.0)))
    assert s.best == 1.0 and math.isinf(s.mode_worse)
