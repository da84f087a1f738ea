"""Benchmark ``nn.ConvTranspose2d`` (forward, forward+backward): autograd_core vs PyTorch CPU, same thread count.

The case is a DCGAN/U-Net decoder step: batch 64, 64 -> 32 channels, 7x7 -> 14x14, kernel 4, stride 2, padding 1,
float32, with the input requiring a gradient (as inside a network) and the same weights in both libraries.

Usage::

    python bench/bench_conv_transpose.py               # print the table
    python bench/bench_conv_transpose.py --write       # also write bench/results_conv_transpose.md
    python bench/bench_conv_transpose.py --rounds 5    # more rounds

House style of ``bench_conv.py`` (whose environment helpers it reuses): each round times ours and PyTorch's
in blocks (ABBA halves), ``--repeats`` runs each after a warm-up, so both see the same machine load; a round reports the
medians, and the table gives the median over rounds and the range of the per-round ratios. Then the same on one
thread each in CPU time of the calling thread (``time.thread_time``), which other processes on a shared machine
hardly move. torch is optional: without it only our times are printed.
"""
import argparse
import os
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [ROOT, BENCH]

import bench_conv  # noqa: E402  (drops OPENBLAS_CORETYPE / L2_SIZE before numpy loads; environment helpers)
import numpy as np  # noqa: E402

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402

THREADS = 2
CASE = dict(batch=64, cin=64, cout=32, hw=7, k=4, stride=2, pad=1)


def _cases(torch, rng):
    c = CASE
    ag.manual_seed(0)
    layer = nn.ConvTranspose2d(c["cin"], c["cout"], c["k"], stride=c["stride"], padding=c["pad"])
    x = rng.standard_normal((c["batch"], c["cin"], c["hw"], c["hw"])).astype(np.float32)
    X = ag.Tensor(x, requires_grad=True)
    out_hw = (c["hw"] - 1) * c["stride"] - 2 * c["pad"] + c["k"]
    G = ag.Tensor(np.ones((c["batch"], c["cout"], out_hw, out_hw), np.float32))

    def ours_fwd():
        return layer(X)

    def ours_fwd_bwd():
        X.grad = layer.weight.grad = layer.bias.grad = None
        layer(X).backward(G)

    cases = {"fwd": [ours_fwd], "fwd+bwd": [ours_fwd_bwd]}
    if torch is not None:
        tlayer = torch.nn.ConvTranspose2d(c["cin"], c["cout"], c["k"], stride=c["stride"], padding=c["pad"])
        tlayer.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in layer.state_dict().items()})
        xt = torch.tensor(x, requires_grad=True)
        gt = torch.from_numpy(G.numpy())

        def torch_fwd():
            return tlayer(xt)

        def torch_fwd_bwd():
            xt.grad = tlayer.weight.grad = tlayer.bias.grad = None
            tlayer(xt).backward(gt)

        cases["fwd"].append(torch_fwd)
        cases["fwd+bwd"].append(torch_fwd_bwd)
        # same numbers, so the comparison is meaningful
        np.testing.assert_allclose(ours_fwd().numpy(), torch_fwd().detach().numpy(), rtol=1e-4, atol=1e-4)
        ours_fwd_bwd()
        torch_fwd_bwd()
        for a, b in ((X.grad, xt.grad), (layer.weight.grad, tlayer.weight.grad), (layer.bias.grad, tlayer.bias.grad)):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-3, atol=1e-3)
    return cases


def run(rounds, repeats, warmup, threads=THREADS, clock=time.perf_counter):
    """``{pass: [(ours_ms, torch_ms or None) per round]}`` with ``threads`` threads for numba, BLAS and torch."""
    import numba
    torch = bench_conv._torch()
    if torch is not None:
        torch.set_num_threads(threads)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    cases = _cases(torch, np.random.default_rng(0))
    results = {kind: [] for kind in cases}
    for _ in range(rounds):
        for kind, fns in cases.items():
            times = bench_conv._blocks(fns, warmup, repeats, clock)
            results[kind].append((times[0], times[1] if len(times) > 1 else None))
    return results


