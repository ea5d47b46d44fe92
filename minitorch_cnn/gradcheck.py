"""Finite-difference gradient checking: the test every backward in this project must pass.

For a scalar function L(x), the central difference
``(L(x + eps e_i) - L(x - eps e_i)) / (2 eps)`` approximates dL/dx_i with error O(eps^2).
``gradcheck`` computes it for every entry of every input that requires grad, in float64 (in
float32 the rounding error of L, about 1e-7 * |L|, divided by 2 eps would swamp the
answer), and compares it with what ``backward()`` put in ``.grad``.

A function with a non-scalar output is reduced to ``L = sum(out * g)`` with a random upstream
gradient ``g``: checking with ``sum(out)`` alone (g = 1) would miss backwards that mix up
which output entry goes where.

Read next: ``testing.py`` (hypothesis strategies for drawing inputs to check).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import no_grad
from .tensor import Tensor


def _as_float64_inputs(inputs: Sequence[Any]) -> list[Any]:
    """Float64 copies of the float tensors (same requires_grad); everything else unchanged."""
    copies = []
    for item in inputs:
        if isinstance(item, Tensor) and item.dtype.kind == "f":
            copies.append(Tensor(item.data.astype(np.float64), requires_grad=item.requires_grad))
        else:
            copies.append(item)
    return copies


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check ``backward()`` of ``fn(*inputs)`` against float64 central differences.

    Parameters
    ----------
    fn : callable
        Takes the inputs (Tensors and any other arguments) and returns a Tensor.
    inputs : sequence
        Tensors to differentiate (those with ``requires_grad=True``) and constants. Float
        tensors are copied to float64 first; the originals are not touched.
    eps : float
        Step of the central difference.
    atol, rtol : float
        An entry passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    seed : int
        Seed of the random upstream gradient used when ``fn`` returns a non-scalar.

    Returns
    -------
    bool
        True when every entry matches.

    Raises
    ------
    AssertionError
        At the first mismatch, naming the input, the element index and both values.
    ValueError
        If no input requires grad.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> x = mt.tensor([[0.5, -1.0], [2.0, 3.0]], requires_grad=True)
    >>> mt.gradcheck(lambda a: (a * a).exp(), [x])
    True
    """
    inputs64 = _as_float64_inputs(inputs)
    checked = [i for i, t in enumerate(inputs64) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck needs at least one input Tensor with requires_grad=True")

    out = fn(*inputs64)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    upstream = np.random.default_rng(seed).standard_normal(out.shape)

    def loss_value() -> float:
        with no_grad():
            return float((fn(*inputs64).data.astype(np.float64) * upstream).sum())

    (out * Tensor(upstream.astype(out.dtype))).sum().backward()

    for position in checked:
        tensor = inputs64[position]
        analytic = tensor.grad if tensor.grad is not None else np.zeros_like(tensor.data)
        values = tensor.data  # perturbed in place, restored after each entry
        for index in np.ndindex(values.shape):
            original = values[index]
            values[index] = original + eps
            plus = loss_value()
            values[index] = original - eps
            minus = loss_value()
            values[index] = original
            numeric = (plus - minus) / (2 * eps)
            if not abs(analytic[index] - numeric) <= atol + rtol * abs(numeric):
                raise AssertionError(
                    f"gradcheck failed for input {position} (shape {values.shape}) at index "
                    f"{index}: numeric {numeric:.10g}, analytic {float(analytic[index]):.10g}"
                )
    return True
