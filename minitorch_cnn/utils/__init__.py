"""``minitorch_cnn.utils``, as ``torch.utils``: only ``data`` (datasets and ``DataLoader``).

Read next: ``utils/data.py``.
"""

from . import data  # noqa: F401 -- the submodule PyTorch programs import
