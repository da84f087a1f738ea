"""nn.save / nn.load: round trips of checkpoints, no code execution, atomic writes, clear errors on bad files."""
import io
import json
import os
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import optim
from autograd_core import Tensor
from nn.serialization import CheckpointError


def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def _trained():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.99))
    for _ in range(2):
        opt.zero_grad()
        model(ag.randn(5, 3)).sum().backward()
        opt.step()
    return model, opt


def test_checkpoint_round_trip(tmp_path):
    model, opt = _trained()
    ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "loss": 0.25, "name": "run1",
            "done": False, "note": None, "shape": (2, 3), "hist": [1.5, 2, np.float32(0.5)],
            "arr": np.arange(6, dtype=np.int32).reshape(2, 3), "nan": float("nan"), 7: "int key", (1, "a"): [True]}
    path = tmp_path / "ckpt.npz"
    nn.save(ckpt, path)
    out = nn.load(path)
    assert set(out) == set(ckpt)
    assert isinstance(out["model"], OrderedDict) and list(out["model"]) == list(ckpt["model"])
    for k, v in ckpt["model"].items():
        assert isinstance(out["model"][k], Tensor)
        assert out["model"][k].dtype == v.dtype and out["model"][k].shape == v.shape
        np.testing.assert_array_equal(out["model"][k].numpy(), v.numpy())
    assert out["epoch"] == 3 and isinstance(out["epoch"], int) and out["loss"] == 0.25 and out["name"] == "run1"
    assert out["done"] is False and out["note"] is None and out["shape"] == (2, 3)
    assert out["hist"][:2] == [1.5, 2] and isinstance(out["hist"][2], np.float32)
    assert isinstance(out["arr"], np.ndarray) and out["arr"].dtype == np.int32
    np.testing.assert_array_equal(out["arr"], ckpt["arr"])
    assert np.isnan(out["nan"]) and out[7] == "int key" and out[(1, "a")] == [True]
    # the loaded state restores a model and an optimizer
    model2 = _model()
    model2.load_state_dict(out["model"])
    x = ag.randn(4, 3)
    model.eval()
    model2.eval()
    np.testing.assert_array_equal(model(x).numpy(), model2(x).numpy())
    opt2 = optim.Adam(model2.parameters(), lr=1.0)
    opt2.load_state_dict(out["optimizer"])
    assert opt2.param_groups[0]["lr"] == 1e-2 and opt2.param_groups[0]["betas"] == (0.8, 0.99)
    assert set(opt2.state_dict()["state"]) == set(opt.state_dict()["state"])


def test_file_objects_tensors_parameters_and_sharing():
    p = nn.Parameter(ag.randn(2, 2))
    frozen = nn.Parameter(ag.randn(2), requires_grad=False)
    t = ag.randn(3, requires_grad=True)
    buf = io.BytesIO()
    nn.save({"p": p, "again": p, "frozen": frozen, "t": t, "empty": ag.zeros(0, 3), "scalar": ag.tensor(2.5)}, buf)
    buf.seek(0)
    out = nn.load(buf)
    assert isinstance(out["p"], nn.Parameter) and out["p"].requires_grad
    assert out["again"] is out["p"]                # one array stored, identity restored
    assert isinstance(out["frozen"], nn.Parameter) and not out["frozen"].requires_grad
    assert type(out["t"]) is Tensor and out["t"].requires_grad
    assert out["empty"].shape == (0, 3) and out["scalar"].shape == () and out["scalar"].item() == 2.5


def test_unsupported_objects_raise_before_writing(tmp_path):
    path = tmp_path / "m.npz"
    with pytest.raises(TypeError, match="state_dict"):
        nn.save(_model(), path)
    with pytest.raises(TypeError, match=r"object array at obj\['x'\]"):
        nn.save({"x": np.array([1, "a"], dtype=object)}, path)
    with pytest.raises(TypeError, match="dict key"):
        nn.save({frozenset(): 1}, path)
    assert os.listdir(tmp_path) == []


def test_format_is_plain_npz_with_json_and_loading_never_unpickles(tmp_path):
    path = tmp_path / "ckpt.npz"
    nn.save({"w": ag.ones(2)}, path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["__meta__.npy", "a0.npy"]
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(z["__meta__"].tobytes())
    assert meta["tree"] == {"$dict": [["w", {"$tensor": "a0", "requires_grad": False}]], "ordered": False}
    # an archive carrying a pickled object array is refused, not executed
    evil = tmp_path / "evil.npz"
    np.savez(evil, __meta__=np.frombuffer(json.dumps({"format": "autograd_core.nn.save", "version": 1, "tree": {
        "$ndarray": "a0"}}).encode(), dtype=np.uint8), a0=np.array([{"x": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="evil.npz"):
        nn.load(evil)


def test_corrupted_file_is_detected(tmp_path):
    path = tmp_path / "ckpt.npz"
    nn.save({"w": Tensor(np.arange(20000.0))}, path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF                    # inside the array's data
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match=r"ckpt\.npz.*(CRC|corrupt)") as info:
        nn.load(path)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("keep", [0, 10, 0.5, -20])
def test_truncated_file_is_detected(tmp_path, keep):
    path = tmp_path / "ckpt.npz"
    nn.save({"w": ag.randn(100, 10), "epoch": 1}, path)
    raw = path.read_bytes()
    n = int(len(raw) * keep) if isinstance(keep, float) else (keep if keep >= 0 else len(raw) + keep)
    path.write_bytes(raw[:n])
    with pytest.raises(CheckpointError, match="ckpt.npz"):
        nn.load(path)


def test_not_a_checkpoint(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, x=np.ones(2))
    with pytest.raises(CheckpointError, match="__meta__"):
        nn.load(other)
    single = tmp_path / "single.npy"
    np.save(single, np.ones(2))
    with pytest.raises(CheckpointError, match="single"):
        nn.load(single)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(CheckpointError):
        nn.load(text)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_interrupted_save_keeps_the_previous_file_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    nn.save({"epoch": 1, "w": ag.ones(3)}, path)
    before = path.read_bytes()
    real_savez = np.savez

    def crash_mid_write(file, **arrays):
        real_savez(file, **{k: v for k, v in list(arrays.items())[:1]})   # part of the archive is written...
        raise KeyboardInterrupt("power cut")                                 # ...then the process is interrupted
    monkeypatch.setattr(np, "savez", crash_mid_write)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"epoch": 2, "w": ag.zeros(3)}, path)
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    monkeypatch.setattr(np, "savez", real_savez)
    with pytest.raises(OSError, match="disk full"):
        nn.save({"epoch": 3}, path)
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    assert path.read_bytes() == before
    assert nn.load(path)["epoch"] == 1


def test_save_overwrites_atomically_and_keeps_permissions(tmp_path):
    path = tmp_path / "ckpt.npz"
    nn.save({"v": 1}, str(path))
    os.chmod(path, 0o640)
    nn.save({"v": 2}, path)
    assert nn.load(str(path)) == {"v": 2}
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["ckpt.npz"]      # no 'ckpt.npz.npz', no temp file


def test_torch_state_dict_saved_as_numpy_loads_into_our_model(tmp_path):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2))
    path = tmp_path / "from_torch.npz"
    nn.save({k: v.detach().numpy() for k, v in theirs.state_dict().items()}, path)
    ours = _model()
    ours.load_state_dict(nn.load(path))
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), atol=1e-6)
