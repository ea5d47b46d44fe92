"""Valid convolution settings, drawn by construction, under PyTorch's names.

A config is one valid call: the sizes, the per-axis (h, w) settings, the output shape
(computed here from PyTorch's formulas, independently of the package), and ``kwargs``, the
settings as PyTorch's keyword arguments: ``F.conv2d(x, w, b, **cfg.kwargs)``. The window
counting and pair drawing here are shared with ``testing/pool.py``.

Read next: ``testing/pool.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from .arrays import check_range

Pair = tuple[int, int]
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
"""``nn.Conv2d``'s padding modes."""


def window_count(
    size: int, sides: Pair, kernel: int, stride: int, dilation: int, ceil_mode: bool = False
) -> int:
    """Window positions along one axis padded by ``sides = (before, after)`` (PyTorch's rule).

    ``floor((size + before + after - D*(K - 1) - 1) / S) + 1``; ceil instead of floor in
    ceil mode, minus the last window if it would start in the right padding.
    """
    span = size + sides[0] + sides[1] - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    count = -(-span // stride) + 1  # ceil division
    return count - 1 if (count - 1) * stride >= size + sides[0] else count


def _sides(padding: int | str, kernel: int, dilation: int) -> Pair:
    """(before, after) padding of one axis: "same" adds D*(K - 1), the odd pixel after."""
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        total = dilation * (kernel - 1)
        return (total // 2, total - total // 2)
    return (padding, padding)


def check_positive(**bounds: int) -> None:
    """ValueError unless every bound is at least 1."""
    for name, value in bounds.items():
        check_range(name, 1, value)


def draw_pair(draw: st.DrawFn, values: st.SearchStrategy[int], square: bool) -> Pair:
    """Draw an (h, w) pair; equal entries when ``square``."""
    h = draw(values)
    return (h, h) if square else (h, draw(values))


@dataclass(frozen=True)
class Conv2dConfig:
    """One valid ``conv2d`` call (and ``nn.Conv2d`` layer): sizes and (h, w) settings.

    ``padding`` is what the call passes: an (h, w) pair, "same" or "valid"; ``pad`` is the
    padding that results, per side. ``padding_mode`` matters only to the layer.

    Examples
    --------
    >>> cfg = Conv2dConfig(N=2, in_channels=4, out_channels=2, groups=2, H=7, W=5,
    ...                    kernel_size=(3, 2), stride=(2, 1), padding=(1, 0),
    ...                    dilation=(1, 2), bias=True)
    >>> cfg.weight_shape
    (2, 2, 3, 2)
    >>> cfg.output_shape  # OH = (7 + 2 - 2 - 1) // 2 + 1, OW = (5 + 0 - 2 - 1) // 1 + 1
    (2, 2, 4, 3)
    >>> cfg.kwargs
    {'stride': (2, 1), 'padding': (1, 0), 'dilation': (1, 2), 'groups': 2}

    "same" with a kernel 2 wide: D*(K - 1) = 1 column in all, on the right.

    >>> same = Conv2dConfig(N=1, in_channels=1, out_channels=1, groups=1, H=4, W=4,
    ...                     kernel_size=(3, 2), stride=(1, 1), padding="same",
    ...                     dilation=(1, 1), bias=False, padding_mode="reflect")
    >>> same.pad, same.output_shape  # pad: F.pad widths (left, right, top, bottom)
    ((0, 1, 1, 1), (1, 1, 4, 4))
    """

    N: int
    in_channels: int
    out_channels: int
    groups: int
    H: int
    W: int
    kernel_size: Pair
    stride: Pair
    padding: Pair | str
    dilation: Pair
    bias: bool
    padding_mode: str = "zeros"

    def _sides(self) -> tuple[Pair, Pair]:
        """((top, bottom), (left, right))."""
        paddings = (self.padding,) * 2 if isinstance(self.padding, str) else self.padding
        top_bottom, left_right = map(_sides, paddings, self.kernel_size, self.dilation)
        return top_bottom, left_right

    @property
    def pad(self) -> tuple[int, int, int, int]:
        """The padding added, as ``F.pad`` widths: (left, right, top, bottom)."""
        (top, bottom), (left, right) = self._sides()
        return (left, right, top, bottom)

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        """(N, C, H, W)."""
        return (self.N, self.in_channels, self.H, self.W)

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """(F, C // groups, KH, KW)."""
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        """(N, F, OH, OW) from the output-size formula."""
        sizes, sides = (self.H, self.W), self._sides()
        OH, OW = map(window_count, sizes, sides, self.kernel_size, self.stride, self.dilation)
        return (self.N, self.out_channels, OH, OW)

    @property
    def kwargs(self) -> dict[str, Any]:
        """``F.conv2d``'s keyword arguments: ``F.conv2d(x, weight, bias, **cfg.kwargs)``."""
        return dict(
            stride=self.stride, padding=self.padding, dilation=self.dilation, groups=self.groups
        )

    @property
    def module_kwargs(self) -> dict[str, Any]:
        """``nn.Conv2d``'s keyword arguments: ``nn.Conv2d(**cfg.module_kwargs)``."""
        return dict(
            in_channels=self.in_channels,
            out_channels=self.out_channels,
            kernel_size=self.kernel_size,
            **self.kwargs,
            bias=self.bias,
            padding_mode=self.padding_mode,
        )


def _conv_axis(
    draw: st.DrawFn,
    bounds: tuple[int, int, int, int, int],
    padding_kind: str,
    padding_mode: str,
    settings: tuple[int, int, int | str, int] | None,
) -> tuple[int, tuple[int, int, int | str, int]]:
    """Size and (kernel, stride, padding, dilation) of one axis, valid together.

    ``bounds`` are the maxima of (size, kernel, stride, padding, dilation). ``padding`` is
    an int, or ``padding_kind`` when that is "same" or "valid". With ``settings`` given
    (those of the other axis), only the size is drawn: that is how a square config shares
    its settings between both axes. The kernel's range is chosen so that some size in
    ``1..max_side`` fits: the dilated kernel within the padded input, and the padding within
    what the mode can copy (reflect: less than the size; circular: at most the size).
    """
    max_side, max_kernel, max_stride, max_padding, max_dilation = bounds
    if settings is None:
        dilation = draw(st.integers(1, max_dilation))
        stride = 1 if padding_kind == "same" else draw(st.integers(1, max_stride))
        # reach: the largest D*(K - 1) for which some size <= max_side works
        if padding_kind == "same":  # any kernel fits; reflect/circular bound its padding
            largest = {"reflect": 2 * (max_side - 1), "circular": 2 * max_side}
            reach = largest.get(padding_mode, dilation * (max_kernel - 1))
            padding: int | str = "same"
        elif padding_kind == "valid":
            reach, padding = max_side - 1, "valid"
        else:
            limit = {"reflect": max_side - 1, "circular": max_side}.get(padding_mode, max_padding)
            padding = draw(st.integers(0, min(max_padding, limit)))
            reach = max_side + 2 * padding - 1  # the dilated extent D*(K - 1) + 1 fits
        kernel = draw(st.integers(1, min(max_kernel, reach // dilation + 1)))
        settings = (kernel, stride, padding, dilation)
    kernel, _, padding, dilation = settings
    before, after = _sides(padding, kernel, dilation)
    low = max(1, dilation * (kernel - 1) + 1 - before - after)
    if padding_mode == "reflect":
        low = max(low, before + 1, after + 1)
    elif padding_mode == "circular":
        low = max(low, before, after)
    return draw(st.integers(low, max_side)), settings


@st.composite
def conv2d_configs(
    draw: st.DrawFn,
    max_batch: int = 2,
    max_channels: int = 4,
    max_groups: int = 2,
    max_side: int = 7,
    max_kernel: int = 3,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 2,
    bias: bool | None = None,
    square: bool = False,
    padding_mode: str | None = None,
) -> Conv2dConfig:
    """Valid ``conv2d`` settings, small enough by default to gradcheck every entry.

    Padding is an (h, w) pair, "valid" or "same" (then with stride 1, the only stride
    PyTorch allows with it), and every size fits the drawn ``padding_mode``.

    Parameters
    ----------
    max_batch, max_channels, max_groups, max_side : int
        Upper bounds of N, in_channels and out_channels, groups, H and W.
    max_kernel, max_stride, max_padding, max_dilation : int
        Upper bounds of each axis' setting (lower bounds: 1, 1, 0, 1).
    bias : bool or None
        Fix the bias flag, or draw it when None.
    square : bool
        Equal h and w entries in kernel, stride, padding and dilation, so a test can pass
        them as ints too (H and W are still drawn separately).
    padding_mode : str or None
        Fix ``nn.Conv2d``'s padding mode (one of ``PADDING_MODES``), or draw it when None.

    Raises
    ------
    ValueError
        If ``max_groups > max_channels``, a bound is below its minimum, or the padding mode
        is unknown.

    Examples
    --------
    A property test splats the config into the call::

        @given(conv2d_configs())
        def test_conv2d_shape(cfg):
            x, w = mt.zeros(*cfg.input_shape), mt.zeros(*cfg.weight_shape)
            assert F.conv2d(x, w, **cfg.kwargs).shape == cfg.output_shape
            assert nn.Conv2d(**cfg.module_kwargs)(x).shape == cfg.output_shape
    """
    check_positive(
        max_batch=max_batch,
        max_groups=max_groups,
        max_side=max_side,
        max_kernel=max_kernel,
        max_stride=max_stride,
        max_dilation=max_dilation,
    )
    check_range("max_padding", 0, max_padding)
    check_range("groups and channels", max_groups, max_channels)
    if padding_mode is not None and padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
    groups = draw(st.integers(1, max_groups))
    per_group = st.integers(1, max_channels // groups)
    in_channels, out_channels = groups * draw(per_group), groups * draw(per_group)
    mode = draw(st.sampled_from(PADDING_MODES)) if padding_mode is None else padding_mode
    padding_kind = draw(st.sampled_from(["pair", "valid", "same"]))
    bounds = (max_side, max_kernel, max_stride, max_padding, max_dilation)
    H, settings_h = _conv_axis(draw, bounds, padding_kind, mode, None)
    W, settings_w = _conv_axis(draw, bounds, padding_kind, mode, settings_h if square else None)
    kernel_size, stride, padding, dilation = zip(settings_h, settings_w)
    return Conv2dConfig(
        N=draw(st.integers(1, max_batch)),
        in_channels=in_channels,
        out_channels=out_channels,
        groups=groups,
        H=H,
        W=W,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding if padding_kind == "pair" else padding_kind,
        dilation=dilation,
        bias=draw(st.booleans()) if bias is None else bias,
        padding_mode=mode,
    )
