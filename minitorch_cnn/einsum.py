"""``einsum(equation, *operands)``: PyTorch's Einstein summation, differentiable.

This file turns the equation into the explicit form the op computes: the implicit output
(no ``->``: the letters that occur once, in alphabetical order) written out, and each
``...`` replaced by letters of its own, aligned from the right as broadcasting aligns
axes. The op and its backward are in ``ops/einsum.py``.

Read next: ``toplevel.py``.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

from .ops.einsum import Einsum
from .tensor import Tensor, tensor


def _explicit(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """``(input terms, output term)`` with ``...`` expanded and the output written out."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(
            f"einsum(): the equation {equation!r} names {len(terms)} operands, got {len(ndims)}"
        )
    named = [t.replace("...", "") for t in terms]
    if not all(c.isalpha() and c.isascii() for c in "".join(named) + rhs.replace("...", "")):
        raise ValueError(f"einsum(): subscripts must be letters a-z, A-Z, got {equation!r}")
    for term, bare, ndim in zip(terms, named, ndims):
        if len(bare) > ndim or ("..." not in term and len(bare) != ndim):
            raise ValueError(
                f"einsum(): the subscripts {term!r} do not fit an operand with {ndim} dims"
            )
    spare = [c for c in string.ascii_letters if c not in equation]
    width = max((n - len(b) for t, b, n in zip(terms, named, ndims) if "..." in t), default=0)
    spread = "".join(spare[:width])  # the letters standing for "...", widest operand's
    terms = [
        t.replace("...", spread[width - (n - len(b)) :]) for t, b, n in zip(terms, named, ndims)
    ]
    if arrow:
        output = rhs.replace("...", spread)
    else:
        counts = Counter("".join(named))
        output = spread + "".join(sorted(c for c in counts if counts[c] == 1))
    return terms, output


def einsum(equation: str, *operands: Any) -> Tensor:
    """The sum of products named by ``equation``: ``einsum("ij,jk->ik", a, b)`` is
    ``a @ b``, ``einsum("ii", a)`` the trace, ``einsum("bi,bi->b", a, b)`` row-wise dot
    products. Operands may also come as one list, ``einsum("ij,jk", [a, b])``.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> mt.einsum("ij->j", mt.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([4., 6.])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = tuple(t if isinstance(t, Tensor) else tensor(t) for t in operands)
    terms, output = _explicit(equation, [t.ndim for t in operands])
    return Einsum.apply(*operands, inputs=tuple(terms), output=output)
