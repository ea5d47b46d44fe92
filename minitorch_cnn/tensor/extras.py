"""More of PyTorch's Tensor methods, the ones programs reach for beyond the basics: each is
composed from the methods in ``tensor/methods.py`` or calls one op, so every gradient comes
from ops whose backwards are derived elsewhere.

- statistics: ``norm``, ``var``, ``std``, ``logsumexp``, ``amax``, ``amin``;
- elementwise: ``sin``, ``cos``, ``square``, ``maximum``, ``minimum``, ``where``,
  ``masked_fill`` and the predicates ``isnan``, ``isinf``, ``isfinite``;
- shape: ``expand``, ``repeat``, ``chunk``, ``split``, ``unbind``, ``index_select``,
  ``gather``, ``reshape_as``, ``type_as``;
- order: ``sort`` and ``topk`` (values differentiable through ``gather``);
- new tensors of this one's dtype: ``new_tensor``, ``new_zeros``, ``new_ones``, ``new_full``.

Read next: ``tensor/conversions.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..device import require_cpu
from ..ops import elementwise, reduce, scatter
from ..ops import shape as shape_ops
from .methods import TensorMethods, _return_type, _shape_args

if TYPE_CHECKING:
    from typing_extensions import Self

SortResult, TopkResult = _return_type("sort"), _return_type("topk")


class TensorExtras(TensorMethods):
    """Mixed into ``Tensor`` after ``TensorMethods``; ``Self`` is that ``Tensor`` class."""

    # ----- statistics -----------------------------------------------------------------
    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Self:
        """The vector p-norm ``(sum |x|**p) ** (1/p)`` over ``dim`` (all entries by default;
        ``"fro"`` is p = 2)."""
        if p in ("fro", 2):
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p in (float("inf"), "inf"):
            return self.abs().amax(dim, keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    def var(
        self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *, correction=None
    ) -> Self:
        """``sum((x - mean)**2) / (n - correction)``; ``correction`` defaults to 1 (Bessel's,
        ``unbiased=True``), 0 with ``unbiased=False``."""
        correction = (1 if unbiased else 0) if correction is None else correction
        centered = self - self.mean(dim, keepdim=True)
        n = self.numel() // max(centered.sum(dim, keepdim=True).numel(), 1)
        return (centered * centered).sum(dim, keepdim) / max(n - correction, 0)

    def std(
        self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *, correction=None
    ) -> Self:
        """``var(...).sqrt()``."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def cumsum(self, dim: int) -> Self:
        """Running sums along ``dim``."""
        return reduce.CumSum.apply(self, axis=dim)

    def prod(self, dim: int | None = None, keepdim: bool = False) -> Self:
        """The product of all entries, or along ``dim``."""
        return reduce.Prod.apply(self, axis=dim, keepdims=keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Self:
        """The largest entry over ``dim`` (all dims for ``()``); ties share the gradient."""
        return self.max(axis=None if dim == () else dim, keepdims=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Self:
        """The smallest entry over ``dim`` (all dims for ``()``)."""
        return -((-self).amax(dim, keepdim))

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Self:
        """``log(sum(exp(x)))`` over ``dim``, computed as ``m + log(sum(exp(x - m)))`` with
        m the (constant) maximum, so no exp overflows; the gradient is ``softmax(x)``."""
        m = self.detach().amax(dim, keepdim=True)
        m = m.masked_fill(~m.isfinite(), 0.0)  # all -inf (or an inf): shift by nothing
        out = (self - m).exp().sum(dim, keepdim=True).log() + m
        return out if keepdim else out.sum(dim)  # a sum over length-1 axes drops them

    # ----- elementwise ----------------------------------------------------------------
    def sin(self) -> Self:
        return elementwise.Sin.apply(self)

    def cos(self) -> Self:
        return elementwise.Cos.apply(self)

    def square(self) -> Self:
        return self * self

    def where(self, condition: Any, other: Any) -> Self:
        """``self`` where ``condition`` holds, else ``other`` (``torch.where(cond, self, other)``)."""
        mask = np.asarray(condition, dtype=bool)
        a, b = self._operands(other)
        return elementwise.Where.apply(a, b, condition=mask)

    def masked_fill(self, mask: Any, value: Any) -> Self:
        """``value`` where ``mask`` is True, self elsewhere; no gradient reaches the filled
        entries."""
        return self._operand(value).type(self.dtype).where(mask, self)

    def maximum(self, other: Any) -> Self:
        """The larger of each pair; at a tie each side gets half the gradient (PyTorch's)."""
        a, b = self._operands(other)
        return (a.where(a > b, b) + a.where(a >= b, b)) * 0.5

    def minimum(self, other: Any) -> Self:
        """The smaller of each pair; at a tie each side gets half the gradient."""
        return -((-self).maximum(-self._operand(other)))

    def __floordiv__(self, other: Any) -> Self:
        """``floor(a / b)`` elementwise, outside the graph (its gradient is 0 almost
        everywhere)."""
        a, b = self._operands(other)
        return self._new(np.floor_divide(a._data, b._data))

    def __rfloordiv__(self, other: Any) -> Self:
        return self._operand(other) // self

    def __mod__(self, other: Any) -> Self:
        """``a - floor(a / b) * b`` (Python's sign rule, as ``torch.remainder``): the
        gradient is 1 for a and ``-floor(a / b)`` for b."""
        a, b = self._operands(other)
        return a - (a // b) * b

    def __rmod__(self, other: Any) -> Self:
        return self._operand(other) % self

    floor_divide, remainder = __floordiv__, __mod__

    def floor(self) -> Self:
        """Rounded down, outside the graph (a step function: its gradient is 0)."""
        return self._new(np.floor(self._data))

    def ceil(self) -> Self:
        """Rounded up, outside the graph."""
        return self._new(np.ceil(self._data))

    def round(self, decimals: int = 0) -> Self:
        """Rounded half to even (as PyTorch), outside the graph."""
        return self._new(np.round(self._data, decimals))

    def sign(self) -> Self:
        """-1, 0 or 1, outside the graph."""
        return self._new(np.sign(self._data))

    def isnan(self) -> Self:
        return self._new(np.isnan(self._data))

    def isinf(self) -> Self:
        return self._new(np.isinf(self._data))

    def isfinite(self) -> Self:
        return self._new(np.isfinite(self._data))

    def __invert__(self) -> Self:
        """``~mask``: logical not of a bool tensor (bitwise not of an int one)."""
        return self._new(np.invert(self._data))

    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    def element_size(self) -> int:
        """Bytes per entry."""
        return self.dtype.itemsize

    # ----- shape ----------------------------------------------------------------------
    def expand(self, *sizes: int) -> Self:
        """A view repeating length-1 axes to ``sizes`` (-1 keeps a size), as PyTorch."""
        sizes = _shape_args(sizes)
        own = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        target = tuple(o if s == -1 else s for s, o in zip(sizes, own))
        return shape_ops.Expand.apply(self, shape=target)

    def expand_as(self, other: Self) -> Self:
        return self.expand(*other.shape)

    def repeat(self, *repeats: int) -> Self:
        """The tensor tiled ``repeats[i]`` times along dim i (``np.tile``)."""
        return shape_ops.Repeat.apply(self, repeats=_shape_args(repeats))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Self, ...]:
        """Pieces of ``split_size`` along ``dim`` (the last may be shorter), or pieces of
        the given sizes; each a differentiable slice."""
        length = self.shape[dim]
        if isinstance(split_size_or_sections, (int, np.integer)):
            step = int(split_size_or_sections)
            sizes = [min(step, length - start) for start in range(0, length, step)]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != length:
                raise ValueError(f"split sizes {sizes} do not add up to dim {dim}'s {length}")
        starts = np.cumsum([0] + sizes[:-1])
        lead = (slice(None),) * (dim % self.ndim)
        return tuple(self[lead + (slice(s, s + n),)] for s, n in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Self, ...]:
        """At most ``chunks`` pieces of ``ceil(size / chunks)`` along ``dim``."""
        return self.split(-(-self.shape[dim] // chunks), dim)

    def unbind(self, dim: int = 0) -> tuple[Self, ...]:
        """The slices along ``dim``, that dim removed."""
        lead = (slice(None),) * (dim % self.ndim)
        return tuple(self[lead + (i,)] for i in range(self.shape[dim]))

    def index_select(self, dim: int, index: Any) -> Self:
        """The entries at ``index`` (1-D ints) along ``dim``."""
        lead = (slice(None),) * (dim % self.ndim)
        return self[lead + (np.asarray(index).reshape(-1),)]

    def gather(self, dim: int, index: Any) -> Self:
        """``out[i][j] = self[i][index[i][j]]`` for dim 1 (likewise for any dim)."""
        return self[scatter.positions(np.asarray(index), dim % self.ndim)]

    def dot(self, other: Any) -> Self:
        """The inner product of two 1-D tensors."""
        if self.ndim != 1 or np.ndim(other) != 1:
            raise RuntimeError(f"dot expects 1-D tensors, got {self.ndim}-D and {np.ndim(other)}-D")
        return self @ other

    def bmm(self, other: Any) -> Self:
        """Batched matrix product of (B, n, m) and (B, m, p) tensors."""
        if self.ndim != 3 or np.ndim(other) != 3:
            raise RuntimeError(f"bmm expects 3-D tensors, got {self.ndim}-D and {np.ndim(other)}-D")
        return self @ other

    def flip(self, *dims: int) -> Self:
        """The entries in reverse order along each of ``dims`` (a differentiable view)."""
        index = [slice(None)] * self.ndim
        for dim in _shape_args(dims):
            index[dim] = slice(None, None, -1)
        return self[tuple(index)]

    def argsort(self, dim: int = -1, descending: bool = False) -> Self:
        """The indices that sort along ``dim`` (``sort(...).indices``)."""
        return self.sort(dim, descending).indices

    def half(self) -> Self:
        """``to(float16)``."""
        return self.type(np.float16)

    def reshape_as(self, other: Self) -> Self:
        return self.reshape(other.shape)

    def type_as(self, other: Self) -> Self:
        return self.type(other.dtype)

    # ----- order ----------------------------------------------------------------------
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> SortResult:
        """``(values, indices)`` sorted along ``dim`` (a stable sort, ties keep their order)."""
        keys = -self._data if descending else self._data
        indices = np.argsort(keys, axis=dim, kind="stable")
        return SortResult(self.gather(dim, indices), self._new(indices))

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:  # noqa: A002
        """The ``k`` largest (or smallest) entries along ``dim`` with their indices."""
        order = np.argsort(-self._data if largest else self._data, axis=dim, kind="stable")
        indices = np.take(order, np.arange(k), axis=dim)
        return TopkResult(self.gather(dim, indices), self._new(indices))

    # ----- new tensors like this one --------------------------------------------------
    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None, requires_grad=False):
        """A tensor of ``data`` with this one's dtype (unless given)."""
        return self.new_full(np.shape(data), 0, dtype, device, requires_grad).copy_(data)

    def new_full(
        self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad=False
    ) -> Self:
        """A tensor of ``size`` filled with ``fill_value``, with this one's dtype."""
        require_cpu(device)
        array = np.full(_shape_args(size), fill_value, dtype=self.dtype if dtype is None else dtype)
        return self._new(array).requires_grad_(requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad=False):
        return self.new_full(size, 0, dtype, device, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad=False):
        return self.new_full(size, 1, dtype, device, requires_grad)
