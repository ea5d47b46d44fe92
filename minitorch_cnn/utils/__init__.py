"""``minitorch_cnn.utils``, as ``torch.utils``: the ``data`` module (datasets and loaders).

Read next: ``utils/data.py``.
"""

from __future__ import annotations

from . import data

__all__ = ["data"]
