"""Constructors and types PyTorch code uses: Tensor(3, 4), legacy FloatTensor..., Size, dtype objects, new_*,
type/type_as, Generator, threads, finfo/iinfo, randint forms, range indexing, where with numbers, multinomial,
bernoulli; compared with PyTorch where installed, and a test for every bad argument."""
import copy
import pickle

import numpy as np
import pytest

import autograd_core as ag


def _torch():
    return pytest.importorskip("torch")


# ---------------------------------------------------------------------- Tensor(...) and the legacy types
def test_tensor_legacy_constructor_shapes():
    assert ag.Tensor(3, 4).shape == (3, 4) and ag.Tensor(3, 4).dtype == ag.float32
    assert ag.Tensor(3).shape == (3,)
    assert ag.Tensor().shape == (0,) and ag.Tensor().dtype == ag.float32
    assert ag.Tensor(ag.Size([2, 5])).shape == (2, 5)
    assert np.array_equal(ag.Tensor(2, 2).numpy(), np.zeros((2, 2)))       # zeros here (torch: uninitialised)
    assert ag.Tensor([1.5, 2.0]).tolist() == [1.5, 2.0] and ag.Tensor([1.5]).dtype == ag.float32
    assert ag.Tensor(np.arange(3)).dtype == ag.int64                         # arrays keep their dtype
    assert ag.Tensor([1, 2]).dtype == ag.float32 and ag.Tensor([[1], [2]]).tolist() == [[1.0], [2.0]]
    torch = _torch()
    for data in ([1, 2], [[1.5], [2]], (True, False)):
        assert str(ag.Tensor(data).dtype).split(".")[-1] == str(torch.Tensor(data).dtype).split(".")[-1]
        assert ag.Tensor(data).tolist() == torch.Tensor(data).tolist()
    for args in ((3, 4), (3,), (), (torch.Size([2, 5]),)):
        assert tuple(ag.Tensor(*[ag.Size(a) if isinstance(a, torch.Size) else a for a in args]).shape) == \
            tuple(torch.Tensor(*args).shape)


def test_tensor_legacy_constructor_errors():
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        ag.Tensor(-1)
    with pytest.raises(RuntimeError, match="negative dimension -2"):
        ag.Tensor(2, -2)
    with pytest.raises(TypeError, match="sizes as ints"):
        ag.Tensor(2, 3.5)
    with pytest.raises(TypeError, match="sizes as ints"):
        ag.Tensor([1], [2])
    with pytest.raises(TypeError):
        ag.Tensor("abc")


LEGACY = [("FloatTensor", "float32"), ("DoubleTensor", "float64"), ("HalfTensor", "float16"),
          ("LongTensor", "int64"), ("IntTensor", "int32"), ("ShortTensor", "int16"), ("CharTensor", "int8"),
          ("ByteTensor", "uint8"), ("BoolTensor", "bool")]


@pytest.mark.parametrize("name,dt", LEGACY)
def test_legacy_types_build_check_and_name(name, dt):
    T = getattr(ag, name)
    x = T([1, 0, 1])
    assert x.dtype == getattr(ag, dt) and isinstance(x, T) and isinstance(x, ag.Tensor)
    assert T(2, 3).shape == (2, 3) and T(2, 3).dtype == getattr(ag, dt)
    assert T().shape == (0,)
    assert x.type() == "autograd_core." + name
    assert not isinstance(x.to(ag.float64 if dt != "float64" else ag.float32), T)
    assert T.dtype == getattr(ag, dt) and repr(T) == f"<class 'autograd_core.{name}'>"
    torch = _torch()
    t = getattr(torch, name)([1, 0, 1])
    assert t.type() == "torch." + name and str(t.dtype) == "torch." + dt
    np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_legacy_types_convert_data_like_torch():
    torch = _torch()
    for name, data in (("LongTensor", [1.7, -2.2]), ("FloatTensor", [1, 2]), ("BoolTensor", [0, 2]),
                       ("FloatTensor", np.array([1, 2]))):
        ours, theirs = getattr(ag, name)(data), getattr(torch, name)(data)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]


