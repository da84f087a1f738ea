"""nn.models.zoo: perceptron rule, RBF layers, autoencoders (plain, sparse, denoising) and the VAE."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core.data import DataLoader, TensorDataset, make_blobs, make_moons
from nn.models.zoo import RBF, VAE, AutoEncoder, Perceptron, RBFNetwork, corrupt, elbo_loss, train_autoencoder


def _images(n=64, seed=0):
    """Tiny 'images' in [0, 1]: two prototypes plus noise, so autoencoders have something to learn."""
    rng = np.random.default_rng(seed)
    protos = rng.random((2, 16)).round()
    x = protos[rng.integers(0, 2, n)] * 0.8 + 0.1 + 0.05 * rng.standard_normal((n, 16))
    return np.clip(x, 0, 1).astype(np.float32)


# ---------------------------------------------------------------------------------------------- perceptron
def test_perceptron_rule_separates_separable_data():
    X, y = make_blobs(100, centers=[[-2, -2], [2, 2]], cluster_std=0.5, seed=0)
    p = Perceptron(2)
    mistakes = p.learning_rule(X, y, epochs=50)
    assert mistakes[-1] == 0 and len(mistakes) < 50
    assert np.array_equal(p.predict(X).numpy(), y)
    assert p(ag.tensor(X)).shape == (100,)


def test_perceptron_rule_is_the_textbook_update():
    p = Perceptron(2)
    with ag.no_grad():
        p.linear.weight.copy_(ag.tensor([[0.0, 0.0]]))
        p.linear.bias.copy_(ag.tensor([0.0]))
    # one positive sample, predicted 0 (score 0 is not > 0): w += x, b += 1
    p.learning_rule(np.array([[1.0, 2.0]]), np.array([1]), epochs=1)
    np.testing.assert_allclose(p.linear.weight.numpy(), [[1.0, 2.0]])
    np.testing.assert_allclose(p.linear.bias.numpy(), [1.0])


# ---------------------------------------------------------------------------------------------- RBF
def test_rbf_forward_matches_formula_and_gradchecks():
    rbf = RBF(3, 4, gamma=0.5)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    c, g = rbf.centers.numpy(), np.exp(rbf.log_gamma.numpy())
    ref = np.exp(-g * ((x[:, None, :] - c[None]) ** 2).sum(-1))
    np.testing.assert_allclose(rbf(ag.tensor(x)).numpy(), ref, rtol=1e-5)
    xd = ag.tensor(x.astype(np.float64), requires_grad=True)
    cd = ag.tensor(c.astype(np.float64), requires_grad=True)
    lg = ag.tensor(rbf.log_gamma.numpy().astype(np.float64), requires_grad=True)
    ag.gradcheck(lambda a, b, lw: (-((a.unsqueeze(1) - b) ** 2).sum(-1) * lw.exp()).exp(), (xd, cd, lg))


def test_rbf_init_centers_and_frozen_parameters():
    X, _ = make_moons(50, seed=0)
    rbf = RBF(2, 10, learn_centers=False, learn_widths=False).init_centers(X, seed=1)
    rows = {tuple(r) for r in X.round(6)}
    assert all(tuple(r) in rows for r in rbf.centers.numpy().round(6))
    assert [n for n, p in rbf.named_parameters() if p.requires_grad] == []
    with pytest.raises(ValueError):
        RBF(2, 100).init_centers(X)


def test_rbf_network_learns_moons():
    ag.manual_seed(0)
    X, y = make_moons(200, noise=0.1, seed=0)
    net = RBFNetwork(2, 16, 2, gamma=2.0)
    net.rbf.init_centers(X)
    opt = optim.Adam(net.parameters(), lr=0.05)
    for _ in range(150):
        opt.zero_grad()
        loss = F.cross_entropy(net(ag.tensor(X)), ag.tensor(y))
        loss.backward()
        opt.step()
    assert (net(ag.tensor(X)).numpy().argmax(1) == y).mean() > 0.95


# ---------------------------------------------------------------------------------------------- autoencoders
def test_autoencoder_shapes_and_loss_parts():
    ae = AutoEncoder(16, hidden=(8,), latent=3, sparsity=0.5, code_activation="relu")
    x = ag.tensor(_images(10))
    assert ae.encode(x).shape == (10, 3) and ae(x).shape == (10, 16)
    assert ae(x).numpy().min() >= 0 and ae(x).numpy().max() <= 1
    out = ae.loss(x)
    recon = F.binary_cross_entropy_with_logits(ae.decoder(ae.encode(x)), x, reduction="sum").item() / 10
    l1 = np.abs(ae.encode(x).numpy()).sum(1).mean()
    assert out["recon"] == pytest.approx(recon, rel=1e-5)
    assert out["l1"] == pytest.approx(l1, rel=1e-5)
    assert out["loss"].item() == pytest.approx(recon + 0.5 * l1, rel=1e-5)
    assert AutoEncoder(16, 8, 3, recon="mse").loss(x)["loss"].item() > 0
    with pytest.raises(ValueError):
        AutoEncoder(16, recon="hinge")


def test_autoencoder_training_reduces_loss_and_sparsity_shrinks_codes():
    ag.manual_seed(0)
    loader = DataLoader(TensorDataset(_images(128)), batch_size=32, shuffle=True, seed=0)
    plain = AutoEncoder(16, (16,), 4, code_activation="relu")
    sparse = AutoEncoder(16, (16,), 4, code_activation="relu", sparsity=2.0)
    h_plain = train_autoencoder(plain, loader, optim.Adam(plain.parameters(), lr=1e-2), epochs=15)
    h_sparse = train_autoencoder(sparse, loader, optim.Adam(sparse.parameters(), lr=1e-2), epochs=15)
    assert h_plain["loss"][-1] < 0.8 * h_plain["loss"][0]
    assert h_sparse["l1"][-1] < h_plain["l1"][-1]
    assert h_plain.epoch == list(range(1, 16))


def test_denoising_training_uses_clean_targets():
    seen = []

    class Spy(AutoEncoder):
        def loss(self, x, target=None):
            seen.append((x.numpy().copy(), target.numpy().copy()))
            return super().loss(x, target)

    ae = Spy(16, 8, 3)
    data = _images(8)
    train_autoencoder(ae, DataLoader(TensorDataset(data), batch_size=8), optim.SGD(ae.parameters(), lr=0.1),
                      corrupt_fn=lambda x: corrupt(x, "mask", 0.5, generator=np.random.default_rng(0)))
    noisy, clean = seen[0]
    np.testing.assert_array_equal(clean, data)
    assert (noisy == 0).mean() > 0.3 and not np.array_equal(noisy, clean)


def test_train_autoencoder_is_the_hand_written_loop():
    """train_autoencoder runs through nn.training.fit: same updates, same epoch means as the plain loop."""
    data = _images(40)
    noisy = lambda x: corrupt(x, "gaussian", 0.2)                            # noqa: E731
    runs = []
    for use_fit in (True, False):
        ag.manual_seed(0)
        vae = VAE(16, hidden=(8,), latent=2)
        opt = optim.Adam(vae.parameters(), lr=1e-2)
        loader = DataLoader(TensorDataset(data), batch_size=16, shuffle=True)   # the library-wide generator
        if use_fit:
            h = train_autoencoder(vae, loader, opt, epochs=2, corrupt_fn=noisy)
            means = [h["loss"], h["kl"]]
        else:
            means = [[], []]
            for _ in range(2):
                sums, n = np.zeros(2), 0
                for (x,) in loader:
                    out = vae.loss(noisy(x), x)
                    opt.zero_grad()
                    out["loss"].backward()
                    opt.step()
                    sums += x.shape[0] * np.array([out["loss"].item(), out["kl"]])
                    n += x.shape[0]
                means[0].append(sums[0] / n)
                means[1].append(sums[1] / n)
        runs.append((means, [p.numpy().copy() for p in vae.parameters()]))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-12)
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_corrupt_kinds():
    x = np.full((1000,), 0.5, np.float32)
    g = corrupt(x, "gaussian", 0.1, generator=np.random.default_rng(0)).numpy()
    assert g.dtype == np.float32 and abs(g.std() - 0.1) < 0.01 and g.min() >= 0
    m = corrupt(x, "mask", 0.25, generator=np.random.default_rng(0)).numpy()
    assert abs((m == 0).mean() - 0.25) < 0.05 and set(np.unique(m)) <= {0.0, 0.5}
    with pytest.raises(ValueError):
        corrupt(x, "blur")


# ---------------------------------------------------------------------------------------------- VAE
def test_elbo_kl_closed_form_and_gradcheck():
    rng = np.random.default_rng(0)
    mu, logvar = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    logits, target = rng.standard_normal((4, 6)), rng.random((4, 6))
    loss, recon, kl = elbo_loss(ag.tensor(logits), ag.tensor(target), ag.tensor(mu), ag.tensor(logvar), beta=2.0)
    var = np.exp(logvar)
    kl_ref = (0.5 * (var + mu ** 2 - 1 - logvar).sum(1)).mean()   # KL(N(mu, var) || N(0, 1))
    assert kl.item() == pytest.approx(kl_ref, rel=1e-6)
    assert loss.item() == pytest.approx(recon.item() + 2.0 * kl_ref, rel=1e-6)
    t = ag.tensor(target)
    inputs = tuple(ag.tensor(a, requires_grad=True) for a in (logits, mu, logvar))
    ag.gradcheck(lambda lg, m, lv: elbo_loss(lg, t, m, lv)[0], inputs)


def test_vae_reparameterization_is_differentiable_and_eval_uses_mean():
    ag.manual_seed(0)
    vae = VAE(16, hidden=(8,), latent=2)
    x = ag.tensor(_images(6))
    mu, logvar = vae.encode(x)
    z = vae.reparameterize(mu, logvar)
    z.sum().backward()
    assert vae.mu.weight.grad is not None and vae.logvar.weight.grad is not None
    vae.eval()
    np.testing.assert_allclose(vae.reparameterize(mu, logvar).numpy(), mu.numpy())
    np.testing.assert_allclose(vae(x).numpy(), vae.decode(mu).numpy(), rtol=1e-6)
    assert vae.sample(5, generator=np.random.default_rng(0)).shape == (5, 16)


def test_vae_training_improves_elbo():
    ag.manual_seed(0)
    loader = DataLoader(TensorDataset(_images(128)), batch_size=32, shuffle=True, seed=0)
    vae = VAE(16, hidden=(16,), latent=2)
    h = train_autoencoder(vae, loader, optim.Adam(vae.parameters(), lr=1e-2), epochs=15, val_loader=loader)
    assert set(h.keys()) >= {"loss", "recon", "kl", "val_loss", "val_kl"}
    assert h["loss"][-1] < 0.8 * h["loss"][0]
    assert vae.training


def test_zoo_models_are_modules_with_stable_reprs():
    for m in (Perceptron(2), RBFNetwork(2, 3, 2), AutoEncoder(4, 3, 2), VAE(4, 3, 2)):
        assert isinstance(m, nn.Module)
        assert "0x" not in repr(m)
