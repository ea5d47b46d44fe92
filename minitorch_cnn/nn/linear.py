"""``Linear`` and ``Identity``, and the default first weights shared with ``Conv2d``.

Read next: ``nn/lazy.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import device as devices
from .. import functional, init
from ..dtypes import as_dtype
from ..functional.checks import _require_int as _int
from ..tensor import Tensor
from .module import Module, Parameter


def _check_bias(bias: Any) -> bool:
    # stricter than PyTorch, which reads any truthy value (even bias="no") as True
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be a bool, got {type(bias).__name__} {bias!r}")
    return bool(bias)


def _weight_and_bias(
    shape: tuple[int, ...],
    bias: bool,
    generator: np.random.Generator | None,
    dtype: Any = np.float32,
) -> tuple[Parameter, Parameter | None]:
    """PyTorch's first values for a weight of ``shape`` (F, ...) and a bias (F,) or None.

    The weight is ``kaiming_uniform_`` with ``a = sqrt(5)``: the gain sqrt(2 / (1 + a^2)) =
    sqrt(1/3) times sqrt(3 / fan_in) makes it uniform in [-k, k], ``k = 1 / sqrt(fan_in)``;
    the bias is uniform in the same [-k, k].
    """
    weight = Parameter(Tensor(np.empty(shape, dtype=dtype)))
    init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if not bias:
        return weight, None
    bound = 1 / math.sqrt(init.fan_in(shape))
    return weight, init.uniform_(
        Parameter(Tensor(np.empty(shape[0], dtype=dtype))), -bound, bound, generator
    )


def _parameter_dtype(dtype: Any, device: Any) -> np.dtype:
    """The ``dtype=`` of a layer (float32 when None; floating point only) on the CPU."""
    devices.require_cpu(device)
    target = np.dtype(np.float32) if dtype is None else as_dtype(dtype)
    if target.kind != "f":
        raise TypeError(f"a layer's parameters must be floating point, got dtype={dtype}")
    return target


class Linear(Module):
    """``y = x @ weight.T + bias``; x (..., in_features) -> y (..., out_features).

    ``weight`` (out_features, in_features) and ``bias`` (out_features,) are uniform in
    ``[-k, k]``, ``k = 1 / sqrt(in_features)`` (PyTorch's init, see ``_weight_and_bias``).

    Parameters
    ----------
    in_features, out_features : int, >= 1
    bias : bool
        Without a bias, ``bias`` is None (a registered empty slot, as in PyTorch).
    device : None, "cpu" or device("cpu")
    dtype : floating point dtype, optional
        Of the parameters; float32 by default.
    generator : np.random.Generator, optional
        Source of the first values (the package's default generator when omitted).

    Raises
    ------
    TypeError
        For non-int sizes, a non-bool ``bias``, a non-floating ``dtype``.
    ValueError
        For sizes < 1.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> layer = Linear(3, 2)
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    >>> layer(mt.ones(5, 3)).shape
    torch.Size([5, 2])
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.in_features = _int(in_features, "in_features", 1)
        self.out_features = _int(out_features, "out_features", 1)
        weight, bias_ = _weight_and_bias(
            (self.out_features, self.in_features),
            _check_bias(bias),
            generator,
            _parameter_dtype(dtype, device),
        )
        self.weight = weight
        self.register_parameter("bias", bias_)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 -- PyTorch's name
        return functional.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to remove a model's head); any
    arguments are accepted and ignored, as in PyTorch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:  # noqa: A002
        return input