def test_legacy_types_errors():
    with pytest.raises(TypeError, match="expected FloatTensor"):
        ag.FloatTensor(ag.tensor([1, 2]))
    x = ag.tensor([1.0])
    assert ag.FloatTensor(x) is x
    with pytest.raises(RuntimeError, match="negative dimension"):
        ag.LongTensor(-3)


def test_type_and_type_as():
    x = ag.zeros(2)
    assert x.type() == "autograd_core.FloatTensor"
    assert x.type(ag.float64).dtype == ag.float64
    assert x.type(ag.LongTensor).dtype == ag.int64
    assert x.type("torch.IntTensor").dtype == ag.int32 and x.type("autograd_core.DoubleTensor").dtype == ag.float64
    assert x.type(ag.float32) is x
    assert x.type_as(ag.tensor([1])).dtype == ag.int64
    with pytest.raises(ValueError, match="invalid type: 'foo'"):
        x.type("foo")
    with pytest.raises(TypeError, match="type_as"):
        x.type_as(np.zeros(2))
    with pytest.raises(TypeError, match="expected a dtype, a tensor type or its name, got float"):
        x.type(3.5)
    torch = _torch()
    with pytest.raises(ValueError, match="invalid type: 'foo'"):
        torch.zeros(2).type("foo")
    for dt in ("long", "bool", "double", "int", "half"):
        assert getattr(x, dt)().type().split(".")[1] == getattr(torch.zeros(2), dt)().type().split(".")[1]


# ---------------------------------------------------------------------- Size
def test_size_is_a_tuple_with_numel():
    s = ag.zeros(2, 3).shape
    assert isinstance(s, ag.Size) and isinstance(s, tuple) and s == (2, 3)
    assert repr(s) == "autograd_core.Size([2, 3])" and s.numel() == 6 and ag.Size([]).numel() == 1
    assert isinstance(ag.zeros(2, 3).size(), ag.Size) and ag.zeros(2, 3).size(1) == 3
    assert isinstance(s[1:], ag.Size) and s[1:] == (3,) and s[0] == 2
    assert isinstance(s + (4,), ag.Size) and isinstance((1,) + s, ag.Size) and (1,) + s == (1, 2, 3)
    assert isinstance(s * 2, ag.Size)
    assert pickle.loads(pickle.dumps(s)) == s and isinstance(copy.deepcopy(s), ag.Size)
    assert ag.Size(np.array([2, 3])) == (2, 3)
    assert ag.zeros(s).shape == (2, 3) and ag.ones(2, 3).view(s).shape == s
    torch = _torch()
    t = torch.Size([2, 3])
    assert repr(t).replace("torch", "autograd_core") == repr(s)
    assert t.numel() == s.numel() and type(t[1:]).__name__ == type(s[1:]).__name__ == "Size"


def test_size_errors():
    with pytest.raises(TypeError, match=r"takes an iterable of 'int' \(item 0 is 'float'\)"):
        ag.Size([1.5])
    with pytest.raises(TypeError, match="not iterable"):
        ag.Size(3)
    with pytest.raises(TypeError):
        ag.Size([2]) + [3]
    torch = _torch()
    with pytest.raises(TypeError, match=r"item 0 is 'float'"):
        torch.Size([1.5])


