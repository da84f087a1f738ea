"""Normalization layers against PyTorch after loading its state_dict: outputs, gradients and running statistics
over two training steps and one eval step, in float32 and float64; gradchecks through each module in train and
eval mode; the functional forms' arguments and PyTorch's errors."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor
from parity import check_module, gradcheck_module, inputs

LAYERS = [
    ("batchnorm1d", lambda m: m.BatchNorm1d(3), [(6, 3)]),
    ("batchnorm1d_3d_cma", lambda m: m.BatchNorm1d(3, momentum=None), [(4, 3, 5)]),
    ("batchnorm1d_no_affine", lambda m: m.BatchNorm1d(3, affine=False), [(5, 3)]),
    ("batchnorm1d_no_stats", lambda m: m.BatchNorm1d(3, track_running_stats=False), [(5, 3, 2)]),
    ("batchnorm2d_no_bias", lambda m: m.BatchNorm2d(2, bias=False, momentum=0.3), [(3, 2, 3, 2)]),
    ("batchnorm2d_plain", lambda m: m.BatchNorm2d(2, affine=False, track_running_stats=False), [(3, 2, 2, 2)]),
    ("batchnorm3d", lambda m: m.BatchNorm3d(2, eps=1e-3), [(2, 2, 3, 2, 2)]),
    ("batchnorm3d_cma", lambda m: m.BatchNorm3d(2, momentum=None, affine=False), [(2, 2, 2, 2, 3)]),
    ("instancenorm1d", lambda m: m.InstanceNorm1d(3), [(2, 3, 5)]),
    ("instancenorm1d_affine", lambda m: m.InstanceNorm1d(3, affine=True), [(2, 3, 5)]),
    ("instancenorm1d_stats", lambda m: m.InstanceNorm1d(3, track_running_stats=True, momentum=0.2), [(4, 3, 6)]),
    ("instancenorm1d_unbatched", lambda m: m.InstanceNorm1d(3, affine=True, track_running_stats=True), [(3, 5)]),
    ("instancenorm2d", lambda m: m.InstanceNorm2d(2, affine=True, track_running_stats=True), [(3, 2, 3, 4)]),
    ("instancenorm2d_cma", lambda m: m.InstanceNorm2d(2, momentum=None, track_running_stats=True), [(2, 2, 3, 3)]),
    ("instancenorm2d_no_bias", lambda m: m.InstanceNorm2d(2, affine=True, bias=False), [(2, 2, 3, 3)]),
    ("instancenorm3d", lambda m: m.InstanceNorm3d(2, affine=True), [(2, 2, 2, 3, 2)]),
    ("groupnorm", lambda m: m.GroupNorm(2, 6), [(4, 6, 3, 2)]),
    ("groupnorm_2d_input", lambda m: m.GroupNorm(3, 6, eps=1e-3), [(4, 6)]),
    ("groupnorm_one_group", lambda m: m.GroupNorm(1, 4, affine=False), [(3, 4, 5)]),
    ("groupnorm_per_channel", lambda m: m.GroupNorm(4, 4, bias=False), [(3, 4, 5)]),
    ("rmsnorm", lambda m: m.RMSNorm(5), [(3, 5)]),
    ("rmsnorm_2d_eps", lambda m: m.RMSNorm([3, 4], eps=1e-3), [(2, 3, 4)]),
    ("rmsnorm_no_affine", lambda m: m.RMSNorm(4, elementwise_affine=False), [(2, 3, 4)]),
    ("layernorm_trailing", lambda m: m.LayerNorm((2, 3, 4)), [(2, 2, 3, 4)]),
    ("layernorm_no_bias", lambda m: m.LayerNorm([3, 4], bias=False), [(5, 3, 4)]),
    ("layernorm_no_affine", lambda m: m.LayerNorm(4, elementwise_affine=False), [(5, 4)]),
    ("lrn_3d", lambda m: m.LocalResponseNorm(3, alpha=0.5, beta=0.7, k=1.5), [(2, 5, 4)]),
    ("lrn_4d_even", lambda m: m.LocalResponseNorm(2), [(2, 4, 3, 3)]),
    ("lrn_5d", lambda m: m.LocalResponseNorm(4, alpha=0.2), [(1, 6, 2, 2, 3)]),
    ("in_a_network", lambda m: m.Sequential(m.Conv1d(2, 4, 3), m.GroupNorm(2, 4), m.ReLU(),
                                            m.InstanceNorm1d(4, affine=True, track_running_stats=True),
                                            m.BatchNorm1d(4, momentum=None), m.Flatten(), m.RMSNorm(16),
                                            m.Linear(16, 3), m.LayerNorm(3)), [(5, 2, 6)]),
]
_IDS = [c[0] for c in LAYERS]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,factory,specs", LAYERS, ids=_IDS)
def test_norm_layer_matches_torch(name, factory, specs, dtype):
    pytest.importorskip("torch")
    # two training steps (running statistics, the cumulative average), then eval (running statistics used)
    check_module(factory, specs, dtype, modes=(True, True, False))


@pytest.mark.parametrize("name,factory,specs", LAYERS, ids=_IDS)
def test_norm_layer_gradcheck(name, factory, specs):
    gradcheck_module(factory(nn), specs, modes=(True, False))


def test_num_batches_tracked_and_cumulative_average():
    m = nn.BatchNorm1d(2, momentum=None).double()
    batches = [np.random.default_rng(i).standard_normal((5, 2)) for i in range(3)]
    for b in batches:
        m(Tensor(b))
    assert int(m.num_batches_tracked.item()) == 3
    np.testing.assert_allclose(m.running_mean.numpy(), np.mean([b.mean(0) for b in batches], axis=0))
    np.testing.assert_allclose(m.running_var.numpy(), np.mean([b.var(0, ddof=1) for b in batches], axis=0))
    m.eval()
    m(Tensor(batches[0]))
    assert int(m.num_batches_tracked.item()) == 3
    m.reset_running_stats()
    assert int(m.num_batches_tracked.item()) == 0 and np.all(m.running_var.numpy() == 1)


def test_no_running_stats_uses_batch_statistics_in_eval():
    m = nn.BatchNorm2d(2, track_running_stats=False).eval()
    y = m(ag.randn(4, 2, 3, 3))
    np.testing.assert_allclose(y.numpy().mean(axis=(0, 2, 3)), 0.0, atol=1e-6)
    assert m.running_mean is None and list(m.state_dict()) == ["weight", "bias"]


def test_instance_norm_does_not_count_batches():
    m = nn.InstanceNorm1d(3, track_running_stats=True)
    m(ag.randn(2, 3, 4))
    assert int(m.num_batches_tracked.item()) == 0
    assert list(m.state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.InstanceNorm2d(3).state_dict()) == []


def test_rms_norm_default_eps_is_the_dtype_machine_epsilon():
    torch = pytest.importorskip("torch")
    tiny = np.full((2, 3), 1e-5)
    for dtype in (np.float32, np.float64):
        ours = F.rms_norm(Tensor(tiny.astype(dtype)), (3,))
        theirs = torch.nn.functional.rms_norm(torch.tensor(tiny.astype(dtype)), (3,))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)


def _compare_fn(f, specs, dtype=np.float64, tol=1e-9):
    torch = pytest.importorskip("torch")
    arrays = inputs(specs, dtype=dtype)
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    yo, yt = f(F, ag, *ours), f(torch.nn.functional, torch, *theirs)
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(2).standard_normal(yo.shape).astype(dtype)
    yo.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


def test_functional_forms_take_torch_keywords():
    _compare_fn(lambda Fn, L, x, w, b: Fn.batch_norm(x, running_mean=L.zeros(3, dtype=x.dtype),
                                                     running_var=L.ones(3, dtype=x.dtype), weight=w, bias=b,
                                                     training=True, momentum=0.3, eps=1e-4),
                [(4, 3), (3,), (3,)])
    _compare_fn(lambda Fn, L, x, w: Fn.layer_norm(x, normalized_shape=[3, 2], weight=w, eps=1e-4),
                [(4, 3, 2), (3, 2)])
    _compare_fn(lambda Fn, L, x, w, b: Fn.group_norm(x, num_groups=2, weight=w, bias=b, eps=1e-4),
                [(3, 4, 2), (4,), (4,)])
    _compare_fn(lambda Fn, L, x, w, b: Fn.instance_norm(x, running_mean=L.zeros(2, dtype=x.dtype),
                                                        running_var=L.ones(2, dtype=x.dtype), weight=w, bias=b,
                                                        use_input_stats=False, momentum=0.2, eps=1e-4),
                [(3, 2, 4), (2,), (2,)])
    _compare_fn(lambda Fn, L, x, w: Fn.rms_norm(x, normalized_shape=(4,), weight=w, eps=1e-4), [(3, 4), (4,)])
    _compare_fn(lambda Fn, L, x: Fn.local_response_norm(x, size=3, alpha=1e-2, beta=0.5, k=2.0), [(2, 4, 3)])


def test_functional_running_stats_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((3, 2, 5))
    for fo, ft in ((F.batch_norm, torch.nn.functional.batch_norm), (F.instance_norm, None)):
        rm_o, rv_o = Tensor(np.zeros(2)), Tensor(np.ones(2))
        rm_t, rv_t = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
        if ft is None:
            F.instance_norm(Tensor(x), rm_o, rv_o, momentum=0.3)
            torch.nn.functional.instance_norm(torch.tensor(x), rm_t, rv_t, momentum=0.3)
        else:
            fo(Tensor(x), rm_o, rv_o, training=True, momentum=0.3)
            ft(torch.tensor(x), rm_t, rv_t, training=True, momentum=0.3)
        np.testing.assert_allclose(rm_o.numpy(), rm_t.numpy(), rtol=1e-12)
        np.testing.assert_allclose(rv_o.numpy(), rv_t.numpy(), rtol=1e-12)


def test_normalization_errors_match_torch():
    x = ag.randn(4, 3)
    with pytest.raises(ValueError, match="both be None or neither"):
        F.batch_norm(x, ag.zeros(3), None, training=True)
    with pytest.raises(RuntimeError, match="running_mean must be defined"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(RuntimeError, match="should contain 3 elements not 4"):
        F.batch_norm(x, ag.zeros(4), ag.ones(4))
    with pytest.raises(ValueError, match="eps must be positive"):
        F.batch_norm(x, None, None, training=True, eps=0.0)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(ag.randn(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(ag.randn(2, 5, 3), 2)
    with pytest.raises(RuntimeError, match="size equal to the number of channels"):
        F.group_norm(ag.randn(2, 6, 3), 2, ag.ones(4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.group_norm(ag.randn(1, 2), 2)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.group_norm(ag.randn(3), 1)
    with pytest.raises(ValueError, match="must be divisible by num_groups"):
        nn.GroupNorm(2, 5)
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(ag.randn(2, 3, 1))
    with pytest.raises(RuntimeError, match="use_input_stats is false"):
        F.instance_norm(ag.randn(2, 3, 4), use_input_stats=False)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.rms_norm(x, [5])
    with pytest.raises(RuntimeError, match="same shape as normalized_shape"):
        F.layer_norm(x, [3], ag.ones(4))
    with pytest.raises(ValueError, match="3D or higher"):
        F.local_response_norm(x, 2)
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(ag.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="expected 5D input"):
        nn.BatchNorm3d(3)(ag.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        nn.InstanceNorm2d(3)(ag.randn(2, 3))
    with pytest.raises(ValueError, match="to match num_features"):
        nn.InstanceNorm1d(3, affine=True)(ag.randn(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(ag.randn(2, 4, 5))


def test_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for build in (lambda m: m.InstanceNorm1d(3), lambda m: m.InstanceNorm3d(3, affine=True, momentum=None),
                  lambda m: m.BatchNorm3d(2), lambda m: m.GroupNorm(2, 4), lambda m: m.GroupNorm(2, 4, affine=False),
                  lambda m: m.RMSNorm(5), lambda m: m.RMSNorm([2, 3], eps=1e-3, elementwise_affine=False),
                  lambda m: m.LocalResponseNorm(3), lambda m: m.LayerNorm([2, 3], bias=False)):
        assert repr(build(nn)) == repr(build(torch.nn))
