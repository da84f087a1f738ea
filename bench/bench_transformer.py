"""Benchmark a TransformerEncoderLayer training step and the attention inside it: autograd_core vs PyTorch CPU,
same thread count, same weights.

Usage::

    python bench/bench_transformer.py                 # print the tables
    python bench/bench_transformer.py --write         # also write bench/results_transformer.md
    python bench/bench_transformer.py --rounds 5      # more rounds

Cases (float32): one training step of ``nn.TransformerEncoderLayer(d_model=128, nhead=4, batch_first=True)`` on a
batch of 32 sequences of 64 (zero_grad, forward, MSE loss, backward, SGD step), with ``dim_feedforward=512,
dropout=0`` (the same computation in both libraries) and with PyTorch's defaults (2048, dropout 0.1); then the
attention alone, forward + backward on ``(32, 4, 64, 32)``: ``F.scaled_dot_product_attention`` (our fused node),
the same attention written as a composition of our ops (what the fused node replaces), and PyTorch's; and the
encoder step with our layer's attention swapped for that composition.

Each round runs every case's callables in blocks (ours, PyTorch's, ..., then back) ``--repeats`` times, so
both see the same machine load; a round reports medians, and the table the median over rounds (with the range).
A second table repeats it on one thread each, timed in CPU time of the calling thread (``time.thread_time``),
which other processes on a shared machine hardly move.
"""
import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager

_UNSET = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if os.environ.pop(k, None) is not None]

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [ROOT, BENCH]

import numpy as np  # noqa: E402

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import nn.functional_attention as FA  # noqa: E402
import optim  # noqa: E402
import bench_conv  # noqa: E402
from bench_conv import _blocks, _cpu_name, environment  # noqa: E402

bench_conv._UNSET = _UNSET     # what this process unset before numpy loaded (recorded by environment())

THREADS = 2
SHAPE = dict(batch=32, seq=64, d_model=128, nhead=4, lr=0.01)
LAYERS = {"d_ff 512, dropout 0": dict(dim_feedforward=512, dropout=0.0),
          "PyTorch defaults (d_ff 2048, dropout 0.1)": dict(dim_feedforward=2048, dropout=0.1)}


def composed_sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    """Attention as separate ops (matmul, scale, mask, softmax, matmul): what the fused node replaces."""
    scale = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if attn_mask is not None:
        scores = scores + attn_mask
    if is_causal:
        L, S = scores.shape[-2:]
        scores = scores + ag.tensor(np.triu(np.full((L, S), -np.inf, dtype=scores.dtype), 1))
    weights = F.softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p)
    return weights @ value


@contextmanager
def composed_attention():
    """Run nn.MultiheadAttention with :func:`composed_sdpa` instead of the fused node."""
    fused = FA.scaled_dot_product_attention
    FA.scaled_dot_product_attention = composed_sdpa
    try:
        yield
    finally:
        FA.scaled_dot_product_attention = fused


def _layer_cases(torch, rng, kwargs):
    s = SHAPE
    x = rng.standard_normal((s["batch"], s["seq"], s["d_model"])).astype(np.float32)
    y = rng.standard_normal(x.shape).astype(np.float32)
    ag.manual_seed(0)
    layer = nn.TransformerEncoderLayer(s["d_model"], s["nhead"], batch_first=True, **kwargs)
    opt = optim.SGD(layer.parameters(), lr=s["lr"])
    X, Y = ag.tensor(x), ag.tensor(y)

    def ours():
        opt.zero_grad()
        F.mse_loss(layer(X), Y).backward()
        opt.step()

    def ours_composed():
        with composed_attention():
            ours()

    fns = {"ours": ours, "ours, attention composed": ours_composed}
    if torch is not None:
        tlayer = torch.nn.TransformerEncoderLayer(s["d_model"], s["nhead"], batch_first=True, **kwargs)
        tlayer.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in layer.state_dict().items()})
        topt = torch.optim.SGD(tlayer.parameters(), lr=s["lr"])
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def theirs():
            topt.zero_grad()
            torch.nn.functional.mse_loss(tlayer(xt), yt).backward()
            topt.step()

        fns["torch"] = theirs
        if kwargs["dropout"] == 0.0:             # the same model and weights: check the same numbers
            with torch.no_grad(), ag.no_grad():
                np.testing.assert_allclose(layer(X).numpy(), tlayer(xt).numpy(), rtol=2e-4, atol=2e-4)
    return fns


def _attention_cases(torch, rng):
    s = SHAPE
    shape = (s["batch"], s["nhead"], s["seq"], s["d_model"] // s["nhead"])
    arrays = [rng.standard_normal(shape).astype(np.float32) for _ in range(3)]
    g = rng.standard_normal(shape).astype(np.float32)
    qkv = [ag.tensor(a, requires_grad=True) for a in arrays]
    G = ag.tensor(g)

    def run(fn):
        def step():
            for t in qkv:
                t.grad = None
            fn(*qkv, is_causal=True).backward(G)
        return step

    fns = {"ours": run(F.scaled_dot_product_attention), "ours, attention composed": run(composed_sdpa)}
    np.testing.assert_allclose(F.scaled_dot_product_attention(*qkv, is_causal=True).numpy(),
                               composed_sdpa(*qkv, is_causal=True).numpy(), rtol=1e-5, atol=1e-5)
    if torch is not None:
        tq = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
        gt = torch.from_numpy(g)

        def theirs():
            for t in tq:
                t.grad = None
            torch.nn.functional.scaled_dot_product_attention(*tq, is_causal=True).backward(gt)

        fns["torch"] = theirs
    return fns


def cases(torch):
    rng = np.random.default_rng(0)
    s = SHAPE
    out = {}
    for name, kwargs in LAYERS.items():
        out[f"encoder layer train step, {name}"] = _layer_cases(torch, rng, kwargs)
    out[f"causal attention fwd+bwd {s['batch']}x{s['nhead']}x{s['seq']}x{s['d_model'] // s['nhead']}"] = \
        _attention_cases(torch, rng)
    return out


def _set_threads(torch, n):
    import numba
    if torch is not None:
        torch.set_num_threads(n)
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))


