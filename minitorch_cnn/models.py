"""The chapter's networks for MNIST: two CNNs and the fully connected baseline.

Shapes through ``SimpleCNN`` and ``MNISTConvNet`` (batch N)::

    (N, 1, 28, 28)  --Conv2d(1, 32, 3, padding=1), ReLU-->   (N, 32, 28, 28)
                    --MaxPool2d(2)-->                        (N, 32, 14, 14)
                    --Conv2d(32, 64, 3, padding=1), ReLU-->  (N, 64, 14, 14)
                    --MaxPool2d(2)-->                        (N, 64, 7, 7)
                    --Flatten-->                             (N, 3136)
                    --Linear, ReLU, Linear-->                (N, 10) class scores

The two differ only in the hidden width of the classifier (128 vs 256). Attribute names
follow the chapter (``conv_layers``, ``fc_layers``), so ``state_dict()`` keys read like
PyTorch's: ``conv_layers.0.weight``, ``fc_layers.3.bias``. Every model takes an optional
``generator=`` so it is reproducible from a seed.

The ``MLP`` sees the same image as 784 unrelated numbers: comparing it with a CNN of similar
size is the chapter's exercise (``examples/compare_mlp_cnn.py``).

Read next: ``safetensors_format.py`` (how tensors are stored), then ``serialization.py``.
"""

from __future__ import annotations

import numpy as np

from . import nn
from .tensor import Tensor


def _conv_features(generator: np.random.Generator | None) -> nn.Sequential:
    """The two conv blocks both CNNs share: (N, 1, 28, 28) -> (N, 64, 7, 7)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1, generator=generator),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1, generator=generator),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


def _classifier(hidden: int, generator: np.random.Generator | None) -> nn.Sequential:
    """(N, 64, 7, 7) -> (N, 64*7*7) -> (N, hidden) -> (N, 10)."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, hidden, generator=generator),
        nn.ReLU(),
        nn.Linear(hidden, 10, generator=generator),
    )


class SimpleCNN(nn.Module):
    """The chapter's "A Simple CNN": two conv blocks, then 3136 -> 128 -> 10 (421,642 parameters).

    Parameters
    ----------
    generator : np.random.Generator, optional
        Source of the initial weights (the package's default generator when omitted).

    Examples
    --------
    >>> import numpy as np
    >>> model = SimpleCNN(generator=np.random.default_rng(0))
    >>> sum(p.numel() for p in model.parameters())
    421642
    """

    hidden = 128  # width of the classifier's hidden layer

    def __init__(self, generator: np.random.Generator | None = None) -> None:
        super().__init__()
        self.conv_layers = _conv_features(generator)
        self.fc_layers = _classifier(self.hidden, generator)

    def forward(self, x: Tensor) -> Tensor:
        """x (N, 1, 28, 28) -> class scores (N, 10)."""
        return self.fc_layers(self.conv_layers(x))


class MNISTConvNet(SimpleCNN):
    """The chapter's exercise: the same conv blocks, then 3136 -> 256 -> 10 (824,458 parameters).

    A ``SimpleCNN`` with a classifier twice as wide; same constructor and forward.

    Parameters
    ----------
    generator : np.random.Generator, optional
        Source of the initial weights (the package's default generator when omitted).
    """

    hidden = 256


class MLP(nn.Module):
    """Fully connected baseline: flatten (N, 1, 28, 28) to (N, 784), then hidden ReLU layers.

    Parameters
    ----------
    hidden : tuple of int, default (256, 128)
        Widths of the hidden layers: 784-256-128-10 (235,146 parameters) by default.
    generator : np.random.Generator, optional
        Source of the initial weights.

    Examples
    --------
    >>> import numpy as np
    >>> MLP(generator=np.random.default_rng(0))
    MLP(
      (layers): Sequential(
        (0): Flatten(start_dim=1, end_dim=-1)
        (1): Linear(in_features=784, out_features=256, bias=True)
        (2): ReLU()
        (3): Linear(in_features=256, out_features=128, bias=True)
        (4): ReLU()
        (5): Linear(in_features=128, out_features=10, bias=True)
      )
    )
    """

    def __init__(
        self, hidden: tuple[int, ...] = (256, 128), generator: np.random.Generator | None = None
    ) -> None:
        super().__init__()
        if not isinstance(hidden, (tuple, list)):
            raise TypeError(
                f"hidden must be a tuple of layer widths such as (256, 128), got {hidden!r}"
            )
        widths = (28 * 28, *hidden, 10)
        layers: list[nn.Module] = [nn.Flatten()]
        for width_in, width_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(width_in, width_out, generator=generator), nn.ReLU()]
        self.layers = nn.Sequential(*layers[:-1])  # no ReLU after the class scores

    def forward(self, x: Tensor) -> Tensor:
        """x (N, 1, 28, 28) -> class scores (N, 10)."""
        return self.layers(x)
