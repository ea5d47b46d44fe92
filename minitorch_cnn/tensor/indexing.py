"""Tensor methods that write at, find or count positions: ``scatter`` and ``scatter_add``
(the inverse of ``gather``), ``index_fill``, ``nonzero``, ``unique``, ``bincount``, and
``is_contiguous``. The out-of-place writes are differentiable (``ops/scatter.py``,
``masked_fill``); the trailing-underscore versions write into the tensor's own array,
outside the graph, like every in-place method here. Finding and counting give integer
tensors, outside the graph.

Read next: ``einsum.py``.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops import scatter as scatter_ops
from .methods import TensorMethods

if TYPE_CHECKING:
    from typing_extensions import Self


def _integer_index(index: Any, op: str) -> np.ndarray:
    """``index`` as an int64 array; a float or bool index is a TypeError, as in PyTorch."""
    array = np.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an int64 tensor, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


class TensorIndexing(TensorMethods):
    """Mixed into ``Tensor``; ``Self`` is that ``Tensor`` class."""

    # ----- scatter: out[..., index[...], ...] = src[...] along dim ---------------------
    def _scatter_args(self, op: str, dim: int, index: Any, src: Any) -> tuple:
        """Validated ``(axis, index, src)``: ``src`` a Tensor of ``index``'s shape and this
        tensor's dtype (a number fills every position)."""
        if not -max(self.ndim, 1) <= dim < max(self.ndim, 1):
            raise IndexError(f"{op}: dim {dim} is out of range for a {self.ndim}-d tensor")
        axis = dim % max(self.ndim, 1)
        index = _integer_index(index, op)
        if index.ndim == 0 and self.ndim == 1:
            index = index.reshape(1)  # PyTorch reads a 0-d index of a 1-d tensor as 1-d
        if index.ndim != self.ndim:
            raise ValueError(
                f"{op}: index must have as many dims as self ({self.ndim}), got {index.ndim}"
            )
        if any(i > s for d, (i, s) in enumerate(zip(index.shape, self.shape)) if d != axis):
            raise ValueError(
                f"{op}: index {tuple(index.shape)} must be no larger than self "
                f"{tuple(self.shape)} apart from dim {dim}"
            )
        if index.size and (index.min() < 0 or index.max() >= self.shape[axis]):
            bad = index.min() if index.min() < 0 else index.max()
            raise IndexError(
                f"{op}: index {bad} is out of bounds for dim {dim} with size {self.shape[axis]}"
            )
        if isinstance(src, (numbers.Number, np.generic)):
            return axis, index, self._new(np.full(index.shape, src, dtype=self.dtype))
        if not isinstance(src, TensorMethods):
            raise TypeError(f"{op}: src must be a Tensor or a number, got {type(src).__name__}")
        if src.dtype != self.dtype:
            raise TypeError(f"{op}: src dtype {src.dtype} must equal self's dtype {self.dtype}")
        if src.ndim != index.ndim or any(i > s for i, s in zip(index.shape, src.shape)):
            raise ValueError(
                f"{op}: index {tuple(index.shape)} must be no larger than src {tuple(src.shape)}"
            )
        if src.shape != index.shape:  # PyTorch reads only src's leading corner
            src = src[tuple(slice(0, n) for n in index.shape)]  # (*index.shape)  view
        return axis, index, src

    def scatter(
        self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
    ) -> Self:
        """A copy with ``src`` written at ``index`` along ``dim`` (``out[i][index[i][j]] =
        src[i][j]`` for dim 1); ``src`` may be a number, or given as ``value=``.
        ``reduce="add"`` adds instead (``scatter_add``)."""
        if reduce not in (None, "add"):
            raise ValueError(f"scatter: reduce must be None or 'add', got {reduce!r}")
        axis, index, src = self._scatter_args(
            "scatter", dim, index, src if value is None else value
        )
        op = scatter_ops.ScatterAdd if reduce == "add" else scatter_ops.Scatter
        return op.apply(self, src, index=index, axis=axis)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Self:
        """A copy with ``src`` added at ``index`` along ``dim`` (repeated positions add up)."""
        return self.scatter(dim, index, src, reduce="add")

    def scatter_(
        self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
    ) -> Self:
        """``scatter`` written into this tensor (outside the graph)."""
        return self.copy_(self.detach().scatter(dim, index, src, value=value, reduce=reduce))

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Self:
        """``scatter_add`` written into this tensor (outside the graph)."""
        return self.scatter_(dim, index, src, reduce="add")

    # ----- index_fill: whole slices along dim ------------------------------------------
    def _slices_at(self, dim: int, index: Any) -> np.ndarray:
        """A bool mask of this tensor's shape, True on the slices ``index`` picks along
        ``dim`` (negative entries count from the end, as in PyTorch)."""
        index = _integer_index(index, "index_fill")
        if index.ndim > 1:
            raise ValueError(f"index_fill: index must be 0-d or 1-d, got {index.ndim}-d")
        size = self.shape[dim]
        if index.size and (index.min() < -size or index.max() >= size):
            raise IndexError(f"index_fill: an index of {index} is out of range for size {size}")
        picked = np.zeros(size, dtype=bool)
        picked[index] = True
        lead = (slice(None),) * (dim % self.ndim)
        mask = np.zeros(self.shape, dtype=bool)
        mask[lead + (picked,)] = True
        return mask

    def index_fill(self, dim: int, index: Any, value: Any) -> Self:
        """A copy with the slices at ``index`` along ``dim`` set to ``value`` (no gradient
        reaches them)."""
        return self.masked_fill(self._slices_at(dim, index), value)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Self:
        """``index_fill`` written into this tensor (outside the graph)."""
        mask = self._slices_at(dim, index)
        self._in_place("index_fill_")[mask] = np.asarray(value)
        return self

    # ----- finding and counting (integer results, outside the graph) -----------------
    def nonzero(self, *, as_tuple: bool = False) -> Self | tuple[Self, ...]:
        """The indices of the non-zero entries: an int64 (count, ndim) tensor, or one 1-D
        tensor per dim with ``as_tuple=True`` (``torch.where(condition)``)."""
        if as_tuple:
            return tuple(self._new(i) for i in np.nonzero(np.atleast_1d(self._data)))
        return self._new(np.argwhere(self._data))

    def bincount(self, weights: Any = None, minlength: int = 0) -> Self:
        """How often each value 0, 1, ... occurs in this 1-D non-negative int tensor (the
        sum of ``weights`` at its positions instead, if given); at least ``minlength``."""
        if self.dtype.kind not in "iu":
            raise TypeError(f"bincount: input must be an integer tensor, got dtype {self.dtype}")
        if self.ndim != 1 or (self._data.size and self._data.min() < 0):
            raise ValueError("bincount: input must be a 1-d tensor of non-negative integers")
        if minlength < 0:
            raise ValueError(f"bincount: minlength must be >= 0, got {minlength}")
        if weights is None:
            return self._new(np.bincount(self._data, minlength=minlength).astype(np.int64))
        weights = np.asarray(weights)
        if weights.shape != self.shape:
            raise ValueError(f"bincount: weights must have shape {self.shape}, got {weights.shape}")
        dtype = weights.dtype if weights.dtype.kind == "f" else np.float64
        return self._new(np.bincount(self._data, weights, minlength).astype(dtype))

    def unique(
        self,
        sorted: bool = True,  # noqa: A002 -- PyTorch's name
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: int | None = None,
    ) -> Self | tuple[Self, ...]:
        """The distinct values in ascending order (distinct slices along ``dim``), with
        where each entry went (``return_inverse``, shaped like the input when ``dim`` is
        None) and how often each occurs (``return_counts``)."""
        values, inverse, counts = np.unique(
            self._data, return_inverse=True, return_counts=True, axis=dim
        )
        inverse = inverse.reshape(self.shape if dim is None else -1)
        wanted = [values, inverse, counts], [True, return_inverse, return_counts]
        results = tuple(self._new(a) for a, keep in zip(*wanted) if keep)
        return results if len(results) > 1 else results[0]

    def is_contiguous(self) -> bool:
        """True when the entries lie in memory in row-major order with no gaps."""
        return bool(self._data.flags.c_contiguous)