def run_single_thread_cpu(rounds, repeats, warmup):
    """The same on one thread each, in CPU time of the calling thread; None without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    with threadpool_limits(1):
        return run(rounds, repeats, warmup, threads=1, clock=time.thread_time)


def _lscpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return bench_conv._cpu_name()
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return bench_conv._cpu_name()


def _table(results):
    lines = ["| pass | ours (ms) | torch (ms) | ours / torch | per-round ratios (min - max) |",
             "|---|---:|---:|---:|---:|"]
    for kind, per_round in results.items():
        ours = float(np.median([o for o, _ in per_round]))
        if per_round[0][1] is None:
            lines.append(f"| {kind} | {ours:.2f} | - | - | - |")
            continue
        theirs = float(np.median([t for _, t in per_round]))
        ratios = [o / t for o, t in per_round]
        lines.append(f"| {kind} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f}x | "
                     f"{min(ratios):.2f}x - {max(ratios):.2f}x |")
    return lines


def markdown(results, results_1t, env, rounds, repeats):
    c = CASE
    case = (f"`nn.ConvTranspose2d({c['cin']}, {c['cout']}, {c['k']}, stride={c['stride']}, padding={c['pad']})` on "
            f"a {c['batch']}x{c['cin']}x{c['hw']}x{c['hw']} float32 input (output {c['batch']}x{c['cout']}x14x14), "
            f"input and parameters requiring gradients")
    lines = [case + ".", "",
             f"Wall clock, {THREADS} threads each (numba, numpy's BLAS, torch): median over {rounds} rounds of the "
             f"per-round medians of {repeats} runs in blocks (ABBA halves) after warm-up.", ""] + _table(results)
    if results_1t is not None:
        lines += ["", "One thread each, CPU time of the calling thread (`time.thread_time`; insensitive to other "
                  "processes on the machine):", ""] + _table(results_1t)
    lines += ["", "Environment:", ""] + [f"- {k}: {v}" for k, v in env.items()]
    lines += ["", "Notes:", "",
              "- Ours: forward = one GEMM `rows(x) @ W` (`rows`: channels-last `(N*H*W, C)`) and one col2im that "
              "reads the product's transpose in place (the input gradient of a convolution); backward = one "
              "im2col of the output gradient shared by the input gradient (`cols.T @ W.T`, a convolution) and the "
              "weight gradient (`cols @ rows(x)`), plus a column sum for the bias. Every GEMM has the long "
              "dimension as its rows: OpenBLAS runs the other orientation up to 2-3x slower on 2 busy threads "
              "(ops/conv.py). The price is a col2im that reads with a stride, about 1 ms more than the "
              "contiguous one on one thread.",
              "- The machine is shared with other engineers: wall-clock medians move with their load (see the load "
              "average above), for both libraries; the per-round ratio range shows how much. The one-thread "
              "CPU-time table is the stable comparison of the work each library does."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write bench/results_conv_transpose.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = run(args.rounds, args.repeats, args.warmup)
    env = bench_conv.environment(bench_conv._torch())   # after the run: thread counts as used
    env["cpu"] = _lscpu_model() + " (lscpu model name)"
    results_1t = run_single_thread_cpu(args.rounds, args.repeats, args.warmup)
    env["load average (1 min) before / after"] = (f"{load_before:.2f} / {os.getloadavg()[0]:.2f} "
                                                  f"on {os.cpu_count()} cores")
    table = markdown(results, results_1t, env, args.rounds, args.repeats)
    print(table)
    if args.write:
        path = os.path.join(ROOT, "bench", "results_conv_transpose.md")
        with open(path, "w") as f:
            f.write("# nn.ConvTranspose2d: autograd_core vs PyTorch CPU\n\n"
                    "Produced by `python bench/bench_conv_transpose.py --write`.\n\n" + table + "\n")
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
