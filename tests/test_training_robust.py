"""Issue 17 for the main job and the trainer: bad flags, --data-root, Ctrl-C, --resume, divergence, logs, no
matplotlib, killed saves. The CLI cases run the real entry point (``python -m nn.training``) in a subprocess."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import autograd_core as ag
import nn
import optim
from autograd_core.data import DataLoader, TensorDataset, make_moons, write_idx
from autograd_core.errors import TrainingDivergedError
from nn.models import PlaygroundMLP
from nn.training import LambdaCallback, ModelCheckpoint, TerminateOnNaN, Trainer, cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: the main job's weights file: model.safetensors with the safetensors package, else model.npz
MODEL = "model.safetensors" if ag.safetensors_format.available() else "model.npz"
#: a run of a couple of seconds: 1,350 images in batches of 8 (169 batches an epoch, ~0.3 s each)
TINY = ["--limit", "1500", "--batch-size", "8", "--epochs", "3", "--no-graph"]


def _env(**extra):
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONUNBUFFERED="1", **extra)
    env.pop("TQDM_DISABLE", None)
    return env


def cli_run(*flags, timeout=120, **env):
    return subprocess.run([sys.executable, "-m", "nn.training", *map(str, flags)], cwd=ROOT, env=_env(**env),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A finished tiny run (in-process, quick): its folder holds checkpoint.npz, the model, ..."""
    out = tmp_path_factory.mktemp("finished") / "run"
    assert cli.main(["--limit", "100", "--epochs", "2", "--patience", "0", "--quiet", "--no-graph",
                     "--out", str(out)]) == 0
    return out


def _bad_files(tmp, finished):
    """The files that --out / --resume must refuse: {name: path}."""
    (tmp / "a-file").write_text("x")
    (tmp / "corrupt.npz").write_bytes(b"PK\x03\x04 not really a zip")
    ckpt = nn.load(finished / "checkpoint.npz")
    ckpt["model"] = PlaygroundMLP().state_dict()          # the settings say MLP, the weights are another model's
    nn.save(ckpt, tmp / "other-model.npz")
    (tmp / "empty").mkdir()
    return {"file": tmp / "a-file", "under-file": tmp / "a-file" / "sub", "missing": tmp / "missing.npz",
            "corrupt": tmp / "corrupt.npz", "foreign": finished / MODEL, "other": tmp / "other-model.npz",
            "empty": tmp / "empty", "nowhere": tmp / "nowhere", "checkpoint": finished / "checkpoint.npz"}


#: (flags, what the line must name, the value it must name): the cases of issue 17, run as a subprocess each
BAD_FLAGS = [
    (["--lr", "-1"], "--lr", "-1"), (["--lr", "0"], "--lr", "0"),
    (["--weight-decay", "-1"], "--weight-decay", "-1"), (["--dropout", "1.5"], "--dropout", "1.5"),
    (["--dropout", "-0.5"], "--dropout", "-0.5"), (["--patience", "-2"], "--patience", "-2"),
    (["--momentum", "2"], "--momentum", "2"),
    (["--out", "{file}"], "--out", "{file}"), (["--out", "{under-file}"], "--out", "{under-file}"),
    (["--resume", "{missing}"], "--resume", "{missing}"), (["--resume", "{corrupt}"], "--resume", "{corrupt}"),
    (["--resume", "{foreign}"], "--resume", "{foreign}"), (["--resume", "{other}"], "--resume", "don't fit MLP"),
    (["--resume", "{checkpoint}", "--model", "cnn"], "--model cnn", "--model mlp"),
    (["--dataset", "fashion-mnist", "--data-root", "{nowhere}"], "--data-root", "no such folder"),
]
#: more of the same, checked in-process (quicker: no interpreter start)
MORE_BAD_FLAGS = [
    (["--lr", "nan"], "--lr", "nan"), (["--epochs", "0"], "--epochs", "0"),
    (["--batch-size", "x"], "--batch-size", "'x'"), (["--val-fraction", "1"], "--val-fraction", "1"),
    (["--clip-grad-norm", "-1"], "--clip-grad-norm", "-1"), (["--seed", "-1"], "--seed", "-1"),
    (["--limit", "1"], "--limit", "1"), (["--model", "cnn", "--dataset", "moons"], "--model cnn", "moons"),
    (["--resume", "{checkpoint}", "--lr", "0.5"], "--lr 0.5", "--lr 0.001"),
    (["--resume", "{checkpoint}", "--dropout", "0.5"], "--dropout 0.5", "--dropout 0.2"),
    (["--resume", "{checkpoint}", "--epochs", "1"], "--epochs 1", "has done 2 epochs"),
    (["--dataset", "fashion-mnist", "--data-root", "{empty}"], "--data-root", "train-images-idx3-ubyte"),
    (["--dataset", "embedded", "--data-root", "{empty}"], "--data-root", "--dataset embedded"),
]


