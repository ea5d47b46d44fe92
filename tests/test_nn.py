"""Tests of nn.py and init.py: parameter discovery, modes, state dicts, repr, layer settings."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import reference as ref

import minitorch_cnn as mt
from minitorch_cnn import init, nn


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


class _Block(nn.Module):
    """A hand-made module: a parameter of its own, then a nested Sequential."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(3))
        self.body = nn.Sequential(nn.Linear(3, 4, generator=_rng()), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Linear(4, 2, bias=False, generator=_rng(1))

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        return self.head(self.body(x * self.scale))


# ----- Parameter --------------------------------------------------------------------------------
def test_parameter_is_float32_and_requires_grad() -> None:
    p = nn.Parameter(np.arange(6, dtype=np.float64).reshape(2, 3))
    assert p.requires_grad and p.dtype == np.float32 and p.shape == (2, 3)
    assert isinstance(p, mt.Tensor)
    assert p.numpy().tolist() == [[0, 1, 2], [3, 4, 5]]


def test_parameter_copies_read_only_data_so_optimizers_can_update_it() -> None:
    frozen = np.broadcast_to(np.float32(2.0), (2, 2))  # read-only view
    p = nn.Parameter(frozen)
    p.numpy()[...] -= 1.0
    assert p.numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]] and frozen[0, 0] == 2.0


def test_parameter_shares_float32_data() -> None:
    t = mt.zeros(2)
    p = nn.Parameter(t)
    p.numpy()[0] = 5.0
    assert t.numpy()[0] == 5.0


@pytest.mark.parametrize("bad", [np.arange(3), [1.0, 2.0], 3.0])
def test_parameter_rejects_non_float_arrays(bad: object) -> None:
    with pytest.raises(TypeError, match="floating point"):
        nn.Parameter(bad)


# ----- discovery ------------------------------------------------------------------------------
def test_named_parameters_are_dotted_and_ordered() -> None:
    names = [name for name, _ in _Block().named_parameters()]
    assert names == ["scale", "body.0.weight", "body.0.bias", "head.weight"]


def test_shared_parameter_is_yielded_once() -> None:
    layer = nn.Linear(3, 3, generator=_rng())
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    all_names = [n for n, _ in model.named_parameters(remove_duplicate=False)]
    assert all_names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(model.state_dict()) == all_names  # like PyTorch: every name is saved


def test_train_and_eval_reach_every_submodule() -> None:
    model = _Block()
    assert model.eval() is model
    assert not model.training and not model.body.training and not model.body[2].training
    model.train()
    assert model.training and model.body[2].training and model.head.training


