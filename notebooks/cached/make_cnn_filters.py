"""Train the course CNN until it reaches 90% test accuracy on Fashion-MNIST and keep its first-layer filters.

    python notebooks/cached/make_cnn_filters.py            # full Fashion-MNIST (apt-get install dataset-fashion-mnist)
    python notebooks/cached/make_cnn_filters.py --embedded # the 12,000-image subset shipped with the package

Writes ``cnn_filters.npz`` next to this file (a few KB): ``weight`` (32, 1, 5, 5) and ``bias`` (32,) of the first
convolution, ``test_accuracy``, ``epochs``, ``train_images`` and ``seed``. Notebook 06 shows these filters in its
normal mode (training that long takes minutes to tens of minutes on two cores) and retrains with ``FULL = True``.
"""
import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd_core.data.course import fashion_mnist  # noqa: E402
from nn.models import CNN  # noqa: E402
from nn.training import evaluate  # noqa: E402

TARGET = 0.90


def train_until(target=TARGET, max_epochs=8, full=True, seed=0, log=print):
    """Adam (lr 1e-3, batch 64) epoch by epoch until the test accuracy reaches ``target``; returns
    ``(model, test accuracy, epochs, number of training images)``."""
    ag.manual_seed(seed)
    data = fashion_mnist(full=full, n_val=0)
    train_loader, _, test_loader = data.loaders(batch_size=64, seed=seed)
    model = CNN()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    acc = 0.0
    for epoch in range(1, max_epochs + 1):
        start = time.perf_counter()
        model.train()
        for x, y in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        acc = evaluate(model, test_loader, loss_fn)["accuracy"]
        log(f"epoch {epoch}: test accuracy {acc:.4f} ({time.perf_counter() - start:.0f} s)")
        if acc >= target:
            break
    return model, acc, epoch, len(data.train)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--embedded", action="store_true", help="train on the embedded subset instead of the full set")
    p.add_argument("--max-epochs", type=int, default=8)
    p.add_argument("--out", default=os.path.join(HERE, "cnn_filters.npz"))
    args = p.parse_args(argv)
    model, acc, epochs, n = train_until(max_epochs=args.max_epochs, full=not args.embedded)
    conv = model.features[0]
    np.savez_compressed(args.out, weight=conv.weight.numpy().astype(np.float32),
                        bias=conv.bias.numpy().astype(np.float32), test_accuracy=np.float64(acc),
                        epochs=np.int64(epochs), train_images=np.int64(n), seed=np.int64(0))
    print(f"wrote {args.out}: test accuracy {acc:.4f} after {epochs} epochs on {n} images")


if __name__ == "__main__":
    main()
