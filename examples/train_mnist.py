"""Train a CNN on MNIST: the README's quick start.

    python examples/train_mnist.py                 # MNISTConvNet, SGD, 3 epochs: >= 99% test accuracy
    python examples/train_mnist.py --help          # model, epochs, optimizer, lr, seed, checkpoint, ...

The program itself lives in ``minitorch_cnn/train.py`` (also ``python -m minitorch_cnn.train``);
this file only calls it.
"""

from __future__ import annotations

import sys

from minitorch_cnn.train import main

if __name__ == "__main__":
    sys.exit(main())