# ---------------------------------------------------------------------- dtypes
def test_dtype_objects_print_and_interoperate_with_numpy():
    assert repr(ag.float32) == str(ag.float32) == "autograd_core.float32"
    assert str(ag.zeros(1).dtype) == "autograd_core.float32" and str(ag.tensor([1]).dtype) == "autograd_core.int64"
    assert ag.zeros(1).dtype == ag.float32 and ag.zeros(1).dtype == np.float32 and ag.float32 == np.dtype("float32")
    assert ag.float32 != ag.float64 and ag.float32 != np.float64 and ag.float == ag.float32 and ag.double == ag.float64
    assert np.zeros(3, dtype=ag.float32).dtype == np.float32 and np.dtype(ag.int64) == np.int64
    assert np.arange(3).astype(ag.float64).dtype == np.float64
    assert {np.dtype("float32"): 1}[ag.float32] == 1 and {ag.float32: 2}[np.dtype("float32")] == 2
    assert ag.float32.is_floating_point and not ag.int64.is_floating_point and ag.float64.itemsize == 8
    assert ag.complex64.is_complex and ag.int8.is_signed and not ag.uint8.is_signed and not ag.bool.is_signed
    assert ag.float32.to_complex() == ag.complex64 and ag.complex128.to_real() == ag.float64
    assert ag.float32.kind == "f" and ag.float32.name == "float32"    # numpy's attributes read through
    assert pickle.loads(pickle.dumps(ag.float32)) is ag.float32 and copy.deepcopy(ag.int64) is ag.int64
    assert ag.get_default_dtype() == ag.float32 and str(ag.get_default_dtype()) == "autograd_core.float32"
    assert ag.zeros(2, dtype=np.float64).dtype is ag.float64
    assert ag.float32(1.5) == np.float32(1.5)
    torch = _torch()
    for name in ("float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool", "complex64"):
        a, t = getattr(ag, name), getattr(torch, name)
        assert str(a).split(".")[1] == str(t).split(".")[1]
        assert (a.is_floating_point, a.is_complex, a.is_signed, a.itemsize) == \
            (t.is_floating_point, t.is_complex, t.is_signed, t.itemsize)


def test_dtype_comparison_with_non_dtypes():
    assert (ag.float32 == "no such dtype") is False and ag.float32 != object()
    assert (ag.float64 == None) is False and ag.float64 != None  # noqa: E711  (numpy reads None as float64)
    assert ag.float32 == "float32"      # numpy's rule: a dtype string names the dtype


def test_finfo_iinfo_like_torch():
    torch = _torch()
    for dt in ("float16", "float32", "float64"):
        a, t = ag.finfo(getattr(ag, dt)), torch.finfo(getattr(torch, dt))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(a, attr) == getattr(t, attr), (dt, attr)
        assert repr(a) == repr(t)
    assert ag.finfo() == ag.finfo(ag.float32) and ag.finfo(np.float64).bits == 64
    for dt in ("uint8", "int8", "int16", "int32", "int64"):
        a, t = ag.iinfo(getattr(ag, dt)), torch.iinfo(getattr(torch, dt))
        assert (a.bits, a.max, a.min, a.dtype) == (t.bits, t.max, t.min, t.dtype) and repr(a) == repr(t)


def test_finfo_iinfo_errors():
    with pytest.raises(TypeError, match="requires a floating point input type. Use autograd_core.iinfo"):
        ag.finfo(ag.int32)
    with pytest.raises(TypeError, match="requires an integer input type. Use autograd_core.finfo"):
        ag.iinfo(ag.float32)
    with pytest.raises(TypeError, match="is not supported by autograd_core.iinfo"):
        ag.iinfo(ag.bool)
    with pytest.raises(TypeError, match="must be a dtype, not int"):
        ag.finfo(3)
    with pytest.raises(TypeError, match="must be a dtype, not str"):
        ag.iinfo("int32")


# ---------------------------------------------------------------------- new_* and queries
def test_new_factories_like_torch():
    torch = _torch()
    for dt_a, dt_t in ((ag.float32, torch.float32), (ag.int64, torch.int64)):
        a, t = ag.zeros(2, dtype=dt_a), torch.zeros(2, dtype=dt_t)
        pairs = [(a.new_zeros(2, 3), t.new_zeros(2, 3)), (a.new_ones((2,)), t.new_ones((2,))),
                 (a.new_full((2,), 3), t.new_full((2,), 3)), (a.new_tensor([1.5, 2]), t.new_tensor([1.5, 2])),
                 (a.new_empty(3).zero_(), t.new_empty(3).zero_()),
                 (a.new_ones(2, dtype=ag.float64), t.new_ones(2, dtype=torch.float64))]
        for ours, theirs in pairs:
            assert tuple(ours.shape) == tuple(theirs.shape)
            assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x = ag.zeros(2)
    n = x.new_zeros(2, requires_grad=True, device="cpu")
    assert n.requires_grad and n.is_leaf
    src = np.array([1.0, 2.0], dtype=np.float32)
    copied = x.new_tensor(src)
    src[0] = 9
    assert copied.tolist() == [1.0, 2.0]                 # new_tensor copies


