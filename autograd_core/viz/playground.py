"""The pictures of the TensorFlow-playground experience (:class:`nn.models.playground.Playground`).

* :func:`plot_playground`: the decision boundary (train points as dots, test points as crosses) and the train and
  test loss curves;
* :func:`plot_snapshots`: the decision boundary at several moments of training, and the loss curves;
* :func:`plot_unit_maps`: what each unit of a hidden layer computes over the plane, one heat map per unit.

The playground's ``history`` is a dict of lists, one entry per epoch (epoch 0: the untrained network):
``{'epoch', 'train_loss', 'test_loss', 'train_accuracy', 'test_accuracy'}``. Nothing here imports ``nn``.
"""
from .boundary import plot_decision_boundary
from .plots import new_figure, plot_curves

__all__ = ["plot_playground", "plot_snapshots", "plot_unit_maps"]


def _loss_curves(history, ax, title):
    plot_curves({"train": history["train_loss"], "test": history["test_loss"]}, x=history["epoch"],
                xlabel="epoch", ylabel="cross-entropy", ax=ax, title=title)


def plot_playground(model, train, test, history, title=None):
    """Decision boundary of ``model`` with the ``train`` ``(X, y)`` points as dots and the ``test`` ones as
    crosses, and the train/test loss curves of ``history``."""
    fig, axes = new_figure(1, 2, width=4.4, height=4.0)
    plot_decision_boundary(model, train[0], train[1], ax=axes[0, 0], resolution=100, margin=0.3, test=test,
                           title=f"epoch {history['epoch'][-1]}: test accuracy {history['test_accuracy'][-1]:.2f}")
    _loss_curves(history, axes[0, 1], f"test loss {history['test_loss'][-1]:.3f}")
    if title:
        fig.suptitle(title, fontsize=9)
    return fig


def plot_snapshots(model, X, y, marks, advance, history, title=None):
    """The decision boundary of ``model`` at several moments of its training, and the loss curves beside them.

    Args:
        model: the classifier being trained (trained in place).
        X, y: the points drawn on each snapshot.
        marks: the epochs to draw, in increasing order.
        advance: ``advance(mark) -> epoch``: trains up to epoch ``mark`` and returns the epoch reached; called
            before each snapshot.
        history: the playground's history, read after the last snapshot for the curves.
    """
    fig, axes = new_figure(1, len(marks) + 1, width=3.2, height=3.2)
    for ax, mark in zip(axes[0], marks):
        epoch = advance(mark)
        plot_decision_boundary(model, X, y, ax=ax, resolution=80, margin=0.3, title=f"epoch {epoch}")
    _loss_curves(history, axes[0, -1], f"test accuracy {history['test_accuracy'][-1]:.2f}")
    if title:
        fig.suptitle(title, fontsize=9)
    return fig


def plot_unit_maps(xx, yy, activations, title=None, ncols=8):
    """One heat map per unit: ``activations (xx.size, k)`` are the outputs of ``k`` units at the grid points
    ``xx, yy`` (from :func:`~autograd_core.viz.boundary.grid_points`)."""
    k = activations.shape[1]
    ncols = min(k, ncols)
    fig, axes = new_figure(-(-k // ncols), ncols, width=1.4, height=1.4)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i < k:
            ax.contourf(xx, yy, activations[:, i].reshape(xx.shape), levels=15, cmap="RdBu_r")
            ax.set_title(f"unit {i}", fontsize=7)
        else:
            ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=9)
    return fig
