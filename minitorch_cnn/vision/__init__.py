"""``minitorch_cnn.vision``: the little of torchvision that MNIST programs use.

``datasets.MNIST`` and ``transforms.Compose``/``ToTensor``/``Normalize``/``Lambda`` and the
augmentations (flips, crops, ``Resize``, ``RandomRotation``), so that
``from torchvision import datasets, transforms`` becomes
``from minitorch_cnn.vision import datasets, transforms``. Images are NumPy arrays, not PIL
images: this package depends on NumPy alone.

Read next: ``vision/transforms.py``.
"""

from . import datasets, transforms  # noqa: F401 -- the submodules programs import
