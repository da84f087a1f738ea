"""MNIST and Fashion-MNIST from local IDX files (optionally downloaded), as array-backed datasets.

Where the files are looked for (the first folder holding both files of the split wins; each file may be gzipped,
``name.gz``, or not, ``name``). With a ``root``, only there, as torchvision does: ``root`` itself, then
``root/<ClassName>/raw`` (torchvision's layout, so a torchvision data folder works); a root without the files raises
:class:`DatasetNotFoundError` (a ``RuntimeError`` like torchvision's, and a ``FileNotFoundError``) rather than
reading another copy. Without a root, in order:

1. the per-dataset environment variable (``FASHION_MNIST_DIR``, ``MNIST_DIR``): a folder holding the files;
2. the data home ``$AUTOGRAD_CORE_DATA`` (default ``~/.cache/autograd_core``): ``<home>/<ClassName>/raw`` and
   ``<home>/<slug>`` (``fashion-mnist``, ``mnist``);
3. system folders: ``/usr/share/datasets/fashion-mnist`` from Debian's ``dataset-fashion-mnist`` package.

``download=True`` fetches the four files into ``<root or data home>/<ClassName>/raw`` from the mirrors torchvision
uses, checks torchvision's MD5 checksums and renames each file into place only once it is complete. Local files
are not checksummed (Debian's gzip files omit the original file name from the gzip header, so their MD5 differs
from the download's although the images are the same); they are parsed and checked for consistency instead.
"""
import hashlib
import os
import tempfile
import urllib.request

import numpy as np

from ..tensor import Tensor
from .dataset import Dataset, TensorDataset
from .idx import IDXError, read_idx


class DatasetNotFoundError(FileNotFoundError, RuntimeError):
    """The dataset's files are in none of the places looked; the message lists them and how to get the files.
    Both ``FileNotFoundError`` and ``RuntimeError`` (what torchvision raises for a root without the data) catch it."""


class CorruptDatasetError(ValueError):
    """The dataset's files exist but cannot be used (not IDX, truncated, inconsistent images and labels)."""


class DownloadError(OSError):
    """No mirror delivered a file with the expected checksum; the message lists each try."""


def data_home():
    """Where downloads go when no ``root`` is given: ``$AUTOGRAD_CORE_DATA``, else ``~/.cache/autograd_core``
    (or ``$XDG_CACHE_HOME/autograd_core``)."""
    env = os.environ.get("AUTOGRAD_CORE_DATA")
    if env:
        return env
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "autograd_core")


class ImageClassificationDataset(Dataset):
    """A labelled set of grayscale images held as two arrays: ``data`` (uint8, N x H x W) and ``targets``
    (int64, N).

    ``dataset[i]`` is ``(image, label)``: without a transform the image is a float32 Tensor of shape (1, H, W)
    scaled to [0, 1]; with one, it is ``transform(data[i])`` (the raw uint8 H x W array, as torchvision hands a
    PIL image to its transform). The label is an int, or ``target_transform(int)``.

    Without transforms, ``get_batch`` (the DataLoader's fast path) converts only the batch's images.
    For whole-array work use :meth:`as_arrays` or :meth:`to_tensor_dataset`.
    """

    classes = ()
    mean, std = 0.5, 0.5  # per-pixel statistics of the training images after scaling to [0, 1]

    def __init__(self, data, targets, transform=None, target_transform=None):
        data = np.asarray(data)
        targets = np.asarray(targets)
        if data.dtype != np.uint8 or data.ndim != 3:
            raise CorruptDatasetError(f"{type(self).__name__}: images must be uint8 N x H x W, "
                                      f"got {data.dtype} of shape {data.shape}")
        if targets.ndim != 1 or targets.dtype.kind not in "iu":
            raise CorruptDatasetError(f"{type(self).__name__}: labels must be a 1-D integer array, "
                                      f"got {targets.dtype} of shape {targets.shape}")
        if data.shape[0] != targets.shape[0]:
            raise CorruptDatasetError(f"{type(self).__name__}: {data.shape[0]} images but {targets.shape[0]} labels")
        if self.classes and targets.size and not 0 <= targets.min() <= targets.max() < len(self.classes):
            raise CorruptDatasetError(f"{type(self).__name__}: labels must lie in [0, {len(self.classes)}), "
                                      f"got [{targets.min()}, {targets.max()}]")
        self.data = data
        self.targets = targets.astype(np.int64, copy=False)
        self.transform = transform
        self.target_transform = target_transform

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        image, label = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        else:
            image = Tensor._make(_scale(image[None]))
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def get_batch(self, indices):
        if self.transform is not None or self.target_transform is not None:
            return super().get_batch(indices)
        return Tensor._make(_scale(self.data[indices][:, None])), Tensor._make(self.targets[indices])

    def as_arrays(self, normalize=False, flatten=False):
        """All images and labels as arrays: ``X`` float32 of shape (N, 1, H, W) (or (N, H*W) with
        ``flatten=True``) and ``y`` int64 of shape (N,). Transforms are not applied.

        Args:
            normalize: ``False``: pixels in [0, 1]; ``True``: standardized with the class's ``mean``/``std``
                (those of the official training images); a ``(mean, std)`` pair: standardized with it.
        """
        x = _scale(self.data[:, None])
        if normalize is not False:
            mean, std = (self.mean, self.std) if normalize is True else normalize
            x -= np.float32(mean)
            x /= np.float32(std)
        if flatten:
            x = x.reshape(x.shape[0], -1)
        return x, self.targets.copy()

    def to_tensor_dataset(self, normalize=False, flatten=False):
        """A :class:`TensorDataset` of :meth:`as_arrays` (converted once; DataLoader then only indexes)."""
        return TensorDataset(*self.as_arrays(normalize=normalize, flatten=flatten))

    def __repr__(self):
        return f"{type(self).__name__}(split={'train' if getattr(self, 'train', True) else 'test'}, n={len(self)})"


