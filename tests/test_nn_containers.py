"""Containers, lazy modules and embeddings against PyTorch: Sequential/ModuleList/ModuleDict/ParameterList/
ParameterDict behaviour, names, reprs and state_dict keys; LazyLinear's inference and UninitializedParameter;
Embedding (max_norm, from_pretrained) and EmbeddingBag / F.embedding_bag in every mode (outputs and gradients in
float32 and float64, gradchecks); Identity, Flatten/Unflatten and Bilinear."""
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor
from parity import check_module, gradcheck_module


def _both(build):
    torch = pytest.importorskip("torch")
    return torch, build(nn), build(torch.nn)


def _same_structure(ours, theirs):
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


# ---------------------------------------------------------------------- Sequential
def test_sequential_indexing_slicing_and_editing_follow_torch():
    torch = pytest.importorskip("torch")

    def ops(m):
        s = m.Sequential(m.Linear(2, 3), m.ReLU(), m.Linear(3, 4), m.Tanh())
        out = [repr(s[1:]), type(s[1:]).__name__, repr(s[-1]), repr(s[::2])]
        s[1] = m.Sigmoid()
        s.append(m.Linear(4, 1))
        s.insert(1, m.Dropout(0.1))
        s.insert(-1, m.GELU())
        s.extend([m.ReLU(), m.Identity()])
        out.append(repr(s))
        popped = s.pop(2)
        del s[0]
        del s[1:3]
        out += [repr(popped), repr(s), len(s), list(s.state_dict())]
        return out
    assert ops(nn) == ops(torch.nn)


def test_sequential_from_ordereddict_arithmetic_and_errors():
    torch = pytest.importorskip("torch")

    def ops(m):
        s = m.Sequential(OrderedDict([("fc", m.Linear(2, 2)), ("act", m.ReLU())]))
        out = [repr(s), list(s.state_dict())]
        t = s + m.Sequential(m.Tanh())
        out += [repr(t), repr(s * 2), repr(2 * s)]
        s += m.Sequential(m.Sigmoid())
        out.append(repr(s))
        del s[0]          # PyTorch renumbers the remaining children
        out.append(repr(s))
        u = m.Sequential(m.ReLU())
        u *= 3
        out.append(repr(u))
        return out
    assert ops(nn) == ops(torch.nn)
    s = nn.Sequential(nn.ReLU())
    with pytest.raises(IndexError):
        s[1]
    with pytest.raises(ValueError, match="only objects of Sequential"):
        s + nn.ReLU()
    with pytest.raises(ValueError, match="Non-positive"):
        s * 0
    with pytest.raises(TypeError):
        s * 1.5
    with pytest.raises(IndexError, match="Index out of range"):
        s.insert(5, nn.ReLU())
    with pytest.raises(AssertionError):
        s.insert(0, "relu")


def test_sequential_forward_matches_torch():
    pytest.importorskip("torch")
    check_module(lambda m: m.Sequential(OrderedDict([("a", m.Linear(3, 4)), ("b", m.Tanh())]))[0:2], [(2, 3)],
                 modes=(True,))


# ---------------------------------------------------------------------- ModuleList / ModuleDict
def test_module_list_follows_torch():
    torch = pytest.importorskip("torch")

    def ops(m):
        ml = m.ModuleList([m.Linear(2, 2) for _ in range(3)] + [m.ReLU()])
        out = [repr(ml), repr(ml[1:3]), type(ml[1:]).__name__, repr(ml[-1])]
        ml.append(m.Tanh())
        ml.extend([m.Linear(2, 2)])
        ml.insert(1, m.Sigmoid())
        ml[0] = m.GELU()
        out.append(repr(ml))
        out.append(repr(ml.pop(2)))
        del ml[0]
        del ml[::2]
        ml += [m.ReLU(), m.ReLU()]
        out += [repr(ml), repr(ml + m.ModuleList([m.Identity()])), list(ml.state_dict()), len(ml)]
        return out
    assert ops(nn) == ops(torch.nn)
    ml = nn.ModuleList([nn.ReLU()])
    with pytest.raises(IndexError):
        ml[3] = nn.ReLU()
    with pytest.raises(TypeError, match="iterable"):
        ml.extend(nn.ReLU())
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_module_dict_follows_torch():
    torch = pytest.importorskip("torch")

    def ops(m):
        md = m.ModuleDict({"b": m.Linear(2, 2), "a": m.ReLU()})
        md.update([("c", m.Tanh())])
        md["d"] = m.Linear(2, 1)
        out = [repr(md), list(md.keys()), list(md.state_dict()), "a" in md]
        out.append(repr(md.pop("b")))
        out += [repr(md), len(md)]
        md.clear()
        out.append(len(md))
        return out
    assert ops(nn) == ops(torch.nn)
    md = nn.ModuleDict()
    with pytest.raises(ValueError, match="has length 3"):
        md.update([("a", nn.ReLU(), 1)])
    with pytest.raises(TypeError, match="iterable"):
        md.update(3)


