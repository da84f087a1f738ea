"""Tests of autograd_core.data: datasets, DataLoader, IDX files, MNIST/Fashion-MNIST lookup and download,
the embedded subset and the synthetic sets. No network: downloads go to an HTTP server on 127.0.0.1."""
import collections
import functools
import gzip
import hashlib
import http.server
import os
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core
from autograd_core.data import (MNIST, ConcatDataset, CorruptDatasetError, DataLoader, Dataset,
                                DatasetNotFoundError, DownloadError, EmbeddedFashionMNIST, FashionMNIST, IDXError,
                                Subset, TensorDataset, default_collate, load_embedded, random_split, read_idx,
                                synthetic, write_idx)
from autograd_core.tensor import Tensor

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
needs_debian_data = pytest.mark.skipif(not os.path.isfile(os.path.join(DEBIAN_DIR, "t10k-labels-idx1-ubyte.gz")),
                                       reason="needs apt-get install dataset-fashion-mnist")


def _xy(n=10, d=3):
    return np.arange(n * d, dtype=np.float32).reshape(n, d), np.arange(n, dtype=np.int64)


def _epoch_labels(loader):
    return np.concatenate([yb.numpy() for _, yb in loader])


# ---------------------------------------------------------------------------------------------- datasets
def test_tensor_dataset_items_are_tensors_and_inputs_are_not_copied():
    X, y = _xy()
    ds = TensorDataset(Tensor(X), y)
    x5, y5 = ds[5]
    assert isinstance(x5, Tensor) and isinstance(y5, Tensor)
    np.testing.assert_array_equal(x5.numpy(), X[5])
    assert y5.numpy().shape == () and int(y5) == 5 and y5.dtype == np.int64
    assert len(ds) == 10 and ds.arrays[1] is y
    assert isinstance(ds.tensors[1], Tensor)


def test_tensor_dataset_size_mismatch_names_the_shapes():
    with pytest.raises(ValueError, match=r"size mismatch.*\(10, 3\).*\(9,\)"):
        TensorDataset(np.zeros((10, 3)), np.zeros(9))


def test_concat_dataset_indexes_across_parts():
    a, b = TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 15))
    ds = ConcatDataset([a, b])
    assert len(ds) == 8 and len(a + b) == 8
    assert [int(ds[i][0]) for i in range(8)] == [0, 1, 2, 10, 11, 12, 13, 14]
    assert int(ds[-1][0]) == 14
    with pytest.raises(IndexError):
        ds[8]


@pytest.mark.parametrize("lengths, sizes", [([3, 7], [3, 7]), ([0.5, 0.5], [5, 5]),
                                            ([0.33, 0.33, 0.34], [4, 3, 3]), ([0.7, 0.2, 0.1], [7, 2, 1])])
def test_random_split_sizes_are_disjoint_and_cover(lengths, sizes):
    parts = random_split(TensorDataset(np.arange(10)), lengths, generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == sizes
    seen = np.concatenate([p.indices for p in parts])
    assert sorted(seen.tolist()) == list(range(10))


def test_random_split_matches_torch_sizes():
    torch = pytest.importorskip("torch")
    for n, fracs in [(10, [0.33, 0.33, 0.34]), (101, [0.8, 0.1, 0.1]), (7, [0.5, 0.5])]:
        ours = [len(p) for p in random_split(TensorDataset(np.arange(n)), fracs)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(n), fracs)]
        assert ours == theirs


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [11, -1]])
def test_random_split_rejects_bad_lengths(lengths):
    with pytest.raises(ValueError, match="random_split"):
        random_split(TensorDataset(np.arange(10)), lengths)


def test_random_split_is_reproducible_under_manual_seed():
    ds = TensorDataset(np.arange(50))
    autograd_core.manual_seed(3)
    a = [p.indices for p in random_split(ds, [0.6, 0.4])]
    autograd_core.manual_seed(3)
    b = [p.indices for p in random_split(ds, [0.6, 0.4])]
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)


