"""Training curves after one or a few epochs: large markers, whole-epoch ticks, sensible limits, values written."""
import pytest

from nn.training import History, plot_history
from autograd_core.viz.plots import compare_histories

pytest.importorskip("matplotlib")


def history(n):
    h = History()
    for e in range(1, n + 1):
        h.append(e, {"loss": 2.0 / e, "accuracy": 0.3 + 0.1 * e, "val_loss": 1.6 / e, "val_accuracy": 0.45 + 0.1 * e})
    return h


def test_one_epoch_is_not_two_lone_dots_on_a_tiny_axis():
    fig = plot_history(history(1))
    loss_ax, acc_ax = fig.axes[:2]
    assert list(loss_ax.get_xticks()) == [1.0] and loss_ax.get_xlim() == (0.5, 1.5)
    lo, hi = loss_ax.get_ylim()
    assert lo < 1.6 and hi > 2.0 and hi - lo < 2.0                # both values, padded, not stretched
    assert all(line.get_markersize() >= 6 for line in loss_ax.get_lines())
    assert {t.get_text() for t in loss_ax.texts} == {"2", "1.6"}  # the values are written next to the markers
    lo, hi = acc_ax.get_ylim()
    assert 0.0 <= lo < 0.4 and 0.55 < hi <= 1.05


def test_many_epochs_keep_the_plain_style():
    fig = plot_history(history(12))
    ax = fig.axes[0]
    marked = [line for line in ax.get_lines() if line.get_marker() not in ("None", "", None)]
    assert not ax.texts and marked and all(line.get_markersize() <= 3 for line in marked)


def test_compare_histories_with_two_epochs():
    fig = compare_histories({"a": history(2), "b": history(2)}, metrics=("loss",))
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == [1.0, 2.0] and len(ax.texts) == 4