def _scale(images):
    """uint8 -> float32 in [0, 1]; one expression for both the per-sample and the batch path, so they agree."""
    return images.astype(np.float32) / np.float32(255.0)


class MNIST(ImageClassificationDataset):
    """The MNIST handwritten digits (60,000 train / 10,000 test images, 28 x 28, 10 classes).

    Args:
        root: folder with the IDX files (see the module docstring for where else they are looked for).
        train: the training split, else the test split.
        transform: applied to the raw uint8 28 x 28 image; default: float32 Tensor (1, 28, 28) in [0, 1].
        target_transform: applied to the int label.
        download: download the files if they are nowhere to be found.

    Attributes:
        data: uint8 ndarray (N, 28, 28); targets: int64 ndarray (N,); classes: class names.

    Example::

        >>> train = FashionMNIST(train=True)
        >>> loader = DataLoader(train, batch_size=128, shuffle=True)
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ("0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine")
    mean, std = 0.1307, 0.3081
    title = "MNIST"
    slug = "mnist"
    env_var = "MNIST_DIR"
    system_dirs = ()
    apt_package = None
    fallback_hint = ""  # a last line for the not-found message
    image_size = (28, 28)

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        self.root = None if root is None else os.fspath(root)
        self.train = bool(train)
        found, places = self._locate(self.root)
        if found is None and download:
            self.download_files(self.root)
            found, places = self._locate(self.root)
        if found is None:
            raise DatasetNotFoundError(self._not_found_message(places))
        self.image_file, self.label_file = found
        data, targets = self._read(self.image_file), self._read(self.label_file)
        self._check(data, targets)
        super().__init__(data, targets, transform, target_transform)

    # ------------------------------------------------------------------ finding the files
    @property
    def split_files(self):
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    @classmethod
    def search_dirs(cls, root=None):
        """The folders looked in, in order, as ``(folder, why it is looked in)`` pairs: only ``root`` (and its
        torchvision layout) when one is given, else the search path."""
        if root is not None:
            root = os.fspath(root)
            return [(root, "root argument"), (os.path.join(root, cls.__name__, "raw"), "root, torchvision layout")]
        places = []
        env = os.environ.get(cls.env_var)
        places.append((env, f"${cls.env_var}") if env else (None, f"${cls.env_var} (not set)"))
        home = data_home()
        why = "$AUTOGRAD_CORE_DATA" if os.environ.get("AUTOGRAD_CORE_DATA") else "data home"
        places += [(os.path.join(home, cls.__name__, "raw"), why), (os.path.join(home, cls.slug), why)]
        places += [(d, f"Debian package {cls.apt_package}" if cls.apt_package else "system folder")
                   for d in cls.system_dirs]
        return places

    def _locate(self, root):
        """``((image_path, label_path), places)`` for the first folder with both files, else ``(None, places)``
        where ``places`` are ``(folder, why, what was found)`` triples for the error message."""
        places = []
        for folder, why in self.search_dirs(root):
            if folder is None:
                places.append((None, why, ""))
                continue
            paths = [_find_file(folder, name) for name in self.split_files]
            if all(paths):
                return tuple(paths), places
            present = [os.path.basename(p) for p in paths if p]
            places.append((folder, why, f"only {', '.join(present)}" if present else
                           ("no files" if os.path.isdir(folder) else "no such folder")))
        return None, places

    def _not_found_message(self, places):
        split = "train" if self.train else "test"
        images, labels = self.split_files
        lines = [f"{self.title} ({split} split) not found: looked for {images}[.gz] and {labels}[.gz] in"]
        for i, (folder, why, what) in enumerate(places, 1):
            lines.append(f"  {i}. {why}" if folder is None else f"  {i}. {folder}  ({why}: {what})")
        if self.root is not None:
            lines.append(f"(with root={self.root!r} only that folder is read; without root the search path "
                         f"${self.env_var}, the data home and the system folders is used)")
        lines.append("To get the files, either")
        if self.apt_package:
            lines.append(f"  - apt-get install {self.apt_package}   (puts them in {self.system_dirs[0]}), or")
        name = type(self).__name__
        lines.append(f"  - {name}(root=..., download=True)   (downloads from {self.mirrors[0]} and checks MD5 sums; "
                     f"without root into {os.path.join(data_home(), name, 'raw')}), or")
        lines.append(f"  - put the four files in a folder and pass root=... or set ${self.env_var}.")
        if self.fallback_hint:
            lines.append(self.fallback_hint)
        return "\n".join(lines)

    # ------------------------------------------------------------------ reading
    def _read(self, path):
        try:
            return read_idx(path)
        except IDXError as e:
            reinstall = f", or reinstall {self.apt_package}" if self.apt_package else ""
            raise CorruptDatasetError(f"{self.title}: {e}. Delete the file and get it again "
                                      f"(download=True{reinstall}).") from e

    def _check(self, data, targets):
        where = f"{self.title} files {self.image_file} and {self.label_file}"
        if data.dtype != np.uint8 or data.ndim != 3 or data.shape[1:] != self.image_size:
            raise CorruptDatasetError(f"{where}: images must be uint8 N x {self.image_size[0]} x {self.image_size[1]}, "
                                      f"got {data.dtype} of shape {data.shape}")
        if targets.ndim != 1 or targets.dtype.kind not in "iu":
            raise CorruptDatasetError(f"{where}: labels must be a 1-D integer array, got {targets.dtype} "
                                      f"of shape {targets.shape}")
        if data.shape[0] != targets.shape[0]:
            raise CorruptDatasetError(f"{where}: count mismatch: {data.shape[0]} images but {targets.shape[0]} labels")

    # ------------------------------------------------------------------ downloading
    @classmethod
    def download_files(cls, root=None, timeout=30.0):
        """Download the missing files into ``<root or data home>/<ClassName>/raw`` and return that folder.

        Each file is tried from every mirror in ``cls.mirrors`` in turn and kept only if its MD5 matches
        ``cls.resources``; it is written to a temporary file and renamed into place when complete.
        """
        folder = os.path.join(os.fspath(root) if root is not None else data_home(), cls.__name__, "raw")
        os.makedirs(folder, exist_ok=True)
        for filename, md5 in cls.resources:
            if _find_file(folder, filename.removesuffix(".gz")):
                continue
            _download(folder, filename, md5, [m + filename for m in cls.mirrors], timeout)
        return folder


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST (60,000 train / 10,000 test images of clothes, 28 x 28, 10 classes).

    Same interface as :class:`MNIST`. Looked for also in ``/usr/share/datasets/fashion-mnist``
    (``apt-get install dataset-fashion-mnist``) and in ``$FASHION_MNIST_DIR``.
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
    mean, std = 0.2860, 0.3530
    title = "Fashion-MNIST"
    slug = "fashion-mnist"
    env_var = "FASHION_MNIST_DIR"
    system_dirs = ("/usr/share/datasets/fashion-mnist",)
    apt_package = "dataset-fashion-mnist"
    fallback_hint = ("Without any files, autograd_core.data.EmbeddedFashionMNIST() gives a 12,000 + 2,000 image "
                     "subset shipped with the library.")


def _find_file(folder, name):
    """``folder/name.gz`` or ``folder/name``, whichever exists first, else None."""
    for candidate in (name + ".gz", name):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    return None


def _download(folder, filename, md5, urls, timeout):
    failures = []
    for url in urls:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{filename}-", suffix=".part")
        try:
            digest = hashlib.md5()
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != md5:
                failures.append(f"{url}: checksum mismatch (MD5 {digest.hexdigest()}, expected {md5})")
                continue
            os.replace(tmp, os.path.join(folder, filename))
            return
        except OSError as e:  # URLError, HTTPError, timeouts, disk errors
            failures.append(f"{url}: {e}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise DownloadError(f"could not download {filename}:\n  " + "\n  ".join(failures))