def test_zero_grad_clears_every_parameter() -> None:
    model = _Block().eval()
    model(mt.ones(5, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# ----- state_dict -------------------------------------------------------------------------------
def test_state_dict_shares_memory_and_a_deepcopy_is_a_snapshot() -> None:
    model = _Block()
    live, snapshot = model.state_dict(), copy.deepcopy(model.state_dict())
    assert list(snapshot) == ["scale", "body.0.weight", "body.0.bias", "head.weight"]
    weight = model.body[0].weight
    array_before = weight.numpy()
    weight.numpy()[...] += 1.0  # training moves on: the state dict follows, the copy does not
    assert np.array_equal(live["body.0.weight"], weight.numpy())
    assert not np.array_equal(snapshot["body.0.weight"], weight.numpy())
    model.load_state_dict(snapshot)
    assert np.array_equal(weight.numpy(), snapshot["body.0.weight"])
    assert weight.numpy() is array_before  # copied in place: optimizers keep their arrays


def test_load_state_dict_accepts_tensors_and_float64() -> None:
    model = nn.Linear(2, 1, generator=_rng())
    model.load_state_dict({"weight": mt.tensor([[1.0, 2.0]]), "bias": np.array([0.5])})
    assert model.weight.numpy().tolist() == [[1.0, 2.0]] and model.bias.numpy().tolist() == [0.5]
    assert model.weight.dtype == np.float32 and model.bias.dtype == np.float32


def test_load_state_dict_missing_and_unexpected_keys() -> None:
    model = _Block()
    state = model.state_dict()
    del state["head.weight"]
    state["head.bias"] = np.zeros(2)
    with pytest.raises(
        ValueError, match=r"missing keys \['head.weight'\]; unexpected keys \['head.bias'\]"
    ):
        model.load_state_dict(state)


def test_load_state_dict_wrong_shape_changes_nothing() -> None:
    model = _Block()
    before = copy.deepcopy(model.state_dict())
    state = {k: v + 1 for k, v in before.items()}
    state["head.weight"] = np.zeros((4, 2), dtype=np.float32)
    with pytest.raises(ValueError, match=r"head.weight: expected \(2, 4\), got \(4, 2\)"):
        model.load_state_dict(state)
    for name, value in model.state_dict().items():
        assert np.array_equal(value, before[name])


# ----- repr -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layer", "text"),
    [
        (
            nn.Conv2d(1, 32, 3, padding=1),
            "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
        ),
        (
            nn.Conv2d(3, 64, 3, bias=False),
            "Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), bias=False)",
        ),
        (
            nn.Conv2d(4, 8, (3, 5), stride=2, padding=(0, 1), dilation=2, groups=2),
            "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(0, 1), dilation=(2, 2), groups=2)",
        ),
        (
            nn.Conv2d(3, 768, kernel_size=16, stride=16),
            "Conv2d(3, 768, kernel_size=(16, 16), stride=(16, 16))",
        ),
        (
            nn.MaxPool2d(2),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        ),
        (nn.AvgPool2d(3, stride=1, padding=1), "AvgPool2d(kernel_size=3, stride=1, padding=1)"),
        (nn.Linear(3136, 256), "Linear(in_features=3136, out_features=256, bias=True)"),
        (nn.ReLU(), "ReLU()"),
        (nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"),
        (nn.Dropout(0.25), "Dropout(p=0.25, inplace=False)"),
    ],
)
def test_layer_repr(layer: nn.Module, text: str) -> None:
    assert repr(layer) == text


def test_nested_repr_indents_like_pytorch() -> None:
    expected = (
        "_Block(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=4, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Dropout(p=0.5, inplace=False)\n"
        "  )\n"
        "  (head): Linear(in_features=4, out_features=2, bias=False)\n"
        ")"
    )
    assert repr(_Block()) == expected


# ----- initialization and parameter counts --------------------------------------------------------
def test_conv2d_parameter_counts_from_the_chapter() -> None:
    assert sum(p.numel() for p in nn.Conv2d(3, 64, kernel_size=3, bias=False).parameters()) == 1_728
    assert sum(p.numel() for p in nn.Conv2d(32, 64, kernel_size=3).parameters()) == 18_496


@pytest.mark.parametrize(
    ("in_channels", "groups", "kernel"), [(32, 1, (3, 3)), (8, 4, (5, 2)), (1, 1, (3, 3))]
)
def test_conv2d_init_is_uniform_in_plus_minus_k(
    in_channels: int, groups: int, kernel: tuple
) -> None:
    layer = nn.Conv2d(in_channels, 64, kernel, groups=groups, generator=_rng(3))
    k = 1 / math.sqrt(in_channels / groups * kernel[0] * kernel[1])
    assert layer.weight.shape == (64, in_channels // groups) + kernel
    for values in (layer.weight.numpy(), layer.bias.numpy()):
        assert values.dtype == np.float32
        assert np.abs(values).max() <= k * (1 + 1e-6)
    w = layer.weight.numpy().astype(np.float64) / k  # uniform on [-1, 1]: mean 0, variance 1/3
    assert abs(w.mean()) < 4 / math.sqrt(3 * w.size) + 1e-9
    assert w.min() < -0.9 and w.max() > 0.9
    assert abs(w.var() - 1 / 3) < 0.05


def test_linear_init_and_shapes() -> None:
    layer = nn.Linear(100, 7, generator=_rng())
    assert layer.weight.shape == (7, 100) and layer.bias.shape == (7,)
    assert np.abs(layer.weight.numpy()).max() <= 0.1 * (1 + 1e-6)
    assert np.abs(layer.bias.numpy()).max() <= 0.1 * (1 + 1e-6)


def test_same_generator_seed_same_weights() -> None:
    a, b = nn.Conv2d(3, 8, 3, generator=_rng(7)), nn.Conv2d(3, 8, 3, generator=_rng(7))
    c = nn.Conv2d(3, 8, 3, generator=_rng(8))
    assert np.array_equal(a.weight.numpy(), b.weight.numpy()) and np.array_equal(
        a.bias.numpy(), b.bias.numpy()
    )
    assert not np.array_equal(a.weight.numpy(), c.weight.numpy())


def test_default_generator_is_used_and_seedable() -> None:
    mt.manual_seed(11)
    a = nn.Linear(4, 4)
    mt.manual_seed(11)
    b = nn.Linear(4, 4)
    assert np.array_equal(a.weight.numpy(), b.weight.numpy())


def test_init_helpers() -> None:
    assert init.fan_in((64, 32, 3, 3)) == 288 and init.fan_in((10, 128)) == 128
    t = init.uniform_(mt.zeros(1000), -2.0, 3.0, _rng())
    assert t.dtype == np.float32 and t.numpy().min() >= -2.0 and t.numpy().max() <= 3.0
    with pytest.raises(ValueError, match="a <= b, got a=1, b=0"):
        init.uniform_(mt.zeros(3), 1, 0)
    with pytest.raises(ValueError, match="at least 2 axes, got \\(5,\\)"):
        init.fan_in((5,))


# ----- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: nn.Conv2d(0, 8, 3), ValueError, "in_channels must be >= 1, got 0"),
        (
            lambda: nn.Conv2d(3, 8, 3.0),
            TypeError,
            r"kernel_size must be an int or a pair of ints, got 3.0",
        ),
        (
            lambda: nn.Conv2d(3, 8, (3, 3, 3)),
            ValueError,
            r"kernel_size must be an int or a pair \(h, w\), got \(3, 3, 3\)",
        ),
        (lambda: nn.Conv2d(3, 8, 3, stride=0), ValueError, "stride must be >= 1, got 0"),
        (lambda: nn.Conv2d(3, 8, 3, padding=-1), ValueError, "padding must be >= 0, got -1"),
        (
            lambda: nn.Conv2d(3, 8, 3, groups=2),
            ValueError,
            r"in_channels \(3\) and out_channels \(8\)",
        ),
        (lambda: nn.Linear(3, -1), ValueError, "out_features must be >= 1, got -1"),
        (lambda: nn.Linear(True, 2), TypeError, r"in_features must be an int, got True \(bool\)"),
        (lambda: nn.MaxPool2d(0), ValueError, "kernel_size must be >= 1, got 0"),
        (lambda: nn.AvgPool2d(2, stride=-1), ValueError, "stride must be >= 1, got -1"),
        (lambda: nn.Flatten(1.0), TypeError, r"start_dim must be an int, got 1.0 \(float\)"),
        (lambda: nn.Dropout(1.5), ValueError, r"\[0, 1\], got 1.5"),
        (lambda: nn.Dropout("0.5"), TypeError, "must be a float, got str"),
        (lambda: nn.Sequential(nn.ReLU(), np.abs), TypeError, "Modules, got ufunc at position 1"),
        (lambda: nn.Conv2d(1, 4, 3, generator=5), TypeError, "np.random.Generator .*got int 5"),
        (lambda: nn.Linear(3, 2, generator=np.random.RandomState(0)), TypeError, "got RandomState"),
        (lambda: nn.Linear(3, 2).load_state_dict([("weight", 1)]), TypeError, "mapping .*got list"),
        (
            lambda: nn.Linear(1, 1).load_state_dict({"weight": [["a"]], "bias": [0.0]}),
            TypeError,
            r"Linear: weight: expected numeric data .*got an array of dtype <U1",
        ),
    ],
)
def test_constructor_arguments_are_validated(build, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


# ----- layers -----------------------------------------------------------------------------------
def test_linear_forward_and_backward_match_the_formulas() -> None:
    layer = nn.Linear(3, 2, generator=_rng())
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]], dtype=np.float32)
    upstream = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype=np.float32)
    out = layer(mt.tensor(x))
    W, b = layer.weight.numpy(), layer.bias.numpy()
    np.testing.assert_allclose(out.numpy(), x @ W.T + b, rtol=1e-6)
    out.backward(upstream)
    np.testing.assert_allclose(layer.weight.grad, upstream.T @ x, rtol=1e-6)
    np.testing.assert_allclose(layer.bias.grad, upstream.sum(axis=0), rtol=1e-6)


