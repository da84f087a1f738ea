"""autograd_core.vision: torchvision's MNIST/FashionMNIST, transforms and make_grid/save_image.

torchvision is not installed here, so its semantics are written out by hand (its source's formulas); tensor
arithmetic is compared with PyTorch where it is installed.
"""
import importlib.util
import os
import pickle

import numpy as np
import pytest

import autograd_core as ac
import autograd_core.vision as vision
from autograd_core.data import DataLoader, Subset, write_idx
from autograd_core.data import datasets as data_datasets
from autograd_core.vision import datasets, transforms, utils

HAS_PIL = importlib.util.find_spec("PIL") is not None
needs_pil = pytest.mark.skipif(not HAS_PIL, reason="pillow not installed")


def _write_split(folder, n_train=12, n_test=6, seed=0):
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        x = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        y = (np.arange(n) % 10).astype(np.uint8)
        write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), x)
        write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), y)  # one gzipped, one raw
        out[prefix] = (x, y)
    return out


@pytest.fixture
def no_local_copies(tmp_path, monkeypatch):
    """No environment variable, an empty data home and no system folder: only ``root`` can hold the files."""
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("AUTOGRAD_CORE_DATA", str(tmp_path / "empty-home"))
    monkeypatch.setattr(data_datasets.FashionMNIST, "system_dirs", ())


# ---------------------------------------------------------------------------------------------- datasets
@pytest.mark.parametrize("layout", ["torchvision", "flat"])
def test_dataset_attributes_and_samples(tmp_path, layout):
    folder = tmp_path / "FashionMNIST" / "raw" if layout == "torchvision" else tmp_path
    arrays = _write_split(folder)
    train = datasets.FashionMNIST(tmp_path, train=True)
    test = datasets.FashionMNIST(str(tmp_path), train=False)
    assert len(train) == 12 and len(test) == 6
    assert isinstance(train.data, ac.Tensor) and train.data.dtype == np.uint8 and train.data.shape == (12, 28, 28)
    assert train.targets.dtype == np.int64 and train.targets.tolist() == arrays["train"][1].tolist()
    np.testing.assert_array_equal(test.data.numpy(), arrays["t10k"][0])
    assert train.classes[0] == "T-shirt/top" and train.class_to_idx["Ankle boot"] == 9
    img, label = train[3]
    assert label == 3
    if HAS_PIL:  # torchvision hands the transform a PIL image, mode "L"
        from PIL import Image
        assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), arrays["train"][0][3])
    assert "Number of datapoints: 12" in repr(train) and "Split: Test" in repr(test)


def test_numpy_backend_and_target_transform(tmp_path):
    _write_split(tmp_path)
    seen = []
    vision.set_image_backend("numpy")
    try:
        ds = datasets.MNIST(tmp_path, transform=lambda im: seen.append(im) or im.shape, target_transform=str)
    finally:
        vision.set_image_backend("PIL" if HAS_PIL else "numpy")
    assert ds[2] == ((28, 28), "2")
    assert isinstance(seen[0], np.ndarray) and seen[0].dtype == np.uint8
    with pytest.raises(ValueError, match="Invalid backend 'cv2'"):
        vision.set_image_backend("cv2")


def test_missing_root_raises_not_found_even_with_other_copies(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    _write_split(elsewhere)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(elsewhere))  # the lenient loader would find these
    assert len(data_datasets.FashionMNIST(train=False)) == 6
    for root in (tmp_path / "missing", tmp_path / "elsewhere-empty"):
        with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
            datasets.FashionMNIST(root)
    with pytest.raises(TypeError, match="root must be a folder path"):
        datasets.FashionMNIST(None)


def test_download_copies_a_local_copy_into_root(tmp_path, monkeypatch, no_local_copies):
    elsewhere = tmp_path / "elsewhere"
    arrays = _write_split(elsewhere)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(elsewhere))
    root = tmp_path / "data"
    ds = datasets.FashionMNIST(root, train=False, download=True)
    assert sorted(os.listdir(root / "FashionMNIST" / "raw")) == sorted(os.listdir(elsewhere))
    np.testing.assert_array_equal(ds.data.numpy(), arrays["t10k"][0])
    monkeypatch.delenv("FASHION_MNIST_DIR")
    assert len(datasets.FashionMNIST(root, train=True)) == 12  # now found in root without download


