"""autograd_core.save / autograd_core.load as torch.save / torch.load: the same objects round-trip with the same
structure, types and values; checkpoints resume training exactly; every bad argument raises a clear error."""
import io
import json
import math
import os
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import optim
from autograd_core import CheckpointError, Tensor
from autograd_core import serialization

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------- helpers
def _describe(obj, seen=None):
    """A library-neutral picture of a loaded object: container types, tensor kind/dtype/shape/values, scalars."""
    seen = {} if seen is None else seen
    kind = type(obj).__name__
    if hasattr(obj, "detach") and hasattr(obj, "requires_grad"):          # a torch or an autograd_core tensor
        first = seen.setdefault(id(obj), len(seen))
        arr = obj.detach().numpy()
        return (kind if kind == "Parameter" else "Tensor", str(arr.dtype), arr.shape, bool(obj.requires_grad),
                arr.tolist(), first)
    if isinstance(obj, dict):
        return (kind, [(_describe(k, seen), _describe(v, seen)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (kind, [_describe(v, seen) for v in obj])
    if isinstance(obj, (set, frozenset)):
        return (kind, sorted(map(repr, obj)))
    if isinstance(obj, float) and math.isnan(obj):
        return (kind, "nan")
    return (kind, obj)


def _to_ours(obj):
    """The same object tree with torch tensors replaced by ours (Parameters by nn.Parameter)."""
    torch = sys.modules["torch"]
    if isinstance(obj, torch.nn.Parameter):
        return nn.Parameter(ag.tensor(obj.detach().numpy()), requires_grad=obj.requires_grad)
    if isinstance(obj, torch.Tensor):
        return ag.tensor(obj.detach().numpy(), requires_grad=obj.requires_grad)
    if isinstance(obj, OrderedDict):
        return OrderedDict((_to_ours(k), _to_ours(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {_to_ours(k): _to_ours(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_ours(v) for v in obj)
    return obj


def _torch_objects(torch):
    w = torch.nn.Parameter(torch.randn(3, 2))
    frozen = torch.nn.Parameter(torch.randn(2), requires_grad=False)
    leaf = torch.randn(4, requires_grad=True)
    return {
        "state_dict": torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)).state_dict(),
        "tensors": (torch.arange(6).reshape(2, 3), torch.zeros(0, 3), torch.tensor(2.5, dtype=torch.float64),
                    torch.tensor([True, False]), torch.tensor([1, 2], dtype=torch.int32)),
        "params": {"w": w, "tied": w, "frozen": frozen, "leaf": leaf, "nonleaf": leaf * 2},
        "numbers": [1, -2 ** 70, 2.5, float("inf"), float("nan"), 3 - 4j, True, None, "text", b"\x00\xffbytes"],
        "sets": [{1, 2, "a"}, {(1, 2)}],
        "ordered": OrderedDict([("b", 1), ("a", [2, (3, 4)])]),
        7: "int key", (1, "a"): [True], 2.5: "float key", None: "none key",
    }


# ---------------------------------------------------------------------- torch parity
@pytest.mark.parametrize("where", ["path", "pathlike", "bytesio", "open_file"])
def test_same_objects_round_trip_as_in_torch(tmp_path, where):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = _torch_objects(torch)
    ours = _to_ours(theirs)
    ours["params"]["nonleaf"] = ours["params"]["leaf"] * 2                # a non-leaf, as in torch's dict
    ours["params"]["tied"] = ours["params"]["w"]

    def round_trip(save, load, obj, name):
        if where == "bytesio":
            buf = io.BytesIO()
            save(obj, buf)
            buf.seek(0)
            return load(buf)
        path = tmp_path / name
        if where == "open_file":
            with open(path, "wb") as fh:
                save(obj, fh)
            with open(path, "rb") as fh:
                return load(fh)
        target = path if where == "pathlike" else str(path)
        save(obj, target)
        return load(target)

    got_theirs = round_trip(torch.save, lambda f: torch.load(f, weights_only=True), theirs, "t.pt")
    got_ours = round_trip(ag.save, lambda f: ag.load(f, weights_only=True), ours, "o.pt")
    assert _describe(got_ours) == _describe(got_theirs)
    assert got_ours["params"]["tied"] is got_ours["params"]["w"]         # one tensor, as torch keeps sharing
    assert isinstance(got_ours["params"]["w"], nn.Parameter) and got_ours["params"]["leaf"].is_leaf
    assert got_ours["params"]["nonleaf"].is_leaf and got_ours["params"]["nonleaf"].requires_grad


def test_grads_are_not_saved_and_loaded_tensors_are_independent_leaves(tmp_path):
    torch = pytest.importorskip("torch")
    t = torch.ones(3, requires_grad=True)
    (t * 2).sum().backward()
    o = ag.ones(3, requires_grad=True)
    (o * 2).sum().backward()
    torch.save(t, tmp_path / "t.pt")
    ag.save(o, tmp_path / "o.pt")
    back_t, back_o = torch.load(tmp_path / "t.pt"), ag.load(tmp_path / "o.pt")
    assert back_t.grad is None and back_o.grad is None
    assert back_o.requires_grad == back_t.requires_grad and back_o.grad_fn is None
    back_o.data[0] = 5.0
    assert o.data[0] == 1.0


def test_dtypes_numpy_values_and_the_nn_names_are_one_implementation(tmp_path):
    obj = {"frozen": frozenset({1, (2, "b")}), "dtype": ag.float32,
           "np_dtype": np.dtype("int64"), "bool": ag.bool, "arr": np.arange(4.0),
           "np_scalars": [np.float32(0.5), np.int64(3), np.bool_(True), np.complex64(1 + 2j)],
           "fortran": np.asfortranarray(np.arange(6).reshape(2, 3))}
    ag.save(obj, tmp_path / "x.pt")
    out = nn.load(tmp_path / "x.pt")
    assert out["frozen"] == obj["frozen"] and type(out["frozen"]) is frozenset
    assert out["dtype"] is ag.float32 and out["bool"] is ag.bool
    assert isinstance(out["np_dtype"], np.dtype) and out["np_dtype"] == np.int64
    assert [type(v) for v in out["np_scalars"]] == [np.float32, np.int64, np.bool_, np.complex64]
    np.testing.assert_array_equal(out["fortran"], obj["fortran"])
    assert nn.save is ag.save and nn.load is ag.load and serialization.save is ag.save


def test_state_dicts_write_the_version_1_format_so_older_readers_still_load_them(tmp_path):
    ag.save(nn.Linear(2, 2).state_dict(), tmp_path / "sd.npz")
    ag.save({"c": 1j}, tmp_path / "c.npz")
    versions = []
    for name in ("sd.npz", "c.npz"):
        with np.load(tmp_path / name, allow_pickle=False) as z:
            versions.append(json.loads(z["__meta__"].tobytes())["version"])
    assert versions == [1, 2]
    # a file as the first version of nn.save wrote it (member names, JSON tree) still loads
    old = tmp_path / "old.npz"
    tree = {"$dict": [["weight", {"$tensor": "a0", "requires_grad": True, "parameter": True}],
                      ["epoch", 3], ["shape", {"$tuple": [2, 3]}]], "ordered": True}
    np.savez(old, a0=np.ones((2, 3), np.float32), __meta__=np.frombuffer(json.dumps(
        {"format": "autograd_core.nn.save", "version": 1, "tree": tree}).encode(), dtype=np.uint8))
    out = ag.load(old)
    assert isinstance(out, OrderedDict) and isinstance(out["weight"], nn.Parameter)
    assert out["epoch"] == 3 and out["shape"] == (2, 3)


class _StandInDevice:
    """Plays autograd_core.device where this build has none (the library's own is used when it exists)."""
    __module__ = "autograd_core.devices"

    def __init__(self, spec):
        self.type = str(spec)

    def __str__(self):
        return self.type


_StandInDevice.__name__ = _StandInDevice.__qualname__ = "device"


class _StandInSize(tuple):
    __module__ = "autograd_core.shapes"

    def numel(self):
        return math.prod(self)


_StandInSize.__name__ = _StandInSize.__qualname__ = "Size"


def test_devices_and_sizes_round_trip(tmp_path, monkeypatch):
    if not hasattr(ag, "device"):
        monkeypatch.setattr(ag, "device", _StandInDevice, raising=False)
    if not hasattr(ag, "Size"):
        monkeypatch.setattr(ag, "Size", _StandInSize, raising=False)
    obj = {"device": ag.device("cpu"), "shape": ag.Size((2, 3))}
    ag.save(obj, tmp_path / "d.pt")
    out = ag.load(tmp_path / "d.pt", map_location=ag.device("cpu"))
    assert str(out["device"]) == "cpu" and type(out["device"]) is ag.device
    assert out["shape"] == (2, 3) and type(out["shape"]) is ag.Size and out["shape"].numel() == 6
    with pytest.raises(RuntimeError, match="no CUDA device"):
        ag.load(tmp_path / "d.pt", map_location=_StandInDevice("cuda:0"))


def test_parameters_load_as_parameters_in_a_process_that_never_imported_nn(tmp_path):
    path = tmp_path / "p.pt"
    ag.save({"w": nn.Parameter(ag.ones(2))}, path)
    code = (f"import sys, autograd_core as torch; sd = torch.load({str(path)!r}); "
            f"print(type(sd['w']).__name__, sd['w'].requires_grad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": ROOT}, check=True).stdout.split()
    assert out == ["Parameter", "True"]


# ---------------------------------------------------------------------- training checkpoints
def _net():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 3))


def _steps(model, opt, sched, xs, ys):
    for x, y in zip(xs, ys):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
    return float(loss.item())


@pytest.mark.parametrize("make_opt", [
    lambda p: optim.Adam(p, lr=1e-2, betas=(0.8, 0.99), amsgrad=True),
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda p: optim.RMSprop(p, lr=1e-2, centered=True),
], ids=["adam", "sgd", "rmsprop"])
def test_training_resumes_identically_from_a_checkpoint(tmp_path, make_opt):
    rng = np.random.default_rng(0)
    xs = [Tensor(rng.standard_normal((6, 4)).astype(np.float32)) for _ in range(6)]
    ys = [Tensor(rng.integers(0, 3, 6)) for _ in range(6)]
    ag.manual_seed(0)
    model = _net()
    opt = make_opt(model.parameters())
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loss = _steps(model, opt, sched, xs[:3], ys[:3])
    ag.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
             "epoch": 3, "loss": loss}, tmp_path / "ckpt.pt")

    ag.manual_seed(1)                         # a fresh model with other weights
    model2 = _net()
    opt2 = make_opt(model2.parameters())
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    ckpt = ag.load(tmp_path / "ckpt.pt", map_location="cpu")
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    assert ckpt["epoch"] == 3 and ckpt["loss"] == loss and type(ckpt["loss"]) is float
    assert _steps(model, opt, sched, xs[3:], ys[3:]) == _steps(model2, opt2, sched2, xs[3:], ys[3:])
    for (name, a), b in zip(model.state_dict().items(), model2.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_resumed_training_follows_torchs_resumed_training(tmp_path):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    batches = [(rng.standard_normal((8, 4)), rng.integers(0, 3, 8)) for _ in range(6)]
    init = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double().state_dict()

    def run(lib, lnn, adamw, save, load, path):
        model = lnn.Sequential(lnn.Linear(4, 5), lnn.Tanh(), lnn.Linear(5, 3)).double()
        model.load_state_dict({k: lib.tensor(v.numpy()) for k, v in init.items()})
        make = lambda m: adamw(m.parameters(), lr=0.05, weight_decay=0.1)   # noqa: E731
        opt = make(model)
        for i, (x, y) in enumerate(batches):
            if i == 3:                                  # checkpoint, then continue in a fresh model and optimizer
                save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": i}, path)
                ckpt = load(path)
                model = lnn.Sequential(lnn.Linear(4, 5), lnn.Tanh(), lnn.Linear(5, 3)).double()
                model.load_state_dict(ckpt["model"])
                opt = make(model)
                opt.load_state_dict(ckpt["optimizer"])
            opt.zero_grad()
            lnn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
        return {k: v.detach().numpy() for k, v in model.state_dict().items()}

    ours = run(ag, nn, optim.AdamW, ag.save, ag.load, tmp_path / "o.pt")
    theirs = run(torch, torch.nn, torch.optim.AdamW, torch.save, torch.load, tmp_path / "t.pt")
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_optimizer_state_dict_has_torchs_structure_after_loading(tmp_path):
    torch = pytest.importorskip("torch")
    tm = torch.nn.Linear(3, 2)
    topt = torch.optim.Adam(tm.parameters(), lr=1e-2)
    tm(torch.randn(4, 3)).sum().backward()
    topt.step()
    om = nn.Linear(3, 2)
    oopt = optim.Adam(om.parameters(), lr=1e-2)
    om(ag.randn(4, 3)).sum().backward()
    oopt.step()
    buf_t, buf_o = io.BytesIO(), io.BytesIO()
    torch.save(topt.state_dict(), buf_t)
    ag.save(oopt.state_dict(), buf_o)
    buf_t.seek(0)
    buf_o.seek(0)
    t_sd, o_sd = torch.load(buf_t), ag.load(buf_o)
    assert list(t_sd) == list(o_sd) == ["state", "param_groups"]
    assert list(t_sd["state"]) == list(o_sd["state"]) == [0, 1]
    assert set(o_sd["state"][0]) <= set(t_sd["state"][0])
    common = set(t_sd["param_groups"][0]) & set(o_sd["param_groups"][0])
    assert {"lr", "betas", "eps", "weight_decay", "amsgrad", "params"} <= common
    for key in common:
        assert type(o_sd["param_groups"][0][key]) is type(t_sd["param_groups"][0][key]), key
    assert o_sd["param_groups"][0]["params"] == t_sd["param_groups"][0]["params"] == [0, 1]


# ---------------------------------------------------------------------- map_location, mmap, weights_only
def test_map_location_forms_accepted_as_in_torch(tmp_path):
    path = tmp_path / "m.pt"
    ag.save({"w": ag.ones(2)}, path)
    for loc in (None, "cpu", b"cpu", "cpu:0", {"cuda:0": "cpu"}, {"cpu": "cpu"}, lambda storage, loc: storage,
                lambda storage, loc: None):
        assert ag.load(path, map_location=loc)["w"].tolist() == [1.0, 1.0]
    doubled = ag.load(path, map_location=lambda storage, loc: storage * 2)
    assert doubled["w"].tolist() == [2.0, 2.0]
    if hasattr(ag, "device"):
        assert ag.load(path, map_location=ag.device("cpu"))["w"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("loc, match", [
    ("cuda", "no CUDA device: this engine runs on the CPU"), ("cuda:1", "no CUDA device"),
    ({"cpu": "cuda:0"}, r"map_location\['cpu'\].*no CUDA device"), ("mps", "CPU only"), ("meta", "CPU only"),
    ("gpu", "expected a device such as 'cpu'"), (0, "expected a device such as 'cpu'"),
])
def test_map_location_other_devices_raise(tmp_path, loc, match):
    path = tmp_path / "m.pt"
    ag.save({"w": ag.ones(2)}, path)
    with pytest.raises(RuntimeError, match=match):
        ag.load(path, map_location=loc)


def test_map_location_torch_device_objects_are_read_by_name(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "m.pt"
    ag.save({"w": ag.ones(2)}, path)
    assert ag.load(path, map_location=torch.device("cpu"))["w"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="no CUDA device"):
        ag.load(path, map_location=torch.device("cuda"))


def test_map_location_function_errors_reach_the_caller(tmp_path):
    path = tmp_path / "m.pt"
    ag.save({"w": ag.ones(2)}, path)

    def to_gpu(storage, loc):
        raise RuntimeError("no CUDA device: this engine runs on the CPU")
    with pytest.raises(RuntimeError, match="no CUDA device") as info:
        ag.load(path, map_location=to_gpu)
    assert not isinstance(info.value, CheckpointError)
    with pytest.raises(TypeError, match="returned a str"):
        ag.load(path, map_location=lambda storage, loc: "cpu")


def test_mmap_weights_only_and_pickle_arguments(tmp_path):
    path = tmp_path / "m.pt"
    ag.save({"w": ag.arange(3)}, path, pickle_protocol=4)
    for kwargs in ({"mmap": True}, {"mmap": False}, {"weights_only": False}, {"weights_only": None},
                   {"pickle_module": None, "encoding": "latin1"}):
        assert ag.load(path, **kwargs)["w"].tolist() == [0, 1, 2]
    buf = io.BytesIO(path.read_bytes())
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap argument"):
        ag.load(buf, mmap=True)


def test_unseekable_streams_load(tmp_path):
    path = tmp_path / "m.pt"
    ag.save({"w": ag.arange(3)}, path)
    r, w = os.pipe()
    with os.fdopen(w, "wb") as fw:
        fw.write(path.read_bytes())
    with os.fdopen(r, "rb", buffering=0) as fr:
        assert ag.load(fr)["w"].tolist() == [0, 1, 2]


# ---------------------------------------------------------------------- what can't be saved or loaded
class _Thing:
    pass


@pytest.mark.parametrize("obj, match", [
    (nn.Linear(2, 2), r"whole Linear object.*state_dict\(\).*PyTorch >= 2.6"),
    ({"model": nn.Sequential(nn.ReLU())}, r"whole Sequential object \(at obj\['model'\]\)"),
    ([optim.SGD([nn.Parameter(ag.ones(1))], lr=0.1)], r"whole SGD object \(at obj\[0\]\).*state_dict"),
    ({"f": lambda x: x}, r"function .*<lambda> at obj\['f'\]: files hold data only, never code"),
    (print, "function print"), (_Thing, "class _Thing"), (_Thing(), "object of type _Thing"),
    ((i for i in range(2)), "object of type generator"), ({"x": np.array([1, "a"], dtype=object)}, "object array"),
    ({"w": nn.LazyLinear(2).weight}, r"uninitialized parameter \(a lazy module's\) at obj\['w'\]"),
    ({frozenset(): 1}, "dict key frozenset"), ({"s": slice(1, 2)}, "object of type slice"),
])
def test_unsupported_objects_raise_type_error_and_write_nothing(tmp_path, obj, match):
    with pytest.raises(TypeError, match=match):
        ag.save(obj, tmp_path / "x.pt")
    buf = io.BytesIO()
    with pytest.raises(TypeError, match=match):
        ag.save(obj, buf)
    assert os.listdir(tmp_path) == [] and buf.getvalue() == b""


def test_bad_file_arguments(tmp_path):
    with pytest.raises(TypeError, match="f must be a path"):
        ag.save({"a": 1}, 3)
    with pytest.raises(TypeError, match="f must be a path"):
        ag.load(3.5)
    with pytest.raises(FileNotFoundError):
        ag.load(tmp_path / "missing.pt")
    with open(tmp_path / "text.pt", "w") as fh, pytest.raises(TypeError, match=r"binary mode \(open\(path, 'wb'\)\)"):
        ag.save({"a": 1}, fh)
    with open(tmp_path / "text.pt") as fh, pytest.raises(TypeError, match=r"binary mode \(open\(path, 'rb'\)\)"):
        ag.load(fh)
    os.remove(tmp_path / "text.pt")
    with pytest.raises(FileNotFoundError):
        ag.save({"a": 1}, tmp_path / "no-such-dir" / "x.pt")
    assert os.listdir(tmp_path) == []


def test_files_written_by_torch_save_are_refused_with_a_way_forward(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Linear(2, 2).state_dict(), tmp_path / "torch.pt")
    with pytest.raises(CheckpointError, match=r"torch\.pt.*torch\.save.*safetensors"):
        ag.load(tmp_path / "torch.pt")


@pytest.mark.parametrize("tree, match", [
    ({"$wat": 1}, "unknown node"), ({"$tensor": "a9"}, "a9"), ({"$complex": [1]}, "not enough values"),
    ({"$bytes": "!!"}, "bytes|base64|padding|Non-base64"), ({"$dtype": "float99"}, "float99"),
    (["x", b"x".hex()], None),
])
def test_malformed_archives_raise_checkpoint_error(tmp_path, tree, match):
    path = tmp_path / "bad.pt"
    np.savez(path.open("wb"), a0=np.ones(1), __meta__=np.frombuffer(json.dumps(
        {"format": "autograd_core.nn.save", "version": 2, "tree": tree}).encode(), dtype=np.uint8))
    if match is None:                                    # a well-formed tree of plain values loads
        assert ag.load(path) == tree
        return
    with pytest.raises(CheckpointError, match=f"bad.pt.*({match})"):
        ag.load(path)


def test_mutated_trees_load_or_raise_checkpoint_error():
    """Random damage to the JSON tree of a real checkpoint never escapes as another exception."""
    import random
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    buf = io.BytesIO()
    ag.save({"model": model.state_dict(), "epoch": 3, "c": 1j, "s": {1, 2}, "b": b"x", "d": ag.float32,
             "p": nn.Parameter(ag.ones(2)), "t": (1, [2.5, None])}, buf)
    with np.load(io.BytesIO(buf.getvalue()), allow_pickle=False) as z:
        members = {k: z[k] for k in z.files}
    meta = json.loads(members["__meta__"].tobytes())
    junk = [None, True, -1, 1.5, "a0", [], {}, [1, 2], {"$tensor": "a0"}, {"$tensor": 5}, {"$dict": 3},
            {"$tuple": 1}, {"$set": [[1]]}, {"$npscalar": "a1"}, {"$bytes": 3}, {"$dtype": 3}, {"$complex": "ab"},
            {"$tensor": "a1", "requires_grad": True, "parameter": True}, {"$dict": [[[1], 2]]}, {"$ndarray": []}]
    rng = random.Random(0)

    def mutate(node):
        if isinstance(node, (dict, list)) and node:
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            node[key] = rng.choice(junk) if rng.random() < 0.3 else mutate(node[key])
            return node
        return rng.choice(junk)
    loaded = 0
    for _ in range(300):
        tree = mutate(json.loads(json.dumps(meta["tree"])))
        out = io.BytesIO()
        np.savez(out, **{**members, "__meta__": np.frombuffer(json.dumps({**meta, "tree": tree}).encode(), np.uint8)})
        out.seek(0)
        try:
            ag.load(out)
            loaded += 1
        except CheckpointError:
            pass
    assert 0 < loaded < 300


def test_newer_format_versions_are_refused(tmp_path):
    path = tmp_path / "new.pt"
    np.savez(path.open("wb"), __meta__=np.frombuffer(json.dumps(
        {"format": "autograd_core.nn.save", "version": 99, "tree": 1}).encode(), dtype=np.uint8))
    with pytest.raises(CheckpointError, match="version 99 is newer"):
        ag.load(path)


def test_empty_and_text_files(tmp_path):
    (tmp_path / "empty.pt").write_bytes(b"")
    (tmp_path / "notes.pt").write_text("hello world, not a checkpoint")
    for name in ("empty.pt", "notes.pt"):
        with pytest.raises(CheckpointError, match=name):
            ag.load(tmp_path / name)
    with pytest.raises(CheckpointError, match="BytesIO"):
        ag.load(io.BytesIO(b"garbage"))


# ---------------------------------------------------------------------- safe globals
def test_safe_globals_are_documented_no_ops_with_torchs_bookkeeping(tmp_path):
    ag.save({"w": ag.ones(1)}, tmp_path / "m.pt")
    assert serialization.get_safe_globals() == []
    with serialization.safe_globals([_Thing]):
        assert serialization.get_safe_globals() == [_Thing]
        assert ag.load(tmp_path / "m.pt")["w"].tolist() == [1.0]
    assert serialization.get_safe_globals() == []
    serialization.add_safe_globals([_Thing, (print, "builtins.print")])
    assert serialization.get_safe_globals() == [_Thing, (print, "builtins.print")]
    serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    for fn in (serialization.safe_globals, serialization.add_safe_globals):
        assert "never unpickles" in fn.__doc__
        with pytest.raises(TypeError, match="expected a list"):
            fn(_Thing)
    assert "never unpickled" in serialization.get_safe_globals.__doc__
    assert "never unpickled" in serialization.clear_safe_globals.__doc__