def test_new_factories_errors():
    x = ag.zeros(2)
    with pytest.raises(RuntimeError, match="no CUDA device"):
        x.new_zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="negative dimension"):
        x.new_ones(-1)
    with pytest.raises(TypeError, match="size must be a tuple of ints"):
        x.new_empty(2.5)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.zeros(2, dtype=ag.int64).new_zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="pin_memory=True"):
        x.new_full((2,), 1.0, pin_memory=True)


def test_tensor_queries():
    torch = _torch()
    for make_a, make_t in ((lambda m: m.zeros(2, 3), lambda m: m.zeros(2, 3)),
                           (lambda m: m.zeros(2, 3).t(), lambda m: m.zeros(2, 3).t()),
                           (lambda m: m.arange(6), lambda m: m.arange(6))):
        a, t = make_a(ag), make_t(torch)
        assert a.is_contiguous() == t.is_contiguous() and a.stride() == t.stride()
        assert a.is_floating_point() == t.is_floating_point() and a.numel() == t.numel()
        assert a.element_size() == t.element_size() and a.nbytes == t.nbytes and a.itemsize == t.itemsize
        assert a.is_cuda == t.is_cuda is False and a.is_complex() == t.is_complex()
        assert ag.is_floating_point(a) == torch.is_floating_point(t) and ag.numel(a) == torch.numel(t)
    assert ag.zeros(2, 3).stride(1) == 1 and ag.zeros(2, 3).is_pinned() is False
    x = ag.arange(6.0).reshape(2, 3).requires_grad_()
    c = x.t().contiguous()
    assert c.is_contiguous() and c.stride() == torch.arange(6.0).reshape(2, 3).t().contiguous().stride()
    assert x.contiguous() is x
    (c * ag.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(3, 2).T)
    with pytest.raises(RuntimeError, match="pinned memory needs a CUDA device"):
        ag.zeros(2).pin_memory()