def test_download_without_network_or_copy_says_what_to_do(tmp_path, monkeypatch, no_local_copies):
    def offline(root=None, timeout=30.0):
        raise data_datasets.DownloadError("could not download train-images-idx3-ubyte.gz:\n  url: no network")

    monkeypatch.setattr(data_datasets.FashionMNIST, "download_files", classmethod(lambda cls, root=None: offline()))
    with pytest.raises(RuntimeError, match=r"could not be downloaded(.|\n)*no network(.|\n)*Put the IDX files"):
        datasets.FashionMNIST(tmp_path / "data", download=True)


def test_corrupt_files_raise_runtime_error(tmp_path):
    _write_split(tmp_path)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8bgarbage")
    with pytest.raises(RuntimeError, match="corrupt gzip"):
        datasets.MNIST(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(5, np.uint8))  # 6 images, 5 labels
    with pytest.raises(RuntimeError, match="do not hold N uint8 images and N labels"):
        datasets.MNIST(tmp_path, train=False)


def test_batch_fast_path_equals_sample_by_sample(tmp_path):
    _write_split(tmp_path)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    ds = datasets.FashionMNIST(tmp_path, transform=tf)
    idx = np.array([5, 0, 7])
    xb, yb = ds.get_batch(idx)
    for k, i in enumerate(idx):
        x, y = ds[int(i)]
        np.testing.assert_array_equal(xb.numpy()[k], x.numpy())  # bitwise: the same arithmetic
        assert yb.tolist()[k] == y
    slow = datasets.FashionMNIST(tmp_path, transform=transforms.Compose([tf, transforms.Lambda(lambda t: t)]))
    fast_batches = list(DataLoader(ds, batch_size=5))
    slow_batches = list(DataLoader(slow, batch_size=5))
    for (a, ya), (b, yb2) in zip(fast_batches, slow_batches):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert ya.tolist() == yb2.tolist() and a.dtype == np.float32
    sub = Subset(ds, [1, 2, 3])
    assert list(DataLoader(sub, batch_size=3))[0][0].shape == (3, 1, 28, 28)
    assert pickle.loads(pickle.dumps(ds))[1][1] == 1  # picklable, for DataLoader workers


# ---------------------------------------------------------------------------------------------- ToTensor
def test_to_tensor_scales_uint8_only():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    t = transforms.ToTensor()(a)
    assert t.shape == (1, 3, 4) and t.dtype == np.float32
    np.testing.assert_array_equal(t.numpy()[0], a.astype(np.float32) / np.float32(255))
    rgb = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    np.testing.assert_array_equal(transforms.ToTensor()(rgb).numpy(), rgb.transpose(2, 0, 1) / np.float32(255))
    f = np.full((2, 2), 7.5)
    tf = transforms.ToTensor()(f)
    assert tf.dtype == np.float64 and tf.numpy().max() == 7.5  # not scaled, dtype kept (torchvision)
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        transforms.ToTensor()(ac.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions"):
        transforms.ToTensor()(np.zeros((1, 1, 2, 2), np.uint8))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        transforms.ToTensor()([[1, 2]])


@needs_pil
def test_to_tensor_and_to_pil_image_with_pillow():
    from PIL import Image
    rgb = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    img = Image.fromarray(rgb)
    np.testing.assert_array_equal(transforms.ToTensor()(img).numpy(), transforms.ToTensor()(rgb).numpy())
    back = transforms.ToPILImage()(transforms.ToTensor()(img))
    assert back.mode == "RGB"
    # torchvision: pic.mul(255).byte() truncates
    np.testing.assert_array_equal(np.asarray(back), ((rgb / np.float32(255)).astype(np.float32) * 255).astype(np.uint8))
    assert transforms.PILToTensor()(img).dtype == np.uint8
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        transforms.ToPILImage()([1])


# ---------------------------------------------------------------------------------------------- Normalize
def test_normalize_matches_torch_formula():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).random((2, 3, 4, 5), dtype=np.float32)
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.3)
    ours = transforms.Normalize(mean, std)(ac.tensor(x))
    tx = torch.tensor(x)
    theirs = (tx - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]  # torchvision's F.normalize
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    t = ac.tensor(x[0])
    out = transforms.Normalize(mean, std, inplace=True)(t)
    assert out is t or np.array_equal(t.numpy(), out.numpy())
    np.testing.assert_allclose(t.numpy(), theirs.numpy()[0], rtol=1e-6)


