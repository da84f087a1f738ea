"""Recurrent training step: this library vs PyTorch CPU, the same run on the same data and weights.

One step = forward through the recurrent layer, the last hidden state through ``Linear(.., 10)``, cross-entropy,
zero_grad, backward, SGD update. Both libraries start from the same weights (PyTorch's state_dict loaded here) and
see the same batch. The two libraries run in blocks of steps (ABBA halves), so a busy machine slows both alike; we
report the medians after a warm-up and their ratio.

Cases: LSTM 1 layer (input 28, hidden 128, seq 28, batch 64) -- the target is <= 1.5x PyTorch's step time --,
the same with a GRU, a bidirectional 2-layer LSTM, and the LSTM again with ``fused=False`` (the plain composition
of ops, a graph of ~25 nodes per step) to show what fusing buys.

Usage::

    python bench/bench_rnn.py                 # prints the table and writes bench/results_rnn.md
    python bench/bench_rnn.py --steps 20 --no-write
"""
import argparse
import os
import platform
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description="Recurrent training step: this library vs PyTorch CPU")
    parser.add_argument("--steps", type=int, default=60, help="timed steps per library and case")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, nargs="+", default=[2, 1],
                        help="thread counts to run, the same for numpy's BLAS and for PyTorch (the first is the "
                             "reference; several need threadpoolctl)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results_rnn.md"))
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    try:
        import threadpoolctl  # noqa: F401  (sets BLAS threads at run time)
    except ImportError:
        # numpy's BLAS reads its thread count when it loads: set it before importing numpy (this process only)
        ARGS.threads = ARGS.threads[:1]
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(ARGS.threads[0])

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import autograd_core  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import optim  # noqa: E402

CASES = [  # name, mode, num_layers, bidirectional, fused
    ("LSTM 1 layer", "LSTM", 1, False, True),
    ("GRU 1 layer", "GRU", 1, False, True),
    ("LSTM 2 layers bidirectional", "LSTM", 2, True, True),
    ("LSTM 1 layer, fused=False", "LSTM", 1, False, False),
]
SEQ, BATCH, INPUT, HIDDEN, CLASSES, LR = 28, 64, 28, 128, 10, 0.05
NOTES = """Notes:

- Ratio = our median step time / PyTorch's median step time (below 1: we are faster). "median per-step ratio"
  pairs each of our steps with the PyTorch step run just before it, which is steadier when other jobs load the
  machine; "min" columns are the fastest step seen, closest to an idle machine.
- Our fused layers record one graph node per layer and direction: the input projection is one matmul over all
  time steps, each step is one BLAS matmul `h @ W_hh^T` plus one numba kernel (gate activations and state update
  in one pass; float32 tanh by a vectorized rational approximation), and backward gets the weight gradients from
  three big matmuls. The matmuls are most of the remaining time, as for PyTorch.
- `fused=False` is the plain composition of ops (about 25 graph nodes per step), kept for teaching and as the
  tests' oracle.
"""


def last_hidden(h_n, bidirectional, cat):
    h = h_n[0] if isinstance(h_n, tuple) else h_n
    return cat([h[-2], h[-1]], 1) if bidirectional else h[-1]


