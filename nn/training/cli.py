"""The main job: train one of the course's models from the command line.

Run ``autograd-train`` (the console script) or ``python -m nn.training``. With no flags it trains the MLP
784-256-128-10 (ReLU, dropout 0.2, Adam, early stopping) on the embedded Fashion-MNIST subset (12,000 training
images, no download) in about 10 seconds and reports the test accuracy (about 85%); every choice of the course
can be changed by a flag::

    autograd-train                                          # MLP, embedded set, Adam, up to 15 epochs
    autograd-train --model cnn --epochs 4                   # the CNN: about 88%, a minute or more
    autograd-train --dataset fashion-mnist --optimizer momentum --lr 0.05 --schedule cosine --epochs 15
    autograd-train --dataset spirals --model mlp --epochs 200 --lr 0.01
    autograd-train --limit 500 --epochs 1 --quiet           # a smoke test in seconds

It shows a progress bar per epoch, prints each epoch's train/validation loss and accuracy and the final test
accuracy, and writes to ``--out``:

``checkpoint.npz``  full training state after the last epoch (model, optimizer, scheduler, history, random
                    state; ``--resume`` continues from it, ``nn.training.load_checkpoint`` reads it)
``model.npz``       the final weights (after early stopping's restore): ``model.load_state_dict(nn.load(...))``
``history.json``    per-epoch metrics; ``curves.png``: training curves; ``results.json``: settings and results
``graph.svg``       the model's computational graph, also as ``graph.png`` (``graph.dot`` text where Graphviz's
                    ``dot`` program is missing)
"""
import argparse
import json
import os
import platform
import sys
import time
import warnings

import numpy as np

import autograd_core
import optim
from autograd_core.data import DataLoader, TensorDataset, synthetic

from ..loss import CrossEntropyLoss
from ..models import build_model
from ..serialization import save
from .callbacks import EarlyStopping, ModelCheckpoint
from .history import plot_history
from .trainer import Trainer, evaluate

IMAGE_SETS = ("embedded", "fashion-mnist", "mnist")
POINT_SETS = ("moons", "circles", "spirals", "xor", "blobs")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adadelta")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.01, "rmsprop": 1e-3, "adam": 1e-3,
              "adamw": 1e-3, "adadelta": 1.0}
# Defaults: about 10 s here (2 cores) and ~85% test accuracy. The CNN reaches ~87-88% on the embedded set in 4
# epochs but needs 1-3 minutes on 2 busy cores, so it is a flag away (--model cnn --epochs 4).
DEFAULTS = dict(model="mlp", epochs=15, batch_size=64, dropout=0.2, patience=3)


def build_parser():
    p = argparse.ArgumentParser(prog="autograd-train", description="Train one of the course's models.",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model", choices=("mlp", "cnn"), default=DEFAULTS["model"],
                   help="mlp: 784-256-128-10 (a 2-16-16-k tanh net on point sets); cnn: two conv layers")
    p.add_argument("--dataset", choices=IMAGE_SETS + POINT_SETS, default="embedded",
                   help="embedded: the Fashion-MNIST subset shipped with the package")
    p.add_argument("--data-root", default=None, help="folder with the (Fashion-)MNIST IDX files")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: per optimizer, "
                   + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items()) + ")")
    p.add_argument("--momentum", type=float, default=0.9, help="for --optimizer momentum / nesterov")
    p.add_argument("--schedule", choices=("none", "step", "exponential", "cosine", "plateau"), default="none")
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    p.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    p.add_argument("--weight-decay", type=float, default=0.0, help="L2 penalty on weights (not biases)")
    p.add_argument("--dropout", type=float, default=DEFAULTS["dropout"])
    p.add_argument("--patience", type=int, default=DEFAULTS["patience"],
                   help="early stopping patience in epochs, on the validation loss (0: off)")
    p.add_argument("--val-fraction", type=float, default=0.1, help="share of the training data held out")
    p.add_argument("--clip-grad-norm", type=float, default=None, help="clip the gradient norm to this value")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="use only this many training samples (smoke tests)")
    p.add_argument("--out", default=None, help="output folder (default: runs/<model>-<dataset>-<time>)")
    p.add_argument("--resume", default=None, metavar="CHECKPOINT", help="continue the run saved in this file")
    p.add_argument("--no-graph", action="store_true", help="don't draw the computational graph")
    p.add_argument("--quiet", action="store_true", help="no progress bars or epoch lines")
    return p