def test_subset_indexing():
    sub = Subset(TensorDataset(np.arange(10) * 10), [7, 2, 5])
    assert len(sub) == 3 and int(sub[0][0]) == 70 and int(sub[-1][0]) == 50
    with pytest.raises(IndexError):
        Subset(TensorDataset(np.arange(3)), [3])


# ---------------------------------------------------------------------------------------------- DataLoader
@pytest.mark.parametrize("n, bs, drop_last", [(10, 3, False), (10, 3, True), (10, 5, False), (10, 5, True),
                                              (10, 20, False), (10, 20, True), (1, 1, False)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_sees_every_sample_once_per_epoch(n, bs, drop_last, shuffle):
    X, y = _xy(n)
    loader = DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=shuffle, drop_last=drop_last, seed=0)
    expected_len = n // bs if drop_last else -(-n // bs)
    for _ in range(2):  # two epochs
        batches = list(loader)
        assert len(batches) == len(loader) == expected_len
        for xb, yb in batches[:-1]:
            assert xb.shape == (bs, 3) and yb.shape == (bs,)
        if batches:
            last = batches[-1][0].shape[0]
            assert last == (bs if drop_last else n - bs * (expected_len - 1))
        labels = np.concatenate([yb.numpy() for _, yb in batches]) if batches else np.zeros(0, np.int64)
        assert len(set(labels.tolist())) == labels.size  # no sample twice
        if not drop_last:
            assert sorted(labels.tolist()) == list(range(n))
        if not shuffle:
            np.testing.assert_array_equal(labels, np.arange(labels.size))
        for xb, yb in batches:  # rows stay paired with their labels
            np.testing.assert_array_equal(xb.numpy(), X[yb.numpy()])
            assert xb.dtype == np.float32 and yb.dtype == np.int64


def test_shuffling_is_reproducible_under_manual_seed_and_differs_between_epochs():
    loader = DataLoader(TensorDataset(*_xy(100)), batch_size=16, shuffle=True)
    autograd_core.manual_seed(7)
    first, second = _epoch_labels(loader), _epoch_labels(loader)
    autograd_core.manual_seed(7)
    np.testing.assert_array_equal(_epoch_labels(loader), first)
    np.testing.assert_array_equal(_epoch_labels(loader), second)
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.arange(100))


def test_seed_and_generator_arguments():
    ds = TensorDataset(*_xy(50))
    a = DataLoader(ds, batch_size=8, shuffle=True, seed=1)
    b = DataLoader(ds, batch_size=8, shuffle=True, seed=1)
    np.testing.assert_array_equal(_epoch_labels(a), _epoch_labels(b))
    c = DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(_epoch_labels(c), _epoch_labels(DataLoader(ds, 8, True, seed=1)))
    with pytest.raises(ValueError, match="either generator or seed"):
        DataLoader(ds, shuffle=True, seed=1, generator=np.random.default_rng(1))
    for bad in (0, -1, 2.5):  # batch_size=None is valid: it turns automatic batching off
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(ds, batch_size=bad)


class _NoPerSampleAccess(TensorDataset):
    def __getitem__(self, index):
        raise AssertionError("the fast path must not fetch samples one by one")


def test_fast_path_indexes_arrays_per_batch():
    X, y = _xy(20)
    ds = _NoPerSampleAccess(X, y)
    batches = list(DataLoader(ds, batch_size=8, shuffle=True, seed=0))
    assert [b[0].shape[0] for b in batches] == [8, 8, 4]
    # random_split keeps the fast path: Subset forwards get_batch to its parent
    train, _ = random_split(ds, [15, 5], generator=np.random.default_rng(0))
    assert sum(b[1].shape[0] for b in DataLoader(train, batch_size=4)) == 15
    # a batch is a copy: writing into it leaves the dataset alone
    batches[0][0].numpy()[...] = -1
    np.testing.assert_array_equal(ds.arrays[0], X)


