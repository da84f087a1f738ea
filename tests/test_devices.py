"""Devices, the CPU-only way: device objects as torch.device, Tensor.device / .to / .cpu / .cuda, device= on every
factory, Module.to, and the CUDA / MPS / accelerator queries; every bad device argument raises as PyTorch."""
import pickle

import numpy as np
import pytest

import autograd_core as ag
import nn

NO_CUDA = "no CUDA device: this engine runs on the CPU"


@pytest.mark.parametrize("args,kwargs,text,rep", [
    (("cpu",), {}, "cpu", "device(type='cpu')"),
    (("cpu:0",), {}, "cpu:0", "device(type='cpu', index=0)"),
    (("cpu", 0), {}, "cpu:0", "device(type='cpu', index=0)"),
    ((), {"type": "cpu", "index": 0}, "cpu:0", "device(type='cpu', index=0)"),
    (("cuda:1",), {}, "cuda:1", "device(type='cuda', index=1)"),
    (("mps",), {}, "mps", "device(type='mps')"),
])
def test_device_str_repr_type_index_like_torch(args, kwargs, text, rep):
    d = ag.device(*args, **kwargs)
    assert str(d) == text and repr(d) == rep
    assert d.type == text.split(":")[0]
    assert d.index == (int(text.split(":")[1]) if ":" in text else None)
    torch = pytest.importorskip("torch")
    t = torch.device(*args, **kwargs)
    assert (str(t), repr(t), t.type, t.index) == (str(d), repr(d), d.type, d.index)


def test_device_equality_hash_copy_pickle():
    cpu = ag.device("cpu")
    assert cpu == ag.device("cpu") and hash(cpu) == hash(ag.device("cpu"))
    assert cpu != ag.device("cpu:0")                     # as torch: the index is part of the identity
    assert cpu != "cpu"
    assert ag.device(cpu) == cpu and ag.device(ag.device("cpu:0")).index == 0
    assert pickle.loads(pickle.dumps(ag.device("cpu:0"))) == ag.device("cpu:0")
    assert len({ag.device("cpu"), ag.device("cpu"), ag.device("cpu:0")}) == 2


@pytest.mark.parametrize("text", ["xyz", "CPU", "gpu", "xyz:0"])
def test_unknown_device_string_names_it(text):
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda, .* device type at start of device string: "
                                           + text.split(":")[0]):
        ag.device(text)
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="device type at start of device string"):
        torch.device(text)


@pytest.mark.parametrize("text", ["cpu:x", "cpu:-1", "cuda:", " cpu", "cpu:0:1", "cpu0", "cpu:01"])
def test_malformed_device_string(text):
    with pytest.raises(RuntimeError, match="Invalid device string: '" + text.replace(" ", " ") + "'"):
        ag.device(text)
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        torch.device(text)


def test_bad_device_arguments():
    with pytest.raises(RuntimeError, match="Device index must not be negative"):
        ag.device("cpu", -1)
    with pytest.raises(RuntimeError, match="must not include an index"):
        ag.device("cpu:0", 1)
    with pytest.raises(TypeError, match="argument 'index'"):
        ag.device("cpu", "0")
    with pytest.raises(TypeError, match="expected a device string"):
        ag.device(1.5)
    with pytest.raises(TypeError, match="expected a device string"):
        ag.device(None)
    with pytest.raises(RuntimeError, match=NO_CUDA):
        ag.device(0)                                      # torch.device(0) is the first accelerator
    with pytest.raises(RuntimeError, match="can't be given together"):
        ag.device(ag.device("cpu"), 0)


def test_tensor_device_and_to_forms():
    x = ag.tensor([1.0, 2.0])
    assert x.device == ag.device("cpu") and x.device.type == "cpu" and str(x.device) == "cpu"
    assert x.is_cuda is False and x.is_cpu is True
    assert x.to("cpu") is x and x.to(ag.device("cpu")) is x and x.cpu() is x
    assert x.to("cpu:0") is x and x.to(x.device) is x
    assert x.to("cpu", non_blocking=True) is x and x.to(device="cpu", non_blocking=True) is x
    y = x.to("cpu", dtype=ag.float64)
    assert y.dtype == ag.float64 and y.device == x.device
    assert x.to("cpu", ag.float64).dtype == ag.float64
    assert x.to(ag.float64).dtype == ag.float64 and x.to(dtype=ag.int64).dtype == ag.int64
    assert x.to(np.float64).dtype == ag.float64
    assert x.to(ag.tensor([1], dtype=ag.int32)).dtype == ag.int32
    c = x.to("cpu", copy=True)
    assert c is not x and np.array_equal(c.numpy(), x.numpy()) and not np.shares_memory(c.numpy(), x.numpy())
    assert x.to(ag.float32, True, False) is x             # to(dtype, non_blocking, copy)


def test_to_keeps_the_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.to("cpu", dtype=ag.float64).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    assert x.grad.dtype == ag.float32