# ---------------------------------------------------------------------------------------------- data
def load_data(name, data_root=None, val_fraction=0.1, limit=None, seed=0):
    """``(train, val, test, in_features, num_classes)``: TensorDatasets of float32 inputs and int64 labels.

    Images are standardized with the training set's published mean/std and kept as (N, 1, 28, 28). Point sets
    get 1,000 training and 500 test points. ``val`` is None when ``val_fraction`` is 0.
    """
    rng = np.random.default_rng(seed)   # the split is fixed by --seed, apart from the training randomness
    if name in IMAGE_SETS:
        from autograd_core.data import MNIST, EmbeddedFashionMNIST, FashionMNIST
        if name == "embedded":
            train, test = EmbeddedFashionMNIST(train=True), EmbeddedFashionMNIST(train=False)
        else:
            cls = FashionMNIST if name == "fashion-mnist" else MNIST
            train, test = cls(root=data_root, train=True), cls(root=data_root, train=False)
        (x, y), (x_test, y_test) = train.as_arrays(normalize=True), test.as_arrays(normalize=True)
        in_features, num_classes = 28 * 28, len(train.classes)
    else:
        x, y = getattr(synthetic, f"make_{name}")(n_samples=1500, seed=seed)   # one draw: same distribution
        (x, y), (x_test, y_test) = (x[:1000], y[:1000]), (x[1000:], y[1000:])
        in_features, num_classes = x.shape[1], int(y.max()) + 1
    order = rng.permutation(len(x))
    if limit is not None:
        order = order[:max(int(limit), 2)]
    n_val = int(round(len(order) * val_fraction))
    val = TensorDataset(x[order[:n_val]], y[order[:n_val]]) if n_val > 0 else None
    train = TensorDataset(x[order[n_val:]], y[order[n_val:]])
    return train, val, TensorDataset(x_test, y_test), in_features, num_classes


# ---------------------------------------------------------------------------------------------- optimization
def make_optimizer(model, name, lr=None, weight_decay=0.0, momentum=0.9):
    """An optimizer over ``model`` with weight decay on weights only (``optim.weight_decay_groups``)."""
    lr = DEFAULT_LR[name] if lr is None else lr
    groups = optim.weight_decay_groups(model, weight_decay)
    if name in ("sgd", "momentum", "nesterov"):
        return optim.SGD(groups, lr=lr, momentum=0.0 if name == "sgd" else momentum, nesterov=name == "nesterov")
    cls = {"adagrad": optim.Adagrad, "rmsprop": optim.RMSprop, "adam": optim.Adam, "adamw": optim.AdamW,
           "adadelta": optim.Adadelta}[name]
    return cls(groups, lr=lr)