def _check_one_line(rc, out, err, names, value):
    assert rc == 2, err
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("autograd-train: error: ")
    assert names in err and value in err


@pytest.mark.parametrize("flags,names,value", BAD_FLAGS, ids=[" ".join(f[0]) for f in BAD_FLAGS])
def test_bad_flag_exits_2_with_one_line(tmp_path, finished_run, flags, names, value):
    files = {k: str(v) for k, v in _bad_files(tmp_path, finished_run).items()}
    flags = [f.format(**files) for f in flags]
    proc = cli_run("--out", tmp_path / "out", *flags) if "--out" not in flags else cli_run(*flags)
    _check_one_line(proc.returncode, proc.stdout, proc.stderr, names, value.format(**files))


@pytest.mark.parametrize("flags,names,value", MORE_BAD_FLAGS, ids=[" ".join(f[0]) for f in MORE_BAD_FLAGS])
def test_more_bad_flags_in_process(tmp_path, finished_run, capsys, flags, names, value):
    files = {k: str(v) for k, v in _bad_files(tmp_path, finished_run).items()}
    rc = cli.main(["--out", str(tmp_path / "out"), *[f.format(**files) for f in flags]])
    out = capsys.readouterr()
    _check_one_line(rc, out.out, out.err, names, value.format(**files))


# ---------------------------------------------------------------------------------------------- --data-root
def _write_fashion(folder, n):
    os.makedirs(folder)
    rng = np.random.default_rng(0)
    for prefix, count in (("train", n), ("t10k", n // 2)):
        write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"),
                  rng.integers(0, 256, (count, 28, 28)).astype(np.uint8))
        write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), (np.arange(count) % 10).astype(np.uint8))


def test_data_root_is_the_only_place_read(tmp_path, monkeypatch, capsys):
    from autograd_core.data import DatasetNotFoundError, FashionMNIST
    _write_fashion(tmp_path / "mine", 40)
    _write_fashion(tmp_path / "env", 60)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path / "env"))
    assert len(FashionMNIST()) == 60                              # no root: the search path
    assert len(FashionMNIST(root=tmp_path / "mine")) == 40        # a root: only there
    with pytest.raises(RuntimeError, match="Fashion-MNIST .train split. not found") as info:   # torchvision: too
        FashionMNIST(root=tmp_path / "missing")
    assert isinstance(info.value, DatasetNotFoundError) and str(tmp_path / "env") not in str(info.value)
    rc = cli.main(["--dataset", "fashion-mnist", "--data-root", str(tmp_path / "mine"), "--epochs", "1",
                   "--no-graph", "--out", str(tmp_path / "run")])
    assert rc == 0 and "on fashion-mnist: 36 training, 4 validation, 20 test samples" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------- Ctrl-C, --resume
