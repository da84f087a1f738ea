"""The one benchmark entry point (issue 16): every workload against PyTorch CPU in the same run, same thread count.

Usage::

    python bench/run.py                 # idle table, written to bench/results_<cpu-slug>.md
    python bench/run.py --busy          # the same, plus the table with one competing busy process on the machine
    python bench/run.py --quick         # a smoke run: few steps, nothing written (unless --out)
    python -m bench --busy              # the same entry point

Workloads (issue 16's table): MLP 784-256-10 batch 128 SGD step; the course CNN (``nn.models.CNN``) batch 64 SGD
step; conv2d 32->64, 14x14, 3x3, batch 64, forward and forward+backward; LSTM h128 seq 28 batch 64 SGD step; GRU
step; 2-layer bidirectional LSTM step; peak resident memory of 10 CNN steps, each library in its own process.

Timing: each workload runs ``--rounds`` rounds (default 3); in a round each library runs a block of steps after
its own warm-up (the order of the two blocks flips every round, so drifting load hits both alike; see
``time_pair`` for why blocks and not step-by-step alternation), and each round gives a median per library; the
reported time is the best (lowest) round median, the ratio ours / PyTorch of those. CPU
time of the whole process (``time.process_time``, all threads) is recorded beside wall time: it counts work and
spinning, not waiting. numba, numpy's BLAS (threadpoolctl) and torch all get ``--threads`` threads.

The library's opt-in process tuning (``autograd_core.tune_runtime()``) is not applied unless ``--tune``: the
targets are meant to hold without it. The workloads are built by the existing benchmarks (``bench_conv.py``,
``bench_rnn.py``, ``bench_train.py``), so each has one definition.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

# Older OpenBLAS builds need OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE on some processors, and they can slow a current
# numpy's BLAS: drop both, for this process only, before numpy loads (recorded in the results).
_UNSET = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if os.environ.pop(k, None) is not None]

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [ROOT, BENCH]

import numpy as np  # noqa: E402

TARGETS = {"MLP step": 1.0, "CNN step": 1.3, "conv2d fwd": 1.5, "conv2d fwd+bwd": 1.3, "LSTM step": 1.3,
           "GRU step": 1.3, "LSTM 2-layer bidir step": 1.3}
BUSY_TARGETS = {"CNN step": 1.6, "LSTM step": 1.6}
MLP = dict(batch=128, lr=0.01)
# (steps per round, warm-up) per workload, normal and --quick
STEPS = {"MLP step": (200, 20), "CNN step": (20, 3), "conv2d fwd": (60, 5), "conv2d fwd+bwd": (40, 5),
         "LSTM step": (30, 5), "GRU step": (30, 5), "LSTM 2-layer bidir step": (15, 3)}
QUICK_STEPS = (3, 1)


# ---------------------------------------------------------------------------------------------- workloads

def _mlp_step(torch, rng):
    import autograd_core as ag
    import nn
    import optim
    from nn.functional import cross_entropy
    x = rng.standard_normal((MLP["batch"], 784)).astype(np.float32)
    y = rng.integers(0, 10, MLP["batch"]).astype(np.int64)
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = optim.SGD(model.parameters(), lr=MLP["lr"])
    X, Y = ag.Tensor(x), ag.Tensor(y)

    def ours():
        opt.zero_grad()
        cross_entropy(model(X), Y).backward()
        opt.step()

    tmodel = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    tmodel.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    topt = torch.optim.SGD(tmodel.parameters(), lr=MLP["lr"])
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def theirs():
        topt.zero_grad()
        torch.nn.functional.cross_entropy(tmodel(xt), yt).backward()
        topt.step()

    with torch.no_grad(), ag.no_grad():   # same model and weights, so the comparison is meaningful
        np.testing.assert_allclose(model(X).numpy(), tmodel(xt).numpy(), rtol=1e-4, atol=1e-4)
    return ours, theirs


def _conv(kind):
    def build(torch, rng):
        import bench_conv
        ours, theirs = bench_conv._conv_cases(torch, rng)[kind]
        return ours, theirs
    return build


def _cnn_step(torch, rng):
    import bench_conv
    return tuple(bench_conv._cnn_step_cases(torch, rng)["train step (fwd+bwd+SGD)"])


def _rnn(mode, layers, bidirectional):
    def build(torch, rng):
        import bench_rnn
        torch_step, our_step = bench_rnn.make_pair(torch, mode, layers, bidirectional, True)
        assert abs(torch_step() - our_step()) < 1e-4, f"{mode}: first losses differ"
        return our_step, torch_step
    return build


WORKLOADS = {
    "MLP step": ("MLP 784-256-10, batch 128, SGD step", _mlp_step),
    "CNN step": ("CNN (nn.models.CNN: 2 conv 5x5 + pools + 2 FC), batch 64, SGD momentum step", _cnn_step),
    "conv2d fwd": ("conv2d 32->64, 14x14, 3x3 pad 1, batch 64, forward", _conv("fwd")),
    "conv2d fwd+bwd": ("the same conv2d, forward+backward", _conv("fwd+bwd")),
    "LSTM step": ("LSTM h128, seq 28, batch 64, SGD step", _rnn("LSTM", 1, False)),
    "GRU step": ("GRU h128, seq 28, batch 64, SGD step", _rnn("GRU", 1, False)),
    "LSTM 2-layer bidir step": ("LSTM 2 layers bidirectional h128, seq 28, batch 64, SGD step", _rnn("LSTM", 2, True)),
}


# ---------------------------------------------------------------------------------------------- timing

def time_pair(ours, theirs, steps, warmup, rounds):
    """Best-of-``rounds`` medians (wall and process CPU, in ms) of two step functions, run in blocks.

    A round runs each library's block of ``steps`` timed steps, each block after its own warm-up, and the order of
    the two blocks flips every round. Blocks, not step-by-step alternation: each library's thread pool (numpy's
    OpenBLAS, torch's OpenMP) spins for a while after its call, and a step started while the other library's
    threads still spin runs up to 2x slower for both (MLP step, idle AMD EPYC: 1.8 / 1.6 ms alternating step by
    step, 0.95 / 1.0 ms in blocks).
    """
    per_round = []
    for r in range(rounds):
        wall, cpu = ([], []), ([], [])
        for k in ((0, 1) if r % 2 == 0 else (1, 0)):
            fn = (ours, theirs)[k]
            for _ in range(warmup):
                fn()
            for _ in range(steps):
                c0, t0 = time.process_time(), time.perf_counter()
                fn()
                wall[k].append(time.perf_counter() - t0)
                cpu[k].append(time.process_time() - c0)
        per_round.append([float(np.median(v)) * 1e3 for v in wall + cpu])
    arr = np.array(per_round)
    best = arr.min(axis=0)
    return {"ours_ms": best[0], "torch_ms": best[1], "ratio": best[0] / best[1],
            "ours_cpu_ms": best[2], "torch_cpu_ms": best[3], "cpu_ratio": best[2] / best[3],
            "round_ratios": [float(r) for r in arr[:, 0] / arr[:, 1]]}


def run_workloads(torch, names, quick, rounds):
    rng = np.random.default_rng(0)
    rows = {}
    for name in names:
        label, build = WORKLOADS[name]
        ours, theirs = build(torch, rng)
        steps, warmup = QUICK_STEPS if quick else STEPS[name]
        rows[name] = dict(time_pair(ours, theirs, steps, warmup, 1 if quick else rounds), label=label)
        r = rows[name]
        print(f"  {name:<26} ours {r['ours_ms']:8.2f} ms  torch {r['torch_ms']:8.2f} ms  ratio {r['ratio']:5.2f}x  "
              f"(CPU time ratio {r['cpu_ratio']:.2f}x; rounds {', '.join(f'{x:.2f}' for x in r['round_ratios'])})",
              flush=True)
    return rows


# ---------------------------------------------------------------------------------------------- peak memory

_PEAK_RSS = """
import json, sys
sys.path[:0] = [{root!r}, {bench!r}]
import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
y = rng.integers(0, 10, 64).astype(np.int64)
if {ours!r}:
    import autograd_core as ag, optim
    from nn.functional import cross_entropy
    from nn.models import CNN
    {tune}
    ag.manual_seed(0)
    model = CNN()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    X, Y = ag.Tensor(x), ag.Tensor(y)
    def step():
        opt.zero_grad(); cross_entropy(model(X), Y).backward(); opt.step()
