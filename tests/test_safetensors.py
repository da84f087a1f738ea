""".safetensors paths: state_dicts that PyTorch loads (and PyTorch's that load here), with the same outputs; per-tensor
CRC-32 checks; atomic writes; a clear error for every bad input."""
import io
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import CheckpointError, safetensors_format

st_numpy = pytest.importorskip("safetensors.numpy")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# the same model in either library: build(lib_nn) and an input shape
MODELS = {
    "mlp": (lambda n: n.Sequential(n.Linear(6, 16), n.ReLU(), n.Linear(16, 4)), (5, 6)),
    "cnn_batchnorm": (lambda n: n.Sequential(n.Conv2d(1, 4, 3, padding=1), n.BatchNorm2d(4), n.ReLU(),
                                             n.MaxPool2d(2), n.Flatten(), n.Linear(64, 8), n.BatchNorm1d(8),
                                             n.Linear(8, 3)), (6, 1, 8, 8)),
    "lstm_bidirectional": (lambda n: n.LSTM(5, 7, num_layers=2, bidirectional=True, batch_first=True), (3, 4, 5)),
    "gru_bidirectional": (lambda n: n.GRU(5, 6, num_layers=2, bidirectional=True), (4, 3, 5)),
    "transformer_encoder_layer": (lambda n: n.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16,
                                                                      batch_first=True), (2, 5, 8)),
}


def _out(result):
    return result[0] if isinstance(result, tuple) else result


def _train_a_little(model, x):
    """Two forward passes in training mode: BatchNorm's running stats and num_batches_tracked move off their
    defaults, so the test sees them carried over."""
    model.train()
    for _ in range(2):
        _out(model(x))
    model.eval()


def _header(path):
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8:8 + n]), 8 + n


# ---------------------------------------------------------------------- both directions with PyTorch
@pytest.mark.parametrize("name", list(MODELS))
def test_saved_here_loads_strictly_in_torch_with_the_same_outputs(tmp_path, name):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file
    build, shape = MODELS[name]
    ag.manual_seed(0)
    ours = build(nn)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    _train_a_little(ours, ag.tensor(x))
    path = tmp_path / f"{name}.safetensors"
    ag.save(ours.state_dict(), path)

    torch.manual_seed(5)
    theirs = build(torch.nn)
    theirs.eval()
    before = _out(theirs(torch.tensor(x))).detach().numpy()
    sd = load_file(str(path))
    assert set(sd) == set(ours.state_dict())
    assert list(ag.load(path)) == list(ours.state_dict())   # loaded here: the state_dict's order (in the metadata)
    theirs.load_state_dict(sd, strict=True)
    assert theirs.load_state_dict(torch.load(path), strict=True) is not None   # torch.load reads .safetensors too
    want = _out(ours(ag.tensor(x))).numpy()
    got = _out(theirs(torch.tensor(x))).detach().numpy()
    assert not np.allclose(before, want, atol=1e-3)       # the outputs match because of the file, not by chance
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for key, value in ours.state_dict().items():
        assert sd[key].numpy().dtype == value.dtype and tuple(sd[key].shape) == value.shape, key
    if "batchnorm" in name:
        assert sd["1.num_batches_tracked"].dtype == torch.int64 and int(sd["1.num_batches_tracked"]) == 2


@pytest.mark.parametrize("name", list(MODELS))
def test_saved_by_torch_loads_strictly_here_with_the_same_outputs(tmp_path, name):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file
    build, shape = MODELS[name]
    torch.manual_seed(0)
    theirs = build(torch.nn)
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    with torch.no_grad():
        _train_a_little(theirs, torch.tensor(x))
    path = tmp_path / f"{name}.safetensors"
    save_file(theirs.state_dict(), str(path))

    ag.manual_seed(5)
    ours = build(nn)
    sd = nn.load(path)
    assert set(sd) == set(theirs.state_dict()) and all(isinstance(v, ag.Tensor) for v in sd.values())
    ours.load_state_dict(sd, strict=True)
    ours.eval()
    with torch.no_grad():
        want = _out(theirs(torch.tensor(x))).numpy()
    np.testing.assert_allclose(_out(ours(ag.tensor(x))).numpy(), want, rtol=1e-5, atol=1e-5)
    if "batchnorm" in name:
        assert sd["1.num_batches_tracked"].dtype == np.int64 and sd["1.num_batches_tracked"].item() == 2