def make_scheduler(optimizer, name, epochs, patience=3):
    S = optim.lr_scheduler
    if name == "none":
        return None
    if name == "step":
        return S.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1)
    if name == "exponential":
        return S.ExponentialLR(optimizer, gamma=0.9)
    if name == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=max(1, epochs))
    return S.ReduceLROnPlateau(optimizer, factor=0.5, patience=max(1, patience // 2))


# ---------------------------------------------------------------------------------------------- outputs
def draw_model_graph(model, x, y, loss_fn, out_dir):
    """Draw the graph of one small batch's loss; returns the main file written (None if viz is unavailable)."""
    try:
        from autograd_core.viz.draw import draw_graph, to_dot
    except ImportError:
        return None
    model.eval()
    loss = loss_fn(model(x), y)
    model.train()
    title = f"{type(model).__name__}: loss of a batch of {x.shape[0]}"
    params = dict(model.named_parameters())
    try:
        image = draw_graph(loss, params=params, title=title)
    except ImportError:                       # no graphviz Python package: DOT text only
        path = os.path.join(out_dir, "graph.dot")
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_dot(loss, params=params, title=title))
        return path
    with warnings.catch_warnings():          # no `dot` binary: save() writes graph.dot and warns
        warnings.simplefilter("ignore", RuntimeWarning)
        path = image.save(os.path.join(out_dir, "graph.svg"))
        if path.endswith(".svg"):
            image.save(os.path.join(out_dir, "graph.png"))
        return path


def _environment():
    return {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform(),
            "cpus": os.cpu_count(), "autograd_core": autograd_core.__version__}


# ---------------------------------------------------------------------------------------------- main
def main(argv=None):
    """Entry point of ``autograd-train``; returns the exit status (0 on success)."""
    args = build_parser().parse_args(argv)
    say = (lambda *a: None) if args.quiet else print
    for flag, value, ok in (("--epochs", args.epochs, args.epochs >= 1), ("--batch-size", args.batch_size,
                            args.batch_size >= 1), ("--val-fraction", args.val_fraction, 0 <= args.val_fraction < 1),
                            ("--limit", args.limit, args.limit is None or args.limit >= 2)):
        if not ok:
            print(f"autograd-train: error: invalid {flag} {value}", file=sys.stderr)
            return 2
    if args.model == "cnn" and args.dataset in POINT_SETS:
        print(f"autograd-train: error: the CNN needs images; use --model mlp with --dataset {args.dataset}",
              file=sys.stderr)
        return 2
    autograd_core.tune_runtime()   # an application: opts in to the process-wide tuning (autograd_core/runtime.py)
    autograd_core.manual_seed(args.seed)
    try:
        train, val, test, in_features, num_classes = load_data(args.dataset, args.data_root, args.val_fraction,
                                                               args.limit, args.seed)
    except (FileNotFoundError, ValueError) as exc:
        print(f"autograd-train: error: {exc}", file=sys.stderr)
        return 2
    out = args.out or os.path.join("runs", f"{args.model}-{args.dataset}-{time.strftime('%Y%m%d-%H%M%S')}")
    os.makedirs(out, exist_ok=True)

    model = build_model(args.model, in_features=in_features, num_classes=num_classes, dropout=args.dropout)
    optimizer = make_optimizer(model, args.optimizer, args.lr, args.weight_decay, args.momentum)
    scheduler = make_scheduler(optimizer, args.schedule, args.epochs, args.patience)
    loss_fn = CrossEntropyLoss()
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val, batch_size=512) if val is not None else None
    callbacks = []
    if args.patience > 0 and val_loader is not None:
        callbacks.append(EarlyStopping("val_loss", patience=args.patience))
    ckpt_path = os.path.join(out, "checkpoint.npz")
    callbacks.append(ModelCheckpoint(ckpt_path))
    say(f"{type(model).__name__} ({model.num_parameters():,} parameters) on {args.dataset}: {len(train)} training, "
        f"{len(val) if val is not None else 0} validation, {len(test)} test samples; "
        f"{type(optimizer).__name__} lr {optimizer.param_groups[0]['lr']:g}, batch {args.batch_size}")

    trainer = Trainer(model, loss_fn, optimizer, scheduler=scheduler, callbacks=callbacks, progress=not args.quiet)
    start = time.perf_counter()
    history = trainer.fit(train_loader, val_loader, epochs=args.epochs, resume_from=args.resume)
    train_seconds = time.perf_counter() - start
    test_metrics = evaluate(model, DataLoader(test, batch_size=512), loss_fn)
    print(f"test accuracy: {test_metrics['accuracy']:.4f}  (test loss {test_metrics['loss']:.4f}, "
          f"{len(test)} samples; training took {train_seconds:.1f}s)")

    save(model.state_dict(), os.path.join(out, "model.npz"))
    history.to_json(os.path.join(out, "history.json"))
    files = ["checkpoint.npz", "model.npz", "history.json"]
    if len(history):
        plot_history(history, path=os.path.join(out, "curves.png"),
                     title=f"{type(model).__name__} on {args.dataset}")
        files.append("curves.png")
    if not args.no_graph:
        x, y = train.get_batch(np.arange(min(4, len(train))))
        graph = draw_model_graph(model, x, y, loss_fn, out)
        if graph is not None:
            files.append(os.path.basename(graph))
    results = {"args": vars(args), "test": test_metrics, "epochs_run": len(history),
               "best_epoch": history.chosen_epoch, "stopped_epoch": history.stopped_epoch,
               "train_seconds": train_seconds, "environment": _environment()}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2, default=str)
    files.append("results.json")
    say(f"wrote {', '.join(files)} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