else:
    import torch
    torch.set_num_threads({threads})
    from bench_train import torch_twin
    import autograd_core as ag
    from nn.models import CNN
    ag.manual_seed(0)
    net = torch_twin(torch, CNN(), "cnn", 0.01)[0]
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    def step():
        opt.zero_grad(); torch.nn.functional.cross_entropy(net(X), Y).backward(); opt.step()
def hwm():   # this process's peak resident size in KiB (ru_maxrss would include the parent's, from before exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
before = hwm()
for _ in range(10):
    step()
print(json.dumps([before, hwm()]))
"""


def peak_rss(threads, tune, plain=False):
    """Peak resident size (MiB) of 10 CNN training steps, each library in a fresh process: (at start, peak)."""
    out = {}
    for ours in (True, False):
        setup = "ag.tune_runtime()" if tune else "pass"
        if plain:
            setup += "; from autograd_core.ops import conv, conv_few_channels, conv_winograd; " \
                     "conv.ROWS_ENABLED = conv_few_channels.ENABLED = False; " \
                     "conv_winograd.ENABLED = False"
        code = _PEAK_RSS.format(root=ROOT, bench=BENCH, ours=ours, threads=threads, tune=setup)
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                   NUMBA_NUM_THREADS=str(threads))
        res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        before, peak = json.loads(res.stdout.strip().splitlines()[-1])
        out["ours" if ours else "torch"] = (before / 1024, peak / 1024)
    return out


# ---------------------------------------------------------------------------------------------- environment

def others_running(samples=20, every=0.05):
    """How many processes besides this one are runnable right now: the median over ``samples`` reads of
    /proc/loadavg's running count (which includes the reader). Unlike the load average, it does not lag, so the
    previous section's own threads do not count. 0 where /proc/loadavg is missing."""
    counts = []
    for _ in range(samples):
        try:
            with open("/proc/loadavg") as f:
                running = int(f.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return 0
        counts.append(running - 1)
        time.sleep(every)
    return statistics.median(counts)


def lscpu():
    info = {}
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def cpu_slug(cpu):
    name = cpu.get("Model name") or platform.processor() or "unknown-cpu"
    slug = re.sub(r"\(r\)|\(tm\)|processor|cpu", "", name.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    model = cpu.get("Model")
    return f"{slug}-model-{model}" if model else slug


def environment(torch, threads, tuned):
    import numba

    import autograd_core as ag
    import bench_conv
    cpu = lscpu()
    try:
        layer = numba.threading_layer()
    except ValueError:
        layer = "not initialised"
    flags = cpu.get("Flags", "").split()
    return {
        "CPU (lscpu model name / family / model)": f"{cpu.get('Model name', bench_conv._cpu_name())} / "
                                                   f"{cpu.get('CPU family', '?')} / {cpu.get('Model', '?')}",
        "vector extensions": ", ".join(f for f in ("avx2", "avx512f", "avx512_bf16", "amx_tile") if f in flags),
        "cores (os.cpu_count)": os.cpu_count(),
        "threads (numba / BLAS / torch)": f"{numba.get_num_threads()} / {threads} / {torch.get_num_threads()}",
        "BLAS (threadpoolctl)": bench_conv._blas_info(),
        "numba threading layer": layer,
        "python / numpy / numba / torch": f"{platform.python_version()} / {np.__version__} / {numba.__version__} / "
                                          f"{torch.__version__}",
        "autograd_core.tune_runtime()": "applied: " + "; ".join(f"{k}: {v}" for k, v in ag.runtime_settings().items())
                                        if tuned else "not applied",
        "OPENBLAS_CORETYPE/L2_SIZE unset for this run": ", ".join(_UNSET) or "none were set",
    }


# ---------------------------------------------------------------------------------------------- report

def table(rows, targets):
    lines = ["| workload | ours ms | PyTorch ms | ratio | target | met | CPU-time ratio | per-round ratios |",
             "|---|---:|---:|---:|---:|:-:|---:|---|"]
    for name, r in rows.items():
        target = targets.get(name)
        met = "" if target is None else ("yes" if r["ratio"] <= target else "no")
        lines.append(f"| {r['label']} | {r['ours_ms']:.2f} | {r['torch_ms']:.2f} | {r['ratio']:.2f}x | "
                     f"{'' if target is None else f'<= {target}x'} | {met} | {r['cpu_ratio']:.2f}x | "
                     f"{', '.join(f'{x:.2f}' for x in r['round_ratios'])} |")
    return lines


def markdown(sections, rss, env, command):
    lines = [f"## {env['CPU (lscpu model name / family / model)']}", "", f"Produced by `{command}`.", ""]
    for title, rows, targets, load in sections:
        lines += [f"### {title}", "", f"Load average (1 min) before / after: {load[0]:.2f} / {load[1]:.2f} on "
                  f"{os.cpu_count()} cores (it lags: the section before counts in it). Other runnable processes "
                  f"just before the section (median of 20 samples of /proc/loadavg): {load[2]:g}.", ""]
        if load[2] > ("busy" in title) + 0.5:    # the bench's own busy process counts 1
            lines += ["**Warning: other processes were loading the machine during this run (see the load average); "
                      "these wall-clock numbers are not a measurement of the library. Rerun on an idle machine.**",
                      ""]
        lines += table(rows, targets) + [""]
    if rss:
        (ob, op), (tb, tp) = rss["ours"], rss["torch"]
        lines += ["### Peak resident memory, 10 CNN training steps (batch 64), each library in a fresh process", "",
                  "| | at start (MiB) | peak (MiB) | peak - start |", "|---|---:|---:|---:|",
                  f"| ours | {ob:.0f} | {op:.0f} | {op - ob:.0f} |",
                  f"| PyTorch | {tb:.0f} | {tp:.0f} | {tp - tb:.0f} |",
                  "", f"Target: ours <= PyTorch's peak: {'met' if op <= tp else 'not met'} ({op / tp:.2f}x).", ""]
    lines += ["### Environment", ""] + [f"- {k}: {v}" for k, v in env.items()] + [""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- main

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--busy", action="store_true", help="also run every workload next to one busy process")
    p.add_argument("--quick", action="store_true", help="smoke run: a few steps, one round, nothing written")
    p.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", nargs="+", choices=list(WORKLOADS), help="run only these workloads")
    p.add_argument("--tune", action="store_true", help="apply autograd_core.tune_runtime() first")
    p.add_argument("--no-rss", action="store_true", help="skip the peak-memory processes")
    p.add_argument("--plain", action="store_true",
                   help="A/B: turn the conv fast paths off (Winograd, im2row, few-channel chunks): every conv on "
                        "im2col + GEMM")
    p.add_argument("--numba-serial", action="store_true",
                   help="A/B: run every numba kernel serially (BLAS and torch keep --threads threads)")
    p.add_argument("--numba-parallel", action="store_true",
                   help="A/B: numba kernels in parallel even beside a multi-threaded BLAS (the old default)")
    p.add_argument("--out", default=None, help="results file (default bench/results_<cpu-slug>.md; not with --quick)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import autograd_core as ag
    if args.tune:
        ag.tune_runtime()
    import numba
    import torch
    from threadpoolctl import threadpool_limits

    from autograd_core.kernels import _jit
    from autograd_core.ops import conv, conv_few_channels, conv_winograd
    if args.plain:
        conv.ROWS_ENABLED = conv_winograd.ENABLED = conv_few_channels.ENABLED = False
    if args.numba_serial:
        _jit.PARALLEL_MIN_WORK = 1 << 62
    if args.numba_parallel:
        _jit.PARALLEL_BESIDE_BLAS = True
    torch.set_num_threads(args.threads)
    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    names = args.only or list(WORKLOADS)
    sections = []
    with threadpool_limits(args.threads, user_api="blas"):
        for busy in ((False, True) if args.busy else (False,)):
            hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
            try:
                if hog is not None:
                    time.sleep(0.5)
                title = "With one competing busy process" if busy else "Idle (no process started by the bench)"
                print(title + ":")
                load0, others = os.getloadavg()[0], others_running()
                rows = run_workloads(torch, names, args.quick, args.rounds)
                sections.append((title, rows, BUSY_TARGETS if busy else TARGETS, (load0, os.getloadavg()[0], others)))
            finally:
                if hog is not None:
                    hog.kill()
                    hog.wait()
        env = environment(torch, args.threads, args.tune)
        paths = "conv fast paths (Winograd F(2x2,3x3)/F(2x2,5x5), im2row, few-channel chunks)"
        env[paths] = "off (--plain)" if args.plain else "on"
        env["numba kernels"] = ("serial (--numba-serial)" if args.numba_serial else
                                f"parallel above {_jit.PARALLEL_MIN_WORK} elements, "
                                + ("also beside a threaded BLAS (--numba-parallel)" if args.numba_parallel else
                                   "only while numpy's BLAS has one thread (kernels/_jit.py)"))
    rss = None if args.no_rss else peak_rss(args.threads, args.tune, args.plain)
    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    report = markdown(sections, rss, env, command.strip())
    print(report)
    out = args.out or (None if args.quick else os.path.join(BENCH, f"results_{cpu_slug(lscpu())}.md"))
    if out:
        with open(out, "w") as f:
            f.write("# autograd_core vs PyTorch CPU (bench/run.py)\n\n" + report)
        print(f"wrote {out}")
    return sections, rss


if __name__ == "__main__":
    main()
