"""Tests of summary.py: shapes, parameter counts, receptive fields and jumps of every layer.

Expected values are worked out by hand in the tests (the chapter's SimpleCNN) or checked
against what actually happens when data runs: the shape of a real forward pass, and the
pixels a real backward pass reaches (the receptive field).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import models, nn
from minitorch_cnn.summary import LayerRow, Summary, summary

RNG = np.random.default_rng(0)


def test_simple_cnn_by_hand() -> None:
    result = summary(models.SimpleCNN(generator=RNG), ("batch", 1, 28, 28))
    assert isinstance(result, Summary)
    # 28 -(conv 3, pad 1)-> 28 -(pool 2)-> 14 -(conv)-> 14 -(pool)-> 7; 64 * 7 * 7 = 3136
    expected = [
        ("conv_layers.0", "Conv2d", ("batch", 32, 28, 28), 1 * 32 * 9 + 32, (3, 3), (1, 1)),
        ("conv_layers.1", "ReLU", ("batch", 32, 28, 28), 0, (3, 3), (1, 1)),
        # pool 2 over a jump of 1: 3 + (2 - 1) * 1 = 4, jump 1 * 2
        ("conv_layers.2", "MaxPool2d", ("batch", 32, 14, 14), 0, (4, 4), (2, 2)),
        # conv 3 over a jump of 2: 4 + (3 - 1) * 2 = 8
        ("conv_layers.3", "Conv2d", ("batch", 64, 14, 14), 32 * 64 * 9 + 64, (8, 8), (2, 2)),
        ("conv_layers.4", "ReLU", ("batch", 64, 14, 14), 0, (8, 8), (2, 2)),
        # 8 + (2 - 1) * 2 = 10, jump 4
        ("conv_layers.5", "MaxPool2d", ("batch", 64, 7, 7), 0, (10, 10), (4, 4)),
        ("fc_layers.0", "Flatten", ("batch", 3136), 0, (10, 10), None),
        # every hidden unit reads every pixel of the 28 x 28 image
        ("fc_layers.1", "Linear", ("batch", 128), 3136 * 128 + 128, (28, 28), None),
        ("fc_layers.2", "ReLU", ("batch", 128), 0, (28, 28), None),
        ("fc_layers.3", "Linear", ("batch", 10), 128 * 10 + 10, (28, 28), None),
    ]
    got = [
        (r.name, r.kind, r.output_shape, r.params, r.receptive_field, r.jump) for r in result.rows
    ]
    assert got == expected
    assert result.rows[0].input_shape == ("batch", 1, 28, 28)
    assert result.rows[3].input_shape == ("batch", 32, 14, 14)
    assert result.total_params == 320 + 18_496 + 401_536 + 1_290 == 421_642
    assert result.output_shape == ("batch", 10)


def test_the_table_reads_like_the_chapters_comments() -> None:
    text = str(summary(models.SimpleCNN(generator=RNG), ("batch", 1, 28, 28)))
    assert repr(summary(models.SimpleCNN(generator=RNG), ("batch", 1, 28, 28))) == text
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "Output", "shape", "Params", "Receptive", "field", "Jump"]
    assert lines[2].split() == ["input", "(batch,", "1,", "28,", "28)", "0", "1x1", "1x1"]
    row = next(line for line in lines if line.startswith("conv_layers.2 "))
    assert row.split() == [
        "conv_layers.2",
        "(MaxPool2d)",
        "(batch,",
        "32,",
        "14,",
        "14)",
        "0",
        "4x4",
        "2x2",
    ]
    row = next(line for line in lines if line.startswith("conv_layers.3 "))
    assert "(batch, 64, 14, 14)" in row and "18,496" in row
    row = next(line for line in lines if line.startswith("fc_layers.0 "))
    assert row.split()[-3:] == ["0", "10x10", "-"]
    assert "Total params: 421,642 (1.61 MiB as float32)" in lines  # 421,642 * 4 / 2**20
    assert lines[-1] == "(batch, 1, 28, 28) -> (batch, 10)"


@pytest.mark.parametrize(
    "build, hidden_total",
    [
        # 320 + 18,496 conv, then 3136 -> 256 -> 10
        (models.MNISTConvNet, 320 + 18_496 + 3136 * 256 + 256 + 256 * 10 + 10),
        # 784 -> 256 -> 128 -> 10
        (models.MLP, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10),
    ],
)
def test_other_chapter_models(build, hidden_total: int) -> None:
    result = summary(build(generator=RNG), (64, 1, 28, 28))
    assert result.total_params == hidden_total
    assert sum(row.params for row in result.rows) == hidden_total
    assert result.output_shape == (64, 10)
    assert result.rows[-1].receptive_field == (28, 28)


def test_nested_sequentials_and_custom_modules() -> None:
    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1, generator=RNG)
            self.act = nn.ReLU()

        def forward(self, x: mt.Tensor) -> mt.Tensor:
            return self.act(self.conv(x))

    model = nn.Sequential(
        nn.Sequential(Block(), nn.MaxPool2d((2, 3))),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(8 * 8 * 5, 4, generator=RNG),
    )
    result = summary(model, (2, 3, 32, 32))
    names = [row.name for row in result.rows]
    assert names == ["0.0.conv", "0.0.act", "0.1", "1", "2", "3"]
    # 32 -(k3 s2 p1)-> floor((32 + 2 - 3) / 2) + 1 = 16; pool (2, 3): 16 // 2 = 8, 16 // 3 = 5
    assert [row.output_shape for row in result.rows] == [
        (2, 8, 16, 16),
        (2, 8, 16, 16),
        (2, 8, 8, 5),
        (2, 320),
        (2, 320),
        (2, 4),
    ]
    # rf: 3, then 3 + (2-1)*2 = 5 along H and 3 + (3-1)*2 = 7 along W; jumps 2 * (2, 3)
    assert result.rows[2].receptive_field == (5, 7) and result.rows[2].jump == (4, 6)
    assert result.rows[-1].receptive_field == (32, 32)
    assert result.total_params == 3 * 8 * 9 + 8 + 320 * 4 + 4
    actual = model(mt.zeros(2, 3, 32, 32))
    assert actual.shape == result.output_shape


def test_no_data_is_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def _refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("summary ran a layer")

    for name in ("conv2d", "max_pool2d", "linear", "relu", "flatten"):
        monkeypatch.setattr(F, name, _refuse)
    # a batch this large would need 12 GB if anything ran
    result = summary(models.SimpleCNN(generator=RNG), (4_000_000, 1, 28, 28))
    assert result.output_shape == (4_000_000, 10)


def test_a_linear_on_a_grid_and_a_flat_model() -> None:
    model = nn.Sequential(nn.Linear(6, 5, generator=RNG), nn.Flatten())
    result = summary(model, (1, 2, 4, 6))
    assert result.rows[0].output_shape == (1, 2, 4, 5)
    assert result.rows[0].receptive_field is None  # it mixes along W only: no square field
    flat = summary(nn.Linear(4, 2, generator=RNG), ("batch", 4))
    assert flat.rows[0].receptive_field is None and flat.rows[0].name == ""
    assert str(flat).splitlines()[2].split() == ["input", "(batch,", "4)", "0", "-", "-"]
    assert str(flat).splitlines()[3].split() == ["Linear", "(batch,", "2)", "10", "-", "-"]


def test_a_shared_parameter_is_counted_once_in_the_total() -> None:
    first, second = nn.Linear(4, 4, generator=RNG), nn.Linear(4, 4, generator=RNG)
    second.weight = first.weight
    result = summary(nn.Sequential(first, second), ("batch", 4))
    assert [row.params for row in result.rows] == [20, 20]
    assert result.total_params == 16 + 4 + 4


# ----- errors ---------------------------------------------------------------------------------


def test_a_layer_it_cannot_size_is_named() -> None:
    class Mystery(nn.Module):
        def forward(self, x: mt.Tensor) -> mt.Tensor:
            return x

    model = nn.Sequential(nn.ReLU(), nn.Sequential(Mystery()))
    with pytest.raises(TypeError, match=r"cannot size 1\.0 \(.*Mystery\).*nn\.Conv2d"):
        summary(model, ("batch", 1, 4, 4))

    class Subclass(nn.ReLU):  # may override forward: not guessed
        pass

    with pytest.raises(TypeError, match="Subclass"):
        summary(Subclass(), ("batch", 1, 4, 4))

    class Scaled(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(np.ones(1, dtype=np.float32))
            self.relu = nn.ReLU()

    with pytest.raises(TypeError, match=r"parameters of its own \(scale\)"):
        summary(nn.Sequential(Scaled()), ("batch", 1, 4, 4))


def test_an_empty_output_is_named_with_the_formula() -> None:
    model = models.SimpleCNN(generator=RNG)
    # 5 -> 5 -> 2 -> 2 -> pool 2 gives 1 ... but 3 -> 3 -> 1 -> conv(pad 1) 1 -> pool 2 on 1 is empty
    with pytest.raises(
        ValueError,
        match=r"conv_layers\.5 cannot take input of shape "
        r"\(batch, 64, 1, 1\), along the height: .*< 1",
    ):
        summary(model, ("batch", 1, 3, 3))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\) input, got shape \(batch, 28, 28\)"):
        summary(model, ("batch", 28, 28))


def test_mismatched_channels_and_features() -> None:
    model = models.SimpleCNN(generator=RNG)
    with pytest.raises(
        ValueError, match=r"conv_layers\.0 expects 1 input channels, got .*\(2, 3, 28, 28\)"
    ):
        summary(model, (2, 3, 28, 28))
    # 32 x 32 images give 64 x 8 x 8 = 4096 features, the Linear layer wants 3136
    with pytest.raises(
        ValueError, match=r"fc_layers\.1 expects input with last axis 3136 .*\(2, 4096\)"
    ):
        summary(model, (2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"cannot flatten input of shape \(batch, 3\)"):
        summary(nn.Flatten(start_dim=0), ("batch", 3))


@pytest.mark.parametrize(
    "bad, error",
    [
        ((1, 28, 28.0), ValueError),
        ((0, 1, 28, 28), ValueError),
        ((1, "C", 28, 28), ValueError),
        ((True, 1, 2, 2), ValueError),
        ((), TypeError),
        (28, TypeError),
        ("batch", TypeError),
    ],
)
def test_bad_input_shapes(bad: object, error: type) -> None:
    with pytest.raises(error, match="input_shape"):
        summary(models.SimpleCNN(generator=RNG), bad)  # type: ignore[arg-type]


def test_a_model_that_is_not_a_module() -> None:
    with pytest.raises(TypeError, match="expects an nn.Module, got function"):
        summary(lambda x: x, ("batch", 1, 4, 4))  # type: ignore[arg-type]


# ----- against real forward and backward passes ---------------------------------------------

# (kind, kernel, stride, padding, dilation)
_CONV = st.tuples(
    st.just("conv"), st.integers(1, 3), st.integers(1, 2), st.integers(0, 2), st.integers(1, 2)
)
_AVG = st.tuples(
    st.just("avg"), st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.just(1)
)
_MAX = st.tuples(
    st.just("max"), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.just(1)
)


def _build(layers: list[tuple[str, int, int, int, int]], padding: bool = True) -> nn.Sequential:
    """conv / max / avg layers on 2 channels from (kind, kernel, stride, padding, dilation)."""
    modules: list[nn.Module] = []
    for kind, kernel, stride, pad, dilation in layers:
        pad = pad if padding else 0
        if kind == "conv":
            modules += [nn.Conv2d(2, 2, kernel, stride, pad, dilation, generator=RNG), nn.ReLU()]
        else:
            # pools allow padding of at most half the kernel
            modules.append(
                (nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(
                    kernel, stride, min(pad, kernel // 2)
                )
            )
    return nn.Sequential(*modules)


@given(
    st.lists(st.one_of(_CONV, _AVG, _MAX), min_size=1, max_size=4),
    st.integers(1, 12),
    st.integers(1, 12),
)
def test_output_shape_is_what_a_forward_pass_gives(layers: list, H: int, W: int) -> None:
    model = _build(layers)
    try:
        expected = model(mt.zeros(1, 2, H, W)).shape
    except ValueError:  # some layer's output would be empty: summary must refuse too
        with pytest.raises(ValueError, match="< 1"):
            summary(model, (1, 2, H, W))
        return
    result = summary(model, (1, 2, H, W))
    assert result.output_shape == expected
    assert all(isinstance(row, LayerRow) for row in result.rows)


@given(st.lists(st.one_of(_CONV, _AVG), min_size=1, max_size=3))
def test_receptive_field_and_jump_are_what_backward_reaches(layers: list) -> None:
    """With positive weights, inputs and average pooling, every pixel an output depends on gets
    a positive gradient: the nonzero box of d out[i, j] / dx is the receptive field, starting
    at (i * jump, j * jump). No padding, so the box lies inside the image."""
    model = _build(layers, padding=False)
    for param in model.parameters():
        param.numpy()[...] = RNG.uniform(0.5, 1.0, param.shape)
    last = summary(model, (1, 2, 64, 64)).rows[-1]  # 64 fits any 3 layers of these sizes
    (RH, RW), (JH, JW) = last.receptive_field, last.jump
    # room for exactly two outputs per axis: floor((R + J - R) / J) + 1 = 2
    x = mt.Tensor(
        RNG.uniform(0.5, 1.0, (1, 2, RH + JH, RW + JW)).astype(np.float32), requires_grad=True
    )
    assert model(x).shape[2:] == (2, 2)
    for i, j in ((0, 0), (1, 1), (0, 1)):
        x.zero_grad()
        model(x)[:, :, i, j].sum().backward()  # a new graph each time: backward frees it
        rows, cols = np.nonzero(x.grad.sum(axis=(0, 1)).numpy())  # Tensor.nonzero is torch's
        assert (rows.min(), rows.max() + 1) == (i * JH, i * JH + RH)
        assert (cols.min(), cols.max() + 1) == (j * JW, j * JW + RW)


# PyTorch's other options and layers: padding "same"/"valid", pooling dilation and
# ceil_mode, adaptive pooling, batch norm and shape-keeping layers.
_OPTION_LAYERS = st.sampled_from(
    [
        lambda: nn.Conv2d(2, 2, 3, padding="same", generator=RNG),
        lambda: nn.Conv2d(2, 2, (2, 4), padding="same", dilation=2, generator=RNG),
        lambda: nn.Conv2d(2, 2, 2, padding="valid", generator=RNG),
        lambda: nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True),
        lambda: nn.MaxPool2d(2, ceil_mode=True),
        lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        lambda: nn.AdaptiveAvgPool2d((3, None)),
        lambda: nn.AdaptiveMaxPool2d(2),
        lambda: nn.BatchNorm2d(2),
        lambda: nn.Sigmoid(),
        lambda: nn.Dropout2d(),
        lambda: nn.Identity(),
    ]
)


@given(st.lists(_OPTION_LAYERS, min_size=1, max_size=4), st.integers(3, 12), st.integers(3, 12))
def test_output_shape_with_pytorchs_options(layers: list, H: int, W: int) -> None:
    model = nn.Sequential(*(make() for make in layers)).eval()
    try:
        expected = model(mt.zeros(2, 2, H, W)).shape
    except ValueError:  # a window too large for what is left: summary refuses too
        with pytest.raises(ValueError):
            summary(model, (2, 2, H, W))
        return
    assert summary(model, (2, 2, H, W)).output_shape == expected


def test_flatten_end_dim_and_adaptive_receptive_field_by_hand() -> None:
    model = nn.Sequential(nn.AdaptiveAvgPool2d(2), nn.Flatten(1, 2))
    rows = summary(model, ("batch", 3, 8, 6)).rows
    assert rows[0].output_shape == ("batch", 3, 2, 2)
    # 8 rows into 2 cells: windows of 4 rows, 4 apart; 6 columns: 3 wide, 3 apart
    assert rows[0].receptive_field == (4, 3) and rows[0].jump == (4, 3)
    assert rows[1].output_shape == ("batch", 6, 2)
