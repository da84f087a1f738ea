"""torchvision's datasets: ``MNIST`` and ``FashionMNIST`` (read from the IDX files under ``root``), ``FakeData``,
``ImageFolder`` / ``DatasetFolder``.

Only ``root`` is looked in -- ``root/<ClassName>/raw`` (torchvision's layout) and ``root`` itself, each file gzipped
or not -- so a missing or empty ``root`` raises ``RuntimeError("Dataset not found ...")`` as torchvision does,
rather than silently reading another copy. (``autograd_core.data.FashionMNIST`` is the lenient loader that also
searches the environment variable, the data home and the system folders.)

``download=True`` with the files missing first copies a local copy into ``root/<ClassName>/raw`` if there is one
(``$FASHION_MNIST_DIR`` / ``$MNIST_DIR``, the data home, and for Fashion-MNIST ``/usr/share/datasets/fashion-mnist``
from ``apt-get install dataset-fashion-mnist``), and otherwise downloads the files from the mirrors torchvision
uses, checking their MD5 sums. Where neither works (no local copy, no network) it raises ``RuntimeError`` saying
what was tried and where to put the files.
"""
import os
import shutil

import numpy as np

from ..data import datasets as _data_datasets
from ..data.dataset import Dataset
from ..data.idx import IDXError, read_idx
from ..tensor import Tensor

__all__ = ["MNIST", "FashionMNIST", "FakeData", "ImageFolder", "DatasetFolder"]


