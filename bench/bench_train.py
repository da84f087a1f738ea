"""Training on the full Fashion-MNIST: accuracy of the course's models, and speed against PyTorch CPU.

Two parts, each for the CNN of ``nn.models.CNN`` and the MLP 784-256-128-10 (ReLU, dropout):

* ``accuracy``: trains our model with ``nn.training.fit`` on the 60,000 training images for ``--epochs`` epochs
  (no early stopping: the test set is only looked at once, at the end) and reports the test accuracy and each
  epoch's wall time.
* ``speed``: the same model in PyTorch (same weights, batch size, optimizer, data and thread count); short
  blocks of training steps of each library in alternation (about ``--steps`` timed steps each), so a busy
  machine slows both alike; medians (and 10th percentiles, less sensitive to other processes) and their
  ratios; an epoch time is ``median step x steps per epoch``. With ``--full-epoch`` one whole training epoch
  of each library is also timed end to end (ours through ``fit``, data loading included).

Targets (issue 5): CNN >= 91% test accuracy and epoch time <= 1.5x PyTorch's; MLP >= 88% and step time
<= 1.25x PyTorch's.

Usage::

    python bench/bench_train.py --model cnn --epochs 12            # accuracy + speed (long: many minutes)
    python bench/bench_train.py --model mlp --epochs 25
    python bench/bench_train.py --model both --speed-only --steps 60
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import autograd_core  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd_core.data import DataLoader, FashionMNIST, TensorDataset  # noqa: E402
from nn.models import CNN, MLP  # noqa: E402
from nn.training import evaluate, fit  # noqa: E402

THREADS = 2
CONFIGS = {  # model: (constructor, batch size, optimizer, lr, dropout, default epochs)
    "cnn": (CNN, 64, "adam", 1e-3, 0.25, 12),
    "mlp": (MLP, 128, "adam", 1e-3, 0.2, 25),
}


def environment():
    info = {"python": platform.python_version(), "numpy": np.__version__, "cpu": platform.processor() or
            platform.machine(), "cores": os.cpu_count(), "load_avg_1min": os.getloadavg()[0],
            "runtime_settings": autograd_core.runtime_settings()}
    try:
        import threadpoolctl
        info["blas"] = [f"{p['internal_api']} {p.get('version')} {p.get('architecture')} x{p['num_threads']}"
                        for p in threadpoolctl.threadpool_info()]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    try:
        import torch
        info["torch"] = torch.__version__
    except ImportError:
        pass
    return info


def load():
    train, test = FashionMNIST(train=True), FashionMNIST(train=False)
    return train.as_arrays(normalize=True), test.as_arrays(normalize=True)


def make_ours(name, seed=0):
    cls, batch, opt_name, lr, dropout, _ = CONFIGS[name]
    autograd_core.manual_seed(seed)
    model = cls(dropout=dropout)
    opt = optim.Adam(model.parameters(), lr=lr)
    return model, opt, batch


def torch_twin(torch, model, name, lr):
    """The same architecture in PyTorch with our model's weights (identical state-dict keys)."""
    tnn = torch.nn
    net = tnn.Module()
    if name == "cnn":
        net.features = tnn.Sequential(tnn.Conv2d(1, 32, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                                      tnn.Conv2d(32, 64, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2))
        net.classifier = tnn.Sequential(tnn.Flatten(), tnn.Linear(3136, 128), tnn.ReLU(),
                                        tnn.Dropout(model.dropout), tnn.Linear(128, 10))
        net.forward = lambda x: net.classifier(net.features(x))
    else:
        net.net = tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 256), tnn.ReLU(), tnn.Dropout(model.dropout),
                                 tnn.Linear(256, 128), tnn.ReLU(), tnn.Dropout(model.dropout), tnn.Linear(128, 10))
        net.forward = lambda x: net.net(x)
    net.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    return net, torch.optim.Adam(net.parameters(), lr=lr)