def _interrupt_after_first_epoch(out):
    """Start the tiny run, send SIGINT once epoch 1's line is out; returns (stdout, returncode)."""
    proc = subprocess.Popen([sys.executable, "-m", "nn.training", *TINY, "--out", str(out)], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("epoch 1/3"):
                time.sleep(0.1)                # into epoch 2 (~0.3 s idle); landing at its end is fine too
                proc.send_signal(signal.SIGINT)
                break
        lines.append(proc.stdout.read())
        proc.wait(timeout=60)
    finally:
        proc.kill()
    return "".join(lines), proc.returncode


def test_ctrl_c_saves_and_resume_matches_an_uninterrupted_run_bit_for_bit(tmp_path):
    stdout, rc = _interrupt_after_first_epoch(tmp_path / "run")
    assert rc == 130, stdout
    assert "Traceback" not in stdout and "KeyboardInterrupt" not in stdout and "Early stopping" not in stdout
    assert "Interrupted " in stdout and f"to {tmp_path / 'run'}" in stdout
    resume = f"resume with: autograd-train --resume {tmp_path / 'run' / 'checkpoint.npz'}"
    assert resume in stdout
    assert {"checkpoint.npz", "history.json", "curves.png"} <= set(os.listdir(tmp_path / "run"))
    done = json.loads((tmp_path / "run" / "history.json").read_text())["epoch"]
    assert done and done == list(range(1, len(done) + 1)) and len(done) < 3

    proc = cli_run("--resume", tmp_path / "run" / "checkpoint.npz")          # the printed command
    assert proc.returncode == 0, proc.stderr
    assert f"Resuming {tmp_path / 'run' / 'checkpoint.npz'} from " in proc.stdout
    assert f"in {tmp_path / 'run'}, with its settings" in proc.stdout

    # never interrupted; in a fresh process as the other two (a test earlier in this process may have changed
    # thread counts, and a matmul split over another number of threads rounds differently)
    assert cli_run(*TINY, "--quiet", "--out", tmp_path / "straight").returncode == 0
    a, b = nn.load(tmp_path / "straight" / MODEL), nn.load(tmp_path / "run" / MODEL)
    assert a.keys() == b.keys() and all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    ha, hb = (json.loads((tmp_path / d / "history.json").read_text()) for d in ("straight", "run"))
    assert ha["epoch"] == hb["epoch"] == [1, 2, 3]
    assert not [n for n in os.listdir(tmp_path / "run") if n.startswith("graph.")]   # --no-graph: kept too
    for column in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert ha["history"][column] == hb["history"][column]


def _moons(n=96, batch_size=16, seed=0):
    X, y = make_moons(n, noise=0.2, seed=seed)
    return DataLoader(TensorDataset(X[:64], y[:64]), batch_size=batch_size, shuffle=True), \
        DataLoader(TensorDataset(X[64:], y[64:]), batch_size=64)


def _trainer(callbacks=()):
    ag.manual_seed(0)
    model = PlaygroundMLP(dropout=0.3)
    return Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                   scheduler=None, callbacks=list(callbacks), progress=False)


@pytest.mark.parametrize("epoch", [0, 1])
def test_sigint_inside_an_epoch_stops_after_the_batch_and_resumes_exactly(tmp_path, epoch):
    """In-process: SIGINT at batch 2 of epoch 1 or 2, then a new trainer continues from the checkpoint."""
    straight = _trainer()
    straight.fit(*_moons(), epochs=3)

    def ctrl_c(trainer, batch, logs):
        if trainer.epoch == epoch and batch == 1:
            os.kill(os.getpid(), signal.SIGINT)
    stopped = _trainer([LambdaCallback(on_batch_end=ctrl_c), ModelCheckpoint(tmp_path / "auto.npz")])
    history = stopped.fit(*_moons(), epochs=3)
    assert stopped.interrupted == {"epoch": epoch + 1, "batch": 2, "batches": 4} == history.interrupted
    assert len(history) == epoch and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    stopped.save_checkpoint(tmp_path / "ckpt.npz")
    assert nn.load(tmp_path / "ckpt.npz")["position"]["batch"] == 2
    assert nn.load(tmp_path / "auto.npz")["position"]["batch"] == 2      # ModelCheckpoint saved it by itself

    resumed = _trainer()
    history = resumed.fit(*_moons(), epochs=3, resume_from=tmp_path / "ckpt.npz")
    assert resumed.interrupted is None and history.epoch == [1, 2, 3]
    assert history["loss"] == straight.history["loss"] and history["val_loss"] == straight.history["val_loss"]
    for (k, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), k