def _array(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


class MNIST(Dataset):
    """The MNIST digits (60,000 train / 10,000 test, 28 x 28 uint8, 10 classes), as torchvision's ``MNIST``.

    Args:
        root: the folder holding ``<ClassName>/raw/*-ubyte[.gz]`` (or the files directly).
        train: the training split, else the test split.
        transform: applied to the raw image (a PIL image, or a uint8 H x W array with the ``"numpy"`` backend;
            see :mod:`autograd_core.vision`); e.g. ``transforms.ToTensor()``.
        target_transform: applied to the int label.
        download: get the files if ``root`` lacks them (see the module docstring).

    Attributes:
        data: uint8 Tensor (N, 28, 28); targets: int64 Tensor (N,); classes; class_to_idx.

    ``dataset[i]`` is ``(transform(image), target_transform(label))``; without a transform the image itself (a
    PIL image cannot be batched by ``default_collate``, as in torchvision: pass ``transforms.ToTensor()``).
    """

    _source = _data_datasets.MNIST
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        if root is None:
            raise TypeError(f"{type(self).__name__}: root must be a folder path, got None")
        self.root = os.path.expanduser(os.fspath(root))
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        from . import get_image_backend
        self._image_backend = get_image_backend()
        files = self._find()
        if files is None and download:
            self.download()
            files = self._find()
        if files is None:
            raise RuntimeError(self._not_found_message())
        images, labels = (self._read(f) for f in files)
        if images.dtype != np.uint8 or images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
            raise RuntimeError(f"{type(self).__name__}: {files[0]} and {files[1]} do not hold N uint8 images and "
                               f"N labels (got {images.dtype} {images.shape} and {labels.dtype} {labels.shape})")
        self.data = Tensor._make(images)
        self.targets = Tensor._make(labels.astype(np.int64))

    # ------------------------------------------------------------------ files
    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, "raw")

    def _split_files(self):
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _find(self, folders=None):
        for folder in folders or (self.raw_folder, self.root):
            paths = [_data_datasets._find_file(folder, name) for name in self._split_files()]
            if all(paths):
                return paths
        return None

    def _check_exists(self):
        return self._find() is not None

    def _read(self, path):
        try:
            return read_idx(path)
        except IDXError as e:
            raise RuntimeError(f"{type(self).__name__}: {e}. Delete the file and get it again.") from e

    def _local_copies(self):
        src = self._source
        env = os.environ.get(src.env_var)
        home = _data_datasets.data_home()
        folders = ([env] if env else []) + [os.path.join(home, src.__name__, "raw"), os.path.join(home, src.slug)]
        return folders + list(src.system_dirs)

    def download(self):
        """Put the four files into :attr:`raw_folder`: copied from a local copy if one exists, else downloaded."""
        if self._check_exists():
            return
        names = [r[0].removesuffix(".gz") for r in self._source.resources]
        for folder in self._local_copies():
            paths = [_data_datasets._find_file(folder, n) for n in names]
            if all(paths) and os.path.abspath(folder) != os.path.abspath(self.raw_folder):
                os.makedirs(self.raw_folder, exist_ok=True)
                for p in paths:
                    shutil.copyfile(p, os.path.join(self.raw_folder, os.path.basename(p)))
                return
        try:
            self._source.download_files(self.root)
        except OSError as e:
            raise RuntimeError(f"{type(self).__name__}: the files are not in {self.root} and could not be "
                               f"downloaded (no local copy in {', '.join(self._local_copies())}):\n{e}\n"
                               f"{self._where_to_put()}") from e

    def _where_to_put(self):
        files = ", ".join(r[0] for r in self._source.resources)
        hint = (f" or apt-get install {self._source.apt_package} (then download=True copies them)"
                if self._source.apt_package else "")
        return f"Put the IDX files ({files}) in {self.raw_folder}{hint}."

    def _not_found_message(self):
        images, labels = self._split_files()
        return (f"Dataset not found. You can use download=True to download it. ({type(self).__name__}: looked for "
                f"{images}[.gz] and {labels}[.gz] in {self.raw_folder} and {self.root}. {self._where_to_put()})")

    # ------------------------------------------------------------------ samples
    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self):
        return len(self.data)

    def _raw_image(self, array):
        if self._image_backend == "PIL":
            from PIL import Image
            return Image.fromarray(array, mode="L") if _pil_wants_mode() else Image.fromarray(array)
        return array

    def __getitem__(self, index):
        img, target = _array(self.data)[index], int(_array(self.targets)[index])
        img = self._raw_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def get_batch(self, indices):
        """The DataLoader's fast path: transforms that act on a whole batch at once (``ToTensor``, ``Normalize``,
        ``Lambda``-free ``Compose`` of them) are applied to all the batch's images in one go, with the same
        arithmetic as one by one; anything else goes sample by sample."""
        from .transforms import _batch_transform
        if self.target_transform is None:
            batch = _batch_transform(self.transform, _array(self.data)[indices])
            if batch is not None:
                return [batch, Tensor._make(_array(self.targets)[indices])]
        return super().get_batch(indices)

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}", f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append("    StandardTransform")
            lines.append(f"Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"Target transform: {self.target_transform!r}")
        return "\n".join(lines)


def _pil_wants_mode():
    """pillow >= 11 deprecates ``Image.fromarray(mode=...)``; a uint8 2-D array gives mode "L" without it."""
    import PIL
    return int(PIL.__version__.split(".")[0]) < 11


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST (60,000 train / 10,000 test, 28 x 28 uint8, 10 classes), as torchvision's.

    Same interface as :class:`MNIST`; ``download=True`` also copies from ``/usr/share/datasets/fashion-mnist``
    (``apt-get install dataset-fashion-mnist``).
    """

    _source = _data_datasets.FashionMNIST
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class FakeData(Dataset):
    """Random images (torchvision's ``FakeData``): image ``i`` and its label are drawn from a generator seeded with
    ``i + random_offset``, so a dataset is the same every time (not the same pixels as torchvision's, which come
    from torch's generator).

    Args:
        size: number of images; image_size: (C, H, W); num_classes: labels lie in [0, num_classes).
        transform, target_transform: as for :class:`MNIST`; the raw image is a PIL image (RGB for 3 channels,
            L for 1) or, with the ``"numpy"`` backend, a uint8 H x W x C array.
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        if len(image_size) != 3:
            raise ValueError(f"FakeData: image_size must be (C, H, W), got {image_size}")
        self.size, self.image_size, self.num_classes = int(size), tuple(int(v) for v in image_size), int(num_classes)
        self.transform, self.target_transform, self.random_offset = transform, target_transform, random_offset
        from . import get_image_backend
        self._image_backend = get_image_backend()

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        rng = np.random.default_rng(index + self.random_offset)
        img = rng.standard_normal(self.image_size, dtype=np.float32)
        target = int(rng.integers(0, self.num_classes))
        # torchvision: to_pil_image(img), i.e. img.mul(255).byte(), which wraps around
        img = ((img * 255).astype(np.int64) % 256).astype(np.uint8).transpose(1, 2, 0)
        img = np.ascontiguousarray(img[:, :, 0] if img.shape[2] == 1 else img)
        if self._image_backend == "PIL":
            from PIL import Image
            img = Image.fromarray(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target


IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def pil_loader(path):
    """Open an image file as an RGB PIL image (needs pillow)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("ImageFolder needs pillow to read image files: pip install pillow") from None
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


class DatasetFolder(Dataset):
    """Samples in ``root/<class name>/**/<file>`` (torchvision's ``DatasetFolder``): classes are the sub-folders'
    names, sorted; ``samples`` lists ``(path, class_index)``; ``loader(path)`` reads one file.

    Args:
        root: the folder; loader: path -> sample; extensions: accepted file name endings (or ``is_valid_file``,
            a path -> bool function, not both); transform, target_transform; allow_empty: accept classes without
            files.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        self.root = os.path.expanduser(os.fspath(root))
        self.loader, self.extensions = loader, extensions
        self.transform, self.target_transform = transform, target_transform
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, self.class_to_idx, extensions, is_valid_file, allow_empty)
        self.targets = [t for _, t in self.samples]

    @staticmethod
    def find_classes(directory):
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
        classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
        if not classes:
            raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
        return classes, {name: i for i, name in enumerate(classes)}

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        if (extensions is None) == (is_valid_file is None):
            raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
        if is_valid_file is None:
            ends = tuple(e.lower() for e in extensions)
            is_valid_file = lambda path: path.lower().endswith(ends)  # noqa: E731
        samples, empty = [], []
        for name in sorted(class_to_idx):
            found = False
            for folder, _, files in sorted(os.walk(os.path.join(directory, name), followlinks=True)):
                for fname in sorted(files):
                    path = os.path.join(folder, fname)
                    if is_valid_file(path):
                        samples.append((path, class_to_idx[name]))
                        found = True
            if not found:
                empty.append(name)
        if empty and not allow_empty:
            msg = f"Found no valid file for the classes {', '.join(empty)}. "
            if extensions is not None:
                listed = extensions if isinstance(extensions, str) else ", ".join(extensions)
                msg += f"Supported extensions are: {listed}"
            raise FileNotFoundError(msg)
        return samples

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target


class ImageFolder(DatasetFolder):
    """Images in ``root/<class name>/<file>`` (torchvision's ``ImageFolder``), read as RGB PIL images (needs
    pillow); ``imgs`` is ``samples``."""

    def __init__(self, root, transform=None, target_transform=None, loader=pil_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform,
                         target_transform, is_valid_file, allow_empty)
        self.imgs = self.samples
