"""Inference and training from 4 threads at once, with torch imported before or after us (issue 16).

numba's ``workqueue`` threading layer aborts the whole process (SIGABRT, "Concurrent access") when two threads
enter parallel kernels at once; ``kernels/_jit.pick`` lets one thread at a time into our parallel kernels (the
others run the serial versions), so every layer is safe. Each case runs in a fresh subprocess: an abort there
fails the test instead of killing pytest.
"""
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PRELUDE = """
import json, threading
{torch_before}
import numpy as np
import autograd_core as ag
import optim
from autograd_core.kernels import _jit
_jit.PARALLEL_BESIDE_BLAS = True   # take the parallel kernels even beside a threaded BLAS: exercises their guard
from nn.functional import cross_entropy
from nn.models import CNN
{torch_after}
THREADS = 4
rng = np.random.default_rng(0)
x = ag.Tensor(rng.standard_normal((8, 1, 28, 28)).astype(np.float32))   # large enough for the parallel kernels
y = ag.Tensor(rng.integers(0, 10, 8))


def run_threads(target):
    errors = []

    def guarded(i):
        try:
            target(i)
        except BaseException as exc:   # reported, so the parent sees which thread failed and why
            errors.append(f"thread {{i}}: {{type(exc).__name__}}: {{exc}}")
    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
"""

INFERENCE = """
ag.manual_seed(0)
model = CNN().eval()
with ag.no_grad():
    expected = model(x).numpy()
results = [None] * THREADS


def infer(i):
    with ag.no_grad():
        for _ in range(3):
            results[i] = model(x).numpy()


errors = run_threads(infer)
print(json.dumps([errors, [bool(np.allclose(r, expected, rtol=1e-5, atol=1e-6)) for r in results if r is not None]]))
"""

TRAINING = """
def make(seed):
    ag.manual_seed(seed)
    model = CNN()
    return model, optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def train(model, opt):
    for _ in range(2):
        opt.zero_grad()
        cross_entropy(model(x), y).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


expected = [train(*make(seed)) for seed in range(THREADS)]
pairs = [make(seed) for seed in range(THREADS)]
results = [None] * THREADS


def work(i):
    results[i] = train(*pairs[i])


errors = run_threads(work)
same = [all(np.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(r, e)) for r, e in zip(results, expected)
        if r is not None]
print(json.dumps([errors, same]))
"""


def _run(body, torch_order, **env):
    if torch_order is not None:
        pytest.importorskip("torch")
    code = PRELUDE.format(torch_before="import torch" if torch_order == "before" else "",
                          torch_after="import torch" if torch_order == "after" else "") + body
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=REPO, **env))
    assert out.returncode == 0, f"exit status {out.returncode}: {out.stderr[-3000:]}"
    errors, same = json.loads(out.stdout.strip().splitlines()[-1])
    assert not errors, errors
    assert len(same) == 4 and all(same), same


@pytest.mark.parametrize("torch_order", [None, "before", "after"])
def test_inference_from_four_threads(torch_order):
    _run(INFERENCE, torch_order)


def test_inference_from_four_threads_on_numbas_workqueue_layer():
    """The layer that is not thread-safe, chosen by the user: still no abort, the same results."""
    _run(INFERENCE, "before", NUMBA_THREADING_LAYER="workqueue")


@pytest.mark.parametrize("torch_order", ["before", "after"])
def test_training_four_models_in_four_threads(torch_order):
    _run(TRAINING, torch_order)