class _ListDataset(Dataset):
    """Per-sample dataset returning (ndarray, int), to compare the slow path with TensorDataset's fast one."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __getitem__(self, i):
        return self.X[i], int(self.y[i])

    def __len__(self):
        return len(self.y)


def test_per_sample_path_matches_fast_path():
    X, y = _xy(23)
    slow = DataLoader(_ListDataset(X, y), batch_size=5, shuffle=True, seed=4)
    fast = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True, seed=4)
    for (xs, ys), (xf, yf) in zip(slow, fast, strict=True):
        np.testing.assert_array_equal(xs.numpy(), xf.numpy())
        np.testing.assert_array_equal(ys.numpy(), yf.numpy())
        assert (xs.dtype, ys.dtype) == (xf.dtype, yf.dtype)


def test_custom_collate_fn_gets_the_list_of_samples():
    loader = DataLoader(_ListDataset(*_xy(7)), batch_size=3, collate_fn=lambda samples: [s[1] for s in samples])
    assert list(loader) == [[0, 1, 2], [3, 4, 5], [6]]


def test_default_collate_structures_and_dtypes():
    Point = collections.namedtuple("Point", "x label")
    samples = [(np.full(2, i, np.float32), i, float(i), {"id": i, "name": f"s{i}"}, Point(Tensor([i, i]), True))
               for i in range(3)]
    X, y, f, d, p = default_collate(samples)
    assert X.shape == (3, 2) and X.dtype == np.float32
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2]
    assert f.dtype == np.float64  # Python floats collate to float64, as in PyTorch
    assert d["id"].tolist() == [0, 1, 2] and d["name"] == ["s0", "s1", "s2"]
    assert isinstance(p, Point) and p.x.shape == (3, 2) and p.label.dtype == np.bool_
    assert isinstance(default_collate([[1, 2], [3, 4]]), list)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="batch must contain tensors"):
        default_collate([object(), object()])


# ---------------------------------------------------------------------------------------------- IDX
IDX_DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@pytest.mark.parametrize("dtype", IDX_DTYPES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (1, 1, 2, 2)])
def test_idx_round_trip(tmp_path, dtype, suffix, shape):
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    a = (rng.integers(info.min, info.max, shape, endpoint=True) if info else rng.normal(size=shape)).astype(dtype)
    path = tmp_path / f"a.idx{suffix}"
    write_idx(path, a)
    with open(path, "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == (suffix == ".gz")
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative and b.flags.writeable
    np.testing.assert_array_equal(a, b)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4), dtype=st.sampled_from(IDX_DTYPES),
       gz=st.booleans())
def test_idx_round_trip_any_shape(tmp_path_factory, shape, dtype, gz):
    a = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
    path = tmp_path_factory.mktemp("idx") / "a.idx"
    write_idx(path, a, compress=gz)  # gzip is detected by the magic bytes, not the name
    b = read_idx(path)
    assert b.shape == a.shape
    np.testing.assert_array_equal(a, b)


def test_idx_header_is_the_documented_format(tmp_path):
    write_idx(tmp_path / "a", np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int16))
    raw = (tmp_path / "a").read_bytes()
    assert raw[:4] == b"\x00\x00\x0b\x02"
    assert raw[4:12] == b"\x00\x00\x00\x02\x00\x00\x00\x03"
    assert raw[12:14] == b"\x00\x01"  # big-endian values


@pytest.mark.parametrize("payload, message", [
    (b"\x01\x02\x08\x01\x00\x00\x00\x01\x05", "wrong magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown IDX dtype code 0x07"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
    (b"\x00\x00\x0c\x01\x00\x00\x00\x02" + b"\x00" * 7, "truncated data"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x02" + b"\x00" * 3, "1 extra"),
    (b"\x00\x00", "too short"),
])
@pytest.mark.parametrize("gz", [False, True])
def test_idx_errors_are_clear(tmp_path, payload, message, gz):
    path = tmp_path / "bad"
    path.write_bytes(gzip.compress(payload) if gz else payload)
    with pytest.raises(IDXError, match=message) as info:
        read_idx(path)
    assert isinstance(info.value, ValueError) and str(path) in str(info.value)


def test_idx_corrupt_gzip_and_unsupported_dtype(tmp_path):
    write_idx(tmp_path / "a.gz", np.arange(1000, dtype=np.int32))
    data = (tmp_path / "a.gz").read_bytes()
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(IDXError, match="corrupt gzip"):
        read_idx(tmp_path / "cut.gz")
    with pytest.raises(IDXError, match="int64"):
        write_idx(tmp_path / "b", np.arange(3, dtype=np.int64))
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing")


# ---------------------------------------------------------------------------------------------- MNIST-style files
def _write_split(folder, n=6, train=True, gz=True, label_count=None, seed=0):
    """Tiny Fashion-MNIST-format files: ``n`` random images, labels ``i % 10``."""
    os.makedirs(folder, exist_ok=True)
    prefix = "train" if train else "t10k"
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n if label_count is None else label_count) % 10).astype(np.uint8)
    ext = ".gz" if gz else ""
    write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{ext}"), images)
    write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{ext}"), labels)
    return images, labels


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No environment variables, an empty data home, and no system folder: only what the test writes exists."""
    for var in ("FASHION_MNIST_DIR", "MNIST_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(tmp_path / "home"))
    monkeypatch.setattr(FashionMNIST, "system_dirs", (str(tmp_path / "system"),))
    return tmp_path


def test_fashion_mnist_from_root(isolated):
    images, labels = _write_split(isolated / "root", n=12)
    ds = FashionMNIST(root=isolated / "root", train=True)
    assert len(ds) == 12 and ds.data.dtype == np.uint8 and ds.data.shape == (12, 28, 28)
    assert ds.targets.dtype == np.int64 and ds.classes[0] == "T-shirt/top" and len(ds.classes) == 10
    np.testing.assert_array_equal(ds.data, images)
    x, label = ds[3]
    assert isinstance(x, Tensor) and x.shape == (1, 28, 28) and x.dtype == np.float32
    assert 0.0 <= x.numpy().min() and x.numpy().max() <= 1.0 and label == 3 and type(label) is int
    np.testing.assert_allclose(x.numpy()[0] * 255, images[3], atol=1e-4)
    xb, yb = ds.get_batch(np.array([3, 0]))
    np.testing.assert_array_equal(xb.numpy()[0], x.numpy())
    assert yb.tolist() == [3, 0]
    with pytest.raises(DatasetNotFoundError):
        FashionMNIST(root=isolated / "root", train=False)


@pytest.mark.parametrize("layout", ["torchvision", "unzipped", "env", "home", "home-slug", "system"])
def test_fashion_mnist_finds_every_layout(isolated, monkeypatch, layout):
    folder = {"torchvision": isolated / "root" / "FashionMNIST" / "raw", "unzipped": isolated / "root",
              "env": isolated / "env", "home": isolated / "home" / "FashionMNIST" / "raw",
              "home-slug": isolated / "home" / "fashion-mnist", "system": isolated / "system"}[layout]
    _write_split(folder, n=4, gz=layout != "unzipped")
    monkeypatch.setenv("FASHION_MNIST_DIR", str(isolated / "env"))
    ds = FashionMNIST(root=isolated / "root") if layout in ("torchvision", "unzipped") else FashionMNIST()
    assert len(ds) == 4 and os.path.dirname(ds.image_file) == str(folder)


def test_lookup_order_root_env_home_system(isolated, monkeypatch):
    places = [isolated / "root", isolated / "env", isolated / "home" / "FashionMNIST" / "raw", isolated / "system"]
    for n, folder in enumerate(places, start=1):
        _write_split(folder, n=n)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(isolated / "env"))
    assert len(FashionMNIST(root=isolated / "root")) == 1
    assert len(FashionMNIST()) == 2
    monkeypatch.delenv("FASHION_MNIST_DIR")
    assert len(FashionMNIST()) == 3
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(isolated / "elsewhere"))
    assert len(FashionMNIST()) == 4


