"""``BatchNorm1d`` and ``BatchNorm2d``: per-channel normalization with running statistics.

A batch-norm layer holds two kinds of state. ``weight`` and ``bias`` (gamma and beta) are
Parameters, learned by the optimizer. ``running_mean``, ``running_var`` and
``num_batches_tracked`` are *buffers*: saved in ``state_dict`` under those names (as PyTorch)
but never given to an optimizer -- the layer itself updates them, in place, on every training
batch, and normalizes by them in ``eval()`` mode.

Read next: ``nn/loss.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional
from ..autograd import no_grad
from ..device import device as _device
from ..dtypes import as_dtype
from ..functional.checks import _require_int
from ..tensor import Tensor
from .module import Module, Parameter


class _BatchNorm(Module):
    """The body of ``BatchNorm1d``/``BatchNorm2d``; they differ only in the input dims.

    Parameters
    ----------
    num_features : int
        C, the channel count (axis 1 of the input).
    eps : float
        Added to the variance before the square root.
    momentum : float or None
        Step of the running averages: ``running = (1 - momentum) * running + momentum *
        batch``. None makes them cumulative averages over all batches so far
        (``momentum = 1 / num_batches_tracked``).
    affine : bool
        Learn ``weight`` (ones) and ``bias`` (zeros) of shape (C,); else both are None.
    track_running_stats : bool
        Keep the running buffers; without them eval mode also uses the batch's statistics.
    device, dtype : optional
        The CPU (the only device) and float32 (default) or float64 for the parameters and
        the running statistics.
    bias : bool, keyword only
        With ``affine``, whether ``bias`` is learned (PyTorch 2.13's ``bias=`` argument).

    Raises
    ------
    TypeError, ValueError
        For a ``num_features`` that is not an int >= 0, a dtype other than float32/float64,
        a device other than the CPU.
    """

    _dims: tuple[int, ...] = ()
    _dims_text = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if device is not None:
            _device(device)  # the CPU, or the error that names the device asked for
        dtype = np.dtype(np.float32) if dtype is None else as_dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"{type(self).__name__} dtype must be float32 or float64, got {dtype}")
        self.num_features = _require_int(num_features, "num_features", 0)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        C = self.num_features
        self.weight = Parameter(np.ones(C, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(C, dtype=dtype)) if affine and bias else None
        for parameter in (self.weight, self.bias):  # Parameter() makes float32
            if parameter is not None and parameter.dtype != dtype:
                parameter.data = parameter.numpy().astype(dtype)
        initial = {
            "running_mean": np.zeros(C, dtype=dtype),
            "running_var": np.ones(C, dtype=dtype),
            "num_batches_tracked": np.array(0, dtype=np.int64),  # 0-d, as PyTorch's
        }
        for name, values in initial.items():  # None buffers are left out of state_dict
            self.register_buffer(name, Tensor(values) if track_running_stats else None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches counted."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Back to the initial state: the running statistics reset, weight 1 and bias 0."""
        self.reset_running_stats()
        with no_grad():
            if self.weight is not None:
                self.weight.fill_(1)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._dims:
            raise ValueError(f"expected {self._dims_text} input (got {input.ndim}D input)")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # the cumulative average: batch k gets weight 1/k
                momentum = 1.0 / float(self.num_batches_tracked)
        return functional.batch_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            training=self.training or self.running_mean is None,
            momentum=momentum,
            eps=self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) sequences, per channel C."""

    _dims = (2, 3)
    _dims_text = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) feature maps, per channel C.

    Examples
    --------
    >>> from minitorch_cnn import nn
    >>> nn.BatchNorm2d(8)
    BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    _dims = (4,)
    _dims_text = "4D"
