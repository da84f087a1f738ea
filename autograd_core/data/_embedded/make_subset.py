"""Make ``fashion_mnist_small.npz``, the Fashion-MNIST subset shipped inside the package.

Which images: from the official training split, 1,200 per class (12,000); from the official test split, 200 per
class (2,000). For each split, and for each class 0..9 in turn, ``rng.choice(indices_of_class, per_class,
replace=False)`` with one ``rng = numpy.random.default_rng(SEED)`` shared by both splits (train first); the
chosen indices are then sorted, so images keep the official order. The file stores the indices too.

Arrays in the file (``numpy.savez_compressed``, no pickles):

    x_train uint8 (12000, 28, 28)   y_train uint8 (12000,)   train_indices int32 (12000,)
    x_test  uint8 (2000, 28, 28)    y_test  uint8 (2000,)    test_indices  int32 (2000,)
    classes <U11 (10,)              seed int64 ()

Run (needs the official files, e.g. ``apt-get install dataset-fashion-mnist``)::

    python autograd_core/data/_embedded/make_subset.py [--source /usr/share/datasets/fashion-mnist]

The output is deterministic: same source files, same SEED -> same arrays.
"""
import argparse
import os
import sys

import numpy as np

SEED = 20200523
TRAIN_PER_CLASS = 1200
TEST_PER_CLASS = 200
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion_mnist_small.npz")


def choose(labels, per_class, rng):
    """Sorted indices of ``per_class`` samples of every class, drawn without replacement."""
    picks = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(10)]
    return np.sort(np.concatenate(picks)).astype(np.int32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--output", default=OUTPUT)
    args = parser.parse_args(argv)

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
    from autograd_core.data.datasets import FashionMNIST

    train = FashionMNIST(root=args.source, train=True)
    test = FashionMNIST(root=args.source, train=False)
    rng = np.random.default_rng(SEED)
    train_idx = choose(train.targets, TRAIN_PER_CLASS, rng)
    test_idx = choose(test.targets, TEST_PER_CLASS, rng)
    with open(args.output + ".tmp", "wb") as f:  # an open file object: savez adds no ".npz" suffix
        np.savez_compressed(
            f,
            x_train=train.data[train_idx], y_train=train.targets[train_idx].astype(np.uint8), train_indices=train_idx,
            x_test=test.data[test_idx], y_test=test.targets[test_idx].astype(np.uint8), test_indices=test_idx,
            classes=np.array(FashionMNIST.classes), seed=np.int64(SEED),
        )
    os.replace(args.output + ".tmp", args.output)
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.2f} MB): "
          f"{train_idx.size} train + {test_idx.size} test images")


if __name__ == "__main__":
    main()
