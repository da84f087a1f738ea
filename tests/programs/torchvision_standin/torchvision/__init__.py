"""A stand-in for the few torchvision pieces tests/programs use (torchvision is not installed here): MNIST and
FashionMNIST read from ``root/<Name>/raw``, and Compose / ToTensor / Normalize, written on PyTorch with
torchvision's formulas. Only the torch reference runs of tests/test_programs_mnist.py import it."""
from . import datasets, transforms  # noqa: F401
