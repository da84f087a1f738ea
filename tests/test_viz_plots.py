"""autograd_core.viz.plots / viz.boundary: the notebooks' plotting helpers (headless), and viz's layering."""
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.viz.boundary import grid_points, plot_decision_boundary, plot_im2col, predict_proba
from autograd_core.viz.plots import (compare_histories, figure_png, plot_activations, plot_confusion, plot_curves,
                                     plot_feature_maps, plot_filters, plot_history, plot_latent, show_images,
                                     show_matrices)
from nn.training import History

matplotlib = pytest.importorskip("matplotlib")


def _render(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=30)
    assert buf.getvalue()[:4] == b"\x89PNG"
    return fig


def test_show_images_accepts_the_usual_layouts():
    for imgs in (np.zeros((5, 8, 8)), np.zeros((5, 1, 8, 8)), np.zeros((5, 64)), ag.zeros(5, 1, 8, 8)):
        fig = _render(show_images(imgs, titles=list("abcde"), ncols=3))
        assert len(fig.axes) == 6
    with pytest.raises(ValueError):
        show_images(np.zeros((2, 3, 8, 8)))


def test_show_images_of_different_sizes_share_one_pixel_scale():
    fig = _render(show_images([np.zeros((28, 28)), np.ones((14, 14)), ag.zeros(1, 7, 7)], ncols=3))
    assert [ax.get_xlim() for ax in fig.axes] == [(-0.5, 27.5)] * 3


def test_show_matrices_annotates_small_matrices():
    fig = _render(show_matrices({"x": np.arange(9.0).reshape(3, 3), "k": ag.ones(2, 2)}))
    assert len(fig.axes) == 2 and len(fig.axes[0].texts) == 9 and fig.axes[1].texts[0].get_text() == "1"
    assert len(show_matrices({"big": np.zeros((20, 20))}).axes[0].texts) == 0
    with pytest.raises(ValueError):
        show_matrices({"cube": np.zeros((2, 2, 2))})


def test_filters_and_feature_maps():
    _render(plot_filters(nn.Conv2d(1, 4, 3).weight))
    _render(plot_feature_maps(ag.randn(1, 6, 5, 5)))
    with pytest.raises(ValueError):
        plot_filters(np.zeros((3, 3)))


def test_plot_activations_draws_autograd_derivatives():
    fig = _render(plot_activations({"relu": F.relu, "tanh": F.tanh, "sigmoid": F.sigmoid}, n=101))
    ax = fig.axes[1]   # tanh
    x, dy = ax.get_lines()[-1].get_data()
    np.testing.assert_allclose(dy, 1 - np.tanh(x) ** 2, atol=1e-5)


def test_curves_and_histories():
    fig = _render(plot_curves({"a": [3, 2, 1], "b": [3, None, 0.5]}, smooth=2, logy=True))
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    h1, h2 = History(), History()
    for e in (1, 2):
        h1.append(e, {"loss": 1.0 / e, "val_loss": 1.5 / e})
        h2.append(e, {"loss": 2.0 / e})
    fig = _render(compare_histories({"one": h1, "two": h2}, metrics=("loss", "val_loss")))
    assert len(fig.axes) == 2


def test_plot_history_reads_any_object_with_history_s_interface():
    class Log(dict):              # a plain column table: no nn.training.History involved
        epoch = [1, 2, 3]
        chosen_epoch = 2

        def __len__(self):
            return len(self.epoch)

    fig = _render(plot_history(Log(loss=[3.0, 2.0, 2.5], val_loss=[3.5, None, 2.8]), metrics=("loss", "accuracy")))
    assert len(fig.axes) == 1 and fig.axes[0].lines[-1].get_xdata()[0] == 2    # the chosen epoch's line
    assert figure_png(fig)[:4] == b"\x89PNG"


def test_viz_imports_neither_nn_nor_optim():
    """autograd_core is the lower layer: its plotting modules must import without nn and optim."""
    code = ("import sys\n"
            "import autograd_core.viz, autograd_core.viz.plots, autograd_core.viz.boundary\n"
            "import autograd_core.viz.surfaces, autograd_core.viz.playground, autograd_core.viz.diagnostics_plots\n"
            "upper = sorted(m for m in sys.modules if m.split('.')[0] in ('nn', 'optim'))\n"
            "assert not upper, upper\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=120)


def test_confusion_and_latent():
    y = np.array([0, 1, 2, 2])
    fig = _render(plot_confusion(y, np.array([0, 2, 2, 2]), classes=["a", "b", "c"]))
    assert fig.axes[0].images[0].get_array()[2, 2] == 1.0
    _render(plot_latent(np.random.default_rng(0).standard_normal((30, 2)), np.arange(30) % 3))


def test_predict_proba_handles_logits_probabilities_and_scores():
    pts = np.array([[0.0, 1.0], [2.0, -1.0]], np.float32)
    logits = predict_proba(lambda t: t * 1.0, pts)
    np.testing.assert_allclose(logits.sum(1), 1.0)
    probs = predict_proba(lambda t: ag.tensor([[0.2, 0.8], [0.6, 0.4]]), pts)
    np.testing.assert_allclose(probs, [[0.2, 0.8], [0.6, 0.4]])
    score = predict_proba(lambda t: t[:, 0], pts)
    np.testing.assert_allclose(score[:, 1], 1 / (1 + np.exp(-pts[:, 0])))


def test_decision_boundary_two_and_three_classes_and_mode_restored():
    X = np.random.default_rng(0).standard_normal((40, 2)).astype(np.float32)
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    model.train()
    _render(plot_decision_boundary(model, X, np.arange(40) % 3, resolution=30, test=(X[:5], np.zeros(5))))
    assert model.training
    _render(plot_decision_boundary(nn.Linear(2, 2), X, np.arange(40) % 2, resolution=30, title="two"))
    xx, yy, pts = grid_points(X, resolution=7)
    assert xx.shape == (7, 7) and pts.shape == (49, 2) and pts.dtype == np.float32


def test_im2col_picture():
    x = ag.arange(16.0).reshape(1, 1, 4, 4)
    cols = F.unfold(x, 2, stride=2)[0]
    fig = _render(plot_im2col(x[0, 0], cols, kernel_size=2, stride=2, highlight=(0, -1)))
    assert len(fig.axes[0].patches) == 2 and len(fig.axes[1].patches) == 2
    with pytest.raises(ValueError):
        plot_im2col(x[0, 0], cols, kernel_size=3)