def test_dtypes_shapes_and_layouts_survive_both_ways(tmp_path):
    pytest.importorskip("torch")
    from safetensors.torch import load_file
    rng = np.random.default_rng(0)
    sd = {"f64": ag.tensor(rng.standard_normal((2, 3))), "f16": ag.tensor(np.ones(3, np.float16)),
          "i32": ag.tensor(np.arange(4, dtype=np.int32)), "u8": ag.tensor(np.arange(5, dtype=np.uint8)),
          "bool": ag.tensor([True, False]), "scalar": ag.tensor(3.5), "int_scalar": ag.tensor(7),
          "empty": ag.zeros(0, 4),
          "transposed": ag.tensor(rng.standard_normal((3, 4)).astype(np.float32)).T,
          "numpy_big_endian": np.arange(3, dtype=">f4"), "c64": np.array([1 + 2j], np.complex64)}
    path = tmp_path / "mixed.safetensors"
    ag.save(sd, path)
    back, theirs = ag.load(path), load_file(str(path))
    for key, value in sd.items():
        want = value.numpy() if isinstance(value, ag.Tensor) else value
        np.testing.assert_array_equal(back[key].numpy(), want, err_msg=key)
        np.testing.assert_array_equal(theirs[key].numpy(), want, err_msg=key)
        assert back[key].shape == tuple(theirs[key].shape) == want.shape, key
        assert back[key].dtype == want.dtype.newbyteorder("=") and back[key].requires_grad is False


def test_tied_weights_are_stored_under_each_name_and_load_tied(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    def tied(n):
        model = n.Sequential(n.Embedding(5, 3), n.Linear(3, 5))
        model[1].weight = model[0].weight
        return model
    ours = tied(nn)
    ag.save(ours.state_dict(), tmp_path / "tied.safetensors")
    theirs = tied(torch.nn)
    theirs.load_state_dict(load_file(str(tmp_path / "tied.safetensors")), strict=True)
    assert theirs[1].weight is theirs[0].weight
    np.testing.assert_array_equal(theirs[0].weight.detach().numpy(), ours[0].weight.numpy())
    again = tied(nn)
    again.load_state_dict(ag.load(tmp_path / "tied.safetensors"), strict=True)
    assert again[1].weight is again[0].weight


def test_file_objects_and_loading_by_content(tmp_path):
    sd = nn.Linear(3, 2).state_dict()
    with open(tmp_path / "m.safetensors", "wb") as fh:      # an open file named .safetensors: that format
        ag.save(sd, fh)
    raw = (tmp_path / "m.safetensors").read_bytes()
    assert safetensors_format.looks_like(raw[:16]) and st_numpy.load(raw)["weight"].shape == (2, 3)
    (tmp_path / "weights.bin").write_bytes(raw)             # recognised by its content, whatever the name
    for source in (io.BytesIO(raw), open(tmp_path / "m.safetensors", "rb"), tmp_path / "weights.bin"):
        out = ag.load(source, map_location="cpu")
        np.testing.assert_array_equal(out["weight"].numpy(), sd["weight"].numpy())
        if hasattr(source, "close"):
            source.close()
    with pytest.raises(RuntimeError, match="no CUDA device"):
        ag.load(tmp_path / "m.safetensors", map_location="cuda")
    assert ag.load(tmp_path / "m.safetensors", map_location=lambda s, loc: s * 0)["bias"].tolist() == [0.0, 0.0]


def test_checksums_in_the_metadata(tmp_path):
    path = tmp_path / "m.safetensors"
    sd = nn.Linear(4, 3).state_dict()
    ag.save(sd, path)
    header, _ = _header(path)
    meta = header["__metadata__"]
    sums = json.loads(meta[safetensors_format.CHECKSUM_KEY])
    assert meta["format"] == "pt" and list(sums) == ["weight", "bias"]
    assert all(sums[k] == safetensors_format.crc32(v.numpy()) and len(sums[k]) == 8 for k, v in sd.items())
    from safetensors import safe_open
    with safe_open(str(path), framework="np") as f:
        assert f.metadata()["format"] == "pt"


# ---------------------------------------------------------------------- corrupt files
def test_a_flipped_data_byte_is_caught_by_the_checksum(tmp_path):
    path = tmp_path / "m.safetensors"
    ag.save({"w": ag.arange(1000).float(), "b": ag.ones(4)}, path)
    header, start = _header(path)
    lo, hi = header["w"]["data_offsets"]
    raw = bytearray(path.read_bytes())
    raw[start + (lo + hi) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    assert st_numpy.load_file(str(path))["w"].shape == (1000,)       # safetensors itself sees nothing wrong
    with pytest.raises(CheckpointError, match=r"m\.safetensors.*'w' fails its CRC-32 check") as info:
        ag.load(path)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)


def test_every_flipped_bit_is_caught_or_harmless(tmp_path):
    """Flip one bit at every byte of a small file: the load raises CheckpointError or gives exactly the saved
    tensors (a flip in the header's padding or in the 'format' note); never other values, shapes or dtypes."""
    sd = {"w": ag.randn(2, 6), "i": ag.arange(3), "flag": ag.tensor([True])}
    path = tmp_path / "m.safetensors"
    ag.save(sd, path)
    raw = path.read_bytes()
    harmless = 0
    for i in range(len(raw)):
        damaged = bytearray(raw)
        damaged[i] ^= 0x04
        path.write_bytes(bytes(damaged))
        try:
            out = ag.load(path)
        except CheckpointError:
            continue
        assert set(out) == set(sd), i      # (a flip in the checksum key's name leaves the file's own order)
        for key, value in sd.items():
            assert out[key].dtype == value.dtype and out[key].shape == value.shape, (i, key)
            np.testing.assert_array_equal(out[key].numpy(), value.numpy(), err_msg=f"byte {i}")
        harmless += 1
    assert harmless < len(raw) // 4


@pytest.mark.parametrize("keep", [0, 5, 8, 20, 0.5, -1])
def test_truncated_files_raise_checkpoint_error_naming_the_path(tmp_path, keep):
    path = tmp_path / "m.safetensors"
    ag.save(nn.Linear(8, 8).state_dict(), path)
    raw = path.read_bytes()
    n = int(len(raw) * keep) if isinstance(keep, float) else (keep if keep >= 0 else len(raw) + keep)
    path.write_bytes(raw[:n])
    with pytest.raises(CheckpointError, match=r"m\.safetensors"):
        ag.load(path)


@pytest.mark.parametrize("damage", ["header_json", "header_length", "extra_bytes", "dtype_code", "offsets"])
def test_damaged_headers_raise_checkpoint_error(tmp_path, damage):
    path = tmp_path / "m.safetensors"
    ag.save({"w": ag.ones(6)}, path)
    raw = bytearray(path.read_bytes())
    header, start = _header(path)
    if damage == "header_json":
        raw[8] = ord("[")
    elif damage == "header_length":
        raw[:8] = (10 ** 7).to_bytes(8, "little")
    elif damage == "extra_bytes":
        raw += b"\0\0\0\0"
    else:
        if damage == "dtype_code":
            header["w"]["dtype"] = "F64"
        else:
            header["w"]["data_offsets"] = [0, 12]
        text = json.dumps(header).encode().ljust(start - 8)
        raw[8:start] = text[:start - 8]
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match=r"m\.safetensors"):
        ag.load(path)


