"""Callbacks: early stopping (on a run engineered to overfit), checkpoints and exact resumption."""
import glob
import os

import numpy as np
import pytest

import autograd_core as ag
import nn
import optim
from autograd_core.data import DataLoader, TensorDataset, make_blobs, make_spirals
from nn.models import MLP, PlaygroundMLP
from nn.training import (Callback, EarlyStopping, LambdaCallback, ModelCheckpoint, Trainer, evaluate, fit,
                         load_checkpoint, save_checkpoint)


def overfitting_problem(seed=0):
    """40 training points with 30% wrong labels and a wide net: validation loss falls, then rises."""
    X, y = make_blobs(240, centers=3, cluster_std=1.2, seed=seed)
    rng = np.random.default_rng(seed)
    Xtr, ytr = X[:40], y[:40].copy()
    flip = rng.random(40) < 0.3
    ytr[flip] = rng.integers(0, 3, flip.sum())
    train = DataLoader(TensorDataset(Xtr, ytr), batch_size=8, shuffle=True)
    val = DataLoader(TensorDataset(X[40:], y[40:]), batch_size=100)
    return train, val


class Snapshots(Callback):
    """Copies of the weights after every epoch."""

    def __init__(self):
        self.states = []

    def on_epoch_end(self, trainer, epoch, logs):
        self.states.append({k: v.numpy().copy() for k, v in trainer.model.state_dict().items()})


def weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_early_stopping_restores_the_best_weights_of_an_overfitting_run(capsys):
    train, val = overfitting_problem()
    model = PlaygroundMLP(num_classes=3, hidden=(128, 128))
    snaps, stopper = Snapshots(), EarlyStopping("val_loss", patience=4)
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), train, val, epochs=300,
                  callbacks=[snaps, stopper])
    val_loss = history["val_loss"]
    best = 1 + int(np.argmin(val_loss))
    assert val_loss[-1] > min(val_loss) + 0.05                     # it did overfit
    assert len(history) < 300 and history.stopped_epoch == len(history) == best + 4
    assert history.best_epoch == stopper.best_epoch == best and history.monitor == "val_loss"
    assert stopper.best == pytest.approx(min(val_loss))
    for k, v in weights(model).items():                            # the weights of the best epoch, exactly
        np.testing.assert_array_equal(v, snaps.states[best - 1][k])
    assert evaluate(model, val, nn.CrossEntropyLoss())["loss"] == pytest.approx(min(val_loss))
    out = capsys.readouterr().out
    assert f"stopped after epoch {best + 4}" in out and f"restored the weights of epoch {best}" in out


def test_without_restore_the_last_weights_stay():
    train, val = overfitting_problem()
    model = PlaygroundMLP(num_classes=3, hidden=(128, 128))
    snaps = Snapshots()
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), train, val, epochs=300,
                  callbacks=[snaps, EarlyStopping(patience=4, restore_best_weights=False)], progress=False)
    assert history.stopped_epoch is not None
    for k, v in weights(model).items():
        np.testing.assert_array_equal(v, snaps.states[-1][k])


def test_early_stopping_on_accuracy_uses_max_mode_and_min_delta():
    stopper = EarlyStopping("val_accuracy", patience=2, min_delta=0.01)
    assert stopper.mode == "max"
    assert EarlyStopping("val_loss").mode == "min" and EarlyStopping("score", mode="max").mode == "max"

    class FakeTrainer:
        model = PlaygroundMLP()
        val_loader = object()
        stop_training = False
        history = type("H", (), {"best_epoch": None, "monitor": None, "stopped_epoch": None})()

        def log(self, msg):
            pass

    tr = FakeTrainer()
    stopper.on_train_begin(tr)
    for epoch, acc in enumerate([0.50, 0.60, 0.605, 0.609, 0.70]):
        stopper.on_epoch_end(tr, epoch, {"val_accuracy": acc})
        if tr.stop_training:
            break
    assert stopper.best_epoch == 2 and stopper.stopped_epoch == 4    # +0.005 and +0.009 are below min_delta
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="largest")
    with pytest.raises(KeyError, match="val_f1"):
        EarlyStopping("val_f1").on_epoch_end(tr, 0, {"val_loss": 1.0})


def test_monitoring_validation_metrics_without_validation_data_fails_early():
    X, y = make_blobs(32, seed=0)
    model = PlaygroundMLP(num_classes=3)
    with pytest.raises(ValueError, match="no val_loader"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
            DataLoader(TensorDataset(X, y), batch_size=8), epochs=2, callbacks=[EarlyStopping()], progress=False)
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),   # monitoring 'loss' works
                  DataLoader(TensorDataset(X, y), batch_size=8), epochs=2, callbacks=[EarlyStopping("loss")],
                  progress=False)
    assert history.best_epoch in (1, 2)


# ---------------------------------------------------------------------------------------------- checkpoints
def make_run(seed_init, tmp_path, pattern="ckpt-{epoch}.npz", loader_seed=None):
    """A run where every source of randomness matters: shuffling, dropout, Adam state, a schedule, early
    stopping's state."""
    X, y = make_spirals(300, n_arms=3, noise=0.05, seed=5)
    ag.manual_seed(seed_init)
    model = MLP(2, hidden=(32, 32), num_classes=3, dropout=0.2, activation="tanh")
    opt = optim.Adam(optim.weight_decay_groups(model, 1e-3), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    train = DataLoader(TensorDataset(X[:240], y[:240]), batch_size=32, shuffle=True, seed=loader_seed)
    val = DataLoader(TensorDataset(X[240:], y[240:]), batch_size=64)
    callbacks = [EarlyStopping(patience=50), ModelCheckpoint(os.fspath(tmp_path / pattern))]
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler=sched, callbacks=callbacks, progress=False)
    return trainer, train, val


