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
    autograd-train --resume runs/mlp-embedded-20260101-120000   # continue a run with its own settings

It shows a progress bar per epoch, prints each epoch's train/validation loss and accuracy and the final test
accuracy, and writes to ``--out``:

``checkpoint.npz``  full training state after the last epoch (model, optimizer, scheduler, history, random
                    state; ``--resume`` continues from it, ``nn.training.load_checkpoint`` reads it)
``model.safetensors`` the final weights (after early stopping's restore): ``model.load_state_dict(nn.load(...))``
                    here, ``safetensors.torch.load_file`` in PyTorch (``model.npz`` without the safetensors package)
``history.json``    per-epoch metrics; ``curves.png``: training curves; ``results.json``: settings and results
``model.onnx``      with ``--export-onnx``: the trained model for onnxruntime or netron (input ``input``, output
                    ``logits``, any batch size)
``graph.svg``       the model's computational graph in training mode with its gradients (one batch of 4), also
                    as ``graph.png`` (``graph.dot`` text where Graphviz's ``dot`` program is missing)

Faults end in one line on stderr, never a traceback: a bad flag or file exits with status 2 (naming the flag and
the value), a diverging run (NaN or infinite loss) with status 1 (saying what to try). Ctrl-C stops at the end of
the batch, saves ``checkpoint.npz``, ``history.json`` and ``curves.png``, prints the command that resumes, and exits
with status 130; ``--resume`` takes the run's settings from the checkpoint (a conflicting flag is an error naming
both values) and continues bit for bit. Without matplotlib only ``curves.png`` is skipped.
"""
import argparse
import json
import math
import os
import platform
import shlex
import sys
import tempfile
import time
import warnings

import numpy as np

import autograd_core
import optim
from autograd_core.data import DataLoader, TensorDataset, synthetic

from ..loss import CrossEntropyLoss
from ..models import build_model
from ..serialization import save
from .callbacks import EarlyStopping, ModelCheckpoint, TerminateOnNaN, TrainingDivergedError
from .history import plot_history
from .trainer import Trainer, describe_position, evaluate

IMAGE_SETS = ("embedded", "fashion-mnist", "mnist")
POINT_SETS = ("moons", "circles", "spirals", "xor", "blobs")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adadelta")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.01, "rmsprop": 1e-3, "adam": 1e-3,
              "adamw": 1e-3, "adadelta": 1.0}
# Defaults: about 10 s here (2 cores) and ~85% test accuracy. The CNN reaches ~87-88% on the embedded set in 4
# epochs but needs 1-3 minutes on 2 busy cores, so it is a flag away (--model cnn --epochs 4).
DEFAULTS = dict(model="mlp", epochs=15, batch_size=64, dropout=0.2, patience=3)


EXAMPLES = """Ctrl-C stops at the end of the current batch, saves the checkpoint, history and curves, and prints the
command that resumes. --resume reads the run's settings from the checkpoint and continues in the same folder; only
--epochs, --out, --data-root, --quiet and --no-graph may be given again with other values.
Output: progress bars on a terminal; one line per epoch in a log file (no bars). --quiet prints only the test
accuracy; TQDM_DISABLE=1 in the environment hides the bars but keeps the epoch lines.

examples:
  autograd-train                                          # MLP, embedded set, Adam, up to 15 epochs
  autograd-train --model cnn --epochs 4                   # the CNN: about 88%, a minute or more
  autograd-train --dataset fashion-mnist --data-root ~/data/fashion --optimizer momentum --lr 0.05 --schedule cosine
  autograd-train --dataset spirals --epochs 200 --lr 0.01 # a 2-D point set, the playground's MLP
  autograd-train --limit 500 --epochs 1 --quiet           # a smoke test in seconds
  autograd-train --resume runs/mlp-embedded-20260101-120000   # continue a run (after Ctrl-C, or for more --epochs)"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line, status 2, no usage block: ``autograd-train: error: argument --lr: must be > 0, got -1``."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _ranged(convert, ok, rule):
    """An argparse ``type=``: converts the text, checks the rule, and otherwise names the value."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if convert is int else 'a number'}")
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value
    parse.__name__ = convert.__name__   # argparse names the type in its own messages
    return parse


positive_float = _ranged(float, lambda v: 0 < v < float("inf"), "a positive number")
nonnegative_float = _ranged(float, lambda v: 0 <= v < float("inf"), ">= 0")
unit_interval = _ranged(float, lambda v: 0 <= v < 1, "in [0, 1)")
positive_int = _ranged(int, lambda v: v >= 1, ">= 1")
nonnegative_int = _ranged(int, lambda v: v >= 0, ">= 0")
at_least_two = _ranged(int, lambda v: v >= 2, ">= 2")


def build_parser():
    p = _Parser(prog="autograd-train", description="Train one of the course's models and write the results to a "
                "run folder.", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=("mlp", "cnn"), default=DEFAULTS["model"],
                   help="mlp: 784-256-128-10 (a 2-16-16-k tanh net on point sets); cnn: two conv layers "
                   "(default: %(default)s)")
    p.add_argument("--dataset", choices=IMAGE_SETS + POINT_SETS, default="embedded",
                   help="embedded: the Fashion-MNIST subset shipped with the package (default: %(default)s)")
    p.add_argument("--data-root", default=None, metavar="FOLDER",
                   help="folder with the IDX files of --dataset fashion-mnist or mnist; only this folder is read "
                   "(default: $FASHION_MNIST_DIR / $MNIST_DIR, the data home, /usr/share/datasets)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="(default: %(default)s)")
    p.add_argument("--lr", type=positive_float, default=None, help="learning rate (default: per optimizer, "
                   + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items()) + ")")
    p.add_argument("--momentum", type=unit_interval, default=0.9,
                   help="for --optimizer momentum / nesterov (default: %(default)s)")
    p.add_argument("--schedule", choices=("none", "step", "exponential", "cosine", "plateau"), default="none",
                   help="learning-rate schedule, stepped once per epoch (default: %(default)s)")
    p.add_argument("--epochs", type=positive_int, default=DEFAULTS["epochs"],
                   help="epochs in total, including those of a resumed run (default: %(default)s)")
    p.add_argument("--batch-size", type=positive_int, default=DEFAULTS["batch_size"], help="(default: %(default)s)")
    p.add_argument("--weight-decay", type=nonnegative_float, default=0.0,
                   help="L2 penalty on weights, not biases (default: %(default)s)")
    p.add_argument("--dropout", type=unit_interval, default=DEFAULTS["dropout"],
                   help="dropout probability (default: %(default)s)")
    p.add_argument("--patience", type=nonnegative_int, default=DEFAULTS["patience"],
                   help="early stopping patience in epochs, on the validation loss; 0: off (default: %(default)s)")
    p.add_argument("--val-fraction", type=unit_interval, default=0.1,
                   help="share of the training data held out for validation (default: %(default)s)")
    p.add_argument("--clip-grad-norm", type=positive_float, default=None, metavar="MAX_NORM",
                   help="clip the gradient norm to this value (default: no clipping)")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="(default: %(default)s)")
    p.add_argument("--limit", type=at_least_two, default=None, metavar="N",
                   help="use only N training samples, for smoke tests (default: all)")
    p.add_argument("--out", default=None, metavar="FOLDER",
                   help="output folder (default: runs/<model>-<dataset>-<time>; with --resume, the run's folder)")
    p.add_argument("--resume", default=None, metavar="CHECKPOINT",
                   help="continue the run saved in this checkpoint.npz (or run folder) with its settings "
                   "(default: start a new run)")
    p.add_argument("--no-graph", action="store_true", help="don't draw the computational graph")
    p.add_argument("--quiet", action="store_true", help="print only the test accuracy (no bars, no epoch lines)")
    p.add_argument("--export-onnx", action="store_true", help="also write model.onnx (needs: pip install onnx)")
    return p


#: flags a resumed run may change; every other flag given with --resume must match the checkpoint's value
RESUME_MAY_CHANGE = ("epochs", "out", "data_root", "quiet", "no_graph", "export_onnx", "resume")
#: the settings kept in each checkpoint (``extra["cli"]``) and restored by --resume
SETTINGS = ("model", "dataset", "data_root", "optimizer", "lr", "momentum", "schedule", "epochs", "batch_size",
            "weight_decay", "dropout", "patience", "val_fraction", "clip_grad_norm", "seed", "limit", "no_graph")


class UsageError(Exception):
    """A bad flag value found after parsing (exit status 2, one line)."""


def given_flags(argv):
    """The settings given explicitly on the command line, ``{dest: value}`` (defaults left out)."""
    parser = build_parser()
    for action in parser._actions:
        action.default = argparse.SUPPRESS
    return vars(parser.parse_args(argv))


def _flag(dest):
    return "--" + dest.replace("_", "-")


def _show(value):
    return "(none)" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def read_resume_settings(path, argv):
    """``(checkpoint path, settings)`` for ``--resume path``: the checkpoint's settings, with the flags that may
    change taken from ``argv``. Raises :class:`UsageError` for a missing, corrupt or foreign file and for a flag
    that conflicts with the checkpoint."""
    from autograd_core.errors import CheckpointError

    from ..serialization import load
    from .checkpoint import CHECKPOINT_FORMAT
    if os.path.isdir(path):
        path = os.path.join(path, "checkpoint.npz")
    if not os.path.isfile(path):
        raise UsageError(f"--resume {path}: no such file")
    try:
        ckpt = load(path)
    except (CheckpointError, OSError) as exc:
        raise UsageError(f"--resume {path}: not a readable checkpoint (truncated, corrupted, or not written by "
                         f"autograd-train: {type(exc.__cause__ or exc).__name__})")
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise UsageError(f"--resume {path}: not a training checkpoint (a model.npz? resume from the run's "
                         f"checkpoint.npz)")
    saved = (ckpt.get("extra") or {}).get("cli")
    if not isinstance(saved, dict) or not set(SETTINGS) - {"no_graph"} <= set(saved):
        raise UsageError(f"--resume {path}: this checkpoint was not written by autograd-train (it has no run "
                         f"settings); resume it in Python with nn.training.fit(..., resume_from=path)")
    given = given_flags(argv)
    for dest, value in given.items():
        if dest in RESUME_MAY_CHANGE or dest not in saved or value == saved[dest]:
            continue
        if dest == "lr" and saved["lr"] is not None and value == saved["lr"]:
            continue
        raise UsageError(f"{_flag(dest)} {_show(value)} conflicts with the checkpoint's {_flag(dest)} "
                         f"{_show(saved[dest])} (a resumed run keeps its settings: drop the flag, or start a new "
                         f"run without --resume)")
    if given.get("epochs", ckpt["epoch"]) < ckpt["epoch"]:
        raise UsageError(f"--epochs {given['epochs']}: the checkpoint has done {ckpt['epoch']} epochs already "
                         f"(--epochs is the total; give more to train longer)")
    settings = {k: saved[k] for k in SETTINGS if k in saved}
    settings.update({k: v for k, v in given.items() if k in RESUME_MAY_CHANGE})
    settings["no_graph"] = bool(settings.get("no_graph")) or bool(given.get("no_graph"))
    return path, settings, ckpt


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
    """Draw the graph of one small batch's loss as training sees it (training mode: dropout included) with the
    gradients flowing back (``mode='both'``); returns the paths written ([] if viz is unavailable)."""
    try:
        from autograd_core.viz.draw import draw_graph, to_dot
    except ImportError:
        return []
    was_training = model.training
    model.train()
    loss = loss_fn(model(x), y)
    model.train(was_training)
    title = f"{type(model).__name__} in training mode: loss of a batch of {x.shape[0]}, with its gradients"
    params = dict(model.named_parameters())
    options = dict(params=params, title=title, mode="both", show_grads=True)
    try:
        image = draw_graph(loss, **options)
    except ImportError:                       # no graphviz Python package: DOT text only
        path = os.path.join(out_dir, "graph.dot")
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_dot(loss, **options))
        return [path]
    with warnings.catch_warnings():          # no `dot` binary: save() writes graph.dot and warns
        warnings.simplefilter("ignore", RuntimeWarning)
        path = image.save(os.path.join(out_dir, "graph.svg"))
        if path.endswith(".svg"):
            return [path, image.save(os.path.join(out_dir, "graph.png"))]
        return [path]


def _environment():
    return {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform(),
            "cpus": os.cpu_count(), "autograd_core": autograd_core.__version__}


# ---------------------------------------------------------------------------------------------- main
def main(argv=None):
    """Entry point of ``autograd-train``; returns the exit status: 0 on success, 2 for a bad flag or file (one
    line on stderr), 1 when training diverged, 130 after Ctrl-C (with the checkpoint saved)."""
    argv = sys.argv[1:] if argv is None else [os.fspath(a) for a in argv]
    try:
        args = build_parser().parse_args(argv)    # a bad value: one line and status 2 (_Parser.error)
    except SystemExit as exc:                     # --help, --version, or a bad flag: a status, not an exception
        return exc.code
    try:
        sys.stdout.reconfigure(line_buffering=True)   # a log file or a pipe gets each epoch's line as it ends
    except (AttributeError, ValueError, OSError):
        pass
    run = {"checkpoint": None}   # filled in by _run: where the checkpoint goes
    try:
        return _run(args, argv, run)
    except UsageError as exc:
        print(f"autograd-train: error: {exc}", file=sys.stderr)
        return 2
    except TrainingDivergedError as exc:
        print(f"autograd-train: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        path = run["checkpoint"]
        where = (f"; the last checkpoint is {path} (autograd-train --resume {shlex.quote(path)})"
                 if path and os.path.isfile(path) else "; nothing was saved")
        print(f"autograd-train: interrupted{where}", file=sys.stderr)
        return 130


def _shorten(text, limit=240):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _check_out(out):
    """Create the output folder, or raise UsageError naming it and why it can't be used."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out}: is a file, not a folder")
    try:
        os.makedirs(out, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: can't write there ({exc.strerror or exc})")


def _check_data_root(args):
    if args.data_root is None:
        return
    if args.dataset not in ("fashion-mnist", "mnist"):
        raise UsageError(f"--data-root {args.data_root}: only --dataset fashion-mnist or mnist read files; "
                         f"--dataset {args.dataset} is built in")
    if not os.path.isdir(args.data_root):
        raise UsageError(f"--data-root {args.data_root}: no such folder")


def _run(args, argv, run):
    from autograd_core.data import DatasetNotFoundError
    say = (lambda *a: None) if args.quiet else print
    ckpt = None
    if args.resume:
        path, settings, ckpt = read_resume_settings(args.resume, argv)
        for key, value in settings.items():
            setattr(args, key, value)
        args.resume = path
        if args.out is None:
            args.out = os.path.dirname(os.path.abspath(path))
    if args.model == "cnn" and args.dataset in POINT_SETS:
        raise UsageError(f"--model cnn needs images; use --model mlp with --dataset {args.dataset}")
    _check_data_root(args)
    autograd_core.tune_runtime()   # an application: opts in to the process-wide tuning (autograd_core/runtime.py)
    autograd_core.manual_seed(args.seed)
    try:
        train, val, test, in_features, num_classes = load_data(args.dataset, args.data_root, args.val_fraction,
                                                               args.limit, args.seed)
    except DatasetNotFoundError as exc:
        if args.data_root is None:
            raise UsageError(str(exc))
        first = str(exc).splitlines()[0].split(": looked for ")
        raise UsageError(f"--data-root {args.data_root}: {first[0]}: no {first[-1].split(' in')[0]} in it or in "
                         f"its {'FashionMNIST' if args.dataset == 'fashion-mnist' else 'MNIST'}/raw folder")
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(str(exc))
    out = args.out or os.path.join("runs", f"{args.model}-{args.dataset}-{time.strftime('%Y%m%d-%H%M%S')}")
    _check_out(out)
    run["checkpoint"] = os.path.join(out, "checkpoint.npz")

    model = build_model(args.model, in_features=in_features, num_classes=num_classes, dropout=args.dropout)
    if ckpt is not None:
        try:
            model.load_state_dict(ckpt["model"])
        except Exception as exc:    # a checkpoint of another model: name it instead of a traceback
            raise UsageError(f"--resume {args.resume}: its weights don't fit {type(model).__name__} "
                             f"({_shorten(str(exc))})")
    optimizer = make_optimizer(model, args.optimizer, args.lr, args.weight_decay, args.momentum)
    args.lr = optimizer.param_groups[0]["lr"]     # resolved, so a checkpoint holds the value used
    scheduler = make_scheduler(optimizer, args.schedule, args.epochs, args.patience)
    loss_fn = CrossEntropyLoss()
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val, batch_size=512) if val is not None else None
    callbacks = [TerminateOnNaN(max_loss=1000 * math.log(max(num_classes, 2)), hint=(
        f"try a smaller --lr (this run: {args.lr:g}; the default for {args.optimizer} is "
        f"{DEFAULT_LR[args.optimizer]:g}), --clip-grad-norm 1"
        + (", or --optimizer adam" if args.optimizer != "adam" else "")))]
    if args.patience > 0 and val_loader is not None:
        callbacks.append(EarlyStopping("val_loss", patience=args.patience))
    ckpt_path = os.path.join(out, "checkpoint.npz")
    callbacks.append(ModelCheckpoint(ckpt_path))
    if ckpt is not None:
        position = ckpt.get("position")
        where = (f"batch {position['batch']} of epoch {position['epoch'] + 1}" if position else
                 f"the end of epoch {ckpt['epoch']}")
        say(f"Resuming {args.resume} from {where}, in {out}, with its settings (--epochs {args.epochs}).")
    say(f"{type(model).__name__} ({model.num_parameters():,} parameters) on {args.dataset}: {len(train)} training, "
        f"{len(val) if val is not None else 0} validation, {len(test)} test samples; "
        f"{type(optimizer).__name__} lr {optimizer.param_groups[0]['lr']:g}, batch {args.batch_size}")

    trainer = Trainer(model, loss_fn, optimizer, scheduler=scheduler, callbacks=callbacks, progress=not args.quiet,
                      clip_grad_norm=args.clip_grad_norm)
    trainer.checkpoint_extra = {"cli": {k: getattr(args, k) for k in SETTINGS}}
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # divergence is reported in one line
        history = trainer.fit(train_loader, val_loader, epochs=args.epochs, resume_from=args.resume)
    train_seconds = time.perf_counter() - start
    files = ["checkpoint.npz", "history.json"]
    if trainer.interrupted:                       # ModelCheckpoint has saved where it stopped
        history.to_json(os.path.join(out, "history.json"))
        files += _curves(history, model, args, out, say=print)
        stopped = f"Stopped {describe_position(trainer.interrupted)}: w" if args.quiet else "W"  # else: trainer's line
        print(f"{stopped}rote {', '.join(files)} to {out}\n"
              f"resume with: autograd-train --resume {shlex.quote(ckpt_path)}")
        return 130
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        test_metrics = evaluate(model, DataLoader(test, batch_size=512), loss_fn)
    print(f"test accuracy: {test_metrics['accuracy']:.4f}  (test loss {test_metrics['loss']:.4f}, "
          f"{len(test)} samples; training took {train_seconds:.1f}s)")

    model_file = "model.safetensors" if autograd_core.safetensors_format.available() else "model.npz"
    save(model.state_dict(), os.path.join(out, model_file))
    history.to_json(os.path.join(out, "history.json"))
    files = ["checkpoint.npz", model_file, "history.json"]
    files += _curves(history, model, args, out, say=say)
    if args.export_onnx:      # beside the checkpoint, the batch dim dynamic (autograd_core/onnx/export.py)
        from autograd_core.onnx import export_file
        files.append(os.path.basename(export_file(model, train.get_batch(np.arange(2))[0], out)))
    if not args.no_graph:
        x, y = train.get_batch(np.arange(min(4, len(train))))
        files.extend(os.path.basename(p) for p in draw_model_graph(model, x, y, loss_fn, out))
    results = {"args": vars(args), "test": test_metrics, "epochs_run": len(history),
               "best_epoch": history.chosen_epoch, "stopped_epoch": history.stopped_epoch,
               "train_seconds": train_seconds, "environment": _environment()}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2, default=str)
    files.append("results.json")
    say(f"wrote {', '.join(files)} to {out}")
    return 0


def _curves(history, model, args, out, say):
    """Draw curves.png; without matplotlib, say so in one line and go on. Returns the files written."""
    if not len(history):
        return []
    try:
        plot_history(history, path=os.path.join(out, "curves.png"), title=f"{type(model).__name__} on {args.dataset}")
    except ImportError:
        say("matplotlib is not installed: skipped curves.png (pip install matplotlib to draw it)")
        return []
    return ["curves.png"]


if __name__ == "__main__":
    sys.exit(main())
