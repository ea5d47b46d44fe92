"""``Tensor``: one class, written in five files (the class is the package).

``core.py`` is what makes a tensor a tensor (its array, ``grad``, ``backward``, in-place
updates); the others are mixed into it: ``methods.py`` (arithmetic, reductions, shapes, each
one line calling an op), ``extras.py`` (the wider PyTorch API composed from those),
``conversions.py`` (to NumPy, Python, dtypes; printing) and ``indexing.py`` (scatter,
nonzero, unique). Read them in that order.

Read next: ``tensor/core.py``.
"""

from .core import Tensor, tensor
from .methods import Size

__all__ = ["Tensor", "tensor", "Size"]
