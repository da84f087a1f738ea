"""The main job (``autograd-train`` / ``python -m nn.training``, :mod:`nn.training.cli`) end to end on tiny data."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nn
from nn.training import cli
from nn.training.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(tmp_path, *flags, name="run"):
    out = tmp_path / name
    rc = main(["--out", str(out), *flags])
    return rc, out


def test_main_job_end_to_end_on_a_tiny_subset(tmp_path, capsys):
    rc, out = run(tmp_path, "--model", "mlp", "--limit", "300", "--epochs", "2", "--batch-size", "32")
    assert rc == 0
    stdout = capsys.readouterr().out
    lines = stdout.splitlines()
    assert lines[0].startswith("MLP (235,146 parameters) on embedded: 270 training, 30 validation, 2000 test")
    assert lines[1].startswith("epoch 1/2  loss ") and "val_loss" in lines[1] and "val_accuracy" in lines[1]
    assert lines[2].startswith("epoch 2/2")
    assert "test accuracy: " in stdout
    files = set(os.listdir(out))
    assert {"checkpoint.npz", "model.safetensors", "history.json", "curves.png", "results.json"} <= files
    assert files & {"graph.svg", "graph.dot"}
    wrote = [ln for ln in lines if ln.startswith("wrote ")][-1]
    listed = set(wrote[len("wrote "):wrote.rindex(" to ")].split(", "))
    assert listed == files                            # every file the job wrote is listed (graph.png too)
    graph = (out / "graph.svg").read_text() if "graph.svg" in files else (out / "graph.dot").read_text()
    assert "(Dropout)" in graph and "grad " in graph    # training mode (dropout drawn), with gradients
    history = json.loads((out / "history.json").read_text())
    assert history["epoch"] == [1, 2] and len(history["history"]["val_accuracy"]) == 2
    results = json.loads((out / "results.json").read_text())
    assert results["args"]["model"] == "mlp" and 0.0 <= results["test"]["accuracy"] <= 1.0
    assert results["test"]["accuracy"] > 0.5          # 270 images, 2 epochs: well above chance (0.1)
    model = nn.models.MLP()
    model.load_state_dict(nn.load(out / "model.safetensors"), strict=True)
    assert nn.load(out / "checkpoint.npz")["epoch"] == 2


def test_quiet_mode_prints_only_the_result(tmp_path, capsys):
    rc, _ = run(tmp_path, "--model", "mlp", "--limit", "100", "--epochs", "1", "--quiet", "--no-graph")
    assert rc == 0
    out = capsys.readouterr()
    assert out.out.startswith("test accuracy: ") and out.out.count("\n") == 1 and out.err == ""


@pytest.mark.parametrize("dataset", ["moons", "circles", "spirals", "xor", "blobs"])
def test_point_sets_use_the_playground_mlp(tmp_path, capsys, dataset):
    rc, out = run(tmp_path, "--dataset", dataset, "--model", "mlp", "--epochs", "30", "--lr", "0.02",
                  "--batch-size", "32", "--patience", "0", "--quiet", "--no-graph")
    assert rc == 0
    results = json.loads((out / "results.json").read_text())
    assert results["test"]["accuracy"] > (0.6 if dataset == "spirals" else 0.85)


@pytest.mark.parametrize("optimizer", cli.OPTIMIZERS)
def test_every_optimizer_flag(tmp_path, optimizer):
    rc, out = run(tmp_path, "--model", "mlp", "--dataset", "moons", "--optimizer", optimizer, "--epochs", "2",
                  "--weight-decay", "1e-4", "--quiet", "--no-graph")
    assert rc == 0


@pytest.mark.parametrize("schedule,expected", [("none", [0.1] * 4), ("step", [0.1, 0.01, 0.001, 0.0001]),
                                               ("exponential", [0.1, 0.09, 0.081, 0.0729]),
                                               ("cosine", [0.1, 0.0853553, 0.05, 0.0146447])])
def test_schedule_flags(tmp_path, schedule, expected):
    rc, out = run(tmp_path, "--model", "mlp", "--dataset", "moons", "--optimizer", "sgd", "--schedule", schedule,
                  "--epochs", "4", "--patience", "0", "--quiet", "--no-graph")
    assert rc == 0
    lrs = json.loads((out / "history.json").read_text())["history"]["lr"]
    np.testing.assert_allclose(lrs, expected, rtol=1e-5)


def test_weight_decay_reaches_weights_only(tmp_path):
    import optim
    model = nn.models.MLP(dropout=0.1)
    opt = cli.make_optimizer(model, "momentum", 0.05, weight_decay=1e-3)
    decayed, exempt = opt.param_groups
    assert decayed["weight_decay"] == 1e-3 and exempt["weight_decay"] == 0.0
    assert all(p.ndim == 2 for p in decayed["params"]) and all(p.ndim == 1 for p in exempt["params"])
    assert isinstance(opt, optim.SGD) and decayed["momentum"] == 0.9 and not decayed["nesterov"]
    plateau = cli.make_scheduler(opt, "plateau", 10)
    assert isinstance(plateau, optim.lr_scheduler.ReduceLROnPlateau)


def test_resume_continues_a_run(tmp_path, capsys):
    rc, out = run(tmp_path, "--model", "mlp", "--limit", "200", "--epochs", "2", "--patience", "0", "--quiet",
                  "--no-graph")
    assert rc == 0
    rc, out2 = run(tmp_path, "--model", "mlp", "--limit", "200", "--epochs", "3", "--patience", "0", "--quiet",
                   "--no-graph", "--resume", str(out / "checkpoint.npz"), name="run2")
    assert rc == 0
    assert json.loads((out2 / "history.json").read_text())["epoch"] == [1, 2, 3]


def test_bad_arguments_fail_with_a_message(tmp_path, capsys, monkeypatch):
    assert run(tmp_path, "--model", "cnn", "--dataset", "moons")[0] == 2
    assert "use --model mlp" in capsys.readouterr().err
    assert run(tmp_path, "--epochs", "0")[0] == 2
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(tmp_path / "empty"))
    monkeypatch.delenv("MNIST_DIR", raising=False)
    capsys.readouterr()
    rc, _ = run(tmp_path, "--dataset", "mnist", "--data-root", str(tmp_path / "nowhere"))
    assert rc == 2 and "--data-root" in capsys.readouterr().err
    rc, _ = run(tmp_path, "--dataset", "mnist")                   # no root: the search path, then the remedies
    assert rc == 2 and "MNIST" in capsys.readouterr().err
    assert main(["--optimizer", "lbfgs"]) == 2
    assert "argument --optimizer: invalid choice: 'lbfgs'" in capsys.readouterr().err


def test_cnn_main_job_smoke(tmp_path, capsys):
    import nn.functional as F
    try:
        F.conv2d, F.max_pool2d
    except AttributeError:
        pytest.skip("conv/pooling ops not available yet")
    rc, out = run(tmp_path, "--model", "cnn", "--limit", "64", "--epochs", "1", "--batch-size", "32")
    assert rc == 0 and "CNN (454,922 parameters)" in capsys.readouterr().out
    assert (out / "curves.png").exists()


def test_module_entry_point_and_console_script(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "nn.training", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and "--weight-decay" in proc.stdout and "--patience" in proc.stdout
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        assert 'autograd-train = "nn.training.cli:main"' in f.read()


def _tiny_graph(tmp_path):
    import autograd_core as ag
    model = nn.models.PlaygroundMLP()
    x, y = ag.randn(3, 2), ag.tensor([0, 1, 1])
    return cli.draw_model_graph(model, x, y, nn.CrossEntropyLoss(), str(tmp_path))


def test_graph_picture_falls_back_to_dot_text_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))          # no `dot` program
    (path,) = _tiny_graph(tmp_path)
    assert path.endswith("graph.dot") and "digraph" in open(path).read()
    assert not (tmp_path / "graph.svg").exists()
    monkeypatch.setitem(sys.modules, "graphviz", None)             # not even the Python package
    monkeypatch.delitem(sys.modules, "autograd_core.viz.render", raising=False)
    os.remove(path)
    (path,) = _tiny_graph(tmp_path)
    assert path.endswith("graph.dot") and "digraph" in open(path).read()


def test_graph_picture_with_graphviz(tmp_path):
    from autograd_core.viz.render import dot_available
    if not dot_available():
        pytest.skip("Graphviz's dot program is not installed")
    svg, png = _tiny_graph(tmp_path)
    assert svg.endswith("graph.svg") and png.endswith("graph.png")
    assert (tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"
    assert "grad " in (tmp_path / "graph.svg").read_text()          # mode="both" with gradients


def test_defaults_are_the_quick_main_job():
    args = cli.build_parser().parse_args([])
    assert (args.model, args.dataset, args.optimizer, args.schedule) == ("mlp", "embedded", "adam", "none")
    assert args.epochs == 15 and args.patience == 3 and args.dropout == 0.2 and args.out is None