@pytest.mark.parametrize("sums, match", [
    ("not json", "checksum metadata is corrupted"), ('["w"]', "checksum metadata is corrupted"),
    ('{"v": "00000000"}', "other tensors"), ('{"w": "00000000"}', "'w' fails its CRC-32 check"),
])
def test_bad_checksum_metadata(tmp_path, sums, match):
    path = tmp_path / "m.safetensors"
    path.write_bytes(st_numpy.save({"w": np.ones(3, np.float32)}, metadata={safetensors_format.CHECKSUM_KEY: sums}))
    with pytest.raises(CheckpointError, match=match):
        ag.load(path)


def test_files_without_checksums_load_as_written_elsewhere(tmp_path):
    path = tmp_path / "plain.safetensors"
    st_numpy.save_file({"b": np.zeros(2, np.float32), "a": np.arange(3)}, str(path))
    out = ag.load(path)
    assert sorted(out) == ["a", "b"] and out["a"].dtype == np.int64


def test_an_unknown_dtype_code_is_corruption(tmp_path):
    path = tmp_path / "m.safetensors"
    ag.save({"w": ag.ones(2)}, path)
    path.write_bytes(path.read_bytes().replace(b'"F32"', b'"Q32"'))
    with pytest.raises(CheckpointError, match=r"m\.safetensors.*unknown dtype 'Q32'"):
        ag.load(path)


def test_dtypes_numpy_has_no_type_for(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file
    path = tmp_path / "bf16.safetensors"
    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, str(path))
    with pytest.raises(TypeError, match=r"'w' has dtype BF16.*v\.float\(\)"):
        ag.load(path)


