"""Shapes made visible: ``summary(model, input_shape)``, a table of every layer's output shape,
parameter count and receptive field, computed from the settings alone -- no data is run.

The chapter annotates its ``SimpleCNN`` with comments like
``(batch, 1, 28, 28) -> (batch, 32, 14, 14)``; this file prints those comments for any model
built from the package's layers. Three small recurrences do all the work, one layer at a time:

- **shape**: each conv or pooling layer maps H to ``conv_output_size(H, K, S, P, D)`` (the
  formula is derived in ``functional.conv_output_size``), Flatten multiplies axes, Linear
  replaces the last one;
- **jump** ``j``, the distance in input pixels between two neighbouring outputs: the product
  of the strides so far, ``j_out = j_in * S``;
- **receptive field** ``r``, how many input pixels one output sees along an axis: a window
  of K taps D apart covers ``D*(K - 1) + 1`` positions of the previous layer, and neighbouring
  positions there are ``j_in`` input pixels apart, so ``r_out = r_in + D*(K - 1) * j_in``.
  Once H and W are flattened, the next Linear layer sees the whole input.

The receptive field is the theoretical one: it ignores the image border, so with padding it
can exceed the image (the extra pixels are padding).

Read next: ``data.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .functional import conv_output_size
from .nn import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Dropout2d,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)

#: Layers whose output has their input's shape, one value per input value.
_ELEMENTWISE = (ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax, Dropout, Dropout2d, Identity)

#: One axis of a shape: a size, or a name for the batch axis (``"batch"``).
Dim = int | str

#: A (height, width) pair of receptive field or jump, in input pixels.
Pair = tuple[int, int]


@dataclass(frozen=True)
class LayerRow:
    """One leaf layer of a summarized model.

    Attributes
    ----------
    name : str
        Dotted path from the model, as in ``state_dict`` keys (``"conv_layers.0"``).
    module : Module
        The layer itself.
    input_shape, output_shape : tuple of int or str
        Shapes before and after the layer; a str stands for the batch axis.
    params : int
        Number of parameters the layer holds (``weight.size + bias.size``).
    receptive_field : (int, int) or None
        Input pixels along (height, width) that one output element depends on; ``None`` when
        the data has no spatial layout (a model fed flat vectors).
    jump : (int, int) or None
        Input pixels between neighbouring outputs (the product of strides so far); ``None``
        once H and W are flattened away.
    """

    name: str
    module: Module
    input_shape: tuple[Dim, ...]
    output_shape: tuple[Dim, ...]
    params: int
    receptive_field: Pair | None
    jump: Pair | None

    @property
    def kind(self) -> str:
        """The layer's class name, e.g. ``"Conv2d"``."""
        return type(self.module).__name__


@dataclass(frozen=True, repr=False)
class Summary:
    """What ``summary`` returns: ``rows`` for programs, ``str()`` (and ``repr``) the table.

    Attributes
    ----------
    input_shape, output_shape : tuple of int or str
    rows : list of LayerRow
        The leaf layers in the order data flows through them.
    total_params : int
        Parameters of the whole model, each shared parameter counted once.
    """

    input_shape: tuple[Dim, ...]
    output_shape: tuple[Dim, ...]
    rows: list[LayerRow]
    total_params: int

    def __str__(self) -> str:
        header = ("Layer", "Output shape", "Params", "Receptive field", "Jump")
        start = (1, 1) if _is_image(self.input_shape) else None
        first = (
            "input",
            format_shape(self.input_shape),
            "0",
            _format_pair(start),
            _format_pair(start),
        )
        lines = [first] + [
            (
                f"{row.name} ({row.kind})" if row.name else row.kind,
                format_shape(row.output_shape),
                f"{row.params:,}",
                _format_pair(row.receptive_field),
                _format_pair(row.jump),
            )
            for row in self.rows
        ]
        widths = [max(len(line[i]) for line in [header] + lines) for i in range(len(header))]

        def _line(cells: tuple[str, ...]) -> str:
            # names and shapes left-aligned, numbers right-aligned
            aligned = [
                c.ljust(w) if i in (0, 1) else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths))
            ]
            return "  ".join(aligned).rstrip()

        rule = "  ".join("-" * w for w in widths)
        megabytes = self.total_params * 4 / 2**20
        return "\n".join(
            [
                _line(header),
                rule,
                *(_line(cells) for cells in lines),
                rule,
                f"Total params: {self.total_params:,} ({megabytes:.2f} MiB as float32)",
                f"{format_shape(self.input_shape)} -> {format_shape(self.output_shape)}",
            ]
        )

    def __repr__(self) -> str:
        return str(self)