def test_ctrl_c_in_epoch_1_of_the_main_job_saves_a_checkpoint_that_resumes(tmp_path, monkeypatch, capsys):
    """In-process, deterministic: the main job's divergence check doubles as the place that presses Ctrl-C at
    batch 3 of epoch 1; the folder then holds a checkpoint (no epoch done yet) that resumes to the same result."""
    class CtrlC(cli.TerminateOnNaN):
        def on_batch_end(self, trainer, batch, logs):
            super().on_batch_end(trainer, batch, logs)
            if trainer.epoch == 0 and batch == 2 and not getattr(trainer, "_pressed", False):
                trainer._pressed = True
                os.kill(os.getpid(), signal.SIGINT)
    small = ["--limit", "400", "--batch-size", "16", "--epochs", "2", "--no-graph"]
    with monkeypatch.context() as m:
        m.setattr(cli, "TerminateOnNaN", CtrlC)
        assert cli.main([*small, "--out", str(tmp_path / "run")]) == 130
    out = capsys.readouterr().out
    assert "Interrupted in epoch 1 after batch 3 of 23." in out and "Early stopping" not in out
    assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint.npz", "history.json"]   # no epoch: no curves
    assert nn.load(tmp_path / "run" / "checkpoint.npz")["epoch"] == 0
    assert cli.main(["--resume", str(tmp_path / "run"), "--quiet"]) == 0
    assert cli.main([*small, "--quiet", "--out", str(tmp_path / "straight")]) == 0
    a, b = nn.load(tmp_path / "straight" / MODEL), nn.load(tmp_path / "run" / MODEL)
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)