# ---------------------------------------------------------------------- ParameterList / ParameterDict
def test_parameter_list_follows_torch():
    torch = pytest.importorskip("torch")

    def ops(m, lib):
        pl = m.ParameterList([m.Parameter(lib.ones(2, 3)), lib.zeros(4)])
        pl.append(m.Parameter(lib.ones(1)))
        pl.extend([lib.ones(2, 2)])
        pl[0] = m.Parameter(lib.zeros(3, 3))
        out = [repr(pl), len(pl), list(pl.state_dict()), [tuple(p.shape) for p in pl],
               [type(p).__name__ for p in pl], [tuple(p.shape) for p in pl[1:3]]]
        holder = m.Module()
        holder.params = pl
        out.append([n for n, _ in holder.named_parameters()])
        return out
    assert ops(nn, ag) == ops(torch.nn, torch)
    pl = nn.ParameterList([nn.Parameter(ag.ones(1))])
    with pytest.raises(RuntimeError, match="should not be called"):
        pl(1)
    with pytest.raises(TypeError, match="iterable"):
        pl.extend(ag.ones(2))
    with pytest.raises(IndexError):
        pl[2]
    pl.append("not a tensor")
    assert pl[1] == "not a tensor" and "Object of type: str" in repr(pl)


def test_parameter_dict_follows_torch():
    torch = pytest.importorskip("torch")

    def ops(m, lib):
        pd = m.ParameterDict({"b": m.Parameter(lib.ones(2)), "a": lib.zeros(3, 1)})   # dict: sorted keys
        pd["c"] = m.Parameter(lib.ones(1, dtype=lib.float64))
        pd.update(OrderedDict([("z", lib.ones(2)), ("y", lib.ones(2))]))
        out = [repr(pd), list(pd.keys()), list(pd.state_dict()), "a" in pd, len(pd)]
        out.append(tuple(pd.pop("a").shape))
        k, v = pd.popitem()
        out += [k, tuple(v.shape), tuple(pd.get("zz", lib.ones(5)).shape), list(pd.setdefault("q", None) or [])]
        out += [list((pd | m.ParameterDict({"n": lib.ones(1)})).keys()), list(reversed(pd)), list(pd.copy().keys())]
        pd.clear()
        out.append(len(pd))
        return out
    assert ops(nn, ag) == ops(torch.nn, torch)
    with pytest.raises(TypeError, match="not a string"):
        nn.ParameterDict()[1] = ag.ones(1)


def test_parameter_containers_train_with_a_model():
    torch = pytest.importorskip("torch")

    def build(m, lib):
        class Model(m.Module):
            def __init__(self):
                super().__init__()
                self.ws = m.ParameterList([m.Parameter(lib.randn(3, 3, dtype=lib.float64)) for _ in range(2)])
                self.bs = m.ParameterDict({"x": m.Parameter(lib.randn(3, dtype=lib.float64))})

            def forward(self, x):
                for w in self.ws:
                    x = x @ w
                return x + self.bs["x"]
        return Model()
    torch.manual_seed(0)
    theirs = build(torch.nn, torch)
    ours = build(nn, ag)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3))
    yo, yt = ours(Tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=1e-12)
    yo.sum().backward()
    yt.sum().backward()
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12, err_msg=n)


