"""Benchmark conv2d and max_pool2d (forward, forward+backward) and a CNN training step: autograd_core vs PyTorch
CPU, same thread count.

Usage::

    python bench/bench_conv.py                 # print the table
    python bench/bench_conv.py --write         # also write bench/results_conv.md
    python bench/bench_conv.py --repeats 50    # more samples

Each case runs ours and PyTorch's in blocks (``_blocks``: halves in ABBA order), so both see the same machine load;
we report the medians after a warm-up and the ratio ours / torch (the CNN training step, a few times slower than the
single ops, is timed 1 / CNN_STEP["repeats_div"] as many times). The first-call cost of the numba kernels (compile
with an empty cache, and load from a warm cache) is measured in fresh subprocesses. torch is optional: without it
only our times are printed."""
import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

# Older OpenBLAS builds need OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE on some processors, and they can slow a current
# numpy's BLAS: drop both, for this process only, before numpy loads (recorded in the results).
_UNSET = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if os.environ.pop(k, None) is not None]

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [ROOT, BENCH]   # BENCH: bench_train.torch_twin builds the CNN's PyTorch twin

import numpy as np  # noqa: E402

import autograd_core as ag  # noqa: E402
import optim  # noqa: E402
from autograd_core.ops.conv import conv2d  # noqa: E402
from autograd_core.ops.pooling import max_pool2d  # noqa: E402
from nn.functional import cross_entropy  # noqa: E402
from nn.models import CNN  # noqa: E402

THREADS = 2
CONV = dict(batch=64, cin=32, cout=64, hw=14, k=3, pad=1)
POOL = dict(batch=64, channels=32, hw=28, k=2)
CNN_STEP = dict(batch=64, lr=0.01, momentum=0.9, repeats_div=2)   # nn.models.CNN, dropout 0, SGD


