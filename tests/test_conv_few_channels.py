"""ops/conv_few_channels.py: convolutions with fewer than 8 input channels, chunk by chunk on the team, against the
im2col path (the oracle), against PyTorch, and through gradcheck."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core.kernels import team
from autograd_core.ops import conv_few_channels
from autograd_core.ops.conv import conv2d

# (x shape, out channels, kernel, stride, padding, dilation)
CASES = [((5, 1, 28, 28), 8, 5, 1, 2, 1), ((3, 3, 9, 11), 4, 3, 2, 1, 1), ((4, 2, 10, 7), 6, (3, 2), (1, 2), (2, 0), 1),
         ((2, 7, 8, 8), 5, 3, 1, 0, 2), ((1, 1, 6, 6), 3, 1, 1, 0, 1), ((6, 3, 5, 5), 2, 5, 1, 0, 1)]


def _run(x, w, b, g, stride, padding, dilation):
    X, W, B = (ag.Tensor(a, requires_grad=True) for a in (x, w, b))
    y = conv2d(X, W, B, stride=stride, padding=padding, dilation=dilation)
    y.backward(ag.Tensor(g(y.shape)))
    return y.numpy(), X.grad.numpy(), W.grad.numpy(), B.grad.numpy()


@pytest.mark.parametrize("shape,k,kernel,stride,padding,dilation", CASES)
@pytest.mark.parametrize("threads,chunk_bytes", [(1, 1), (2, 1), (2, conv_few_channels.CHUNK_BYTES)])
def test_matches_the_im2col_path(monkeypatch, shape, k, kernel, stride, padding, dilation, threads, chunk_bytes):
    """Output, input, weight and bias gradients equal the im2col path's (float64, up to the GEMMs' order of sums),
    with one sample per chunk or the default chunks, on one or two threads."""
    monkeypatch.setattr(team, "threads", lambda: threads)
    monkeypatch.setattr(conv_few_channels, "CHUNK_BYTES", chunk_bytes)
    rng = np.random.default_rng(0)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x = rng.standard_normal(shape)
    w = rng.standard_normal((k, shape[1], kh, kw))
    b = rng.standard_normal(k)
    gs = {}

    def g(s):
        return gs.setdefault(s, rng.standard_normal(s))

    fast = _run(x, w, b, g, stride, padding, dilation)
    monkeypatch.setattr(conv_few_channels, "ENABLED", False)
    plain = _run(x, w, b, g, stride, padding, dilation)
    for a, e in zip(fast, plain):
        assert a.shape == e.shape
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


def test_the_path_is_taken_only_below_8_channels_and_for_one_group():
    from autograd_core.ops.conv import ConvGeometry
    geom = ConvGeometry((5, 5), (1, 1), (2, 2))
    assert conv_few_channels.applies(geom, (4, 1, 28, 28)) and conv_few_channels.applies(geom, (4, 7, 28, 28))
    assert not conv_few_channels.applies(geom, (4, 8, 28, 28))
    assert not conv_few_channels.applies(geom, (0, 1, 28, 28))          # an empty batch: the general path
    assert not conv_few_channels.applies(ConvGeometry((5, 5), groups=2), (4, 2, 28, 28))
    assert not conv_few_channels.applies(ConvGeometry((3, 3, 3)), (4, 1, 8, 8, 8))


def test_float32_matches_float64_and_keeps_its_dtype():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((8, 3, 16, 16)), rng.standard_normal((16, 3, 5, 5)) * 0.2, rng.standard_normal(16)
    g = rng.standard_normal((8, 16, 16, 16))
    out64 = _run(x, w, b, lambda s: g, 1, 2, 1)
    out32 = _run(*(a.astype(np.float32) for a in (x, w, b)), lambda s: g.astype(np.float32), 1, 2, 1)
    for a, e in zip(out32, out64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=2e-3)


def test_weight_gradient_is_deterministic_whichever_thread_does_which_chunk(monkeypatch):
    monkeypatch.setattr(conv_few_channels, "CHUNK_BYTES", 1)
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal((12, 3, 9, 9)), rng.standard_normal((12, 4, 9, 9))
    from autograd_core.ops.conv import ConvGeometry
    geom = ConvGeometry((3, 3), (1, 1), (1, 1))
    runs = []
    for threads in (2, 2, 2, 1):
        monkeypatch.setattr(team, "threads", lambda threads=threads: threads)
        runs.append(conv_few_channels.weight_grad(x, g, geom, need_bias=True))
    for dw, db in runs[1:]:
        np.testing.assert_array_equal(dw, runs[0][0])
        np.testing.assert_array_equal(db, runs[0][1])


def test_gradcheck_and_second_order():
    rng = np.random.default_rng(3)
    x = ag.Tensor(rng.standard_normal((2, 2, 6, 5)), requires_grad=True)
    w = ag.Tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    b = ag.Tensor(rng.standard_normal(3), requires_grad=True)
    assert ag.autograd.gradcheck(lambda x, w, b: conv2d(x, w, b, stride=(2, 1), padding=1), (x, w, b))
    assert ag.autograd.gradgradcheck(lambda x, w, b: conv2d(x, w, b, padding=1), (x, w, b))


def test_only_the_gradients_asked_for():
    rng = np.random.default_rng(4)
    x = ag.Tensor(rng.standard_normal((3, 1, 8, 8)))
    w = ag.Tensor(rng.standard_normal((4, 1, 3, 3)), requires_grad=True)
    conv2d(x, w, padding=1).sum().backward()
    assert x.grad is None and w.grad.shape == (4, 1, 3, 3)
    x.requires_grad_()
    w.requires_grad_(False)
    w.grad = None
    conv2d(x, w, padding=1).sum().backward()
    assert x.grad.shape == (3, 1, 8, 8) and w.grad is None


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((16, 1, 28, 28)).astype(np.float32)
    w = (rng.standard_normal((32, 1, 5, 5)) * 0.2).astype(np.float32)
    b = rng.standard_normal(32).astype(np.float32)
    g = rng.standard_normal((16, 32, 28, 28)).astype(np.float32)
    ours = _run(x, w, b, lambda s: g, 1, 2, 1)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.conv2d(tx, tw, tb, padding=2).backward(torch.from_numpy(g))
    ty = torch.nn.functional.conv2d(tx, tw, tb, padding=2).detach().numpy()
    for a, e in zip(ours, (ty, tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy())):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-3)