def test_legacy_new_get_device_data_ptr():
    torch = _torch()
    for dt_a, dt_t in ((ag.int64, torch.int64), (ag.float32, torch.float32)):
        a, t = ag.zeros(2, dtype=dt_a), torch.zeros(2, dtype=dt_t)
        for args_a, args_t in (((2, 3), (2, 3)), (([1.5],), ([1.5],)), ((), ()), ((ag.Size([2]),), (torch.Size([2]),))):
            ours, theirs = a.new(*args_a), t.new(*args_t)
            assert tuple(ours.shape) == tuple(theirs.shape)
            assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        assert a.get_device() == t.get_device() == -1
    x = ag.zeros(2)
    assert x.new(x) is x
    with pytest.raises(TypeError, match="expected a tensor of dtype"):
        x.new(ag.zeros(2, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="no CUDA device"):
        x.new(2, device="cuda")
    y = ag.zeros(4)
    assert y.data_ptr() == y.view(2, 2).data_ptr() == y.detach().data_ptr() != y.clone().data_ptr()


def test_more_casts_and_aliases_like_torch():
    torch = _torch()
    a, t = ag.tensor([1.7, -1.0, 100.0]), torch.tensor([1.7, -1.0, 100.0])
    for name in ("short", "char"):
        ours, theirs = getattr(a, name)(), getattr(t, name)()
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert a.abs().byte().dtype == ag.uint8 and a.abs().byte().tolist() == t.abs().byte().tolist()
    assert a.ndimension() == t.ndimension() and a.nelement() == t.nelement()
    assert a.layout is ag.strided and repr(a.layout) == repr(t.layout).replace("torch", "autograd_core")


def test_more_queries_like_torch():
    torch = _torch()
    for dt in ("float32", "uint8", "bool", "int16", "complex64"):
        a, t = ag.zeros(2, dtype=getattr(ag, dt)), torch.zeros(2, dtype=getattr(torch, dt))
        assert a.is_signed() == t.is_signed(), dt
    a, t = ag.zeros(2, 3), torch.zeros(2, 3)
    assert a.is_same_size(ag.ones(2, 3)) == t.is_same_size(torch.ones(2, 3)) is True
    assert a.is_same_size(ag.ones(3, 2)) == t.is_same_size(torch.ones(3, 2)) is False
    assert a.is_conj() == t.is_conj() and a.is_neg() == t.is_neg()
    assert a.is_xpu == t.is_xpu and a.is_mkldnn == t.is_mkldnn and a.is_nested == t.is_nested
    assert str(a.cfloat().dtype) == "autograd_core.complex64" and a.cdouble().dtype == ag.complex128
    with pytest.raises(TypeError, match="argument 'other'"):
        a.is_same_size(3)
    with pytest.raises(RuntimeError, match="no XPU device: this engine runs on the CPU"):
        a.xpu()


def test_more_random_fills():
    ag.manual_seed(0)
    g = ag.zeros(4000, dtype=ag.int64).geometric_(0.5)
    assert g.numpy().min() >= 1 and abs(g.numpy().mean() - 2.0) < 0.1 and g.dtype == ag.int64
    ln = ag.zeros(4000, dtype=ag.float64).log_normal_(0.0, 0.5)
    assert (ln.numpy() > 0).all() and abs(np.log(ln.numpy()).std() - 0.5) < 0.05
    c = ag.zeros(4000, dtype=ag.float64).cauchy_(3.0, 0.1)
    assert abs(np.median(c.numpy()) - 3.0) < 0.02
    for call, msg in ((lambda: ag.zeros(3).geometric_(0), "p to be in"), (lambda: ag.zeros(3).log_normal_(1, 0),
                      "std > 0.0"), (lambda: ag.zeros(3).cauchy_(0, 0), "sigma > 0.0")):
        with pytest.raises(RuntimeError, match=msg):
            call()
    h = ag.Generator().manual_seed(1)
    a = ag.zeros(3).cauchy_(generator=h)
    np.testing.assert_array_equal(a.numpy(), ag.zeros(3).cauchy_(generator=ag.Generator().manual_seed(1)).numpy())


def test_fork_rng_restores_the_default_generator():
    ag.manual_seed(5)
    with ag.random.fork_rng():
        inside = ag.rand(3)
    np.testing.assert_array_equal(inside.numpy(), ag.rand(3).numpy())    # the same draws again after the block
    with ag.random.fork_rng(enabled=False):
        ag.rand(1)
    assert ag.initial_seed() == 5


def test_leaf_and_data_setter():
    w = ag.zeros(2, requires_grad=True)
    assert w.is_leaf and not (w * 2).is_leaf
    w.data = ag.ones(2)
    assert w.tolist() == [1.0, 1.0] and w.requires_grad


def test_compile_returns_the_model_unchanged():
    import nn
    m = nn.Linear(2, 2)
    assert ag.compile(m) is m and ag.compile(mode="reduce-overhead")(m) is m
    assert ag.is_grad_enabled() is True


# ---------------------------------------------------------------------- Generator and seeds
def test_generator_seeding_and_reproducibility():
    g = ag.Generator()
    assert g.manual_seed(3) is g and g.initial_seed() == 3 and g.device == ag.device("cpu")
    a = ag.rand(4, generator=g)
    assert np.array_equal(a.numpy(), ag.rand(4, generator=ag.Generator().manual_seed(3)).numpy())
    g2 = ag.Generator().manual_seed(3)
    draws = [ag.randn(2, generator=g2), ag.randint(0, 9, (3,), generator=g2), ag.randperm(5, generator=g2),
             ag.normal(0.0, 1.0, (2,), generator=g2), ag.multinomial(ag.ones(5), 2, generator=g2),
             ag.bernoulli(ag.full((4,), 0.5), generator=g2), ag.zeros(3).uniform_(generator=g2),
             ag.zeros(3).normal_(generator=g2)]
    g3 = ag.Generator().manual_seed(3)
    again = [ag.randn(2, generator=g3), ag.randint(0, 9, (3,), generator=g3), ag.randperm(5, generator=g3),
             ag.normal(0.0, 1.0, (2,), generator=g3), ag.multinomial(ag.ones(5), 2, generator=g3),
             ag.bernoulli(ag.full((4,), 0.5), generator=g3), ag.zeros(3).uniform_(generator=g3),
             ag.zeros(3).normal_(generator=g3)]
    for x, y in zip(draws, again):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    s = g.seed()
    assert g.initial_seed() == s and isinstance(s, int)
    assert ag.Generator().manual_seed(-1).initial_seed() == 2 ** 64 - 1      # PyTorch's wrap-around
    assert "Generator" in repr(g)


def test_generator_works_where_a_numpy_generator_is_taken():
    """Code written for a numpy Generator (nn.init, the samplers' draws) takes an autograd_core.Generator: numpy's
    drawing methods read through, and random.as_numpy_generator unwraps it."""
    import nn
    a, b = ag.zeros(3, 3), ag.zeros(3, 3)
    nn.init.normal_(a, generator=ag.Generator().manual_seed(4))
    nn.init.normal_(b, generator=ag.Generator().manual_seed(4))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    g = ag.Generator().manual_seed(2)
    assert g.permutation(5).tolist() == np.random.default_rng(2).permutation(5).tolist()
    assert ag.random.as_numpy_generator(g) is g.numpy_generator()
    rng = np.random.default_rng(0)
    assert ag.random.as_numpy_generator(rng) is rng
    assert ag.random.as_numpy_generator(None) is ag.default_generator()
    with pytest.raises(AttributeError):
        g.no_such_method  # noqa: B018


def test_generator_state_round_trip():
    g = ag.Generator().manual_seed(7)
    ag.rand(3, generator=g)
    state = g.get_state()
    assert state.dtype == ag.uint8 and state.shape == (45,)
    a = ag.rand(5, generator=g)
    assert g.set_state(state) is g
    np.testing.assert_array_equal(a.numpy(), ag.rand(5, generator=g).numpy())
    assert g.initial_seed() == 7
    h = ag.Generator()
    h.set_state(state)
    np.testing.assert_array_equal(a.numpy(), ag.rand(5, generator=h).numpy())


def test_generator_errors():
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        ag.Generator().manual_seed(1.5)
    with pytest.raises(RuntimeError, match="expected a long, but got str"):
        ag.manual_seed("3")
    with pytest.raises(ValueError, match="Overflow"):
        ag.Generator().manual_seed(2 ** 64)
    with pytest.raises(RuntimeError, match="45 bytes"):
        ag.Generator().set_state(ag.zeros(3))
    with pytest.raises(TypeError, match="generator must be"):
        ag.multinomial(ag.ones(3), 1, generator=42)
    torch = _torch()
    with pytest.raises(RuntimeError, match="expected a long, but got float"):
        torch.Generator().manual_seed(1.5)


def test_manual_seed_returns_the_default_generator():
    g = ag.manual_seed(11)
    assert g is ag.default_generator and isinstance(g, ag.Generator) and ag.initial_seed() == 11
    a = ag.rand(3)
    ag.manual_seed(11)
    np.testing.assert_array_equal(a.numpy(), ag.rand(3).numpy())
    assert isinstance(ag.default_generator(), np.random.Generator)     # the numpy generator the library draws from
    state = ag.get_rng_state()
    b = ag.randn(2)
    ag.set_rng_state(state)
    np.testing.assert_array_equal(b.numpy(), ag.randn(2).numpy())
    s = ag.seed()
    assert ag.initial_seed() == s
    torch = _torch()
    assert torch.manual_seed(11) is torch.default_generator


# ---------------------------------------------------------------------- threads
def test_num_threads():
    import numba
    before = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        assert ag.get_num_threads() == 1 == numba.get_num_threads()
        ag.set_num_threads(10 ** 6)                              # capped at numba's pool
        assert ag.get_num_threads() == numba.config.NUMBA_NUM_THREADS
    finally:
        ag.set_num_threads(before)
    ag.set_num_interop_threads(2)
    assert ag.get_num_interop_threads() == 2
    ag.set_num_interop_threads(1)


@pytest.mark.parametrize("bad,msg", [(0, "expects a positive integer"), (-1, "expects a positive integer"),
                                     (1.5, "expects an int"), (True, "expects an int")])
def test_num_threads_errors(bad, msg):
    with pytest.raises(RuntimeError, match="set_num_threads " + msg):
        ag.set_num_threads(bad)
    with pytest.raises(RuntimeError, match="set_num_interop_threads " + msg):
        ag.set_num_interop_threads(bad)


# ---------------------------------------------------------------------- randint, range, where, sampling
def test_randint_forms_like_torch():
    torch = _torch()
    for args, kwargs in (((5, (2,)), {}), ((2, 5, (3,)), {}), ((3,), {"size": (2, 2)}),
                         ((), {"low": 1, "high": 3, "size": (4,)}), ((0, 5, (2,)), {"dtype": ag.float32})):
        ours = ag.randint(*args, **kwargs)
        kw = dict(kwargs)
        if "dtype" in kw:
            kw["dtype"] = torch.float32
        theirs = torch.randint(*args, **kw)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    v = ag.randint(2, 5, (1000,)).numpy()
    assert v.min() == 2 and v.max() == 4


def test_randint_errors():
    with pytest.raises(TypeError, match="size"):
        ag.randint(5)
    with pytest.raises(TypeError, match="size"):
        ag.randint(5, 2)
    with pytest.raises(RuntimeError, match="from=5 >= to=2"):
        ag.randint(5, 2, (2,))
    with pytest.raises(RuntimeError, match="negative dimension"):
        ag.randperm(-1)


def test_range_index_and_where_with_numbers_like_torch():
    torch = _torch()
    a, t = ag.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)
    for key in (range(2), (slice(None), range(0, 3, 2)), (range(1, 2), 0)):
        np.testing.assert_array_equal(a[key].numpy(), t[key].numpy())
    for x, y in ((1.0, 0), (1, 0), (True, False), (2.5, 1.5)):
        ours = ag.where(ag.tensor([True, False]), x, y)
        theirs = torch.where(torch.tensor([True, False]), x, y)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    y, u = ag.zeros(3, 3), torch.zeros(3, 3)
    y[range(2), range(2)] = 5.0
    u[range(2), range(2)] = 5.0
    np.testing.assert_array_equal(y.numpy(), u.numpy())
    x = ag.arange(4.0, requires_grad=True)
    x[range(2)].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 0, 0])
    np.testing.assert_array_equal(ag.arange(5).narrow(0, 1, 3).numpy(), torch.arange(5).narrow(0, 1, 3).numpy())