def make_pair(torch, mode, layers, bidir, fused):
    """A PyTorch model and ours with identical weights; returns two step functions."""
    D = 2 if bidir else 1
    t_rnn = getattr(torch.nn, mode)(INPUT, HIDDEN, num_layers=layers, bidirectional=bidir)
    t_fc = torch.nn.Linear(D * HIDDEN, CLASSES)
    o_rnn = getattr(nn, mode)(INPUT, HIDDEN, num_layers=layers, bidirectional=bidir, fused=fused)
    o_fc = nn.Linear(D * HIDDEN, CLASSES)
    o_rnn.load_state_dict({k: v.detach().numpy() for k, v in t_rnn.state_dict().items()})
    o_fc.load_state_dict({k: v.detach().numpy() for k, v in t_fc.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    t_x, t_y = torch.from_numpy(x), torch.from_numpy(y)
    o_x, o_y = autograd_core.Tensor(x), autograd_core.Tensor(y)
    t_params = list(t_rnn.parameters()) + list(t_fc.parameters())
    o_params = list(o_rnn.parameters()) + list(o_fc.parameters())
    t_opt = torch.optim.SGD(t_params, lr=LR)
    o_opt = optim.SGD(o_params, lr=LR)

    def torch_step():
        _, h = t_rnn(t_x)
        loss = torch.nn.functional.cross_entropy(t_fc(last_hidden(h, bidir, torch.cat)), t_y)
        t_opt.zero_grad()
        loss.backward()
        t_opt.step()
        return loss.item()

    def our_step():
        _, h = o_rnn(o_x)
        loss = F.cross_entropy(o_fc(last_hidden(h, bidir, autograd_core.cat)), o_y)
        o_opt.zero_grad()
        loss.backward()
        o_opt.step()
        return loss.item()

    return torch_step, our_step


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_case(torch, case, steps, warmup):
    name, mode, layers, bidir, fused = case
    torch_step, our_step = make_pair(torch, mode, layers, bidir, fused)
    l_t, l_o = torch_step(), our_step()
    assert abs(l_t - l_o) < 1e-4, f"{name}: first losses differ: torch {l_t} vs ours {l_o}"
    # in blocks (ABBA halves, each after a short warm-up), not step by step: each library's thread pool spins
    # after its call and slows the other's next step (bench/run.py's time_pair)
    t_times, o_times = [], []
    half = steps // 2
    for fn, times, n in ((torch_step, t_times, half), (our_step, o_times, half),
                         (our_step, o_times, steps - half), (torch_step, t_times, steps - half)):
        for _ in range(warmup):
            fn()
        times.extend(timed(fn) for _ in range(n))
    t_med, o_med = np.median(t_times) * 1e3, np.median(o_times) * 1e3
    ratios = np.array(o_times) / np.array(t_times)   # paired by position in the blocks
    return dict(name=name, torch=t_med, ours=o_med, ratio=o_med / t_med, ratio_med=float(np.median(ratios)),
                torch_min=min(t_times) * 1e3, ours_min=min(o_times) * 1e3)


def blas_info():
    try:
        import threadpoolctl
    except ImportError:
        return (f"threads from OPENBLAS_NUM_THREADS/OMP_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')} "
                f"(threadpoolctl not installed)")
    libs = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas" and "numpy" in i["filepath"]]
    return "; ".join(f"{i['internal_api']} {i.get('version', '')} ({i.get('architecture', '?')} kernel, "
                     f"{i['num_threads']} threads)" for i in libs) or "unknown"


def limit_threads(n):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(n, user_api="blas")


def environment(torch):
    import numba
    return [f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
            f"torch {torch.__version__} (CPU build)",
            f"CPU: {platform.machine()}, {os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f} "
            f"(a shared machine: other jobs run beside the bench)",
            "OPENBLAS_CORETYPE=" + os.environ.get("OPENBLAS_CORETYPE", "(unset)") + ", OPENBLAS_L2_SIZE="
            + os.environ.get("OPENBLAS_L2_SIZE", "(unset)")]


def table(rows):
    lines = ["| case | PyTorch ms (median) | ours ms (median) | ratio | median per-step ratio | PyTorch min "
             "| ours min |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['torch']:.2f} | {r['ours']:.2f} | {r['ratio']:.2f} | {r['ratio_med']:.2f} "
                     f"| {r['torch_min']:.2f} | {r['ours_min']:.2f} |")
    return "\n".join(lines)


def main():
    args = ARGS
    import torch
    env = environment(torch)
    sections = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        autograd_core.manual_seed(0)
        rows = []
        with limit_threads(threads):
            blas = blas_info()
            print(f"threads={threads}: numpy BLAS {blas}; torch.get_num_threads()={torch.get_num_threads()}")
            for case in CASES:
                steps = max(args.steps // 4, 5) if not case[4] else args.steps
                r = run_case(torch, case, steps, args.warmup)
                rows.append(r)
                print(f"  {r['name']:<30} torch {r['torch']:7.2f} ms   ours {r['ours']:7.2f} ms   ratio "
                      f"{r['ratio']:.2f} (median of per-step ratios {r['ratio_med']:.2f})", flush=True)
        sections.append(f"## {threads} thread{'s' if threads > 1 else ''} (torch.set_num_threads({threads}), "
                        f"numpy BLAS: {blas})\n\n" + table(rows) + "\n")
    if not args.no_write:
        with open(args.out, "w") as f:
            f.write("# Recurrent training step vs PyTorch CPU\n\n")
            f.write(f"Generated by `python bench/bench_rnn.py` (steps={args.steps}, warm-up={args.warmup}): one step = "
                    f"forward, last hidden -> Linear(.., 10), cross-entropy, zero_grad, backward, SGD; seq {SEQ}, "
                    f"batch {BATCH}, input {INPUT}, hidden {HIDDEN}, float32; the fused=False row times fewer steps. "
                    f"The two libraries run in blocks of steps (ABBA halves), so drifting load hits both alike. "
                    f"Target: LSTM 1 layer ratio <= 1.5.\n\n")
            f.write("Environment:\n\n" + "".join(f"- {line}\n" for line in env) + "\n")
            f.write("\n".join(sections))
            f.write("\n" + NOTES)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
