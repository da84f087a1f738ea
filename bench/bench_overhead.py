"""Per-op engine overhead: forward+backward of a small elementwise op (y = (x * x).sum(); y.backward()) on a
1-element and a 1,000-element tensor, and a chain of 1,000,000 tiny ops (alternately ``y * 1.0000001`` and
``y + 0.5`` on a 0-d float64 tensor), forward then backward, for us and for PyTorch CPU in the same run (three
rounds, ours then PyTorch's in each; the medians).

    python bench/bench_overhead.py               # prints a table and writes bench/results_overhead.md
    python bench/bench_overhead.py --nodes 20000 # a quick smoke run (writes nothing)
"""
import gc
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import autograd_core as ag  # noqa: E402

try:
    import torch
    torch.set_num_threads(2)
except ImportError:
    torch = None


ROUNDS = 3


def timeit(fn, repeat=7, number=2000):
    for _ in range(200):
        fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t) / number)
    return statistics.median(runs)


def step_ours(x):
    def f():
        x.grad = None
        (x * x).sum().backward()
    return f


def step_torch(x):
    def f():
        x.grad = None
        (x * x).sum().backward()
    return f


def chain(lib, n):
    """Seconds to build an ``n``-node chain of tiny ops and to backpropagate through it (``lib``: us or torch)."""
    x = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
    y = x
    t0 = time.perf_counter()
    for i in range(n):
        y = y * 1.0000001 if i % 2 else y + 0.5
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    del y
    return t1 - t0, t2 - t1


def main():
    nodes = 1_000_000
    if "--nodes" in sys.argv:
        nodes = int(sys.argv[sys.argv.index("--nodes") + 1])
    rows = []
    for n in (1, 1000):
        ours = timeit(step_ours(ag.randn(n, requires_grad=True)))
        theirs = timeit(step_torch(torch.randn(n, requires_grad=True))) if torch else float("nan")
        rows.append((f"(x*x).sum().backward(), {n} element(s)", ours, theirs))
    # three rounds, ours then PyTorch's in each (a collected heap before every chain), medians of the rounds
    ours_runs, torch_runs = [], []
    for _ in range(ROUNDS):
        gc.collect()
        ours_runs.append(chain(ag, nodes))
        if torch:
            gc.collect()
            torch_runs.append(chain(torch, nodes))
    fwd, bwd = (statistics.median(r[k] for r in ours_runs) for k in (0, 1))
    tfwd, tbwd = ((statistics.median(r[k] for r in torch_runs) for k in (0, 1)) if torch
                  else (float("nan"), float("nan")))
    lines = ["| case | ours (µs) | PyTorch (µs) | ratio |", "|---|---|---|---|"]
    for name, o, t in rows:
        lines.append(f"| {name} | {o * 1e6:.1f} | {t * 1e6:.1f} | {o / t:.2f} |")
    lines += ["", f"| {nodes:,}-node chain of tiny ops (s) | ours | PyTorch | ratio |", "|---|---|---|---|",
              f"| forward | {fwd:.2f} | {tfwd:.2f} | {fwd / tfwd:.2f} |",
              f"| backward | {bwd:.2f} | {tbwd:.2f} | {bwd / tbwd:.2f} |",
              f"| total | {fwd + bwd:.2f} | {tfwd + tbwd:.2f} | {(fwd + bwd) / (tfwd + tbwd):.2f} |"]
    from run import lscpu     # bench/run.py, the benchmarks' one reader of the CPU model
    cpu = lscpu()
    env = (f"CPU {cpu.get('Model name', platform.processor() or 'unknown')} (family {cpu.get('CPU family', '?')}, "
           f"model {cpu.get('Model', '?')}), Python {platform.python_version()}, numpy {np.__version__}, "
           f"torch {torch.__version__ if torch else 'not installed'} ({torch.get_num_threads() if torch else '-'} "
           f"threads), {platform.machine()}, {os.cpu_count()} cores")
    text = "\n".join(lines)
    print(text)
    print(env)
    if nodes != 1_000_000:
        return
    out = os.path.join(os.path.dirname(__file__), "results_overhead.md")
    with open(out, "w") as f:
        f.write("# Engine overhead\n\nCommand: `python bench/bench_overhead.py` (small cases: medians of 7 runs "
                "after warm-up; the chain: medians of 3 rounds, ours then PyTorch's in each)\n\n")
        f.write(text + "\n\nEnvironment: " + env + "\n")


if __name__ == "__main__":
    main()