def test_to_bad_arguments():
    x = ag.zeros(2)
    for bad in (lambda: x.to("cuda"), lambda: x.to("cuda:0"), lambda: x.to(ag.device("cuda")), lambda: x.cuda(),
                lambda: x.to(0), lambda: x.to(device="cuda")):
        with pytest.raises(RuntimeError, match=NO_CUDA):
            bad()
    with pytest.raises(RuntimeError, match="no MPS device: this engine runs on the CPU"):
        x.to("mps")
    with pytest.raises(RuntimeError, match="device string: xyz"):
        x.to("xyz")
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        x.to("cpu", "cpu")
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        x.to(ag.float64, ag.float32)
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        x.to(3.5)
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        x.to(ag.float64, True, False, True)         # at most non_blocking and copy after the dtype
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        x.to(colour="red")
    with pytest.raises(TypeError, match="device must be a device"):
        x.to(device=3.5)


FACTORIES = [
    ("zeros", lambda **k: ag.zeros(2, 3, **k)), ("ones", lambda **k: ag.ones((2, 3), **k)),
    ("empty", lambda **k: ag.empty(2, **k)), ("full", lambda **k: ag.full((2,), 1.5, **k)),
    ("rand", lambda **k: ag.rand(2, **k)), ("randn", lambda **k: ag.randn(2, **k)),
    ("randint", lambda **k: ag.randint(0, 5, (2,), **k)), ("arange", lambda **k: ag.arange(3, **k)),
    ("linspace", lambda **k: ag.linspace(0, 1, 5, **k)), ("eye", lambda **k: ag.eye(2, **k)),
    ("tensor", lambda **k: ag.tensor([1.0], **k)), ("as_tensor", lambda **k: ag.as_tensor([1.0], **k)),
    ("zeros_like", lambda **k: ag.zeros_like(ag.ones(2), **k)),
    ("ones_like", lambda **k: ag.ones_like(ag.ones(2), **k)),
    ("full_like", lambda **k: ag.full_like(ag.ones(2), 3, **k)),
    ("empty_like", lambda **k: ag.empty_like(ag.ones(2), **k)),
    ("rand_like", lambda **k: ag.rand_like(ag.ones(2), **k)),
    ("randn_like", lambda **k: ag.randn_like(ag.ones(2), **k)), ("randperm", lambda **k: ag.randperm(4, **k)),
    ("normal", lambda **k: ag.normal(0.0, 1.0, (3,), **k)),
]


@pytest.mark.parametrize("name,make", FACTORIES, ids=[n for n, _ in FACTORIES])
def test_every_factory_takes_device_and_pin_memory(name, make):
    for dev in ("cpu", ag.device("cpu"), ag.device("cpu:0"), None):
        assert make(device=dev).device == ag.device("cpu")
    assert make(pin_memory=False).device.type == "cpu"
    assert make(layout=ag.strided).device.type == "cpu"
    with pytest.raises(RuntimeError, match=NO_CUDA):
        make(device="cuda")
    with pytest.raises(RuntimeError, match="device string: xyz"):
        make(device="xyz")
    with pytest.raises(RuntimeError, match="pin_memory=True needs a CUDA device"):
        make(pin_memory=True)
    with pytest.raises(RuntimeError, match="strided"):
        make(layout="sparse_coo")


@pytest.mark.parametrize("name,make", FACTORIES, ids=[n for n, _ in FACTORIES])
def test_every_factory_takes_dtype_and_requires_grad(name, make):
    if name in ("randperm", "randint"):
        assert make(dtype=ag.int32).dtype == ag.int32
        assert make(dtype=ag.float64).dtype == ag.float64
        assert make(dtype=ag.float64, requires_grad=True).requires_grad
        with pytest.raises(RuntimeError, match="floating point"):
            make(requires_grad=True)                   # int64 by default: can't require grad, as torch
        return
    t = make(dtype=ag.float64, requires_grad=True)
    assert t.dtype == ag.float64 and t.requires_grad and t.is_leaf


def test_factory_errors_agree_with_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="pin_memory"):
        torch.zeros(2, pin_memory=True)
    with pytest.raises(RuntimeError, match="floating point"):
        torch.randint(0, 5, (2,), requires_grad=True)


def test_module_to_device_and_dtype():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert m.to("cpu") is m and m.to(ag.device("cpu")) is m and m.cpu() is m
    assert m.to("cpu", non_blocking=True) is m
    m.to(ag.float64)
    assert all(p.dtype == ag.float64 for p in m.parameters())
    assert m[1].num_batches_tracked.dtype == ag.int64          # integer buffers are not cast, as torch
    m.to("cpu", ag.float32)
    assert all(p.dtype == ag.float32 for p in m.parameters())
    m.to(device="cpu", dtype=ag.float64)
    assert m[0].weight.dtype == ag.float64
    m.to(ag.zeros(1))                                           # to(tensor): its dtype
    assert m[0].weight.dtype == ag.float32


