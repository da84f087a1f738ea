"""Data loading: datasets, the DataLoader, IDX files, MNIST / Fashion-MNIST, an embedded subset, toy sets.

The counterpart of ``torch.utils.data`` (the submodules ``dataset``, ``sampler`` and ``dataloader`` hold
PyTorch's names) plus the few torchvision datasets this library needs::

    from autograd_core.data import DataLoader, TensorDataset, EmbeddedFashionMNIST, make_moons

    train = EmbeddedFashionMNIST(train=True).to_tensor_dataset(normalize=True)
    for X, y in DataLoader(train, batch_size=128, shuffle=True):
        ...
"""
from . import dataloader, dataset, sampler, synthetic
from .collate import default_collate, default_convert
from .dataloader import DataLoader, WorkerInfo, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset,
                      random_split)
from .datasets import (MNIST, CorruptDatasetError, DatasetNotFoundError, DownloadError, FashionMNIST,
                       ImageClassificationDataset, data_home)
from .embedded import EMBEDDED_PATH, EmbeddedFashionMNIST, load_embedded
from .idx import IDXError, read_idx, write_idx
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .synthetic import (make_adding_problem, make_blobs, make_circles, make_copy_task, make_moons,
                        make_reverse_task, make_sequence_task, make_sine_windows, make_sort_task, make_spirals,
                        make_xor)

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset", "StackDataset",
    "random_split",
    "DataLoader", "default_collate", "default_convert", "get_worker_info", "WorkerInfo",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
    "read_idx", "write_idx", "IDXError",
    "MNIST", "FashionMNIST", "ImageClassificationDataset", "data_home",
    "DatasetNotFoundError", "CorruptDatasetError", "DownloadError",
    "EmbeddedFashionMNIST", "load_embedded", "EMBEDDED_PATH",
    "dataset", "sampler", "dataloader",
    "synthetic", "make_moons", "make_circles", "make_spirals", "make_xor", "make_blobs",
    "make_sine_windows", "make_sequence_task", "make_copy_task", "make_reverse_task", "make_sort_task",
    "make_adding_problem",
]
