"""The training loop: a hand-written PyTorch-style loop, ``fit`` / ``Trainer``, ``evaluate``, ``predict``,
metrics, schedulers, progress output, ``History`` / ``plot_history`` and the reference models."""
import json

import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core.data import DataLoader, TensorDataset, make_blobs, make_moons
from nn.models import CNN, MLP, PlaygroundMLP, build_model
from nn.training import Callback, History, Trainer, accuracy, evaluate, fit, plot_history, predict


def moons_loaders(n=240, batch_size=32, seed=0):
    X, y = make_moons(n, noise=0.15, seed=seed)
    train = DataLoader(TensorDataset(X[: n * 3 // 4], y[: n * 3 // 4]), batch_size=batch_size, shuffle=True)
    val = DataLoader(TensorDataset(X[n * 3 // 4:], y[n * 3 // 4:]), batch_size=64)
    return train, val


def needs_conv():
    try:
        F.conv2d, F.max_pool2d
    except AttributeError:
        pytest.skip("conv/pooling ops not available yet")


# ---------------------------------------------------------------------------------------------- own loops
def test_plain_pytorch_style_loop_reproduces_torch():
    """The loop PyTorch users write runs unchanged and follows torch's trajectory step for step."""
    torch = pytest.importorskip("torch")
    X, y = make_blobs(96, centers=3, n_features=4, seed=1)
    X = X.astype(np.float64)

    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)).double()
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).double()
    tmodel.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})

    def run(lib, mdl, data, make_opt, no_grad, make_loss):
        opt = make_opt(mdl.parameters())
        sched = lib_sched[lib](opt)
        loss_fn = make_loss()
        losses, accs = [], []
        for epoch in range(3):
            mdl.train()
            for xb, yb in data():
                opt.zero_grad()
                loss = loss_fn(mdl(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            mdl.eval()
            with no_grad():
                correct = sum((mdl(xb).argmax(1) == yb).sum().item() for xb, yb in data())
            accs.append(correct / len(X))
            sched.step()
        return np.array(losses), accs

    lib_sched = {"ours": lambda o: optim.lr_scheduler.StepLR(o, 2, 0.5),
                 "torch": lambda o: torch.optim.lr_scheduler.StepLR(o, 2, 0.5)}
    ours = run("ours", model, lambda: DataLoader(TensorDataset(X, y), batch_size=16),
               lambda p: optim.SGD(p, lr=0.1, momentum=0.9), ag.no_grad, nn.CrossEntropyLoss)
    theirs = run("torch", tmodel,
                 lambda: [(torch.from_numpy(X[i:i + 16]), torch.from_numpy(y[i:i + 16])) for i in range(0, 96, 16)],
                 lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), torch.no_grad, torch.nn.CrossEntropyLoss)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12)
    assert ours[1] == theirs[1]
    for k, v in tmodel.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[k].numpy(), v.numpy(), rtol=1e-10, atol=1e-12)


def test_plain_loop_learns_moons():
    train, val = moons_loaders()
    model = PlaygroundMLP()
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(30):
        model.train()
        for xb, yb in train:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
    assert evaluate(model, val)["accuracy"] > 0.9


# ---------------------------------------------------------------------------------------------- fit
def test_fit_returns_history_and_learns():
    train, val = moons_loaders()
    model = PlaygroundMLP()
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02), train, val, epochs=15,
                  progress=False)
    assert isinstance(history, History) and len(history) == 15
    assert history.epoch == list(range(1, 16))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "epoch_time", "eval_time"):
        assert len(history[key]) == 15 and all(v is not None for v in history[key]), key
    assert history["loss"][-1] < history["loss"][0] / 2
    assert history["val_accuracy"][-1] > 0.9
    assert history.best_epoch is None and history.stopped_epoch is None   # no early stopping
    assert history.chosen_epoch == 1 + int(np.argmin(history["val_loss"]))
    final = evaluate(model, val, nn.CrossEntropyLoss())
    assert final["loss"] == pytest.approx(history["val_loss"][-1])
    assert final["accuracy"] == pytest.approx(history["val_accuracy"][-1])