LAYERS = [lambda **k: nn.Linear(2, 3, **k), lambda **k: nn.Conv2d(1, 2, 3, **k), lambda **k: nn.LSTM(2, 3, **k),
          lambda **k: nn.GRUCell(2, 3, **k), lambda **k: nn.Embedding(4, 2, **k), lambda **k: nn.LayerNorm(3, **k),
          lambda **k: nn.BatchNorm1d(3, **k), lambda **k: nn.MultiheadAttention(4, 2, **k),
          lambda **k: nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, **k)]


@pytest.mark.parametrize("make", LAYERS, ids=lambda f: "layer")
def test_layers_take_a_device_argument(make):
    for dev in ("cpu", ag.device("cpu"), ag.device("cpu:0"), None):
        m = make(device=dev, dtype=ag.float64)
        assert all(p.device == ag.device("cpu") and p.dtype == ag.float64 for p in m.parameters())
    with pytest.raises(RuntimeError, match=NO_CUDA):
        make(device="cuda")
    with pytest.raises(RuntimeError, match="device string: xyz"):
        make(device="xyz")


def test_module_to_bad_arguments():
    m = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match=NO_CUDA):
        m.to("cuda")
    with pytest.raises(RuntimeError, match=NO_CUDA):
        m.cuda()
    with pytest.raises(RuntimeError, match=NO_CUDA):
        m.to(ag.device("cuda:0"))
    with pytest.raises(RuntimeError, match="device string: xyz"):
        m.to("xyz")
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        m.to(ag.int64)
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        torch.nn.Linear(2, 2).to(torch.int64)


def test_cuda_mps_accelerator_queries_and_cudnn_flags():
    assert ag.cuda.is_available() is False and ag.cuda.device_count() == 0 and ag.cuda.is_initialized() is False
    assert ag.cuda.manual_seed(1) is None and ag.cuda.manual_seed_all(1) is None
    assert ag.cuda.empty_cache() is None
    assert ag.backends.mps.is_available() is False and ag.backends.mps.is_built() is False
    assert ag.accelerator.is_available() is False and ag.accelerator.current_accelerator() is None
    assert ag.accelerator.device_count() == 0
    cudnn = ag.backends.cudnn
    saved = (cudnn.benchmark, cudnn.deterministic, cudnn.enabled)
    assert saved == (False, False, True)                        # PyTorch's defaults
    cudnn.benchmark, cudnn.deterministic, cudnn.enabled = True, True, False
    assert (cudnn.benchmark, cudnn.deterministic, cudnn.enabled) == (True, True, False)
    cudnn.benchmark, cudnn.deterministic, cudnn.enabled = saved
    for f in (ag.cuda.current_device, ag.cuda.synchronize, lambda: ag.cuda.set_device(0),
              ag.cuda.get_device_name):
        with pytest.raises(RuntimeError, match=NO_CUDA):
            f()
    torch = pytest.importorskip("torch")
    assert torch.cuda.is_available() == ag.cuda.is_available()
    assert torch.backends.cudnn.deterministic == ag.backends.cudnn.deterministic


def test_backends_cuda_flags_are_settable():
    cuda = ag.backends.cuda
    assert cuda.is_built() is False and cuda.flash_sdp_enabled() is False
    before = cuda.matmul.allow_tf32
    cuda.matmul.allow_tf32 = True
    assert cuda.matmul.allow_tf32 is True
    cuda.matmul.allow_tf32 = before
    torch = pytest.importorskip("torch")
    assert torch.backends.cuda.matmul.allow_tf32 == before


def test_module_share_memory_is_refused_not_faked():
    with pytest.raises(RuntimeError, match="can't be shared between processes"):
        nn.Linear(2, 2).share_memory()


def test_default_device():
    assert ag.get_default_device() == ag.device("cpu")
    ag.set_default_device("cpu")
    ag.set_default_device(None)
    assert ag.get_default_device() == ag.device("cpu")
    with pytest.raises(RuntimeError, match=NO_CUDA):
        ag.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="device string: xyz"):
        ag.set_default_device("xyz")
    with ag.device("cpu:0"):
        assert ag.get_default_device() == ag.device("cpu:0")
    assert ag.get_default_device() == ag.device("cpu")
    with pytest.raises(RuntimeError, match=NO_CUDA):
        with ag.device("cuda"):
            pass
    assert ag.get_default_device() == ag.device("cpu")


def test_generator_and_tensor_constructor_take_a_device():
    assert ag.Generator(device="cpu").device == ag.device("cpu")
    with pytest.raises(RuntimeError, match=NO_CUDA):
        ag.Generator(device="cuda")
    assert ag.Tensor([1.0], device="cpu").device.type == "cpu"
    with pytest.raises(RuntimeError, match=NO_CUDA):
        ag.Tensor([1.0], device="cuda")
    with pytest.raises(RuntimeError, match=NO_CUDA):
        ag.FloatTensor([1.0], device="cuda")
