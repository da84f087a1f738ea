"""Gradient flow over a real training run: per-layer and per-time-step gradient norms as heat maps."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core.viz.diagnostics_plots import layer_grad_matrix, time_grad_matrix

pytest.importorskip("matplotlib")


class LastStep(nn.Module):
    def __init__(self, diag=None):
        super().__init__()
        self.rnn = nn.RNN(2, 8, batch_first=True)
        self.head = nn.Linear(8, 1)
        self.diag = diag

    def forward(self, x):
        if self.diag is not None:
            x = self.diag.watch_time(x.requires_grad_(), dim=1, name="x_t")
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def train(epochs=3, steps=4, T=6):
    ag.manual_seed(0)
    rng = np.random.default_rng(0)
    model = LastStep()
    diag = ag.Diagnostics(model, activations=False)
    model.diag = diag
    opt = optim.SGD(model.parameters(), lr=0.1)
    for _ in range(epochs):
        diag.mark_epoch()
        for _ in range(steps):
            x = ag.tensor(rng.standard_normal((4, T, 2)).astype(np.float32))
            opt.zero_grad()
            loss = F.mse_loss(model(x), ag.zeros(4, 1))
            loss.backward()
            opt.step()
            diag.step(loss)
    return model, diag


def test_watch_time_records_input_gradient_norms_per_step():
    ag.manual_seed(0)
    diag = ag.Diagnostics(nn.Linear(2, 1), activations=False)
    x = ag.randn(3, 4, 2, requires_grad=True)
    assert diag.watch_time(x, dim=1, name="x") is x
    w = ag.tensor(np.arange(4.0, dtype=np.float32).reshape(1, 4, 1))
    (x * w).sum().backward()                      # dL/dx_t = t everywhere: norm sqrt(3 * 2) * t
    diag.step()
    (_, norms), = diag.time_grads["x"]
    np.testing.assert_allclose(norms, np.sqrt(6.0) * np.arange(4.0), rtol=1e-6)
    plain = ag.randn(3, 4, 2)
    assert diag.watch_time(plain) is plain        # no grad: nothing to watch


def test_layer_and_time_matrices_one_column_per_epoch():
    model, diag = train(epochs=3)
    names, labels, m = layer_grad_matrix(diag)
    assert names == ["rnn", "head"] and labels == ["1", "2", "3"] and m.shape == (2, 3)
    # a column is the geometric mean over the epoch's steps of the layer's norm (over all its parameters)
    steps = diag.grad_norms_before_clip["head.weight"].steps[:4]
    per_step = [math.hypot(diag.grad_norms_before_clip["head.weight"].values[i],
                           diag.grad_norms_before_clip["head.bias"].values[i]) for i in range(len(steps))]
    assert m[1, 0] == pytest.approx(math.exp(np.mean(np.log(per_step))), rel=1e-9)
    name, labels_t, mt = time_grad_matrix(diag)
    assert name == "x_t" and mt.shape == (6, 3) and np.isfinite(mt).all()
    assert (mt[-1] > mt[0]).all()                 # a loss at the last step: the gradient fades going back in time


def test_plot_gradient_flow_draws_both_heat_maps():
    _, diag = train(epochs=2)
    fig = diag.plot_gradient_flow()
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 2
    assert [t.get_text() for t in images[0].get_yticklabels()] == ["rnn", "head"]
    assert images[0].images[0].get_array().shape == (2, 2)
    fig2 = diag.plot_gradient_flow(per="step", max_columns=3)
    assert [ax for ax in fig2.axes if ax.images][0].images[0].get_array().shape == (2, 3)
    fig3 = diag.plot_gradient_flow(limits=(1e-3, 1.0), time_limits=(1e-6, 1e-1))
    heat = [ax for ax in fig3.axes if ax.images]
    assert heat[0].images[0].norm.vmin == 1e-3 and heat[1].images[0].norm.vmax == 1e-1
    with pytest.raises(ValueError, match="per"):
        diag.plot_gradient_flow(per="batch")


def test_gradient_flow_from_fit_with_recurrent_cells():
    """fit() marks the epochs; an RNNCell called once per step records dL/dh_t by itself."""
    from nn.training import fit
    from autograd_core.data import DataLoader, TensorDataset

    class Loop(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.RNNCell(2, 4)
            self.head = nn.Linear(4, 1)

        def forward(self, x):
            h = None
            for t in range(x.shape[1]):
                h = self.cell(x[:, t], h)
            return self.head(h)

    ag.manual_seed(0)
    rng = np.random.default_rng(0)
    data = TensorDataset(ag.tensor(rng.standard_normal((16, 5, 2)).astype(np.float32)), ag.zeros(16, 1))
    diag = ag.Diagnostics(activations=False)
    model = Loop()
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(data, batch_size=8), epochs=2,
        callbacks=[diag], progress=False)
    name, labels, mt = time_grad_matrix(diag)
    assert name == "cell" and mt.shape == (5, 2) and labels == ["1", "2"]
    assert len([ax for ax in diag.plot_gradient_flow().axes if ax.images]) == 2