def test_missing_files_message_lists_every_place_and_the_remedies(isolated, monkeypatch):
    monkeypatch.setenv("FASHION_MNIST_DIR", str(isolated / "env"))
    _write_split(isolated / "root", n=3, train=False)  # the test split only
    (isolated / "root" / "train-images-idx3-ubyte.gz").write_bytes(b"")  # and half of the train split
    with pytest.raises(DatasetNotFoundError) as info:
        FashionMNIST(root=isolated / "root", train=True)
    msg = str(info.value)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, RuntimeError)
    for place in [isolated / "root", isolated / "root" / "FashionMNIST" / "raw"]:
        assert str(place) in msg
    assert "only train-images-idx3-ubyte.gz" in msg
    with pytest.raises(DatasetNotFoundError) as info:   # without a root: the whole search path
        FashionMNIST(train=True)
    for place in [isolated / "env", isolated / "home" / "FashionMNIST" / "raw", isolated / "home" / "fashion-mnist",
                  isolated / "system"]:
        assert str(place) in str(info.value)
    assert "apt-get install dataset-fashion-mnist" in msg and "download=True" in msg
    assert "train-labels-idx1-ubyte" in msg and "EmbeddedFashionMNIST" in msg
    monkeypatch.delenv("FASHION_MNIST_DIR")
    with pytest.raises(DatasetNotFoundError, match=r"\$MNIST_DIR \(not set\)") as info:
        MNIST()
    assert "apt-get" not in str(info.value)


