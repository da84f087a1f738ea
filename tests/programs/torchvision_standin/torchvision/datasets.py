"""torchvision.datasets.MNIST / FashionMNIST, reading the IDX files under ``root/<Name>/raw`` (no download)."""
import gzip
import os

import numpy as np
import torch


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", ndim, 4))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


class MNIST(torch.utils.data.Dataset):
    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        folder = os.path.join(root, type(self).__name__, "raw")
        prefix = "train" if train else "t10k"
        files = [os.path.join(folder, f"{prefix}-{kind}-ubyte.gz") for kind in ("images-idx3", "labels-idx1")]
        if not all(os.path.exists(f) for f in files):
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data = torch.from_numpy(_read_idx(files[0]).copy())
        self.targets = torch.from_numpy(_read_idx(files[1]).astype(np.int64))
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        from PIL import Image
        img, target = Image.fromarray(self.data[index].numpy()), int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target


class FashionMNIST(MNIST):
    pass