def test_normalize_is_differentiable_and_checks_its_input():
    x = ac.tensor(np.ones((1, 2, 2), np.float32), requires_grad=True)
    transforms.Normalize((0.5,), (0.25,))(x).sum().backward()
    assert x.grad.tolist() == [[[4.0, 4.0], [4.0, 4.0]]]
    with pytest.raises(TypeError, match="Input tensor should be a torch tensor"):
        transforms.Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2), np.float32))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got"):
        transforms.Normalize((0.5,), (0.5,))(ac.tensor(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(..., C, H, W\)"):
        transforms.Normalize((0.5,), (0.5,))(ac.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to float32"):
        transforms.Normalize((0.5,), (0.0,))(ac.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="mean and std need 1 or 3 values"):
        transforms.Normalize((0.5, 0.5), (0.5, 0.5))(ac.zeros(3, 2, 2))


def test_compose_and_lambda():
    tf = transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda t: t * 2)])
    assert tf(np.full((1, 1), 255, np.uint8)).tolist() == [[[2.0]]]
    assert repr(tf).startswith("Compose(\n    ToTensor()")
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        transforms.Lambda(3)


# ---------------------------------------------------------------------------------------------- geometry
A = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)


def test_pad_modes_on_arrays_by_hand():
    np.testing.assert_array_equal(transforms.Pad(1, fill=9)(A), [[9] * 5, [9, 1, 2, 3, 9], [9, 4, 5, 6, 9], [9] * 5])
    np.testing.assert_array_equal(transforms.Pad((1, 0), padding_mode="edge")(A), [[1, 1, 2, 3, 3], [4, 4, 5, 6, 6]])
    np.testing.assert_array_equal(transforms.Pad((1, 0, 0, 0), padding_mode="reflect")(A), [[2, 1, 2, 3], [5, 4, 5, 6]])
    np.testing.assert_array_equal(transforms.Pad((0, 0, 1, 0), padding_mode="symmetric")(A),
                                  [[1, 2, 3, 3], [4, 5, 6, 6]])
    rgb = np.zeros((2, 2, 3), np.uint8)
    assert transforms.Pad((1, 2))(rgb).shape == (6, 4, 3)  # (left/right, top/bottom)


@pytest.mark.parametrize("mode, torch_mode", [("constant", "constant"), ("edge", "replicate"),
                                              ("reflect", "reflect")])
def test_pad_on_tensors_matches_torch(mode, torch_mode):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).random((2, 3, 4), dtype=np.float32)
    ours = transforms.Pad((1, 2, 0, 1), fill=0.5 if mode == "constant" else 0, padding_mode=mode)(ac.tensor(x))
    kw = {"value": 0.5} if mode == "constant" else {}
    theirs = torch.nn.functional.pad(torch.tensor(x)[None], (1, 0, 2, 1), mode=torch_mode, **kw)[0]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_pad_bad_arguments():
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        transforms.Pad("1")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element"):
        transforms.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        transforms.Pad(1, padding_mode="wrap")
    with pytest.raises(TypeError, match="Got inappropriate fill arg"):
        transforms.Pad(1, fill="x")
    with pytest.raises(ValueError, match="non-negative"):
        transforms.Pad(-1)
    with pytest.raises(TypeError, match="img should be a PIL Image, a numpy array or a Tensor"):
        transforms.Pad(1)([[1]])


def test_center_crop_by_hand():
    img = np.arange(25, dtype=np.uint8).reshape(5, 5)
    # torchvision: top = int(round((h - th) / 2)), left likewise; round(1.5) == 2
    np.testing.assert_array_equal(transforms.CenterCrop(2)(img), img[2:4, 2:4])
    np.testing.assert_array_equal(transforms.CenterCrop((3, 1))(img), img[1:4, 2:3])
    padded = transforms.CenterCrop(4)(np.ones((2, 2), np.uint8))  # smaller: zero-padded around
    np.testing.assert_array_equal(padded, np.pad(np.ones((2, 2), np.uint8), 1))
    t = transforms.CenterCrop(2)(ac.tensor(img[None].astype(np.float32)))
    assert t.shape == (1, 2, 2) and t.tolist() == [[[12.0, 13.0], [17.0, 18.0]]]
    with pytest.raises(ValueError, match="Please provide only two dimensions"):
        transforms.CenterCrop((1, 2, 3))