def test_corrupt_and_inconsistent_files(isolated):
    root = isolated / "root"
    _write_split(root, n=5, label_count=4)
    with pytest.raises(CorruptDatasetError, match="count mismatch: 5 images but 4 labels"):
        FashionMNIST(root=root)
    (root / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(CorruptDatasetError, match="corrupt gzip") as info:
        FashionMNIST(root=root)
    assert str(root / "train-images-idx3-ubyte.gz") in str(info.value)
    write_idx(root / "train-images-idx3-ubyte.gz", np.zeros((4, 14, 14), np.uint8))
    with pytest.raises(CorruptDatasetError, match=r"28 x 28.*\(4, 14, 14\)"):
        FashionMNIST(root=root)
    write_idx(root / "train-images-idx3-ubyte.gz", np.zeros((4, 28, 28), np.uint8))
    write_idx(root / "train-labels-idx1-ubyte.gz", np.array([0, 1, 2, 10], np.uint8))
    with pytest.raises(CorruptDatasetError, match=r"\[0, 10\)"):
        FashionMNIST(root=root)


def test_transforms_and_whole_array_access(isolated):
    images, labels = _write_split(isolated / "root", n=10)
    seen = []
    ds = FashionMNIST(root=isolated / "root", transform=lambda im: seen.append(im) or im.sum(),
                      target_transform=lambda y: -y)
    image, label = ds[2]
    assert seen[0].shape == (28, 28) and seen[0].dtype == np.uint8 and label == -2
    xb, yb = ds.get_batch(np.array([1, 2]))  # per-sample path because of the transforms
    assert yb.tolist() == [-1, -2] and xb.shape == (2,)
    ds = FashionMNIST(root=isolated / "root")
    X, y = ds.as_arrays()
    assert X.shape == (10, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(ds.get_batch(np.arange(10))[0].numpy(), X)
    Xn, _ = ds.as_arrays(normalize=True, flatten=True)
    assert Xn.shape == (10, 784)
    np.testing.assert_allclose(Xn, ((X - 0.2860) / 0.3530).reshape(10, -1), rtol=1e-5, atol=1e-5)
    Xc, _ = ds.as_arrays(normalize=(0.5, 0.25))
    np.testing.assert_allclose(Xc, (X - 0.5) / 0.25, rtol=1e-5, atol=1e-5)
    tds = ds.to_tensor_dataset(normalize=True)
    assert isinstance(tds, TensorDataset) and len(DataLoader(tds, batch_size=4)) == 3


# ---------------------------------------------------------------------------------------------- download
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        _QuietHandler.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def http_mirror(tmp_path, monkeypatch):
    """An HTTP server on 127.0.0.1 serving tiny Fashion-MNIST files from ``<tmp>/mirror/fm/``."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    mirror = tmp_path / "mirror" / "fm"
    _write_split(mirror, n=8, train=True)
    _write_split(mirror, n=3, train=False, seed=1)
    md5 = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in mirror.iterdir()}
    handler = functools.partial(_QuietHandler, directory=str(tmp_path / "mirror"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    _QuietHandler.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", md5
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_download_verifies_checksums_and_writes_atomically(isolated, monkeypatch, http_mirror):
    base, md5 = http_mirror
    monkeypatch.setattr(FashionMNIST, "mirrors", [base + "missing/", base + "fm/"])  # the first one 404s
    monkeypatch.setattr(FashionMNIST, "resources", [(name, md5[name]) for name in sorted(md5)])
    with pytest.raises(DatasetNotFoundError):
        FashionMNIST(root=isolated / "root")
    ds = FashionMNIST(root=isolated / "root", download=True)
    raw = isolated / "root" / "FashionMNIST" / "raw"
    assert len(ds) == 8 and os.path.dirname(ds.image_file) == str(raw)
    assert sorted(os.listdir(raw)) == sorted(md5)  # all four files, no temporary leftovers
    assert len(FashionMNIST(root=isolated / "root", train=False)) == 3
    count = len(_QuietHandler.requests)
    FashionMNIST(root=isolated / "root", download=True)  # already there: nothing fetched
    assert len(_QuietHandler.requests) == count
    FashionMNIST.download_files()  # no root: into the data home
    assert sorted(os.listdir(isolated / "home" / "FashionMNIST" / "raw")) == sorted(md5)


def test_download_with_a_bad_checksum_fails_and_leaves_nothing(isolated, monkeypatch, http_mirror):
    base, md5 = http_mirror
    monkeypatch.setattr(FashionMNIST, "mirrors", [base + "fm/"])
    monkeypatch.setattr(FashionMNIST, "resources", [(name, "0" * 32) for name in sorted(md5)])
    with pytest.raises(DownloadError, match="checksum mismatch") as info:
        FashionMNIST(root=isolated / "root", download=True)
    assert base + "fm/" in str(info.value) and isinstance(info.value, OSError)
    assert os.listdir(isolated / "root" / "FashionMNIST" / "raw") == []
    monkeypatch.setattr(FashionMNIST, "mirrors", [base + "missing/"])
    with pytest.raises(DownloadError, match="404"):
        FashionMNIST.download_files(isolated / "root")


def test_published_checksums_are_torchvisions():
    assert dict(FashionMNIST.resources)["train-images-idx3-ubyte.gz"] == "8d4fb7e6c68d591d4c3dfef9ec88bf0d"
    assert dict(MNIST.resources)["t10k-labels-idx1-ubyte.gz"] == "ec29112dd5afa0611ce80d1b7f02629c"
    assert all(m.endswith("/") for m in FashionMNIST.mirrors + MNIST.mirrors)


# ---------------------------------------------------------------------------------------------- embedded subset
def test_embedded_subset_shapes_and_balance():
    (x_train, y_train), (x_test, y_test) = load_embedded()
    assert x_train.shape == (12000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert np.bincount(y_train).tolist() == [1200] * 10 and np.bincount(y_test).tolist() == [200] * 10
    ds = EmbeddedFashionMNIST(train=False)
    assert len(ds) == 2000 and ds.classes == FashionMNIST.classes
    assert np.all(np.diff(ds.indices) > 0) and ds.indices.max() < 10000
    x, label = ds[0]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32 and isinstance(label, int)
    X, _ = EmbeddedFashionMNIST(train=True).as_arrays(normalize=True)
    assert abs(float(X.mean())) < 0.1 and abs(float(X.std()) - 1) < 0.1


@needs_debian_data
@pytest.mark.parametrize("train", [False, True])
def test_embedded_subset_is_the_documented_part_of_the_official_data(train):
    official = FashionMNIST(root=DEBIAN_DIR, train=train)
    assert len(official) == (60000 if train else 10000)
    emb = EmbeddedFashionMNIST(train=train)
    np.testing.assert_array_equal(emb.data, official.data[emb.indices])
    np.testing.assert_array_equal(emb.targets, official.targets[emb.indices])


# ---------------------------------------------------------------------------------------------- synthetic sets
POINT_SETS = [
    (synthetic.make_moons, {}, 2), (synthetic.make_circles, {}, 2), (synthetic.make_xor, {}, 2),
    (synthetic.make_spirals, {"n_arms": 3}, 3), (synthetic.make_blobs, {"centers": 4}, 4),
]


@pytest.mark.parametrize("fn, kwargs, n_classes", POINT_SETS)
def test_point_sets_shapes_determinism_and_balance(fn, kwargs, n_classes):
    X, y = fn(120, seed=0, **kwargs)
    assert X.shape == (120, 2) and X.dtype == np.float32 and y.shape == (120,) and y.dtype == np.int64
    assert set(y.tolist()) == set(range(n_classes))
    X2, y2 = fn(120, seed=0, **kwargs)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, fn(120, seed=1, **kwargs)[0])
    autograd_core.manual_seed(5)
    X3, _ = fn(120, **kwargs)
    autograd_core.manual_seed(5)
    np.testing.assert_array_equal(X3, fn(120, **kwargs)[0])
    ds = fn(120, seed=0, as_dataset=True, **kwargs)
    assert isinstance(ds, TensorDataset) and len(ds) == 120
    if fn is not synthetic.make_xor:
        assert np.bincount(y).max() - np.bincount(y).min() <= 1


def test_point_sets_geometry_without_noise():
    X, y = synthetic.make_circles(200, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.3), rtol=1e-5)
    X, y = synthetic.make_xor(200, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    X, y = synthetic.make_blobs(90, centers=[[0, 0, 0], [10, 10, 10]], cluster_std=0.1, seed=0)
    assert X.shape == (90, 3)
    np.testing.assert_array_equal(y, (X[:, 0] > 5).astype(np.int64))


def test_sine_windows():
    X, y = synthetic.make_sine_windows(32, seq_len=20, horizon=3, noise=0.0, seed=0)
    assert X.shape == (32, 20, 1) and y.shape == (32, 3) and X.dtype == y.dtype == np.float32
    assert np.abs(X).max() <= 1 + 1e-6 and np.abs(y).max() <= 1 + 1e-6
    Xn, yn = synthetic.make_sine_windows(32, seq_len=20, horizon=3, noise=0.1, seed=0)
    np.testing.assert_allclose(yn, y)  # targets stay clean
    assert 0.05 < np.std(Xn - X) < 0.15


def test_digit_sequence_tasks():
    src, tgt = synthetic.make_copy_task(50, seq_len=6, seed=0)
    assert src.shape == tgt.shape == (50, 6) and src.dtype == np.int64 and src.max() < 10
    np.testing.assert_array_equal(src, tgt)
    src, tgt = synthetic.make_reverse_task(50, seq_len=6, n_digits=5, seed=0)
    np.testing.assert_array_equal(tgt, src[:, ::-1])
    assert src.max() < 5
    src, tgt = synthetic.make_sort_task(50, seq_len=6, seed=0)
    np.testing.assert_array_equal(tgt, np.sort(src, axis=1))
    np.testing.assert_array_equal(src, synthetic.make_sort_task(50, seq_len=6, seed=0)[0])
    assert isinstance(synthetic.make_sequence_task("copy", 4, as_dataset=True, seed=0), TensorDataset)
    with pytest.raises(ValueError, match="task must be one of"):
        synthetic.make_sequence_task("shuffle")


def test_adding_problem():
    X, y = synthetic.make_adding_problem(64, seq_len=30, seed=0)
    assert X.shape == (64, 30, 2) and y.shape == (64, 1) and X.dtype == y.dtype == np.float32
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :15].sum(axis=1) == 1) and np.all(markers[:, 15:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * markers).sum(axis=1), rtol=1e-6)


def test_synthetic_loader_end_to_end():
    loader = DataLoader(synthetic.make_spirals(100, seed=0, as_dataset=True), batch_size=32, shuffle=True, seed=0)
    xb, yb = next(iter(loader))
    assert xb.shape == (32, 2) and yb.shape == (32,) and xb.dtype == np.float32 and yb.dtype == np.int64