def without_times(history):
    return {k: v for k, v in history.history.items() if k not in ("epoch_time", "eval_time")}


@pytest.mark.parametrize("loader_seed", [None, 7])
def test_resuming_from_a_checkpoint_gives_identical_results(tmp_path, loader_seed):
    ag.manual_seed(123)
    full, train, val = make_run(0, tmp_path / "a", loader_seed=loader_seed)
    h_full = full.fit(train, val, epochs=6)
    assert sorted(os.listdir(tmp_path / "a")) == [f"ckpt-{e}.npz" for e in range(1, 7)]

    ag.manual_seed(999)                                        # different init and random state before resuming
    resumed, train2, val2 = make_run(1, tmp_path / "b", loader_seed=loader_seed)
    next(iter(train2))                                         # and a loader that has already drawn an order
    h_res = resumed.fit(train2, val2, epochs=6, resume_from=tmp_path / "a" / "ckpt-3.npz")

    assert h_res.epoch == list(range(1, 7))
    assert without_times(h_res) == without_times(h_full)
    for k, v in weights(full.model).items():
        np.testing.assert_array_equal(weights(resumed.model)[k], v)
    assert resumed.callbacks[0].best_epoch == full.callbacks[0].best_epoch
    assert resumed.scheduler.get_last_lr() == full.scheduler.get_last_lr()


def test_checkpoint_contents_and_load_checkpoint(tmp_path):
    trainer, train, val = make_run(0, tmp_path, pattern="last.npz")
    trainer.fit(train, val, epochs=2)
    raw = nn.load(tmp_path / "last.npz")                       # plain nn.load: data only, no pickles
    assert raw["epoch"] == 2 and set(raw["model"]) == set(trainer.model.state_dict())
    assert raw["history"]["epoch"] == [1, 2] and raw["scheduler"]["last_epoch"] == 2
    assert [c["type"] for c in raw["callbacks"]] == ["EarlyStopping", "ModelCheckpoint"]

    model = MLP(2, hidden=(32, 32), num_classes=3, dropout=0.2, activation="tanh")
    ckpt = load_checkpoint(tmp_path / "last.npz", model, restore_rng=False)
    for k, v in raw["model"].items():      # the last epoch's weights (early stopping restores its best at the end)
        np.testing.assert_array_equal(weights(model)[k], v.numpy())
    assert ckpt["epoch"] == 2

    nn.save(model.state_dict(), tmp_path / "bare.npz")
    with pytest.raises(ValueError, match="not a training checkpoint"):
        load_checkpoint(tmp_path / "bare.npz", model)

    save_checkpoint(tmp_path / "mine.npz", model, epoch=5, note="hello")   # the helper alone, model only
    assert load_checkpoint(tmp_path / "mine.npz", model)["extra"] == {"note": "hello"}


def test_checkpoint_best_only(tmp_path):
    train, val = overfitting_problem()
    model = PlaygroundMLP(num_classes=3, hidden=(128, 128))
    saved = []
    ckpt = ModelCheckpoint(tmp_path / "best-{epoch:02d}-{val_loss:.3f}.npz", save_best_only=True)
    logger = LambdaCallback(on_epoch_end=lambda tr, e, logs: saved.append(ckpt.last_path))
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), train, val, epochs=25,
                  callbacks=[ckpt, logger], progress=False)   # the checkpoint runs after the logger
    files = sorted(glob.glob(os.fspath(tmp_path / "best-*.npz")))
    improved = [e for e in history.epoch if history["val_loss"][e - 1] == min(history["val_loss"][:e])]
    assert [int(os.path.basename(f)[5:7]) for f in files] == improved
    best = improved[-1]
    assert ckpt.last_path.endswith(f"best-{best:02d}-{history['val_loss'][best - 1]:.3f}.npz")
    assert saved[0] is None and saved[1].endswith("best-01-" + f"{history['val_loss'][0]:.3f}.npz")
    assert nn.load(ckpt.last_path)["epoch"] == best


def test_resume_of_a_run_that_stopped_early_trains_no_further(tmp_path):
    train, val = overfitting_problem()
    model = PlaygroundMLP(num_classes=3, hidden=(128, 128))
    opt = optim.Adam(model.parameters(), lr=0.01)
    cbs = [EarlyStopping(patience=3), ModelCheckpoint(tmp_path / "last.npz")]
    h = fit(model, nn.CrossEntropyLoss(), opt, train, val, epochs=300, callbacks=cbs, progress=False)
    assert h.stopped_epoch is not None
    model2 = PlaygroundMLP(num_classes=3, hidden=(128, 128))
    opt2 = optim.Adam(model2.parameters(), lr=0.01)
    cbs2 = [EarlyStopping(patience=3), ModelCheckpoint(tmp_path / "again.npz")]
    h2 = fit(model2, nn.CrossEntropyLoss(), opt2, train, val, epochs=300, callbacks=cbs2, progress=False,
             resume_from=tmp_path / "last.npz")
    assert len(h2) == len(h) and h2.stopped_epoch == h.stopped_epoch and h2.best_epoch == h.best_epoch
    for k, v in weights(model).items():                 # the checkpoint held the last epoch's weights; the best
        np.testing.assert_array_equal(weights(model2)[k], v)   # ones were restored at the end of both runs