def test_a_second_ctrl_c_stops_at_once_without_a_traceback(tmp_path, monkeypatch, capsys):
    class CtrlCTwice(cli.TerminateOnNaN):
        def on_batch_end(self, trainer, batch, logs):
            if trainer.epoch == 1 and batch == 1:
                os.kill(os.getpid(), signal.SIGINT)    # stop at the end of the batch...
                os.kill(os.getpid(), signal.SIGINT)    # ...no: now (KeyboardInterrupt)
    monkeypatch.setattr(cli, "TerminateOnNaN", CtrlCTwice)
    rc = cli.main(["--limit", "200", "--batch-size", "32", "--epochs", "3", "--no-graph", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 130 and err.count("\n") == 1 and "Traceback" not in err
    assert f"interrupted; the last checkpoint is {tmp_path / 'checkpoint.npz'} (autograd-train --resume " in err
    assert nn.load(tmp_path / "checkpoint.npz")["epoch"] == 1 and signal.getsignal(signal.SIGINT) is \
        signal.default_int_handler


# ---------------------------------------------------------------------------------------------- divergence
def test_divergence_is_one_line_without_numpy_warnings(tmp_path):
    proc = cli_run("--lr", "1e9", "--limit", "300", "--epochs", "2", "--no-graph", "--out", tmp_path / "run")
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("autograd-train: training diverged: the training loss")
    assert "lr 1e+09" in err[0] and "try a smaller --lr" in err[0] and "--clip-grad-norm" in err[0]
    assert "RuntimeWarning" not in proc.stderr and "overflow" not in proc.stderr and "test accuracy" not in proc.stdout


def test_terminate_on_nan_in_the_library():
    trainer = _trainer([TerminateOnNaN()])
    weight = next(trainer.model.parameters())
    weight.numpy()[0, 0] = np.nan                                   # the array the parameter holds
    assert np.isnan(next(trainer.model.parameters()).numpy()[0, 0])
    with pytest.raises(TrainingDivergedError, match=r"the training loss became nan at batch 1 of epoch 1 \(lr 0.1\)"):
        trainer.fit(*_moons(), epochs=1)
    trainer = _trainer([TerminateOnNaN(max_loss=1e-3)])
    with pytest.raises(TrainingDivergedError, match=r"reached .* \(above 0.001\)"):
        trainer.fit(*_moons(), epochs=1)


# ---------------------------------------------------------------------------------------------- logs, --help
def test_log_file_gets_one_line_per_epoch(tmp_path):
    proc = cli_run("--limit", "300", "--epochs", "2", "--no-graph", "--out", tmp_path / "run")
    assert proc.returncode == 0
    assert "\r" not in proc.stdout + proc.stderr and proc.stderr == ""
    epochs = [line for line in proc.stdout.splitlines() if line.startswith("epoch ")]
    assert len(epochs) == 2 and epochs[0].startswith("epoch 1/2  loss ")


def test_help_shows_each_default_once_and_ends_with_examples():
    proc = cli_run("--help")
    assert proc.returncode == 0
    text = proc.stdout
    options = text.split("options:")[1].split("examples:")[0]
    entries = [e for e in options.split("\n  -") if e.strip()]
    for entry in entries:
        flag = entry.split()[0]
        if flag in ("h,", "-no-graph", "-quiet", "-help", "-export-onnx"):   # switches: no default to show
            continue
        assert entry.count("(default:") == 1, entry
    last = text.rstrip().splitlines()[-1]
    assert "examples:" in text and last.startswith("  autograd-train --resume")     # the help ends with examples
    assert "TQDM_DISABLE=1" in text and "--quiet prints only" in text


# ---------------------------------------------------------------------------------------------- no matplotlib
def test_without_matplotlib_the_run_still_writes_results_and_model(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None; from nn.training.cli import main; "
            f"sys.exit(main(['--limit', '100', '--epochs', '1', '--no-graph', '--out', {str(tmp_path / 'run')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "matplotlib is not installed: skipped curves.png" in proc.stdout
    files = set(os.listdir(tmp_path / "run"))
    assert {"results.json", MODEL, "checkpoint.npz", "history.json"} <= files and "curves.png" not in files


# ---------------------------------------------------------------------------------------------- killed saves
def test_a_killed_save_leaves_a_temp_file_that_the_next_save_removes(tmp_path):
    target = tmp_path / "ckpt.npz"
    code = ("import os, signal, numpy as np, nn\n"
            "os.replace = lambda a, b: os.kill(os.getpid(), signal.SIGKILL)   # killed just before the rename\n"
            f"nn.save({{'w': np.ones(1000, np.float32)}}, {str(target)!r})\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    left = [n for n in os.listdir(tmp_path) if n.startswith(".ckpt.npz.tmp-")]
    assert len(left) == 1 and os.path.getsize(tmp_path / left[0]) > 4000 and not target.exists()
    nn.save({"w": np.zeros(3, np.float32)}, target)                     # the next save to that path
    assert os.listdir(tmp_path) == ["ckpt.npz"] and nn.load(target)["w"].tolist() == [0, 0, 0]


def test_temp_files_of_live_writers_and_other_targets_are_kept(tmp_path):
    from autograd_core.file_safety import remove_stale_temp_files
    live = tmp_path / f".ckpt.npz.tmp-{os.getppid()}-0"      # the parent process is alive
    other = tmp_path / ".other.npz.tmp-999999999-0"
    for p in (live, other):
        p.write_bytes(b"x")
    assert remove_stale_temp_files(tmp_path / "ckpt.npz") == []
    assert live.exists() and other.exists()