def test_multinomial_and_bernoulli_distributions():
    ag.manual_seed(0)
    p = ag.tensor([0.1, 0.0, 0.9])
    s = ag.multinomial(p, 4000, replacement=True)
    assert s.dtype == ag.int64 and s.shape == (4000,)
    counts = np.bincount(s.numpy(), minlength=3) / 4000
    assert counts[1] == 0 and abs(counts[2] - 0.9) < 0.03
    rows = ag.multinomial(ag.tensor([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]]), 2)
    assert rows.shape == (2, 2) and len(set(rows[0].tolist())) == 2 and set(rows[1].tolist()) == {2, 3}
    assert ag.tensor([1.0, 2.0]).multinomial(1).shape == (1,)
    b = ag.bernoulli(ag.full((4000,), 0.25))
    assert b.dtype == ag.float32 and abs(b.mean().item() - 0.25) < 0.03
    assert ag.zeros(2, dtype=ag.float64).bernoulli().dtype == ag.float64
    z = ag.zeros(4000).bernoulli_(0.75)
    assert abs(z.mean().item() - 0.75) < 0.03
    e = ag.zeros(4000, dtype=ag.float64).exponential_(2.0)
    assert abs(e.mean().item() - 0.5) < 0.05 and (e.numpy() >= 0).all()
    r = ag.zeros(1000, dtype=ag.int64).random_(3, 6)
    assert set(np.unique(r.numpy())) == {3, 4, 5}
    assert set(np.unique(ag.zeros(1000).random_(4).numpy())) == {0, 1, 2, 3}