def speed(name, x, y, steps, torch):
    """Median step time (s) of ours and PyTorch's, alternating steps on the same batches."""
    model, opt, batch = make_ours(name)
    tmodel, topt = torch_twin(torch, model, name, CONFIGS[name][3])
    loss_fn, tloss_fn = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    model.train()
    tmodel.train()

    def ours(xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(autograd_core.Tensor(xb)), autograd_core.Tensor(yb))
        loss.backward()
        opt.step()
        return loss.item()

    def theirs(xb, yb):
        topt.zero_grad()
        loss = tloss_fn(tmodel(torch.from_numpy(xb)), torch.from_numpy(yb))
        loss.backward()
        topt.step()
        return loss.item()

    # blocks of `block` steps per library, alternating; the first step of each block is not timed (the
    # other library's BLAS/OpenMP threads may still be spinning), nor the first round (warm-up)
    block = max(2, min(10, steps // 4))
    batches = [rng.choice(len(x), batch, replace=False) for _ in range(block)]
    t_ours, t_theirs = [], []
    for r in range(steps // block + 1):
        for fn, times in (((ours, t_ours), (theirs, t_theirs)) if r % 2 else ((theirs, t_theirs), (ours, t_ours))):
            for i, idx in enumerate(batches):
                start = time.perf_counter()
                fn(x[idx], y[idx])
                if r > 0 and i > 0:
                    times.append(time.perf_counter() - start)
    ours_s, theirs_s = float(np.median(t_ours)), float(np.median(t_theirs))
    ours_p10, theirs_p10 = float(np.percentile(t_ours, 10)), float(np.percentile(t_theirs, 10))
    steps_per_epoch = int(np.ceil(len(x) / batch))
    return {"batch": batch, "timed_steps": len(t_ours), "ours_step_ms": ours_s * 1e3, "torch_step_ms": theirs_s * 1e3,
            "ratio": ours_s / theirs_s, "ours_step_ms_p10": ours_p10 * 1e3, "torch_step_ms_p10": theirs_p10 * 1e3,
            "ratio_p10": ours_p10 / theirs_p10, "ours_epoch_s_est": ours_s * steps_per_epoch,
            "torch_epoch_s_est": theirs_s * steps_per_epoch}


def full_epochs(name, x, y, torch):
    """Wall times of one full training epoch of ours (``fit``, 1 epoch) and of PyTorch (a plain loop over
    shuffled batches of the same arrays), one after the other."""
    model, opt, batch = make_ours(name)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    start = time.perf_counter()
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=1, progress=False)
    ours_s = time.perf_counter() - start
    torch_s = torch_epoch(name, x, y, torch)
    return {"ours_epoch_s": ours_s, "torch_epoch_s": torch_s, "ratio": ours_s / torch_s}


def torch_epoch(name, x, y, torch):
    """Wall time of one full PyTorch training epoch (shuffled batches from the same arrays)."""
    model, _, batch = make_ours(name)
    tmodel, topt = torch_twin(torch, model, name, CONFIGS[name][3])
    loss_fn = torch.nn.CrossEntropyLoss()
    tmodel.train()
    order = np.random.default_rng(0).permutation(len(x))
    start = time.perf_counter()
    for i in range(0, len(x), batch):
        idx = order[i:i + batch]
        topt.zero_grad()
        loss = loss_fn(tmodel(torch.from_numpy(x[idx])), torch.from_numpy(y[idx]))
        loss.backward()
        topt.step()
    return time.perf_counter() - start


def accuracy_run(name, epochs, x, y, x_test, y_test):
    model, opt, batch = make_ours(name)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    train = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    test = DataLoader(TensorDataset(x_test, y_test), batch_size=1000)
    history = fit(model, nn.CrossEntropyLoss(), opt, train, epochs=epochs, scheduler=sched, progress=False,
                  verbose=True)
    res = evaluate(model, test, nn.CrossEntropyLoss())
    return {"epochs": epochs, "batch": batch, "optimizer": "Adam + cosine", "lr": CONFIGS[name][3],
            "dropout": CONFIGS[name][4], "test_accuracy": res["accuracy"], "test_loss": res["loss"],
            "train_accuracy_last_epoch": history["accuracy"][-1], "epoch_times_s": history["epoch_time"],
            "median_epoch_s": float(np.median(history["epoch_time"]))}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=("cnn", "mlp", "both"), default="both")
    p.add_argument("--epochs", type=int, default=None, help="default: 12 (cnn), 25 (mlp)")
    p.add_argument("--steps", type=int, default=40, help="timed steps per library in the speed part")
    p.add_argument("--speed-only", action="store_true")
    p.add_argument("--accuracy-only", action="store_true")
    p.add_argument("--full-epoch", action="store_true", help="also time one full epoch of each library")
    p.add_argument("--json", default=None, help="write the results to this JSON file")
    args = p.parse_args(argv)

    try:
        import torch
        torch.set_num_threads(THREADS)
        torch.manual_seed(0)
    except ImportError:
        torch = None
    env = environment()
    print("environment:", json.dumps(env))
    (x, y), (x_test, y_test) = load()
    results = {"environment": env, "command": "python bench/bench_train.py " + " ".join(argv or sys.argv[1:])}
    for name in (("cnn", "mlp") if args.model == "both" else (args.model,)):
        res = {}
        if torch is not None and not args.accuracy_only:
            res["speed"] = speed(name, x, y, args.steps, torch)
            print(f"[{name}] speed: {json.dumps(res['speed'])}", flush=True)
        if not args.speed_only:
            res["accuracy"] = accuracy_run(name, args.epochs or CONFIGS[name][5], x, y, x_test, y_test)
            print(f"[{name}] accuracy: {json.dumps(res['accuracy'])}", flush=True)
        if torch is not None and args.full_epoch:
            res["full_epoch"] = full_epochs(name, x, y, torch)
            print(f"[{name}] one full epoch: {json.dumps(res['full_epoch'])}", flush=True)
        res["load_avg_1min_after"] = os.getloadavg()[0]
        results[name] = res
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
