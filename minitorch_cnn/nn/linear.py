"""``Linear``, and the default first weights shared with ``Conv2d``.

Read next: ``nn/conv.py``.
"""

from __future__ import annotations

import numpy as np

from .. import functional, init
from ..functional.checks import _require_int as _int
from ..tensor import Tensor
from .module import Module, Parameter


def _weight_and_bias(
    shape: tuple[int, ...], bias: bool, generator: np.random.Generator | None
) -> tuple[Parameter, Parameter | None]:
    """A weight of ``shape`` (F, ...) and a bias (F,) or None, both uniform in [-k, k] with
    k = 1 / sqrt(fan_in(shape)) -- PyTorch's default for Linear and Conv2d."""
    fan = init.fan_in(shape)
    weight = init.fan_in_uniform_(Parameter(np.empty(shape, dtype=np.float32)), fan, generator)
    if not bias:
        return weight, None
    return weight, init.fan_in_uniform_(
        Parameter(np.empty(shape[0], dtype=np.float32)), fan, generator
    )


class Linear(Module):
    """``y = x @ weight.T + bias``; x (..., in_features) -> y (..., out_features).

    ``weight`` (out_features, in_features) and ``bias`` (out_features,) are uniform in
    ``[-k, k]``, ``k = 1 / sqrt(in_features)``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.in_features = _int(in_features, "in_features", 1)
        self.out_features = _int(out_features, "out_features", 1)
        self.weight, self.bias = _weight_and_bias(
            (self.out_features, self.in_features), bias, generator
        )

    def forward(self, x: Tensor) -> Tensor:
        return functional.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