@pytest.mark.parametrize("call,err,msg", [
    (lambda: ag.multinomial(ag.tensor([0.0, 0.0]), 1), RuntimeError, r"sum of probabilities <= 0"),
    (lambda: ag.multinomial(ag.tensor([1.0, 1.0]), 3), RuntimeError, "n_sample > prob_dist.size"),
    (lambda: ag.multinomial(ag.tensor([-1.0, 1.0]), 1), RuntimeError, "element < 0"),
    (lambda: ag.multinomial(ag.tensor([float("nan"), 1.0]), 1), RuntimeError, "nan"),
    (lambda: ag.multinomial(ag.ones(2, 2, 2), 1), RuntimeError, "prob_dist must be 1 or 2 dim"),
    (lambda: ag.multinomial(ag.ones(3), 0), RuntimeError, "n_sample <= 0"),
    (lambda: ag.multinomial(ag.ones(3), 1.5), TypeError, "num_samples"),
    (lambda: ag.multinomial(ag.tensor([1, 1]), 1), RuntimeError, "floating-point"),
    (lambda: ag.multinomial(ag.tensor([1.0, 0.0, 0.0]), 2), RuntimeError, "not enough non-negative category"),
    (lambda: ag.multinomial([1.0, 2.0], 1), TypeError, "must be Tensor"),
    (lambda: ag.bernoulli(ag.tensor([1.5])), RuntimeError, r"\[0, 1\]"),
    (lambda: ag.zeros(2).bernoulli_(2.0), RuntimeError, r"p in \[0, 1\]"),
    (lambda: ag.zeros(2).exponential_(0.0), RuntimeError, "lambda > 0.0"),
    (lambda: ag.zeros(2).random_(5, 2), RuntimeError, "from=5 >= to=2"),
    (lambda: ag.normal(0.0, -1.0, (2,)), RuntimeError, "std >= 0.0"),
    (lambda: ag.normal(0.0, 1.0), TypeError, "give a size"),
])
def test_sampling_errors(call, err, msg):
    with pytest.raises(err, match=msg):
        call()


