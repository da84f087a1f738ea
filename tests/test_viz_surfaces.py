"""autograd_core.viz.surfaces: 2-D loss surfaces and optimizer trajectories."""
import numpy as np
import pytest

import autograd_core as ag
import optim
from autograd_core.viz.surfaces import SURFACES, Surface, compare_optimizers, get_surface, plot_trajectories, trajectory


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surfaces_have_their_minima_and_gradients(name):
    s = SURFACES[name]
    for m in s.minima:
        p = ag.tensor(np.array(m, dtype=np.float64), requires_grad=True)
        s(p).backward()
        assert np.abs(p.grad.numpy()).max() < 1e-4, f"{name}: gradient at the minimum {m}"
    start = ag.tensor(np.array(s.start, dtype=np.float64), requires_grad=True)
    ag.gradcheck(s.fn, (start,))
    xx, yy, zz = s.grid(20)
    assert zz.shape == (20, 20) and np.isfinite(zz).all()


def test_sgd_trajectory_is_the_update_rule():
    tr = trajectory("ravine", optim.SGD, steps=3, lr=0.1)
    p = np.array(SURFACES["ravine"].start)
    expected = [p.copy()]
    for _ in range(3):
        p = p - 0.1 * np.array([p[0], 20.0 * p[1]])     # gradient of x^2/2 + 10 y^2
        expected.append(p.copy())
    np.testing.assert_allclose(tr.points, np.array(expected))
    assert tr.losses.shape == (4,) and not tr.diverged
    np.testing.assert_allclose(tr.losses[-1], 0.5 * p[0] ** 2 + 10 * p[1] ** 2)


def test_momentum_beats_sgd_on_the_ravine_and_divergence_is_reported():
    paths = compare_optimizers("ravine", {"sgd": (optim.SGD, {"lr": 0.02}),
                                          "momentum": (optim.SGD, {"lr": 0.02, "momentum": 0.9})}, steps=100)
    assert paths["momentum"].losses[-1] < paths["sgd"].losses[-1]
    bad = trajectory("rosenbrock", optim.SGD, steps=50, lr=0.1)
    assert bad.diverged and np.isfinite(bad.losses).all() and len(bad.points) == len(bad.losses) < 51


def test_trajectory_accepts_factory_and_custom_surface():
    bowl = Surface("bowl", lambda p: (p ** 2).sum(-1), (-1, 1), (-1, 1), (0.5, -0.5), [(0.0, 0.0)])
    tr = trajectory(bowl, lambda params: optim.Adam(params, lr=0.1), steps=200)
    assert tr.losses[-1] < 1e-3
    assert get_surface(bowl) is bowl
    with pytest.raises(ValueError):
        get_surface("nope")


def test_plot_trajectories_returns_figure_even_with_diverged_paths():
    paths = compare_optimizers("rosenbrock", {"SGD": (optim.SGD, {"lr": 0.1}), "Adam": (optim.Adam, {"lr": 0.05})},
                               steps=30)
    fig = plot_trajectories("rosenbrock", paths)
    assert len(fig.axes) == 2
    fig.savefig(__import__("io").BytesIO(), format="png", dpi=40)
    assert "diverged" in " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
