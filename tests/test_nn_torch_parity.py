"""The issue's "done when": a LeNet-style CNN and a 3-layer MLP written with this library, given the weights of the
same PyTorch models, produce the same logits, loss and gradients (float64), and train identically for a few SGD
steps. The model classes are written once and instantiated against either library (``nn``/``F`` or
``torch.nn``/``torch.nn.functional``), so both sides run literally the same model code.
"""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core import Tensor

ATOL = 1e-5


def lenet(m, fn):
    """conv5x5-relu-maxpool-conv5x5-relu-maxpool-flatten-linear-relu-linear for 1x28x28 inputs."""
    class LeNet(m.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = m.Conv2d(1, 6, kernel_size=5)
            self.pool = m.MaxPool2d(2)
            self.conv2 = m.Conv2d(6, 16, kernel_size=5)
            self.fc1 = m.Linear(16 * 4 * 4, 120)
            self.fc2 = m.Linear(120, 10)

        def forward(self, x):
            x = self.pool(fn.relu(self.conv1(x)))
            x = self.pool(fn.relu(self.conv2(x)))
            x = x.flatten(1)
            return self.fc2(fn.relu(self.fc1(x)))
    return LeNet()


def mlp(m, fn):
    return m.Sequential(m.Flatten(), m.Linear(28 * 28, 64), m.ReLU(), m.Linear(64, 32), m.Tanh(), m.Linear(32, 10))


def _pair(builder, dtype):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = builder(torch.nn, torch.nn.functional).to(getattr(torch, np.dtype(dtype).name))
    ours = builder(nn, F).to(dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    return torch, ours, theirs


def _batch(dtype, n=8):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 1, 28, 28)).astype(dtype), rng.integers(0, 10, n)


@pytest.mark.parametrize("builder", [lenet, mlp], ids=["lenet", "mlp"])
@pytest.mark.parametrize("dtype,atol", [(np.float64, ATOL), (np.float32, 1e-4)], ids=["float64", "float32"])
def test_same_logits_loss_and_gradients_as_torch(builder, dtype, atol):
    torch, ours, theirs = _pair(builder, dtype)
    x, y = _batch(dtype)
    xo, xt = Tensor(x.copy(), requires_grad=True), torch.tensor(x.copy(), requires_grad=True)
    logits_o, logits_t = ours(xo), theirs(xt)
    np.testing.assert_allclose(logits_o.numpy(), logits_t.detach().numpy(), atol=atol, rtol=atol)
    loss_o = F.cross_entropy(logits_o, Tensor(y))
    loss_t = torch.nn.functional.cross_entropy(logits_t, torch.tensor(y))
    np.testing.assert_allclose(loss_o.item(), loss_t.item(), atol=atol, rtol=atol)
    loss_o.backward()
    loss_t.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), atol=atol, rtol=atol)
    grads_t = {k: p.grad for k, p in theirs.named_parameters()}
    names = [k for k, _ in ours.named_parameters()]
    assert names == list(grads_t)
    for k, p in ours.named_parameters():
        assert p.grad.dtype == dtype
        np.testing.assert_allclose(p.grad.numpy(), grads_t[k].numpy(), atol=atol, rtol=atol, err_msg=k)


@pytest.mark.parametrize("builder", [lenet, mlp], ids=["lenet", "mlp"])
def test_training_steps_follow_torch(builder):
    torch, ours, theirs = _pair(builder, np.float64)
    opt_o = optim.SGD(ours.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    x, y = _batch(np.float64, n=16)
    for step in range(4):
        xb, yb = x[step * 4:(step + 1) * 4], y[step * 4:(step + 1) * 4]
        opt_o.zero_grad()
        opt_t.zero_grad()
        loss_o = F.cross_entropy(ours(Tensor(xb)), Tensor(yb))
        loss_t = torch.nn.functional.cross_entropy(theirs(torch.tensor(xb)), torch.tensor(yb))
        np.testing.assert_allclose(loss_o.item(), loss_t.item(), atol=ATOL, rtol=ATOL)
        loss_o.backward()
        loss_t.backward()
        opt_o.step()
        opt_t.step()
    state_t = theirs.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.numpy(), state_t[k].numpy(), atol=ATOL, rtol=ATOL, err_msg=k)


@pytest.mark.parametrize("builder", [lenet, mlp], ids=["lenet", "mlp"])
def test_models_directional_derivatives_match_finite_differences(builder):
    """Whole-model gradients (input and every parameter at once) against central differences along random
    directions: <grad, v> == (L(theta + eps v) - L(theta - eps v)) / (2 eps), in float64."""
    ag.manual_seed(0)
    model = builder(nn, F).double()
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((3, 1, 28, 28)), requires_grad=True)
    y = Tensor(np.array([1, 7, 3]))
    leaves = [x] + list(model.parameters())
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    grads = [t.grad.numpy().copy() for t in leaves]
    eps = 1e-6
    for _ in range(3):
        dirs = [rng.standard_normal(t.shape) for t in leaves]
        analytical = sum(float((g * d).sum()) for g, d in zip(grads, dirs))
        values = []
        for sign in (1, -1):
            with ag.no_grad():
                for t, d in zip(leaves, dirs):
                    t.numpy()[...] += sign * eps * d
                values.append(F.cross_entropy(model(x), y).item())
                for t, d in zip(leaves, dirs):
                    t.numpy()[...] -= sign * eps * d
        numerical = (values[0] - values[1]) / (2 * eps)
        assert analytical == pytest.approx(numerical, rel=1e-5, abs=1e-7)