def _is_image(shape: tuple[Dim, ...]) -> bool:
    """Whether a shape reads as (N, C, H, W), so receptive fields make sense."""
    return len(shape) == 4 and all(isinstance(d, int) for d in shape[1:])


def format_shape(shape: tuple[Dim, ...]) -> str:
    """A shape as the chapter writes it; a one-axis shape keeps Python's trailing comma.

    >>> format_shape(("batch", 32, 14, 14)), format_shape((10,))
    ('(batch, 32, 14, 14)', '(10,)')
    """
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _format_pair(pair: Pair | None) -> str:
    return "-" if pair is None else f"{pair[0]}x{pair[1]}"


def _as_pair(value: int | tuple[int, int]) -> Pair:
    """Layers store settings as an int or an (h, w) pair; the pooling layers keep either."""
    return (value[0], value[1]) if isinstance(value, (tuple, list)) else (value, value)


@dataclass(frozen=True)
class _Field:
    """The receptive-field state carried from layer to layer.

    ``rf`` and ``jump`` as in ``LayerRow``; ``whole`` is the input's (H, W), which a Linear
    layer after a Flatten of H and W sees entirely (``None`` for a non-image input).
    """

    rf: Pair | None
    jump: Pair | None
    whole: Pair | None


def _window(
    name: str,
    shape: tuple[Dim, ...],
    field: _Field,
    kernel: Pair,
    stride: Pair,
    padding: Pair | str,
    dilation: Pair,
    ceil_mode: bool = False,
) -> tuple[tuple[Dim, ...], _Field]:
    """A conv or pooling window over H and W: new (OH, OW), receptive field and jump.

    ``padding="same"`` keeps H and W (stride 1); ``"valid"`` is no padding.
    """
    N, C, H, W = shape
    out = []
    for i, (axis, size) in enumerate((("height", H), ("width", W))):
        try:
            if padding == "same":
                out.append(size)
                continue
            pad = 0 if padding == "valid" else padding[i]
            out.append(conv_output_size(size, kernel[i], stride[i], pad, dilation[i], ceil_mode))
        except ValueError as error:
            raise ValueError(
                f"summary: {name} cannot take input of shape {format_shape(shape)}, along the "
                f"{axis}: {error}"
            ) from None
    if field.rf is None or field.jump is None:  # the grid was lost earlier (a Linear on W)
        return (N, C, out[0], out[1]), field
    rf = tuple(field.rf[i] + dilation[i] * (kernel[i] - 1) * field.jump[i] for i in (0, 1))
    jump = tuple(field.jump[i] * stride[i] for i in (0, 1))
    return (N, C, out[0], out[1]), _Field(rf, jump, field.whole)  # type: ignore[arg-type]