def run(torch, rounds, repeats, warmup, threads, clock):
    """``{case: {variant: [median ms of each round]}}``."""
    _set_threads(torch, threads)
    all_cases = cases(torch)
    results = {name: {v: [] for v in fns} for name, fns in all_cases.items()}
    for _ in range(rounds):
        for name, fns in all_cases.items():
            n = repeats if "attention" in name else max(3, repeats // 2)
            for variant, ms in zip(fns, _blocks(list(fns.values()), warmup, n, clock)):
                results[name][variant].append(ms)
    return results


def _table(results):
    lines = ["| case | ours (ms) | ours, attention composed (ms) | torch (ms) | ours / torch | rounds: ours / torch |",
             "|---|---:|---:|---:|---:|---|"]
    for name, r in results.items():
        ours, comp = np.median(r["ours"]), np.median(r["ours, attention composed"])
        theirs = np.median(r["torch"]) if r.get("torch") else None
        per_round = ", ".join(f"{a / b:.2f}" for a, b in zip(r["ours"], r.get("torch", []))) or "-"
        ratio = f"{ours / theirs:.2f}x" if theirs else "-"
        tt = f"{theirs:.2f}" if theirs else "-"
        lines.append(f"| {name} | {ours:.2f} | {comp:.2f} | {tt} | {ratio} | {per_round} |")
    return lines


def _lscpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return _cpu_name()
    for line in out.splitlines():
        if line.startswith("Model name"):
            return line.split(":", 1)[1].strip()
    return _cpu_name()


def markdown(rows, rows_1t, env, args):
    s = SHAPE
    lines = [f"`nn.TransformerEncoderLayer(d_model={s['d_model']}, nhead={s['nhead']}, batch_first=True)`, batch "
             f"{s['batch']} x sequence {s['seq']}, float32; a training step is zero_grad, forward, MSE loss, "
             f"backward and an SGD step (lr {s['lr']}), the same weights in both libraries.", "",
             f"Wall clock, {THREADS} threads each (numpy's BLAS, numba, torch): the median over {args.rounds} rounds "
             f"of each round's median ({args.repeats} runs in blocks of the attention, {max(3, args.repeats // 2)} "
             f"of the training steps, after {args.warmup} warm-up runs); the last column gives every round's ratio.",
             ""] + _table(rows)
    if rows_1t is not None:
        lines += ["", "One thread each, CPU time of the calling thread (`time.thread_time`; other processes on the "
                  "machine hardly move it):", ""] + _table(rows_1t)
    lines += ["", "Environment:", ""] + [f"- {k}: {v}" for k, v in env.items()]
    lines += ["", "Notes:", "",
              "- \"attention composed\": the same attention as separate ops (matmul, scale, mask, softmax, "
              "dropout, matmul) instead of the fused `F.scaled_dot_product_attention` node; in the encoder rows "
              "our layer runs with that composition swapped in. The difference is what the fused node buys: one "
              "scores array scaled, masked and normalised in place, and a backward from the saved weights.",
              "- Dropout masks are drawn by each library's own generator, so the dropout rows compare the cost, "
              "not the numbers; the dropout-0 row checks that both layers give the same output first.",
              "- On a shared 2-core machine the wall-clock rows move with the other processes' load (see the "
              "load averages and the per-round ratios); the one-thread CPU-time table is the stable comparison of "
              "the work each library does. Most of the step is matrix products (numpy's OpenBLAS here, oneDNN/MKL "
              "in PyTorch), the rest LayerNorm, the attention and the optimizer."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write bench/results_transformer.md")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    load_before = os.getloadavg()
    rows = run(torch, args.rounds, args.repeats, args.warmup, THREADS, time.perf_counter)
    env = environment(torch)
    env["lscpu model name"] = _lscpu_model()
    rows_1t = None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(1):
            rows_1t = run(torch, args.rounds, args.repeats, args.warmup, 1, time.thread_time)
    load_after = os.getloadavg()
    env["load average (1, 5, 15 min) before / after"] = (f"{', '.join(f'{v:.2f}' for v in load_before)} / "
                                                         f"{', '.join(f'{v:.2f}' for v in load_after)} on "
                                                         f"{os.cpu_count()} cores")
    table = markdown(rows, rows_1t, env, args)
    print(table)
    if args.write:
        path = os.path.join(ROOT, "bench", "results_transformer.md")
        with open(path, "w") as f:
            f.write("# TransformerEncoderLayer training step and attention: autograd_core vs PyTorch CPU\n\n"
                    f"Produced by `python bench/bench_transformer.py --write --rounds {args.rounds} --repeats "
                    f"{args.repeats}`.\n\n" + table + "\n")
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