# ---------------------------------------------------------------------- lazy modules
def test_lazy_linear_infers_in_features_and_becomes_linear():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.LazyLinear(4), torch.nn.LazyLinear(4)
    assert repr(ours) == repr(theirs)
    assert isinstance(ours.weight, nn.UninitializedParameter) and ours.has_uninitialized_params()
    assert list(ours.state_dict()) == ["weight", "bias"]
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        ours.weight.shape
    with pytest.raises(ValueError, match="uninitialized parameter"):
        ours.weight.numel()
    y = ours(ag.randn(2, 3, 7))
    assert y.shape == (2, 3, 4) and type(ours) is nn.Linear and ours.in_features == 7
    assert type(ours.weight) is nn.Parameter and ours.weight.shape == (4, 7)
    theirs(torch.randn(2, 3, 7))
    assert repr(ours) == repr(theirs)
    bound = 1 / np.sqrt(7)
    assert np.abs(ours.weight.numpy()).max() <= bound and np.abs(ours.bias.numpy()).max() <= bound


def test_lazy_linear_dtype_state_dict_and_no_bias():
    m = nn.Sequential(nn.LazyLinear(3, bias=False), nn.ReLU()).double()
    assert list(m.state_dict()) == ["0.weight"]
    y = m(ag.randn(2, 5, dtype=ag.float64))
    assert y.dtype == np.float64 and m[0].weight.dtype == np.float64 and m[0].bias is None
    lazy = nn.LazyLinear(3, bias=False)
    lazy.load_state_dict(m[0].state_dict())
    assert lazy.weight.shape == (3, 5) and lazy.in_features == 5
    np.testing.assert_allclose(lazy(ag.randn(1, 5)).shape, (1, 3))
    assert type(lazy) is nn.Linear


def test_lazy_linear_matches_torch_after_loading_its_weights():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.LazyLinear(3), torch.nn.Tanh()).double()
    x = np.random.default_rng(0).standard_normal((4, 6))
    theirs(torch.tensor(x))
    ours = nn.Sequential(nn.LazyLinear(3), nn.Tanh()).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


# ---------------------------------------------------------------------- linear family
LINEAR = [
    ("identity", lambda m: m.Identity(54, unused=0.1), [(2, 3)]),
    ("unflatten", lambda m: m.Unflatten(1, (2, 3)), [(4, 6, 2)]),
    ("unflatten_neg", lambda m: m.Unflatten(-1, (2, -1)), [(3, 8)]),
    ("flatten", lambda m: m.Flatten(1, 2), [(2, 3, 4, 2)]),
    ("bilinear", lambda m: m.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("bilinear_nobias_3d", lambda m: m.Bilinear(2, 3, 4, bias=False), [(2, 5, 2), (2, 5, 3)]),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,factory,specs", LINEAR, ids=[c[0] for c in LINEAR])
def test_linear_family_matches_torch(name, factory, specs, dtype):
    pytest.importorskip("torch")
    check_module(factory, specs, dtype, modes=(True,))


@pytest.mark.parametrize("name,factory,specs", LINEAR, ids=[c[0] for c in LINEAR])
def test_linear_family_gradcheck(name, factory, specs):
    gradcheck_module(factory(nn), specs)


# ---------------------------------------------------------------------- embeddings
def test_embedding_from_pretrained_follows_torch():
    torch = pytest.importorskip("torch")
    w = np.arange(12.0).reshape(4, 3)
    ours = nn.Embedding.from_pretrained(Tensor(w.copy()), padding_idx=1)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w.copy()), padding_idx=1)
    assert repr(ours) == repr(theirs) and not ours.weight.requires_grad
    np.testing.assert_array_equal(ours.weight.numpy(), theirs.weight.numpy())   # padding row kept as given
    src = Tensor(w.copy())
    shared = nn.Embedding.from_pretrained(src, freeze=False, max_norm=1.0)
    shared(ag.tensor([0, 2]))                                                   # renormalizes in place...
    assert np.allclose(np.linalg.norm(src.numpy()[[0, 2]], axis=1), 1.0, atol=1e-6)   # ...the shared tensor
    assert shared.weight.requires_grad
    idx = np.array([[0, 1], [3, 1]])
    e = nn.Embedding.from_pretrained(Tensor(w.copy()), freeze=False, padding_idx=1)
    e(Tensor(idx)).sum().backward()
    assert not e.weight.grad.numpy()[1].any()
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(ag.ones(3))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(AssertionError, match="Shape of weight"):
        nn.Embedding(3, 2, _weight=ag.ones(2, 2))