def test_dropout_is_identity_in_eval_and_scales_in_training() -> None:
    x = mt.ones(200, 50)
    layer = nn.Dropout(0.25, generator=_rng())
    assert np.array_equal(layer.eval()(x).numpy(), x.numpy())
    y = layer.train()(x).numpy()
    assert set(np.unique(y).tolist()) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02  # 10,000 draws: 5 standard deviations
    assert y.dtype == np.float32


def test_sequential_is_indexable_sized_and_iterable() -> None:
    layers = [nn.Flatten(), nn.Linear(4, 3, generator=_rng()), nn.ReLU()]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[1] is layers[1] and seq[-1] is layers[2]
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == layers[1:]
    with pytest.raises(IndexError):
        seq[3]
    x = mt.tensor(np.arange(8, dtype=np.float32).reshape(2, 2, 2))
    expected = np.maximum(
        x.numpy().reshape(2, 4) @ layers[1].weight.numpy().T + layers[1].bias.numpy(), 0
    )
    np.testing.assert_allclose(seq(x).numpy(), expected, rtol=1e-6)


def test_module_without_forward_says_so() -> None:
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(mt.ones(1))


def test_conv2d_layer_applies_its_settings() -> None:
    layer = nn.Conv2d(
        4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2, generator=_rng()
    )
    x = _rng(1).standard_normal((2, 4, 7, 6)).astype(np.float32)
    out = layer(mt.tensor(x))
    expected = ref.conv2d(x, layer.weight.numpy(), layer.bias.numpy(), (2, 1), (1, 0), (1, 2), 2)
    assert out.shape == expected.shape == (2, 6, 4, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("layer", "oracle", "settings"),
    [
        (nn.MaxPool2d(3, stride=2, padding=1), ref.max_pool2d, ((3, 3), (2, 2), (1, 1))),
        (nn.AvgPool2d((2, 3), stride=(2, 1)), ref.avg_pool2d, ((2, 3), (2, 1), (0, 0))),
    ],
)
def test_pool_layers_apply_their_settings(layer: nn.Module, oracle, settings: tuple) -> None:
    x = _rng(2).standard_normal((2, 3, 6, 7)).astype(np.float32)
    expected = oracle(x, *settings)
    out = layer(mt.tensor(x))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