def _adaptive(
    shape: tuple[Dim, ...], field: _Field, output_size: Any
) -> tuple[tuple[Dim, ...], _Field]:
    """An adaptive pooling layer: output cell i of n over L pixels pools
    ``[floor(i*L/n), ceil((i+1)*L/n))``. When n divides L that is a pooling with
    K = S = L/n; otherwise the windows differ, and the receptive field and jump use the
    widest window and the rounded-up step (upper bounds)."""
    N, C, H, W = shape
    sizes = _as_pair(output_size)
    out = tuple(L if n is None else n for L, n in zip((H, W), sizes))
    if field.rf is None or field.jump is None:
        return (N, C) + out, field
    widest = [max(-(-(i + 1) * L // n) - i * L // n for i in range(n)) for L, n in zip((H, W), out)]
    steps = [-(-L // n) for L, n in zip((H, W), out)]
    rf = tuple(field.rf[i] + (widest[i] - 1) * field.jump[i] for i in (0, 1))
    jump = tuple(field.jump[i] * steps[i] for i in (0, 1))
    return (N, C) + out, _Field(rf, jump, field.whole)  # type: ignore[arg-type]


def _require_image(name: str, shape: tuple[Dim, ...]) -> None:
    if len(shape) != 4:
        raise ValueError(
            f"summary: {name} needs (N, C, H, W) input, got shape {format_shape(shape)}"
        )


def _size_layer(
    name: str, module: Module, shape: tuple[Dim, ...], field: _Field
) -> tuple[tuple[Dim, ...], _Field]:
    """Output shape and receptive-field state after one leaf layer.

    Exact types only: a subclass may override ``forward``, and guessing would print a wrong
    table.
    """
    kind = type(module)
    if kind in _ELEMENTWISE:
        return shape, field
    if kind in (BatchNorm1d, BatchNorm2d):
        if len(shape) < 2 or shape[1] != module.num_features:
            raise ValueError(
                f"summary: {name} expects {module.num_features} channels on axis 1, got input "
                f"of shape {format_shape(shape)}"
            )
        return shape, field
    if kind is Conv2d:
        _require_image(name, shape)
        if isinstance(shape[1], int) and shape[1] != module.in_channels:
            raise ValueError(
                f"summary: {name} expects {module.in_channels} input channels, got input of "
                f"shape {format_shape(shape)}"
            )
        out, field = _window(
            name, shape, field, module.kernel_size, module.stride, module.padding, module.dilation
        )
        return (out[0], module.out_channels) + out[2:], field
    if kind in (MaxPool2d, AvgPool2d):
        _require_image(name, shape)
        return _window(
            name,
            shape,
            field,
            _as_pair(module.kernel_size),
            _as_pair(module.stride),
            _as_pair(module.padding),
            _as_pair(getattr(module, "dilation", 1)),
            module.ceil_mode,
        )
    if kind in (AdaptiveAvgPool2d, AdaptiveMaxPool2d):
        _require_image(name, shape)
        return _adaptive(shape, field, module.output_size)
    if kind is Flatten:
        n = len(shape)
        start = module.start_dim % n if -n <= module.start_dim < n else None
        end = module.end_dim % n if -n <= module.end_dim < n else None
        if start is None or end is None or start > end:
            raise ValueError(
                f"summary: {name} ({module!r}) cannot flatten input of shape {format_shape(shape)}"
            )
        if end == start:
            return shape, field
        if not all(isinstance(d, int) for d in shape[start : end + 1]):
            raise ValueError(
                f"summary: {name} ({module!r}) cannot flatten input of shape "
                f"{format_shape(shape)}: the batch axis has no size"
            )
        merged = shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :]
        if not (len(shape) == 4 and field.jump is not None and start <= 3 and end >= 2):
            return merged, field  # H and W both survive (or were gone already)
        merges_hw = start <= 2 and end == 3
        # one element per input unit still: the receptive field stays, the grid is gone
        return merged, _Field(field.rf, None, field.whole if merges_hw else None)
    if kind is Linear:
        if shape[-1] != module.in_features:
            raise ValueError(
                f"summary: {name} expects input with last axis {module.in_features} "
                f"(in_features), got shape {format_shape(shape)}"
            )
        # every output mixes all in_features: after a Flatten of H and W, the whole image;
        # on a (N, C, H, W) input it mixes along W only and the grid is lost
        whole = field.whole if field.jump is None else None
        return shape[:-1] + (module.out_features,), _Field(whole, None, whole)
    raise TypeError(
        f"summary cannot size {name} ({kind.__module__}.{kind.__name__}): a layer without "
        "sub-modules whose forward it does not know. It sizes nn.Conv2d, nn.MaxPool2d, "
        "nn.AvgPool2d, the adaptive poolings, nn.Linear, nn.Flatten, nn.BatchNorm1d/2d, the "
        "activations, dropout and nn.Identity, and walks any other "
        "module through its sub-modules in order"
    )


def _leaves(module: Module, path: str) -> list[tuple[str, Module]]:
    """The layers without sub-modules, depth-first in assignment order.

    This is the order data flows through ``nn.Sequential`` and through models whose
    ``forward`` applies their parts one after another (``models.SimpleCNN`` and friends).
    """
    children = list(module.named_children())
    if not children:
        return [(path, module)]
    own = [key for key, _ in module.named_parameters(recurse=False)]
    if own:
        raise TypeError(
            f"summary cannot size {path or type(module).__name__} ({type(module).__name__}): it "
            f"holds parameters of its own ({', '.join(own)}) besides sub-modules, so its "
            "forward is more than its sub-modules in order"
        )
    prefix = f"{path}." if path else ""
    return [leaf for name, child in children for leaf in _leaves(child, prefix + name)]


def _check_input_shape(input_shape: Any) -> tuple[Dim, ...]:
    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise TypeError(
            "input_shape must be a non-empty tuple such as ('batch', 1, 28, 28) or "
            f"(64, 1, 28, 28), got {input_shape!r}"
        )
    for index, dim in enumerate(input_shape):
        named_batch = index == 0 and isinstance(dim, str)
        if not named_batch and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 1):
            raise ValueError(
                "input_shape must hold positive ints (the first may be a name such as "
                f"'batch'), got {dim!r} at position {index} of {tuple(input_shape)!r}"
            )
    return tuple(input_shape)


def summary(model: Module, input_shape: tuple[Dim, ...]) -> Summary:
    """Every layer's output shape, parameter count and receptive field, without running data.

    Parameters
    ----------
    model : Module
        Built from the package's layers; containers (``nn.Sequential``, ``models.SimpleCNN``)
        are walked through their sub-modules in assignment order, which must be the order
        their ``forward`` applies them.
    input_shape : tuple
        The input's shape, e.g. ``("batch", 1, 28, 28)`` (a str names the batch axis) or
        ``(64, 1, 28, 28)``.

    Returns
    -------
    Summary
        Its ``str()`` is the table; ``.rows`` holds one ``LayerRow`` per layer.

    Raises
    ------
    TypeError
        For a layer it cannot size (a leaf that is not one of ``nn``'s layers, or a module
        with parameters of its own besides sub-modules), or a malformed ``input_shape``.
    ValueError
        When a layer cannot take its input: wrong number of axes or channels, or an empty
        output (a kernel larger than the padded input; the message shows the formula).

    Examples
    --------
    >>> import numpy as np
    >>> from minitorch_cnn import models
    >>> print(summary(models.SimpleCNN(generator=np.random.default_rng(0)), ("batch", 1, 28, 28)))
    Layer                      Output shape          Params  Receptive field  Jump
    -------------------------  -------------------  -------  ---------------  ----
    input                      (batch, 1, 28, 28)         0              1x1   1x1
    conv_layers.0 (Conv2d)     (batch, 32, 28, 28)      320              3x3   1x1
    conv_layers.1 (ReLU)       (batch, 32, 28, 28)        0              3x3   1x1
    conv_layers.2 (MaxPool2d)  (batch, 32, 14, 14)        0              4x4   2x2
    conv_layers.3 (Conv2d)     (batch, 64, 14, 14)   18,496              8x8   2x2
    conv_layers.4 (ReLU)       (batch, 64, 14, 14)        0              8x8   2x2
    conv_layers.5 (MaxPool2d)  (batch, 64, 7, 7)          0            10x10   4x4
    fc_layers.0 (Flatten)      (batch, 3136)              0            10x10     -
    fc_layers.1 (Linear)       (batch, 128)         401,536            28x28     -
    fc_layers.2 (ReLU)         (batch, 128)               0            28x28     -
    fc_layers.3 (Linear)       (batch, 10)            1,290            28x28     -
    -------------------------  -------------------  -------  ---------------  ----
    Total params: 421,642 (1.61 MiB as float32)
    (batch, 1, 28, 28) -> (batch, 10)
    """
    shape = _check_input_shape(input_shape)
    if not isinstance(model, Module):
        raise TypeError(f"summary expects an nn.Module, got {type(model).__name__}")
    start = (1, 1) if _is_image(shape) else None
    field = _Field(start, start, (shape[2], shape[3]) if start else None)  # type: ignore[arg-type]
    rows = []
    for name, layer in _leaves(model, ""):
        out, field = _size_layer(name or type(layer).__name__, layer, shape, field)
        params = sum(p.numel() for p in layer.parameters())
        rows.append(LayerRow(name, layer, shape, out, params, field.rf, field.jump))
        shape = out
    total = sum(p.numel() for p in model.parameters())
    return Summary(rows[0].input_shape, shape, rows, total)