def _step_repeats(repeats):
    """Timed runs of the CNN training step for ``repeats`` of the single ops (its warm-up is not reduced)."""
    return max(3, repeats // CNN_STEP["repeats_div"])


def _median_ms(samples):
    return float(np.median(samples) * 1e3)


def _blocks(fns, warmup, repeats, clock=time.perf_counter):
    """Time several callables in blocks: each one's warm-up and first half of ``repeats`` in turn, then the second
    halves in reverse order (so drifting load hits all alike); the median of each, in ms. Blocks, not round-robin:
    each library's thread pool spins for a while after its call and slows the next call of the other one
    (bench/run.py's ``time_pair``)."""
    samples = [[] for _ in fns]
    half = max(repeats // 2, 1)
    order = list(zip(samples, fns))
    for part, (count, seq) in enumerate(((half, order), (repeats - half, order[::-1]))):
        for s, fn in seq:
            for _ in range(warmup if part == 0 else max(warmup // 2, 1)):
                fn()
            for _ in range(count):
                t0 = clock()
                fn()
                s.append(clock() - t0)
    return [_median_ms(s) for s in samples]


def _conv_cases(torch, rng):
    c = CONV
    x = rng.standard_normal((c["batch"], c["cin"], c["hw"], c["hw"])).astype(np.float32)
    w = (rng.standard_normal((c["cout"], c["cin"], c["k"], c["k"])) * 0.1).astype(np.float32)
    b = rng.standard_normal(c["cout"]).astype(np.float32)
    g = np.ones((c["batch"], c["cout"], c["hw"], c["hw"]), np.float32)
    X, W, B, G = (ag.Tensor(x, requires_grad=True), ag.Tensor(w, requires_grad=True),
                  ag.Tensor(b, requires_grad=True), ag.Tensor(g))

    def ours_fwd():
        return conv2d(X, W, B, padding=c["pad"])

    def ours_fwd_bwd():
        X.grad = W.grad = B.grad = None
        conv2d(X, W, B, padding=c["pad"]).backward(G)

    cases = {"fwd": [ours_fwd], "fwd+bwd": [ours_fwd_bwd]}
    if torch is not None:
        F = torch.nn.functional
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        gt = torch.tensor(g)

        def torch_fwd():
            return F.conv2d(xt, wt, bt, padding=c["pad"])

        def torch_fwd_bwd():
            xt.grad = wt.grad = bt.grad = None
            F.conv2d(xt, wt, bt, padding=c["pad"]).backward(gt)

        cases["fwd"].append(torch_fwd)
        cases["fwd+bwd"].append(torch_fwd_bwd)
        # same numbers, so the comparison is meaningful
        np.testing.assert_allclose(ours_fwd().numpy(), torch_fwd().detach().numpy(), rtol=1e-3, atol=1e-3)
    return cases


def _pool_cases(torch, rng):
    p = POOL
    x = rng.standard_normal((p["batch"], p["channels"], p["hw"], p["hw"])).astype(np.float32)
    out_hw = p["hw"] // p["k"]
    g = np.ones((p["batch"], p["channels"], out_hw, out_hw), np.float32)
    X, G = ag.Tensor(x, requires_grad=True), ag.Tensor(g)

    def ours_fwd():
        return max_pool2d(X, p["k"])

    def ours_fwd_bwd():
        X.grad = None
        max_pool2d(X, p["k"]).backward(G)

    cases = {"fwd": [ours_fwd], "fwd+bwd": [ours_fwd_bwd]}
    if torch is not None:
        F = torch.nn.functional
        xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g)

        def torch_fwd():
            return F.max_pool2d(xt, p["k"])

        def torch_fwd_bwd():
            xt.grad = None
            F.max_pool2d(xt, p["k"]).backward(gt)

        cases["fwd"].append(torch_fwd)
        cases["fwd+bwd"].append(torch_fwd_bwd)
    return cases


def _cnn_step_cases(torch, rng):
    s = CNN_STEP
    x = rng.standard_normal((s["batch"], 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, s["batch"]).astype(np.int64)
    ag.manual_seed(0)
    model = CNN(dropout=0.0)
    opt = optim.SGD(model.parameters(), lr=s["lr"], momentum=s["momentum"])
    X, Y = ag.Tensor(x), ag.Tensor(y)

    def ours_step():
        opt.zero_grad()
        cross_entropy(model(X), Y).backward()
        opt.step()

    cases = {"train step (fwd+bwd+SGD)": [ours_step]}
    if torch is not None:
        from bench_train import torch_twin
        tmodel = torch_twin(torch, model, "cnn", s["lr"])[0]   # our weights; its Adam is not used
        topt = torch.optim.SGD(tmodel.parameters(), lr=s["lr"], momentum=s["momentum"])
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def torch_step():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tmodel(xt), yt).backward()
            topt.step()

        cases["train step (fwd+bwd+SGD)"].append(torch_step)
        # same model and weights, so the comparison is meaningful
        with torch.no_grad():
            np.testing.assert_allclose(model(X).numpy(), tmodel(xt).numpy(), rtol=1e-3, atol=1e-3)
    return cases


_FIRST_CALL = """
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
import numpy as np, autograd_core as ag
from autograd_core.ops.conv import conv2d
from autograd_core.ops.pooling import max_pool2d
t1 = time.perf_counter()
x = ag.Tensor(np.ones((64, 32, 14, 14), np.float32), requires_grad=True)
w = ag.Tensor(np.ones((64, 32, 3, 3), np.float32), requires_grad=True)
conv2d(x, w, padding=1).sum().backward()
t2 = time.perf_counter()
p = ag.Tensor(np.ones((64, 32, 28, 28), np.float32), requires_grad=True)
max_pool2d(p, 2).sum().backward()
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def first_call_times():
    """(import, first conv fwd+bwd, first pool fwd+bwd) seconds in fresh processes: cold cache, then warm."""
    results = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)   # an empty numba cache: everything compiles
        for label in ("cold cache (compile)", "warm cache (load)"):
            out = subprocess.run([sys.executable, "-c", _FIRST_CALL.format(root=ROOT)], env=env, capture_output=True,
                                 text=True, check=True).stdout.split()
            results[label] = [float(v) for v in out]
    return results


def environment(torch):
    import numba
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cpu cores (os.cpu_count)": os.cpu_count(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba threads / layer": f"{numba.get_num_threads()} / {_threading_layer(numba)}",
        "torch": torch.__version__ if torch is not None else "not installed",
        "torch threads": torch.get_num_threads() if torch is not None else "-",
        "BLAS": _blas_info(),
        "OPENBLAS_CORETYPE/L2_SIZE unset for this run": ", ".join(_UNSET) or "none were set",
        "autograd_core.runtime_settings()": "; ".join(f"{k}: {v}" for k, v in ag.runtime_settings().items()),
    }
    return env


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _threading_layer(numba):
    try:
        return numba.threading_layer()
    except ValueError:   # no parallel kernel has run yet
        return "not initialised"


def _blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        cfg = getattr(np, "__config__", None)
        try:
            blas = cfg.CONFIG["Build Dependencies"]["blas"]
            return f"{blas['name']} {blas.get('version', '')} (numpy build config; threadpoolctl not installed)"
        except (AttributeError, KeyError, TypeError):
            return "unknown (threadpoolctl not installed)"
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture', '')} "
                     f"threads={i.get('num_threads')}" for i in threadpool_info() if i.get("user_api") == "blas")


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def run(repeats, warmup, threads=THREADS, clock=time.perf_counter):
    """Rows ``(op, pass, ours_ms, torch_ms)`` with ``threads`` threads for numba, BLAS and torch."""
    import numba
    torch = _torch()
    if torch is not None:
        torch.set_num_threads(threads)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    rng = np.random.default_rng(0)
    rows = []
    for name, cases, n in (("conv2d 64x32x14x14 -> 64ch, 3x3, pad 1", _conv_cases(torch, rng), repeats),
                           ("max_pool2d 2x2, 64x32x28x28", _pool_cases(torch, rng), repeats),
                           ("CNN (nn.models.CNN), batch 64x1x28x28", _cnn_step_cases(torch, rng),
                            _step_repeats(repeats))):
        for kind, fns in cases.items():
            times = _blocks(fns, warmup, n, clock)
            rows.append((name, kind, times[0], times[1] if len(times) > 1 else None))
    return rows


def run_single_thread_cpu(repeats, warmup):
    """The same cases on one thread each, timed in CPU time of the calling thread (``time.thread_time``).

    On a shared machine wall-clock medians move with the load; one-thread CPU time measures the work done and
    hardly moves. Needs threadpoolctl to pin numpy's BLAS to one thread; None without it.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    with threadpool_limits(1):
        return run(repeats, warmup, threads=1, clock=time.thread_time)


def _table(rows):
    lines = ["| op | pass | ours (ms) | torch (ms) | ours / torch |", "|---|---|---:|---:|---:|"]
    for name, kind, ours, theirs in rows:
        lines.append(f"| {name} | {kind} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f}x |" if theirs else
                     f"| {name} | {kind} | {ours:.2f} | - | - |")
    return lines


def markdown(rows, rows_1t, env, first, repeats):
    lines = [f"Wall clock, {THREADS} threads each (numba, numpy's BLAS, torch): medians of {repeats} runs in blocks "
             f"runs after warm-up ({_step_repeats(repeats)} for the CNN training step), float32.", ""] + _table(rows)
    if rows_1t is not None:
        lines += ["", "One thread each, CPU time of the calling thread (`time.thread_time`; insensitive to other "
                  "processes on the machine):", ""] + _table(rows_1t)
    lines += ["", "First call in a fresh process (seconds):", "",
              "| numba cache | import autograd_core | first conv2d fwd+bwd | first max_pool2d fwd+bwd |",
              "|---|---:|---:|---:|"]
    for label, (imp, conv, pool) in first.items():
        lines.append(f"| {label} | {imp:.2f} | {conv:.2f} | {pool:.2f} |")
    lines += ["", "Environment:", ""] + [f"- {k}: {v}" for k, v in env.items()]
    lines += ["", "Notes:", "",
              "- Wall-clock medians on a shared 2-core machine move with the load of other processes, for both "
              "libraries and by up to 10x (see the load average above); the one-thread CPU-time table is the "
              "stable comparison of the work each library does.",
              "- Our conv2d runs im2col + one GEMM per group (numpy's BLAS) forward, and two GEMMs + col2im "
              "backward; PyTorch's CPU conv (oneDNN) has no im2col/col2im pass, which is most of the gap in the "
              "one-thread forward.",
              "- CNN training step: zero_grad, forward, cross_entropy, backward and SGD step (lr "
              f"{CNN_STEP['lr']}, momentum {CNN_STEP['momentum']}) on one fixed batch of {CNN_STEP['batch']}; "
              "the same model and weights in both libraries (PyTorch's from `bench_train.torch_twin`), dropout 0.",
              "- The numba kernels switch to their prange versions above 65,536 elements "
              "(`autograd_core.kernels._jit.PARALLEL_MIN_WORK`)."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write bench/results_conv.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    first = first_call_times()
    rows = run(args.repeats, args.warmup)
    env = environment(_torch())   # after the run: thread counts as used, threading layer initialised
    rows_1t = run_single_thread_cpu(args.repeats, args.warmup)
    env["load average (1 min) before / after"] = (f"{load_before:.2f} / {os.getloadavg()[0]:.2f} "
                                                  f"on {os.cpu_count()} cores")
    table = markdown(rows, rows_1t, env, first, args.repeats)
    print(table)
    if args.write:
        path = os.path.join(ROOT, "bench", "results_conv.md")
        with open(path, "w") as f:
            f.write("# conv2d / max_pool2d / CNN training step: autograd_core vs PyTorch CPU\n\n"
                    "Produced by `python bench/bench_conv.py --write`.\n\n" + table + "\n")
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
