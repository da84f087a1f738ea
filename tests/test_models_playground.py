"""nn.models.playground: the TensorFlow-playground experience, non-interactive parts (the widget needs ipywidgets)."""
import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from nn.models.playground import DATASETS, FEATURES, Playground, PlaygroundNet, make_dataset


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_datasets_are_two_class_2d(name):
    X, y = make_dataset(name, 100, 0.1, seed=0)
    assert X.shape == (100, 2) and X.dtype == np.float32 and set(np.unique(y)) == {0, 1}


def test_features_and_net():
    net = PlaygroundNet(tuple(FEATURES), hidden=(3,))
    x = ag.tensor([[0.5, -2.0]])
    f = net.featurize(x).numpy()[0]
    np.testing.assert_allclose(f, [0.5, -2.0, 0.25, 4.0, -1.0, np.sin(1.5), np.sin(-6.0)], rtol=1e-6)
    assert net(x).shape == (1, 2)
    with pytest.raises(ValueError):
        PlaygroundNet(("x3",))


def test_playground_trains_and_records():
    pg = Playground("moons", n_samples=200, hidden=(8,), seed=0)
    first = pg.history["test_loss"][0]
    pg.train(30)
    assert pg.epoch == 30 and len(pg.history["epoch"]) == 31
    assert pg.history["test_loss"][-1] < first and pg.history["test_accuracy"][-1] > 0.85
    assert len(pg.X_test) == 60 and "0x" not in repr(pg)


def test_training_is_the_hand_written_minibatch_loop():
    """Playground.train runs through nn.training.Trainer: the same updates as the plain loop it replaced."""
    pg = Playground("circles", n_samples=80, hidden=(5,), regularization="l1", reg_rate=0.01, batch_size=12, seed=3)
    ref = Playground("circles", n_samples=80, hidden=(5,), regularization="l1", reg_rate=0.01, batch_size=12, seed=3)
    pg.train(3)
    X, y = ref.X_train, ref.y_train
    for _ in range(3):
        order = ref._rng.permutation(len(y))
        for start in range(0, len(y), 12):
            idx = order[start:start + 12]
            ref.optimizer.zero_grad()
            loss = F.cross_entropy(ref.model(ag.tensor(X[idx])), ag.tensor(y[idx])) + ref._penalty()
            loss.backward()
            ref.optimizer.step()
    for a, b in zip(pg.model.parameters(), ref.model.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert pg.epoch == 3 and pg.history["epoch"] == [0, 1, 2, 3]


def test_configure_rebuilds_and_reset_repeats():
    pg = Playground("xor", n_samples=100, seed=1)
    w0 = pg.model.mlp.net[1].weight.numpy().copy()
    X0 = pg.X_train.copy()
    pg.train(2)
    pg.reset()
    np.testing.assert_array_equal(pg.model.mlp.net[1].weight.numpy(), w0)
    pg.configure(activation="relu")
    np.testing.assert_array_equal(pg.X_train, X0)          # model settings keep the data
    pg.configure(noise=0.3)
    assert not np.array_equal(pg.X_train, X0) and pg.epoch == 0
    with pytest.raises(ValueError):
        pg.configure(regularization="l3")


def test_l1_and_l2_regularization_shrink_weights_only():
    norms = {}
    for reg in (None, "l1", "l2"):
        pg = Playground("circles", n_samples=100, hidden=(8,), regularization=reg, reg_rate=0.05, seed=0)
        pg.train(20)
        groups = pg.optimizer.param_groups
        assert groups[1]["weight_decay"] == 0.0 and all(p.ndim == 1 for p in groups[1]["params"])
        norms[reg] = sum(np.abs(p.numpy()).sum() for n, p in pg.model.named_parameters() if p.ndim >= 2)
    assert norms["l1"] < norms[None] and norms["l2"] < norms[None]


def test_pictures():
    pg = Playground("gaussian", n_samples=60, hidden=(4, 3), features=("x1", "x2", "x1*x2"))
    fig = pg.run(epochs=4, snapshots=2)
    assert len(fig.axes) == 3 and pg.epoch == 4
    assert pg.png()[:4] == b"\x89PNG"
    assert len([a for a in pg.neuron_figure(1).axes if a.collections]) == 3
    with pytest.raises(ValueError):
        pg.neuron_figure(2)


def test_widget_when_ipywidgets_is_installed():
    pytest.importorskip("ipywidgets")
    pg = Playground("moons", n_samples=60, hidden=(4,))
    w = pg.widget(epochs_per_frame=1)
    controls, right = w.children
    play = right.children[0].children[0]
    play.value = 1
    assert pg.epoch == 1
    controls.children[3].value = "2, 2"
    assert pg.config["hidden"] == (2, 2) and pg.epoch == 0