def test_random_crop_and_flip():
    img = np.arange(36, dtype=np.uint8).reshape(6, 6)
    ac.manual_seed(3)
    a = transforms.RandomCrop(3)(img)
    ac.manual_seed(3)
    b = transforms.RandomCrop(3)(img)
    np.testing.assert_array_equal(a, b)
    r0, c0 = divmod(int(a[0, 0]), 6)
    np.testing.assert_array_equal(a, img[r0:r0 + 3, c0:c0 + 3])  # a window of the image
    out = transforms.RandomCrop(6, padding=2)(img)
    assert out.shape == (6, 6)
    assert transforms.RandomCrop(8, pad_if_needed=True)(img).shape == (8, 8)
    with pytest.raises(ValueError, match=r"Required crop size \(7, 7\) is larger than input image size \(6, 6\)"):
        transforms.RandomCrop(7)(img)
    with pytest.raises(ValueError, match="Padding mode should be"):
        transforms.RandomCrop(3, padding_mode="nope")
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(p=1.0)(A), A[:, ::-1])
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(p=0.0)(A), A)
    t = ac.tensor(A[None].astype(np.float32), requires_grad=True)
    flipped = transforms.RandomHorizontalFlip(p=1.0)(t)
    assert flipped.tolist() == [[[3.0, 2.0, 1.0], [6.0, 5.0, 4.0]]]
    (flipped * ac.tensor([[[1.0, 0.0, 0.0]]])).sum().backward()
    assert t.grad.tolist() == [[[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]]


@needs_pil
def test_geometry_on_pil_images_matches_arrays():
    from PIL import Image
    img = Image.fromarray(np.arange(36, dtype=np.uint8).reshape(6, 6))
    arr = np.asarray(img)
    for tf in (transforms.Pad((1, 2)), transforms.CenterCrop(3), transforms.RandomHorizontalFlip(1.0)):
        out = tf(img)
        assert isinstance(out, Image.Image)
        np.testing.assert_array_equal(np.asarray(out), tf(arr))
    ac.manual_seed(0)
    a = transforms.RandomCrop(4)(img)
    ac.manual_seed(0)
    np.testing.assert_array_equal(np.asarray(a), transforms.RandomCrop(4)(arr))
    r = transforms.Resize(3)(img)
    assert r.size == (3, 3)
    np.testing.assert_array_equal(np.asarray(r), np.asarray(img.resize((3, 3), Image.Resampling.BILINEAR)))


def test_resize_sizes_and_tensors_match_interpolate():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).random((3, 4, 8), dtype=np.float32)
    out = transforms.Resize(2)(ac.tensor(x))  # smaller edge 4 -> 2, the other keeps the ratio
    assert out.shape == (3, 2, 4)
    theirs = torch.nn.functional.interpolate(torch.tensor(x)[None], size=(2, 4), mode="bilinear",
                                             align_corners=False, antialias=False)[0]
    np.testing.assert_allclose(out.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)
    assert transforms.Resize((5, 3))(ac.tensor(x)).shape == (3, 5, 3)
    assert transforms.Resize(6, max_size=9)(ac.tensor(x)).shape == (3, 4, 9)
    near = transforms.Resize((2, 4), interpolation=transforms.InterpolationMode.NEAREST)(ac.tensor(x))
    np.testing.assert_array_equal(near.numpy(), x[:, ::2, ::2])
    u8 = (x[0] * 255).astype(np.uint8)
    r8 = transforms.Resize((2, 4))(u8)
    assert r8.dtype == np.uint8 and r8.shape == (2, 4)
    ref = torch.nn.functional.interpolate(torch.tensor(u8, dtype=torch.float32)[None, None], size=(2, 4),
                                          mode="bilinear", align_corners=False)[0, 0]
    np.testing.assert_array_equal(r8, np.clip(np.round(ref.numpy()), 0, 255).astype(np.uint8))
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        transforms.Resize("big")
    with pytest.raises(ValueError, match="max_size = 4 must be strictly greater"):
        transforms.Resize(4, max_size=4)(ac.tensor(x))
    with pytest.raises(ValueError, match="support BILINEAR and NEAREST"):
        transforms.Resize(2, interpolation="bicubic")(ac.tensor(x))
    with pytest.raises(TypeError, match="Argument interpolation should be a InterpolationMode"):
        transforms.Resize(2, interpolation=3)


# ---------------------------------------------------------------------------------------------- utils
def test_make_grid_by_hand():
    imgs = ac.tensor(np.stack([np.full((1, 2, 2), k + 1, np.float32) for k in range(3)]))
    grid = utils.make_grid(imgs, nrow=2, padding=1, pad_value=-1)
    assert grid.shape == (3, 7, 7)  # 2 x 2 cells of (2 + 1), plus 1; one channel repeated to three
    g = grid.numpy()
    assert (g[:, 1:3, 1:3] == 1).all() and (g[:, 1:3, 4:6] == 2).all() and (g[:, 4:6, 1:3] == 3).all()
    assert (g[:, 4:6, 4:6] == -1).all() and (g[:, 0] == -1).all() and (g[:, :, 3] == -1).all()
    one = utils.make_grid(ac.tensor(np.zeros((1, 1, 2, 2), np.float32)))
    assert one.shape == (3, 2, 2)  # a single image is returned alone
    assert utils.make_grid([ac.zeros(3, 2, 2), ac.ones(3, 2, 2)]).shape == (3, 6, 10)


