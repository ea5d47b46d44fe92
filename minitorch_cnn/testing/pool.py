"""Valid pooling settings, drawn by construction, under PyTorch's names.

As ``testing/conv.py``: a config holds one valid call, its output shape from PyTorch's
formula (with the ceil-mode rule), and ``kwargs`` for ``F.max_pool2d(x, **cfg.kwargs)`` or
``F.avg_pool2d``.

Read next: the tests that use these strategies (``tests/test_conv.py``, ``tests/test_pool.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from .conv import Pair, check_positive, draw_pair, window_count

POOL_KINDS = ("max", "avg")
"""The pooling functions ``pool2d_configs`` draws options of: ``max_pool2d``, ``avg_pool2d``."""


@dataclass(frozen=True)
class Pool2dConfig:
    """One valid pooling call; ``stride`` None means the kernel size.

    ``kind`` is "max" or "avg" for a config of that function's options, None for one that
    both accept (kernel, stride, padding and ceil_mode only). ``kwargs`` holds the options
    of the kind (and leaves out a None stride, so that its default is what runs).

    Examples
    --------
    >>> cfg = Pool2dConfig(N=1, C=3, H=7, W=7, kernel_size=(2, 3), stride=None, padding=(1, 0))
    >>> cfg.output_shape  # OH = (7 + 2 - 2) // 2 + 1, OW = (7 + 0 - 3) // 3 + 1: floors
    (1, 3, 4, 2)
    >>> cfg.kwargs
    {'kernel_size': (2, 3), 'padding': (1, 0), 'ceil_mode': False}

    In ceil mode a last, partial window counts if it starts inside the input or its left
    padding. Below, OH = ceil((5 - 2) / 2) + 1 = 3 (floor: 2); along W, ceil would give a
    4th window starting at column 6 of the padded row, in the right padding: not counted.

    >>> ceil = Pool2dConfig(N=1, C=1, H=5, W=5, kernel_size=(2, 2), stride=(2, 2),
    ...                     padding=(0, 1), ceil_mode=True, kind="avg", divisor_override=3)
    >>> ceil.output_shape
    (1, 1, 3, 3)
    >>> ceil.kwargs["divisor_override"], "dilation" in ceil.kwargs
    (3, False)
    """

    N: int
    C: int
    H: int
    W: int
    kernel_size: Pair
    stride: Pair | None
    padding: Pair
    dilation: Pair = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    kind: str | None = None

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        """(N, C, H, W)."""
        return (self.N, self.C, self.H, self.W)

    @property
    def effective_stride(self) -> Pair:
        """The stride actually used: the kernel size when ``stride`` is None."""
        return self.kernel_size if self.stride is None else self.stride

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        """(N, C, OH, OW) from the output-size formula (and the ceil-mode rule)."""
        sizes, sides = (self.H, self.W), [(p, p) for p in self.padding]
        OH, OW = (
            window_count(*axis, ceil_mode=self.ceil_mode)
            for axis in zip(sizes, sides, self.kernel_size, self.effective_stride, self.dilation)
        )
        return (self.N, self.C, OH, OW)

    @property
    def kwargs(self) -> dict[str, Any]:
        """The pooling function's keyword arguments: ``F.max_pool2d(x, **cfg.kwargs)``."""
        kwargs: dict[str, Any] = dict(kernel_size=self.kernel_size)
        if self.stride is not None:
            kwargs["stride"] = self.stride
        kwargs.update(padding=self.padding, ceil_mode=self.ceil_mode)
        if self.kind == "max":
            kwargs["dilation"] = self.dilation
        if self.kind == "avg":
            kwargs.update(
                count_include_pad=self.count_include_pad, divisor_override=self.divisor_override
            )
        return kwargs


@st.composite
def pool2d_configs(
    draw: st.DrawFn,
    max_batch: int = 2,
    max_channels: int = 3,
    max_side: int = 7,
    max_kernel: int = 3,
    max_stride: int = 3,
    square: bool = False,
    kind: str | None = None,
    max_dilation: int = 2,
    ceil_mode: bool | None = None,
) -> Pool2dConfig:
    """Valid pooling settings, only combinations PyTorch accepts.

    Padding is at most half the kernel (PyTorch's rule); the stride is sometimes None.
    Sizes are drawn independently of the stride, so most draws leave a remainder that the
    output-size formula floors away (or, in ceil mode, counts as one more window: then
    even a kernel larger than the padded input is valid, as long as the window starts in
    the input). Max pooling also draws ``dilation``; average pooling ``count_include_pad``
    and ``divisor_override``.

    Parameters
    ----------
    max_batch, max_channels, max_side : int
        Upper bounds of N, C, H and W.
    max_kernel, max_stride, max_dilation : int
        Upper bounds of each axis' kernel size, stride (when not None) and dilation (max
        pooling only).
    square : bool
        Equal h and w entries in kernel, stride, padding and dilation (H and W are drawn
        separately).
    kind : {"max", "avg"} or None
        Whose options to draw; None: the options both functions share.
    ceil_mode : bool or None
        Fix ceil mode, or draw it when None.

    Raises
    ------
    ValueError
        If a bound is below 1 or ``kind`` is unknown.

    Examples
    --------
    A property test splats the config into the call::

        @given(pool2d_configs(kind="avg"))
        def test_avg_pool2d_shape(cfg):
            out = F.avg_pool2d(mt.zeros(*cfg.input_shape), **cfg.kwargs)
            assert out.shape == cfg.output_shape
    """
    check_positive(
        max_batch=max_batch,
        max_channels=max_channels,
        max_side=max_side,
        max_kernel=max_kernel,
        max_stride=max_stride,
        max_dilation=max_dilation,
    )
    if kind is not None and kind not in POOL_KINDS:
        raise ValueError(f"kind must be one of {POOL_KINDS} or None, got {kind!r}")
    ceil = draw(st.booleans()) if ceil_mode is None else ceil_mode
    dilation = draw_pair(draw, st.integers(1, max_dilation), square) if kind == "max" else (1, 1)
    # the dilated extent D*(K - 1) + 1 fits max_side, so some size works for any padding
    kernel_h, kernel_w = (
        draw(st.integers(1, min(max_kernel, (max_side - 1) // d + 1))) for d in dilation
    )
    kernel_size = (kernel_h, kernel_h if square else kernel_w)
    stride = None if draw(st.booleans()) else draw_pair(draw, st.integers(1, max_stride), square)
    padding_h = draw(st.integers(0, kernel_size[0] // 2))
    padding = (padding_h, padding_h if square else draw(st.integers(0, kernel_size[1] // 2)))
    # at least one window: size + 2P >= D*(K - 1) + 1, or, in ceil mode, the first window
    # starting in the input: size + 2P >= D*(K - 1) + 1 - (S - 1)
    H, W = (
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p - (s - 1 if ceil else 0)), max_side))
        for k, s, p, d in zip(kernel_size, stride or kernel_size, padding, dilation)
    )
    avg = kind == "avg"
    return Pool2dConfig(
        N=draw(st.integers(1, max_batch)),
        C=draw(st.integers(1, max_channels)),
        H=H,
        W=W,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil,
        count_include_pad=draw(st.booleans()) if avg else True,
        divisor_override=draw(st.none() | st.integers(1, 9)) if avg else None,
        kind=kind,
    )