# ---------------------------------------------------------------------- what a safetensors file can't hold
@pytest.mark.parametrize("obj, match", [
    ({"model": {"w": ag.ones(1)}, "epoch": 3}, r"flat dict of tensors.*'model' is a dict.*\.pt or \.npz"),
    ({"epoch": 3}, "'epoch' is a int, not a tensor"), ({"lr": 0.1}, "'lr' is a float"),
    ({"w": [ag.ones(1)]}, "'w' is a list"), ({1: ag.ones(1)}, "keys are strings, got the key 1"),
    ([ag.ones(1)], "got a list"), (ag.ones(1), "got a Tensor"), (nn.Linear(1, 1), "got a Linear"),
    ({"c": np.ones(2, np.complex128)}, "'c' has dtype complex128.*can't hold"),
    ({"o": np.array([None])}, "'o' has dtype object"),
    ({"w": nn.LazyLinear(2).weight}, "uninitialized parameter"),
])
def test_unsupported_contents_raise_type_error_and_write_nothing(tmp_path, obj, match):
    with pytest.raises(TypeError, match=match):
        ag.save(obj, tmp_path / "x.safetensors")
    assert os.listdir(tmp_path) == []


def test_missing_package_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    ag.save({"w": ag.ones(1)}, path)
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    for call in (lambda: ag.save({"w": ag.ones(1)}, tmp_path / "n.safetensors"), lambda: ag.load(path)):
        with pytest.raises(ImportError, match=r"pip install 'autograd-core\[safetensors\]'"):
            call()
    assert sorted(os.listdir(tmp_path)) == ["m.safetensors"]
    ag.save({"w": ag.ones(1)}, tmp_path / "n.npz")                       # other formats don't need it
    assert nn.load(tmp_path / "n.npz")["w"].tolist() == [1.0]


# ---------------------------------------------------------------------- atomic writes
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    ag.save({"w": ag.ones(3)}, path)
    before = path.read_bytes()

    def interrupted(fd):
        raise KeyboardInterrupt("power cut")
    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ag.save({"w": ag.zeros(3)}, path)
    monkeypatch.undo()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        ag.save({"w": ag.zeros(3)}, path)
    assert os.listdir(tmp_path) == ["m.safetensors"] and path.read_bytes() == before


def test_a_killed_save_leaves_the_old_file(tmp_path):
    path = tmp_path / "m.safetensors"
    script = textwrap.dedent(f"""
        import os, signal
        import autograd_core as ag
        ag.save({{"w": ag.ones(1000)}}, {str(path)!r})
        os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)   # die after writing, before the rename
        ag.save({{"w": ag.zeros(1000)}}, {str(path)!r})
    """)
    proc = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": ROOT}, timeout=120)
    assert proc.returncode == -9
    assert ag.load(path)["w"].tolist() == [1.0] * 1000
    leftovers = [n for n in os.listdir(tmp_path) if n != "m.safetensors"]   # the killed write's temporary file
    assert len(leftovers) <= 1 and all(n.startswith(".m.safetensors.") and "tmp" in n for n in leftovers)


# ---------------------------------------------------------------------- the main job's model file
def _train_cli(tmp_path, name):
    from nn.training.cli import main
    out = tmp_path / name
    assert main(["--out", str(out), "--model", "mlp", "--limit", "100", "--epochs", "1", "--quiet",
                 "--no-graph"]) == 0
    return out


def test_the_main_job_writes_model_safetensors_that_loads_strictly(tmp_path):
    out = _train_cli(tmp_path, "run")
    assert {"model.safetensors", "checkpoint.npz"} <= set(os.listdir(out)) and "model.npz" not in os.listdir(out)
    model = nn.models.MLP()
    sd = st_numpy.load_file(str(out / "model.safetensors"))         # any safetensors reader opens it
    assert set(sd) == set(model.state_dict())
    model.load_state_dict(nn.load(out / "model.safetensors"), strict=True)
    ckpt = nn.load(out / "checkpoint.npz")                           # the training checkpoint stays npz
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), ckpt["model"][key].numpy(), err_msg=key)


def test_the_main_job_falls_back_to_npz_without_the_package(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    out = _train_cli(tmp_path, "run")
    assert "model.npz" in os.listdir(out) and "model.safetensors" not in os.listdir(out)
    nn.models.MLP().load_state_dict(nn.load(out / "model.npz"), strict=True)