def test_make_grid_normalize():
    x = ac.tensor(np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]], np.float32))
    whole = utils.make_grid(x, padding=0, normalize=True).numpy()[0]
    np.testing.assert_allclose(whole, [[0, 1 / 3, 2 / 3, 1]], rtol=1e-6)
    each = utils.make_grid(x, padding=0, normalize=True, scale_each=True).numpy()[0]
    np.testing.assert_allclose(each, [[0, 1, 0, 1]])
    ranged = utils.make_grid(x, padding=0, normalize=True, value_range=(0.0, 4.0)).numpy()[0]
    np.testing.assert_allclose(ranged, [[0, 0.5, 1, 1]])
    assert x.numpy()[1, 0, 0, 1] == 6.0  # the input is not changed
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(x, normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        utils.make_grid(np.zeros((2, 1, 2, 2)))


def test_save_image(tmp_path, monkeypatch):
    x = ac.tensor(np.array([[[0.0, 0.5], [1.0, 2.0]]], np.float32))
    path = tmp_path / "img.png"
    utils.save_image(x, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if HAS_PIL:
        from PIL import Image
        np.testing.assert_array_equal(np.asarray(Image.open(path))[:, :, 0], [[0, 128], [255, 255]])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ImportError, match="save_image needs pillow or matplotlib"):
        utils.save_image(x, tmp_path / "other.png")


# ---------------------------------------------------------------------------------------------- other datasets
def test_fake_data_is_reproducible_and_batches():
    ds = datasets.FakeData(size=6, image_size=(3, 8, 5), num_classes=4, transform=transforms.ToTensor())
    x, y = ds[2]
    assert x.shape == (3, 8, 5) and x.dtype == np.float32 and 0 <= y < 4
    np.testing.assert_array_equal(ds[2][0].numpy(), x.numpy())  # the same image every time
    assert not np.array_equal(ds[3][0].numpy(), x.numpy())
    xb, yb = next(iter(DataLoader(ds, batch_size=6)))
    assert xb.shape == (6, 3, 8, 5) and yb.dtype == np.int64
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[6]
    gray = datasets.FakeData(size=2, image_size=(1, 4, 4), transform=transforms.ToTensor())
    assert gray[0][0].shape == (1, 4, 4)


@needs_pil
def test_image_folder(tmp_path):
    from PIL import Image
    for cls, n in (("cat", 2), ("dog", 1)):
        (tmp_path / cls).mkdir()
        for k in range(n):
            Image.fromarray(np.full((4, 6, 3), 40 * k, np.uint8)).save(tmp_path / cls / f"{k}.png")
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(tmp_path, transform=transforms.ToTensor())
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [t for _, t in ds.imgs] == [0, 0, 1] and ds.targets == [0, 0, 1]
    x, y = ds[1]
    assert x.shape == (3, 4, 6) and y == 0 and abs(float(x.max()) - 40 / 255) < 1e-6
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(tmp_path)
    assert len(datasets.ImageFolder(tmp_path, allow_empty=True)) == 3
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(tmp_path / "cat")
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
        datasets.DatasetFolder(tmp_path, loader=open)


def test_functional_interface():
    import autograd_core.vision.transforms.functional as TF
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert TF.get_image_size(img) == [4, 3]
    np.testing.assert_array_equal(TF.vflip(img), img[::-1])
    np.testing.assert_array_equal(TF.crop(img, 1, 2, 2, 1), img[1:3, 2:3])
    np.testing.assert_array_equal(TF.to_tensor(img).numpy(), transforms.ToTensor()(img).numpy())
    t = TF.normalize(TF.to_tensor(img), (0.5,), (0.5,))
    np.testing.assert_allclose(t.numpy(), (img[None] / np.float32(255) - 0.5) / 0.5, rtol=1e-6)
    assert TF.resize(ac.zeros(1, 4, 8), 2).shape == (1, 2, 4)
    np.testing.assert_array_equal(transforms.RandomVerticalFlip(p=1.0)(img), img[::-1])
    with pytest.raises(ValueError, match="Padding mode should be"):
        TF.pad(img, 1, padding_mode="wrap")