def test_embedding_max_norm_matches_torch():
    torch = pytest.importorskip("torch")
    for norm_type in (2.0, 1.0, 3.0):
        check_module(lambda m: m.Embedding(6, 4, max_norm=1.5, norm_type=norm_type),
                     [np.array([[0, 2, 2], [5, 1, 0]])], modes=(True,))
    assert torch  # the check above compares the renormalized weights (the state_dict) too


BAGS = [
    ("mean_2d", lambda m: m.EmbeddingBag(7, 3), [np.array([[1, 2, 4], [4, 3, 0]])], None),
    ("sum_offsets", lambda m: m.EmbeddingBag(7, 3, mode="sum"), [np.array([1, 2, 4, 5, 4, 3, 2, 6])],
     np.array([0, 3, 3, 6])),
    ("max_offsets", lambda m: m.EmbeddingBag(7, 3, mode="max"), [np.array([1, 2, 4, 5, 4, 3, 2, 6])],
     np.array([0, 2, 5])),
    ("mean_padding", lambda m: m.EmbeddingBag(7, 3, padding_idx=2), [np.array([1, 2, 2, 5, 2, 3])],
     np.array([0, 1, 4, 5])),
    ("max_padding", lambda m: m.EmbeddingBag(7, 3, mode="max", padding_idx=-1), [np.array([[6, 6], [1, 6]])], None),
    ("sum_last_offset", lambda m: m.EmbeddingBag(7, 2, mode="sum", include_last_offset=True),
     [np.array([1, 2, 4, 5, 4])], np.array([0, 2, 2, 5])),
    ("mean_max_norm", lambda m: m.EmbeddingBag(7, 3, max_norm=1.0), [np.array([[1, 2], [2, 3]])], None),
    ("sum_freq_unique_counts", lambda m: m.EmbeddingBag(7, 3, mode="sum", scale_grad_by_freq=True),
     [np.array([5, 1, 3, 5])], np.array([0, 2])),    # repeats only at the largest index: see the test below
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,factory,specs,offsets", BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag_matches_torch(name, factory, specs, offsets, dtype):
    torch = pytest.importorskip("torch")
    call = None
    if offsets is not None:
        def call(m, x):
            lib = torch if isinstance(x, torch.Tensor) else ag
            return m(x, lib.tensor(offsets))
    check_module(factory, specs, dtype, modes=(True,), call=call)


def test_embedding_bag_per_sample_weights_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w, psw = rng.standard_normal((6, 3)), rng.standard_normal(7)
    idx, offsets = np.array([1, 0, 4, 4, 2, 5, 0]), np.array([0, 3, 3])
    for pad in (None, 4):
        wo, po = Tensor(w.copy(), requires_grad=True), Tensor(psw.copy(), requires_grad=True)
        wt, pt = torch.tensor(w.copy(), requires_grad=True), torch.tensor(psw.copy(), requires_grad=True)
        yo = F.embedding_bag(Tensor(idx), wo, Tensor(offsets), mode="sum", per_sample_weights=po, padding_idx=pad)
        yt = torch.nn.functional.embedding_bag(torch.tensor(idx), wt, torch.tensor(offsets), mode="sum",
                                               per_sample_weights=pt, padding_idx=pad)
        np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=1e-12)
        g = rng.standard_normal(yo.shape)
        yo.backward(Tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(wo.grad.numpy(), wt.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(po.grad.numpy(), pt.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert ag.gradcheck(lambda a, b: F.embedding_bag(Tensor(idx), a, Tensor(offsets), mode="sum",
                                                     per_sample_weights=b),
                        (Tensor(w, requires_grad=True), Tensor(psw, requires_grad=True)))
    assert ag.gradgradcheck(lambda a, b: F.embedding_bag(Tensor(idx), a, Tensor(offsets), mode="sum",
                                                         per_sample_weights=b),
                            (Tensor(w, requires_grad=True), Tensor(psw, requires_grad=True)))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradcheck(mode):
    idx, offsets = Tensor(np.array([1, 2, 4, 5, 4, 3, 2, 6])), Tensor(np.array([0, 3, 3, 6]))
    w = Tensor(np.random.default_rng(1).standard_normal((7, 3)), requires_grad=True)
    assert ag.gradcheck(lambda t: F.embedding_bag(idx, t, offsets, mode=mode, padding_idx=2), (w,))
    gradcheck_module(nn.EmbeddingBag(7, 3, mode=mode), [np.array([[1, 2, 4], [6, 3, 0]])])


def test_embedding_bag_documented_semantics_where_torch_cpu_deviates():
    """Two PyTorch 2.13 CPU quirks we don't copy: scale_grad_by_freq reads the wrong count for an index sorting
    after a repeated one (pytorch/pytorch#190063), and include_last_offset folds indices after the last offset
    into the last bag. Here: each index's own frequency, and the last offset ends the last bag."""
    w = Tensor(np.ones((4, 2)), requires_grad=True)
    F.embedding_bag(ag.tensor([1, 1, 3]), w, ag.tensor([0]), mode="sum", scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy()[:, 0], [0.0, 1.0, 0.0, 1.0])
    w = Tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    y = F.embedding_bag(ag.tensor([0, 1, 2, 3]), w, ag.tensor([0, 1, 2]), mode="sum", include_last_offset=True)
    np.testing.assert_allclose(y.numpy(), [[0.0, 1.0], [2.0, 3.0]])
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy()[:, 0], [1.0, 1.0, 0.0, 0.0])


def test_embedding_bag_repr_errors_and_from_pretrained():
    torch = pytest.importorskip("torch")
    for build in (lambda m: m.EmbeddingBag(6, 2), lambda m: m.EmbeddingBag(6, 2, mode="max", padding_idx=1,
                                                                           max_norm=1.0, norm_type=1.0,
                                                                           scale_grad_by_freq=False)):
        assert repr(build(nn)) == repr(build(torch.nn))
    assert not nn.EmbeddingBag(4, 2, padding_idx=-1).weight.numpy()[3].any()
    bag = nn.EmbeddingBag.from_pretrained(ag.ones(3, 2), mode="sum")
    assert not bag.weight.requires_grad and bag(ag.tensor([[0, 1]])).numpy().tolist() == [[2.0, 2.0]]
    w = ag.randn(6, 2)
    with pytest.raises(RuntimeError, match=r"offsets\[0\] has to be 0"):
        F.embedding_bag(ag.tensor([1, 2, 3]), w, ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="can not be greater than input's length"):
        F.embedding_bag(ag.tensor([1, 2, 3]), w, ag.tensor([0, 5]))
    with pytest.raises(ValueError, match="offsets has to be None"):
        F.embedding_bag(ag.tensor([[1, 2]]), w, ag.tensor([0]))
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(ag.tensor([1, 2]), w)
    with pytest.raises(ValueError, match="mode has to be one of"):
        F.embedding_bag(ag.tensor([[1, 2]]), w, mode="median")
    with pytest.raises(ValueError, match="max mode does not support scaling"):
        F.embedding_bag(ag.tensor([[1, 2]]), w, mode="max", scale_grad_by_freq=True)
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(ag.tensor([[1, 2]]), w, per_sample_weights=ag.ones(1, 2))
    with pytest.raises(ValueError, match="same shape as the input"):
        F.embedding_bag(ag.tensor([[1, 2]]), w, mode="sum", per_sample_weights=ag.ones(3))
    with pytest.raises(RuntimeError, match="padding_idx must be within"):
        F.embedding_bag(ag.tensor([[1, 2]]), w, padding_idx=6)
    with pytest.raises(RuntimeError, match="out of range"):
        F.embedding_bag(ag.tensor([[1, 7]]), w)
    with pytest.raises(AssertionError, match="padding_idx must be within"):
        nn.EmbeddingBag(3, 2, padding_idx=-4)
    empty = F.embedding_bag(ag.tensor(np.zeros(0, dtype=np.int64)), w, ag.tensor([0, 0]))
    assert empty.shape == (2, 2) and not empty.numpy().any()