def test_sampling_errors_match_torch_types():
    torch = _torch()
    for f in (lambda: torch.multinomial(torch.tensor([0.0, 0.0]), 1),
              lambda: torch.multinomial(torch.tensor([1.0, 1.0]), 3),
              lambda: torch.multinomial(torch.ones(2, 2, 2), 1), lambda: torch.bernoulli(torch.tensor([1.5]))):
        with pytest.raises(RuntimeError):
            f()


def test_normal_with_tensor_arguments():
    m = ag.zeros(3, 1, dtype=ag.float64)
    s = ag.ones(1, 4, dtype=ag.float64)
    out = ag.normal(m, s)
    assert out.shape == (3, 4) and out.dtype == ag.float64
    assert ag.normal(ag.zeros(5), 2.0).shape == (5,)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        ag.normal(ag.zeros(2), ag.tensor([1.0, -1.0]))


# ---------------------------------------------------------------------- printing
def test_set_printoptions():
    x = ag.tensor([1.23456789, 2.0])
    try:
        ag.set_printoptions(precision=2)
        assert repr(x) == "tensor([1.23, 2.  ])"
        ag.set_printoptions(threshold=5, edgeitems=1)
        assert "..." in repr(ag.arange(10))
        ag.set_printoptions(profile="full")
        assert "..." not in repr(ag.arange(1000)) and "1.2346" in repr(x)
        ag.set_printoptions(linewidth=20)
        assert max(len(line) for line in repr(ag.arange(30)).splitlines()) <= 22
    finally:
        ag.set_printoptions(profile="default")
    assert repr(x) == "tensor([1.2346, 2.    ])" and "..." in repr(ag.arange(1000))


@pytest.mark.parametrize("kwargs,err,msg", [({"precision": -1}, ValueError, "precision"),
                                            ({"threshold": "x"}, ValueError, "threshold"),
                                            ({"edgeitems": 0}, ValueError, "edgeitems"),
                                            ({"linewidth": True}, ValueError, "linewidth"),
                                            ({"profile": "long"}, ValueError, "profile"),
                                            ({"sci_mode": False}, NotImplementedError, "sci_mode")])
def test_set_printoptions_errors(kwargs, err, msg):
    with pytest.raises(err, match=msg):
        ag.set_printoptions(**kwargs)
    ag.set_printoptions(profile="default")