def test_fit_without_validation_and_with_custom_metrics():
    train, _ = moons_loaders()
    model = PlaygroundMLP()

    def error_rate(out, target):
        return float(np.mean(out.argmax(1) != target))

    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, epochs=3,
                  metrics=("accuracy", error_rate), progress=False)
    assert "val_loss" not in history and "error_rate" in history
    for acc, err in zip(history["accuracy"], history["error_rate"]):
        assert acc + err == pytest.approx(1.0)


class ModeProbe(nn.Module):
    """Records (training flag, grad mode) at every forward."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, ag.is_grad_enabled()))
        return self.inner(x)


def test_fit_sets_train_and_eval_modes_and_restores_mode():
    train, val = moons_loaders(n=80, batch_size=20)
    model = ModeProbe(PlaygroundMLP(dropout=0.1))
    model.eval()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=2, progress=False)
    n_train, n_val = len(train), len(val)
    expected = ([(True, True)] * n_train + [(False, False)] * n_val) * 2
    assert model.calls == expected
    assert model.training is False     # the mode before fit


def test_schedulers_step_per_epoch_and_plateau_gets_val_loss():
    train, val = moons_loaders()
    model = PlaygroundMLP()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, train, val, epochs=5,
                  scheduler=optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1), progress=False)
    np.testing.assert_allclose(history["lr"], [0.1, 0.1, 0.01, 0.01, 0.001])

    seen = []

    class RecordingPlateau(optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics, epoch=None):
            seen.append(metrics)
            super().step(metrics, epoch)

    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, train, val, epochs=3,
                  scheduler=RecordingPlateau(opt, patience=0), progress=False)
    assert seen == history["val_loss"]
    seen.clear()
    history = fit(model, nn.CrossEntropyLoss(), opt, train, epochs=2, scheduler=RecordingPlateau(opt),
                  progress=False)
    assert seen == history["loss"]   # no validation data: the training loss


class Recorder(Callback):
    def __init__(self):
        self.events = []

    def on_train_begin(self, trainer):
        self.events.append(("train_begin",))

    def on_epoch_begin(self, trainer, epoch):
        self.events.append(("epoch_begin", epoch))

    def on_batch_end(self, trainer, batch, logs):
        assert set(logs) >= {"loss", "batch_size", "lr", "accuracy"}
        assert all(p.grad is not None for p in trainer.model.parameters())   # still there for inspection
        self.events.append(("batch_end", batch))

    def on_epoch_end(self, trainer, epoch, logs):
        assert trainer.history.last()["epoch"] == epoch + 1 and logs["loss"] == trainer.history["loss"][-1]
        self.events.append(("epoch_end", epoch))

    def on_train_end(self, trainer):
        self.events.append(("train_end",))


def test_callback_protocol_order_and_duck_typed_callbacks():
    train, val = moons_loaders(n=64, batch_size=16)   # 3 training batches of 16
    rec = Recorder()

    class OnlyEpochEnd:      # not a Callback subclass, only one hook: works (the Diagnostics protocol)
        def __init__(self):
            self.epochs = []

        def on_epoch_end(self, trainer, epoch, logs):
            self.epochs.append(epoch)
            if epoch == 1:
                trainer.stop_training = True

    duck = OnlyEpochEnd()
    model = PlaygroundMLP()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=5,
                  callbacks=[rec, duck], progress=False)
    def per_epoch(e):
        return [("epoch_begin", e)] + [("batch_end", b) for b in range(3)] + [("epoch_end", e)]
    assert rec.events == [("train_begin",)] + per_epoch(0) + per_epoch(1) + [("train_end",)]
    assert duck.epochs == [0, 1] and len(history) == 2


def test_diagnostics_object_is_accepted_as_callback():
    viz = pytest.importorskip("autograd_core.viz")
    Diagnostics = getattr(viz, "Diagnostics", None)
    if Diagnostics is None or not hasattr(Diagnostics, "on_epoch_end"):
        pytest.skip("autograd_core.viz.Diagnostics not available yet")
    train, val = moons_loaders(n=64, batch_size=16)
    model = PlaygroundMLP()
    try:
        diag = Diagnostics(model)
    except TypeError:
        diag = Diagnostics()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=2,
        callbacks=[diag], progress=False)


def test_clip_grad_norm_limits_the_gradient_norm():
    train, _ = moons_loaders()
    norms = []

    class Norm(Callback):
        def on_batch_end(self, trainer, batch, logs):
            norms.append(np.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in trainer.model.parameters())))

    model = PlaygroundMLP()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, epochs=1,
        clip_grad_norm=0.05, callbacks=[Norm()], progress=False)
    assert max(norms) <= 0.05 * (1 + 1e-4)


def test_batch_loss_trains_like_the_hand_written_loop_and_logs_its_parts():
    """fit(batch_loss=...): the loss computed from the model and the whole batch; its parts are logged."""
    X, y = make_moons(96, noise=0.15, seed=0)

    def batch_loss(model, batch):
        x, t = batch
        ce = F.cross_entropy(model(x), t)
        l2 = sum((p * p).sum() for p in model.parameters() if p.ndim == 2)
        return {"loss": ce + 0.01 * l2, "ce": ce, "l2": float(l2.item())}

    runs = []
    for use_fit in (True, False):
        ag.manual_seed(0)
        model = PlaygroundMLP()
        opt = optim.SGD(model.parameters(), lr=0.1)
        loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=1)
        if use_fit:
            val = DataLoader(TensorDataset(X, y), batch_size=48)
            h = fit(model, None, opt, loader, val, epochs=3, batch_loss=batch_loss, progress=False)
            assert {"loss", "ce", "l2", "val_loss", "val_ce", "val_l2"} <= set(h.keys()) and "accuracy" not in h
            assert h["loss"][0] > h["loss"][-1]
        else:
            for _ in range(3):
                for batch in loader:
                    opt.zero_grad()
                    batch_loss(model, batch)["loss"].backward()
                    opt.step()
        runs.append([p.numpy().copy() for p in model.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)

    ev = evaluate(model, DataLoader(TensorDataset(X, y), batch_size=40), batch_loss=batch_loss)
    with ag.no_grad():
        full = batch_loss(model, (ag.tensor(X), ag.tensor(y)))
    assert set(ev) == {"loss", "ce", "l2"} and ev["ce"] == pytest.approx(full["ce"].item(), rel=1e-5)
    with pytest.raises(ValueError, match="loss_fn"):
        Trainer(model, None, opt)
    with pytest.raises(ValueError, match="'loss' entry"):
        fit(model, None, opt, loader, epochs=1, batch_loss=lambda m, b: {"ce": 1.0}, progress=False)


def test_train_step_is_one_update_and_reports_the_batch():
    X, y = make_moons(16, seed=0)
    ag.manual_seed(0)
    model = PlaygroundMLP()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), progress=False)
    x, t = ag.tensor(X), ag.tensor(y)
    with ag.no_grad():
        before = F.cross_entropy(model(x), t).item()
    values, n = trainer.train_step((x, t))
    assert n == 16 and values["loss"] == pytest.approx(before) and 0 <= values["accuracy"] <= 1
    with ag.no_grad():
        assert F.cross_entropy(model(x), t).item() < before


def test_progress_lines_and_quiet_mode(capsys, monkeypatch):
    train, val = moons_loaders(n=64, batch_size=16)
    model = PlaygroundMLP()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=2, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""

    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=2)
    out = capsys.readouterr().out.splitlines()   # TQDM_DISABLE=1 (conftest): no bars, but the epoch lines
    assert out[0].startswith("epoch 1/2  loss ") and "val_accuracy" in out[0] and out[1].startswith("epoch 2/2")

    monkeypatch.delenv("TQDM_DISABLE")
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=1)
    out = capsys.readouterr()                        # stderr is no terminal here: one line per epoch, no bar
    assert out.err == "" and out.out.startswith("epoch 1/1  loss ") and out.out.count("\n") == 1
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=1)
    err = capsys.readouterr().err
    assert "epoch 1/1:" in err and "0/3 [" in err   # on a terminal: a tqdm bar over the 3 batches


# ---------------------------------------------------------------------------------------------- evaluate, predict
def test_evaluate_matches_a_manual_computation_and_restores_mode():
    X, y = make_blobs(100, centers=3, seed=2)
    model = PlaygroundMLP(num_classes=3, dropout=0.5)
    model.train()
    res = evaluate(model, DataLoader(TensorDataset(X, y), batch_size=32), nn.CrossEntropyLoss())
    assert model.training
    model.eval()
    with ag.no_grad():
        logits = model(ag.tensor(X))
        loss = F.cross_entropy(logits, ag.tensor(y)).item()
    assert res["loss"] == pytest.approx(loss, rel=1e-5)
    assert res["accuracy"] == pytest.approx(float(np.mean(logits.numpy().argmax(1) == y)))
    assert set(evaluate(model, DataLoader(TensorDataset(X, y), batch_size=32))) == {"accuracy"}


def test_predict_accepts_tensors_arrays_datasets_and_loaders():
    X, y = make_blobs(70, centers=3, seed=3)
    model = PlaygroundMLP(num_classes=3, dropout=0.5)
    model.eval()
    with ag.no_grad():
        ref = model(ag.tensor(X)).numpy()
    model.train()
    ds = TensorDataset(X, y)
    for data in (X, ag.tensor(X), ds, DataLoader(ds, batch_size=16)):
        out = predict(model, data, batch_size=32)
        assert isinstance(out, ag.Tensor) and out.shape == (70, 3) and not out.requires_grad
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6)
    assert model.training


def test_accuracy_metric():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 1.0], [5.0, 0.0, 0.0]])
    assert accuracy(logits, np.array([0, 1, 1, 0])) == 0.75
    assert accuracy(np.array([[0.3], [-2.0], [1.0]]), np.array([[1.0], [0.0], [0.0]])) == pytest.approx(2 / 3)
    assert accuracy(np.array([0.7, 0.2]), np.array([1.0, 1.0]), threshold=0.5) == 0.5
    assert accuracy(np.zeros((4, 3)), np.zeros((4, 3), np.float32)) is None    # regression: not defined
    seg = np.zeros((2, 3, 4, 4))
    seg[:, 1] = 1
    assert accuracy(seg, np.ones((2, 4, 4), np.int64)) == 1.0                   # (N, C, H, W) per-pixel


def test_regression_fit_has_no_accuracy_column():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)).astype(np.float32)
    Y = (X @ np.array([[1.0], [2.0], [-1.0]], np.float32)).repeat(2, axis=1)
    model = nn.Linear(3, 2)
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1),
                  DataLoader(TensorDataset(X, Y), batch_size=16), epochs=20, progress=False)
    assert "accuracy" not in history and history["loss"][-1] < 1e-2


def test_trainer_class_can_fit_twice_and_continue():
    train, val = moons_loaders()
    model = PlaygroundMLP()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), progress=False)
    h1 = trainer.fit(train, val, epochs=2)
    assert len(h1) == 2 and trainer.epochs == 2 and trainer.epoch == 1
    h2 = trainer.fit(train, val, epochs=3)                   # the model trains on; a new history
    assert h2 is not h1 and h2.epoch == [1, 2, 3] and len(h1) == 2
    assert h2["loss"][0] < h1["loss"][0]


# ---------------------------------------------------------------------------------------------- history
def test_history_json_roundtrip_and_plot(tmp_path):
    train, val = moons_loaders()
    model = PlaygroundMLP()
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), train, val, epochs=3,
                  progress=False)
    path = tmp_path / "h.json"
    history.to_json(path)
    again = History.from_json(str(path))
    assert again.epoch == history.epoch and again.history == history.history
    assert json.loads(path.read_text())["history"]["val_loss"] == history["val_loss"]

    fig = plot_history(history, metrics=("loss", "accuracy", "lr", "nonexistent"), path=tmp_path / "c.png")
    assert len(fig.axes) == 3 and (tmp_path / "c.png").stat().st_size > 1000
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2] == ["train", "validation"]
    plot_history(history.to_dict(), metrics=("loss",))
    with pytest.raises(ValueError, match="none of"):
        plot_history(history, metrics=("f1",))
    assert len(history.plot(metrics=("loss", "lr")).axes) == 2      # History.plot() is plot_history(history)


def test_history_skips_missing_values_and_nonfinite_json():
    h = History()
    h.append(1, {"loss": 1.0})
    h.append(2, {"loss": float("nan"), "val_loss": 0.5})
    assert h["val_loss"] == [None, 0.5] and h.best() == 2 and h.best("loss") == 1
    assert json.loads(h.to_json())["history"]["loss"] == [1.0, None]


# ---------------------------------------------------------------------------------------------- models
def test_mlp_structure_and_names():
    model = MLP(dropout=0.2)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["net.1.weight", "net.1.bias", "net.4.weight", "net.4.bias", "net.7.weight", "net.7.bias"]
    assert model.num_parameters() == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    assert model(ag.randn(5, 1, 28, 28)).shape == (5, 10)
    assert [n for n, _ in MLP(dropout=0.0).named_parameters()] == names      # same names without dropout
    assert all(m.p == 0.0 for m in MLP().modules() if isinstance(m, nn.Dropout))
    assert MLP(20, hidden=(), num_classes=4)(ag.randn(3, 20)).shape == (3, 4)
    assert isinstance(MLP(4, 8, activation="tanh").net[2], nn.Tanh)
    assert [n for n, _ in CNN().named_parameters()][-2:] == ["classifier.4.weight", "classifier.4.bias"]
    with pytest.raises(ValueError, match="unknown activation"):
        MLP(activation="swishy")
    with pytest.raises(ValueError, match="dropout"):
        MLP(dropout=1.0)
    assert isinstance(build_model("mlp", in_features=2, num_classes=3), PlaygroundMLP)
    with pytest.raises(ValueError, match="CNN takes 28 x 28"):
        build_model("cnn", in_features=2)


def test_cnn_structure_and_matches_torch():
    needs_conv()
    model = CNN(dropout=0.3)
    assert model.num_parameters() == 454_922
    shapes = {n: p.shape for n, p in model.named_parameters()}
    assert shapes == {"features.0.weight": (32, 1, 5, 5), "features.0.bias": (32,),
                      "features.3.weight": (64, 32, 5, 5), "features.3.bias": (64,),
                      "classifier.1.weight": (128, 3136), "classifier.1.bias": (128,),
                      "classifier.4.weight": (10, 128), "classifier.4.bias": (10,)}
    x = ag.randn(3, 1, 28, 28)
    model.eval()
    out = model(x)
    assert out.shape == (3, 10)
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    tmodel = tnn.Module()
    tmodel.features = tnn.Sequential(tnn.Conv2d(1, 32, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                                     tnn.Conv2d(32, 64, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2))
    tmodel.classifier = tnn.Sequential(tnn.Flatten(), tnn.Linear(3136, 128), tnn.ReLU(), tnn.Dropout(0.3),
                                       tnn.Linear(128, 10))
    tmodel.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    tmodel.eval()
    with torch.no_grad():
        ref = tmodel.classifier(tmodel.features(torch.from_numpy(x.numpy())))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-4, atol=1e-5)
