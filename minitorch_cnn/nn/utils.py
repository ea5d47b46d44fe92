"""``nn.utils``: gradient clipping, as ``torch.nn.utils``.

``clip_grad_norm_`` rescales every gradient by one factor so that their joint 2-norm (all
gradients seen as one long vector) is at most ``max_norm``; ``clip_grad_value_`` clips each
entry into ``[-clip_value, clip_value]``. Both work in place on ``.grad``, between
``backward()`` and ``optimizer.step()``.

Read next: ``init.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor


def _grads(parameters: Any) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` in place.

    ``total_norm`` is the ``norm_type``-norm of all the gradients together (``inf``: the
    largest absolute entry). Returns ``total_norm`` as a tensor, as PyTorch does.
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor(np.zeros((), dtype=np.float32))
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        total = max(float(np.abs(g.numpy()).max(initial=0.0)) for g in grads)
    else:
        total = sum(float((np.abs(g.numpy()) ** norm_type).sum()) for g in grads)
        total = total ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is non-finite ({total}), "
            "so it cannot be clipped"
        )
    scale = min(1.0, max_norm / (total + 1e-6))
    if scale < 1.0:
        for g in grads:
            g.numpy()[...] *= scale  # in place: the optimizer reads these arrays next
    return Tensor(np.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clip every gradient entry into ``[-clip_value, clip_value]`` in place."""
    for g in _grads(parameters):
        np.clip(g.numpy(), -clip_value, clip_value, out=g.numpy())
