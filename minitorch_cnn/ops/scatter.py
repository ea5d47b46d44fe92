"""Scatter ops: write (or add) the entries of ``src`` into a copy of ``x`` at positions
given along one axis by ``index`` -- the inverse direction of ``gather``.

For ``axis = 1`` of a 2-D tensor, ``out[i][index[i][j]] = src[i][j]``; every other axis of
``index`` just counts along with ``src``. ``positions`` below turns ``index`` into that full
NumPy index: ``np.indices`` for every axis but ``axis``, whose entries come from ``index``.

Read next: ``ops/einsum.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


def positions(index: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The NumPy index that reaches ``out[..., index[...], ...]`` (``index`` along ``axis``)
    for every entry of ``index``; broadcasting ``np.indices`` keeps it one small array per
    axis."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[axis] = index
    return tuple(grid)


class Scatter(Function):
    """``out = x`` with ``out[positions] = src`` (``src`` has ``index``'s shape).

    Backward: an entry written from ``src`` no longer depends on ``x``, and each written
    entry is one entry of ``src``:
        dL/dx   = dL/dout with the written positions set to 0
        dL/dsrc = dL/dout[positions]                       (a gather, shape of index)
    With repeated positions one of the writes wins (which one is not specified, as in
    PyTorch), and every src entry aimed there still receives the gradient.
    """

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, src: np.ndarray, index=None, axis: int = 0
    ) -> np.ndarray:
        ctx.where = positions(index, axis)
        out = x.copy()
        out[ctx.where] = src
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        grad_x = grad_out.copy()
        grad_x[ctx.where] = 0
        return grad_x, grad_out[ctx.where]


class ScatterAdd(Function):
    """``out = x`` with ``src`` added at ``positions`` (repeated positions add up).

    Backward: out is x plus a sum of src entries, each entering once with weight 1:
        dL/dx   = dL/dout
        dL/dsrc = dL/dout[positions]
    The forward needs ``np.add.at`` (plain ``+=`` would drop repeated positions); it runs
    once per call, never inside a convolution.
    """

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, src: np.ndarray, index=None, axis: int = 0
    ) -> np.ndarray:
        ctx.where = positions(index, axis)
        out = x.copy()
        np.add.at(out, ctx.where, src)
        return out

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        return grad_out, grad_out[ctx.where]
