"""Finite-difference gradient checking: the test every backward in this project must pass.

For a scalar function L(x), the central difference
``(L(x + eps e_i) - L(x - eps e_i)) / (2 eps)`` approximates dL/dx_i with error O(eps^2).
``gradcheck`` computes it for every entry of every input that requires grad, in float64 (in
float32 the rounding error of L, about 1e-7 * |L|, divided by 2 eps would swamp the
answer), and compares it with what ``backward()`` put in ``.grad``.

A function with a non-scalar output is reduced to ``L = sum(out * g)`` with a random upstream
gradient ``g``: checking with ``sum(out)`` alone (g = 1) would miss backwards that mix up
which output entry goes where.

Read next: ``testing/__init__.py`` (hypothesis strategies for drawing inputs to check).
"""

from __future__ import annotations

import math
import numbers
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
            copies.append(Tensor(item._data.astype(np.float64), requires_grad=item.requires_grad))
        else:
            copies.append(item)
    return copies


def _check_arguments(fn: Any, inputs: Any, eps: Any, atol: Any, rtol: Any, seed: Any) -> None:
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be callable, got {type(fn).__name__}")
    if not isinstance(inputs, (list, tuple)):  # a lone Tensor would be iterated row by row
        raise TypeError(
            f"gradcheck: inputs must be a list or tuple of the arguments of fn, got "
            f"{type(inputs).__name__}"
        )
    for name, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"gradcheck: {name} must be a float, got {value!r}")
    if not 0 < eps < math.inf:
        raise ValueError(f"gradcheck: eps must be positive and finite, got {eps}")
    if not (0 <= atol < math.inf and 0 <= rtol < math.inf):
        raise ValueError(f"gradcheck: atol and rtol must be >= 0 and finite, got {atol} and {rtol}")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"gradcheck: seed must be an int, got {seed!r}")
    if seed < 0:
        raise ValueError(f"gradcheck: seed must be >= 0, got {seed}")


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
        If no input requires grad, ``eps`` is not positive or a tolerance is negative.
    TypeError
        If ``fn`` is not callable, ``inputs`` is not a list or tuple, a setting has the wrong
        type, or ``fn`` does not return a Tensor.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> x = mt.tensor([[0.5, -1.0], [2.0, 3.0]], requires_grad=True)
    >>> mt.gradcheck(lambda a: (a * a).exp(), [x])
    True
    """
    _check_arguments(fn, inputs, eps, atol, rtol, seed)
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
            return float((fn(*inputs64)._data.astype(np.float64) * upstream).sum())

    (out * Tensor(upstream.astype(out.dtype))).sum().backward()

    for position in checked:
        tensor = inputs64[position]
        analytic = (
            np.asarray(tensor.grad) if tensor.grad is not None else np.zeros_like(tensor._data)
        )
        values = tensor._data  # perturbed in place, restored after each entry
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
