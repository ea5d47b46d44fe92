"""``linear`` (an affine map of the last axis) and ``flatten``.

Read next: ``functional/loss.py``.
"""

from __future__ import annotations

from ..tensor import Tensor
from .checks import _as_tensor, _require_float


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias``.

    Parameters
    ----------
    x : Tensor, shape (..., in_features)
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), optional

    Returns
    -------
    Tensor, shape (..., out_features)
    """
    x, weight = _as_tensor(x, "x"), _as_tensor(weight, "weight")
    _require_float(x, "linear input")
    if weight.dtype != x.dtype:  # NumPy would silently promote, e.g. to float64
        raise TypeError(f"linear weight must have the input's dtype {x.dtype}, got {weight.dtype}")
    if weight.ndim != 2:
        raise ValueError(
            f"linear weight must be 2-D (out_features, in_features), got shape {weight.shape}"
        )
    if x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear expected input with last axis {weight.shape[1]} (in_features), "
            f"got shape {x.shape}"
        )
    out = x @ weight.T  # (..., in) @ (in, out) -> (..., out)
    if bias is not None:
        bias = _as_tensor(bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"linear bias must have shape ({weight.shape[0]},), got {bias.shape}")
        if bias.dtype != x.dtype:
            raise TypeError(f"linear bias must have the input's dtype {x.dtype}, got {bias.dtype}")
        out = out + bias
    return out


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes ``start_dim..end_dim`` (both included) into one, as ``torch.flatten``.

    Parameters
    ----------
    x : Tensor or np.ndarray, any shape
        A 0-d x counts as 1-D: it flattens to one entry.
    start_dim, end_dim : int
        Axes of x, negative counting from the end; ``start_dim`` not after ``end_dim``.
        The defaults merge everything; ``nn.Flatten`` keeps the batch (``start_dim=1``).

    Returns
    -------
    Tensor, shape ``x.shape[:start] + (prod(x.shape[start:end + 1]),) + x.shape[end + 1:]``

    Raises
    ------
    TypeError
        If a dim is not an int.
    ValueError
        If a dim is out of range, or ``start_dim`` comes after ``end_dim``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((2, 3, 4, 5))
    >>> flatten(x).shape, flatten(x, 1).shape, flatten(x, 1, 2).shape
    (torch.Size([120]), torch.Size([2, 60]), torch.Size([2, 12, 5]))
    """
    return _as_tensor(x, "x").flatten(start_dim, end_dim)  # Tensor.flatten checks the dims
