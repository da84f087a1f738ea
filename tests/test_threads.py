"""Grad mode, anomaly mode and the module scope are per thread; four threads train four models at once."""
import threading

import numpy as np
import pytest

import autograd_core as ag
import nn
import optim


def run_in_thread(fn):
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:   # re-raised in the caller
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join(30)
    assert not t.is_alive()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, done = threading.Event(), threading.Event()
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = {}

    def quiet():
        with ag.no_grad():
            inside.set()
            done.wait(10)
            seen["quiet"] = (x * 2).requires_grad

    t = threading.Thread(target=quiet)
    t.start()
    inside.wait(10)
    y = x * 3                                   # the other thread is inside no_grad right now
    assert ag.is_grad_enabled() and y.requires_grad and y.grad_fn is not None
    done.set()
    t.join(10)
    assert seen["quiet"] is False


def test_new_threads_start_with_grad_on_and_anomaly_off():
    with ag.no_grad(), ag.detect_anomaly():
        state = run_in_thread(lambda: (ag.is_grad_enabled(), ag.is_anomaly_enabled(),
                                       ag.is_inference_mode_enabled()))
        assert not ag.is_grad_enabled() and ag.is_anomaly_enabled()
    assert state == (True, False, False)
    ag.set_grad_enabled(False)
    try:
        assert run_in_thread(ag.is_grad_enabled) is True
    finally:
        ag.set_grad_enabled(True)


def test_module_scope_is_per_thread():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    barrier = threading.Barrier(2)
    scopes = {}

    class Slow(nn.Module):
        def __init__(self, inner, key):
            super().__init__()
            self.inner, self.key = inner, key

        def forward(self, x):
            barrier.wait(10)                    # both threads are inside their module's forward
            y = self.inner(x)
            barrier.wait(10)
            scopes[self.key] = y.grad_fn.scope
            return y

    threads = [threading.Thread(target=lambda m=m: m(ag.ones(1, 2)))
               for m in (Slow(a, "a"), Slow(b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert scopes["a"][-1] is a and scopes["b"][-1] is b
    assert len(scopes["a"]) == len(scopes["b"]) == 2


_init_lock = threading.Lock()   # the default generator is shared by all threads (as torch's): seed + init together


def _train(seed, conv, steps=15, barrier=None):
    rng = np.random.default_rng(seed)
    with _init_lock:
        ag.manual_seed(seed)
        if conv:
            model = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(27, 3))
            x = ag.tensor(rng.standard_normal((8, 1, 8, 8)).astype(np.float32))
        else:
            model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))
            x = ag.tensor(rng.standard_normal((8, 6)).astype(np.float32))
    y = ag.tensor(rng.integers(0, 3, 8))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for step in range(steps):
        if barrier is not None:
            barrier.wait(30)                    # all threads step together
        if step % 5 == 4:
            with ag.no_grad():                  # an evaluation in this thread only
                losses.append(float(nn.functional.cross_entropy(model(x), y)))
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def test_four_threads_train_four_models_at_once():
    configs = [(0, False), (1, True), (2, False), (3, True)]
    alone = [_train(s, c) for s, c in configs]
    barrier = threading.Barrier(4)
    results = [None] * 4

    def work(i):
        results[i] = _train(*configs[i], barrier=barrier)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for (losses, params), (losses0, params0) in zip(results, alone):
        np.testing.assert_allclose(losses, losses0, rtol=1e-5)
        for p, p0 in zip(params, params0):
            np.testing.assert_allclose(p, p0, rtol=1e-5, atol=1e-6)
        assert losses[-1] < losses[0]


def test_fast_path_counter_follows_every_setting():
    from autograd_core import grad_mode
    s0 = grad_mode._slow
    with ag.no_grad():
        assert grad_mode._slow == s0 + 1
        with ag.enable_grad():
            assert grad_mode._slow == s0
        with ag.no_grad():                    # already off: no change
            assert grad_mode._slow == s0 + 1
    with ag.detect_anomaly(), ag.inference_mode():
        assert grad_mode._slow == s0 + 2
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(grad_mode._slow)
            return x

    nn.Sequential(Probe())(ag.ones(1))
    assert seen == [s0 + 1] and grad_mode._slow == s0   # only the outermost module call counts
    with pytest.raises(ZeroDivisionError):
        with ag.no_grad():
            1 / 0
    assert grad_mode._slow == s0 and ag.is_grad_enabled()
