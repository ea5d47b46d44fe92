"""Losses with PyTorch's options against per-sample loops of PyTorch's documented formulas
and against small cases worked out by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import nn


def _log_softmax_loop(z: np.ndarray) -> np.ndarray:
    """log_softmax along axis 1 of (N, C, d1, ...), one column at a time."""
    out = np.empty_like(z)
    for n in range(z.shape[0]):
        for rest in np.ndindex(*z.shape[2:]):
            col = z[(n, slice(None)) + rest]
            m = max(col)
            out[(n, slice(None)) + rest] = col - m - math.log(sum(math.exp(v - m) for v in col))
    return out


def _reference(z, t, w, ignore, reduction, eps):
    """PyTorch's cross_entropy with class-index targets, one position at a time."""
    logp = _log_softmax_loop(z)
    C = z.shape[1]
    w = np.ones(C) if w is None else w
    losses, weights = [], []
    for n in range(z.shape[0]):
        for rest in np.ndindex(*z.shape[2:]):
            target = t[(n,) + rest]
            if target == ignore:
                losses.append(0.0)
                weights.append(0.0)
                continue
            col = logp[(n, slice(None)) + rest]
            nll = -w[target] * col[target]
            smooth = -sum(w[c] * col[c] for c in range(C)) / C
            losses.append((1 - eps) * nll + eps * smooth)
            weights.append(w[target])
    losses = np.array(losses)
    if reduction == "none":
        return losses.reshape(t.shape)
    if reduction == "sum":
        return losses.sum()
    with np.errstate(invalid="ignore"):  # everything ignored: 0 / 0 = nan, as PyTorch
        return losses.sum() / np.sum(weights)


def _soft_reference(z, q, w, reduction, eps):
    """PyTorch's cross_entropy with probability targets q (z's shape), one position at a time."""
    logp = _log_softmax_loop(z)
    C = z.shape[1]
    w = np.ones(C) if w is None else w
    losses = []
    for n in range(z.shape[0]):
        for rest in np.ndindex(*z.shape[2:]):
            col, target = logp[(n, slice(None)) + rest], q[(n, slice(None)) + rest]
            losses.append(-sum(w[c] * ((1 - eps) * target[c] + eps / C) * col[c] for c in range(C)))
    losses = np.array(losses)
    if reduction == "none":
        return losses.reshape((z.shape[0],) + z.shape[2:])
    return losses.sum() if reduction == "sum" else losses.mean()


SHAPES = st.tuples(st.integers(1, 3), st.integers(1, 4), st.sampled_from([(), (2,), (2, 3)]))


@given(
    shape=SHAPES,
    weighted=st.booleans(),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    eps=st.sampled_from([0.0, 0.1, 1.0]),
    ignore=st.sampled_from([-100, 0, 2]),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_matches_the_formula(shape, weighted, reduction, eps, ignore, seed) -> None:
    n, c, spatial = shape
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, c, *spatial))
    t = rng.integers(0, c, size=(n, *spatial))
    t = np.where(rng.random(t.shape) < 0.3, ignore, t)
    w = rng.uniform(0.5, 2.0, size=c) if weighted else None
    weight = None if w is None else mt.tensor(w)
    kwargs = dict(weight=weight, ignore_index=ignore, reduction=reduction, label_smoothing=eps)
    out = F.cross_entropy(mt.tensor(z), mt.tensor(t), **kwargs)
    expected = _reference(z, t, w, ignore, reduction, eps)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-9)
    if (t != ignore).any():  # all ignored: nan, tested below
        assert mt.gradcheck(
            lambda x: F.cross_entropy(x, mt.tensor(t), **kwargs), [mt.tensor(z, requires_grad=True)]
        )
    logp = F.log_softmax(mt.tensor(z), dim=1)
    if eps == 0.0:
        nll = F.nll_loss(logp, mt.tensor(t), weight, ignore_index=ignore, reduction=reduction)
        np.testing.assert_allclose(nll.numpy(), expected, rtol=1e-9)


@given(
    shape=SHAPES,
    weighted=st.booleans(),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    eps=st.sampled_from([0.0, 0.3]),
    seed=st.integers(0, 2**16),
)
def test_probability_targets_match_the_formula(shape, weighted, reduction, eps, seed) -> None:
    n, c, spatial = shape
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, c, *spatial))
    q = np.moveaxis(rng.dirichlet(np.ones(c), size=(n, *spatial)), -1, 1)  # (N, C, d1, ...)
    w = rng.uniform(0.5, 2.0, size=c) if weighted else None
    kwargs = dict(
        weight=None if w is None else mt.tensor(w), reduction=reduction, label_smoothing=eps
    )
    out = F.cross_entropy(mt.tensor(z), mt.tensor(q), **kwargs)
    np.testing.assert_allclose(out.numpy(), _soft_reference(z, q, w, reduction, eps), rtol=1e-9)
    assert mt.gradcheck(
        lambda x: F.cross_entropy(x, mt.tensor(q), **kwargs), [mt.tensor(z, requires_grad=True)]
    )


def test_small_cases_by_hand() -> None:
    # logits (ln 3, 0): p = (3/4, 1/4)
    z = mt.tensor([[math.log(3.0), 0.0]], dtype=mt.float64)
    assert F.cross_entropy(z, mt.tensor([0])).item() == pytest.approx(-math.log(0.75))
    assert F.cross_entropy(z, mt.tensor([1])).item() == pytest.approx(-math.log(0.25))
    # smoothing 0.5 with C = 2: target 0 gets 0.75, class 1 gets 0.25
    smoothed = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert F.cross_entropy(z, mt.tensor([0]), label_smoothing=0.5).item() == pytest.approx(smoothed)
    # weighted mean over two samples, weights (1, 3): (1 * l0 + 3 * l1) / (1 + 3)
    two = mt.tensor([[math.log(3.0), 0.0], [math.log(3.0), 0.0]], dtype=mt.float64)
    w = mt.tensor([1.0, 3.0], dtype=mt.float64)
    expected = (-math.log(0.75) - 3 * math.log(0.25)) / 4
    assert F.cross_entropy(two, mt.tensor([0, 1]), weight=w).item() == pytest.approx(expected)
    # an ignored sample counts for nothing, in the numerator and the denominator
    out = F.cross_entropy(two, mt.tensor([0, -100]), weight=w)
    assert out.item() == pytest.approx(-math.log(0.75))
    # unbatched (C,) input and () target
    assert F.cross_entropy(mt.zeros(3), mt.tensor(1)).item() == pytest.approx(math.log(3))
    assert F.cross_entropy(mt.zeros(3), mt.tensor(1), reduction="none").shape == ()
    # K-dimensional: (N, C, d) with every logit 0 is ln C at each of the N * d positions
    out = F.cross_entropy(
        mt.zeros(2, 4, 5), mt.tensor(np.zeros((2, 5), np.int64)), reduction="none"
    )
    np.testing.assert_allclose(out.numpy(), np.full((2, 5), math.log(4)), rtol=1e-6)


def test_gradient_by_hand_is_softmax_minus_one_hot() -> None:
    z = mt.tensor([[math.log(3.0), 0.0]], requires_grad=True)
    F.cross_entropy(z, mt.tensor([1]), reduction="sum").backward()
    np.testing.assert_allclose(z.grad, [[0.75, -0.75]], rtol=1e-6)


def test_everything_ignored_is_nan_with_a_zero_gradient_as_pytorch() -> None:
    for eps in (0.0, 0.2):
        z = mt.zeros(2, 3, requires_grad=True)
        out = F.cross_entropy(z, mt.tensor([-100, -100]), label_smoothing=eps)
        assert math.isnan(out.item())
        out.backward()
        np.testing.assert_array_equal(z.grad, np.zeros((2, 3)))
    assert math.isnan(F.cross_entropy(mt.zeros(0, 3), np.zeros(0, np.int64)).item())
    assert F.cross_entropy(mt.zeros(0, 3), np.zeros(0, np.int64), reduction="sum").item() == 0
    assert math.isnan(F.cross_entropy(mt.zeros(0, 3), mt.zeros(0, 3)).item())


def test_zero_total_weight_is_nan_as_pytorch() -> None:
    z = mt.zeros(2, 3, requires_grad=True)
    out = F.nll_loss(z, mt.tensor([0, 1]), weight=mt.zeros(3))
    assert math.isnan(out.item())
    out.backward()  # 0 * (1 / 0) at each target, 0 elsewhere (PyTorch's kernel)
    assert np.isnan(z.grad[[0, 1], [0, 1]]).all()
    assert (z.grad[[0, 0, 1, 1], [1, 2, 0, 2]] == 0).all()


def test_nll_loss_on_log_probabilities_and_its_layer() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 3))
    t = np.array([0, 2, 1, 1, 0])
    logp = F.log_softmax(mt.tensor(z), dim=1)
    expected = -np.mean([_log_softmax_loop(z)[i, t[i]] for i in range(5)])
    np.testing.assert_allclose(F.nll_loss(logp, mt.tensor(t)).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.NLLLoss()(logp, t).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.CrossEntropyLoss()(mt.tensor(z), t).numpy(), expected)
    assert mt.gradcheck(
        lambda x: F.nll_loss(x, t, reduction="none"), [mt.tensor(z, requires_grad=True)]
    )


def test_a_target_of_the_inputs_shape_is_probabilities_as_pytorch() -> None:
    z = mt.zeros(2, 3)
    with pytest.raises(TypeError, match="class probabilities and must be floating point"):
        F.cross_entropy(z, np.zeros((2, 3), np.int64))
    with pytest.raises(ValueError, match="ignore_index is not supported"):
        F.cross_entropy(z, mt.zeros(2, 3), ignore_index=0)
    q64 = np.full((2, 3), 1 / 3)  # a float64 target makes a float64 loss
    out = F.cross_entropy(z, q64)
    assert out.dtype == np.float64 and out.item() == pytest.approx(math.log(3))


def test_target_dtypes_follow_pytorch() -> None:
    z = mt.zeros(2, 3)
    expected = math.log(3)
    assert F.cross_entropy(z, np.array([0, 2], np.uint8)).item() == pytest.approx(expected)
    for dtype in (np.int32, np.int16, np.bool_):
        with pytest.raises(TypeError, match="int64"):
            F.cross_entropy(z, np.array([0, 1], dtype))
    with pytest.raises(ValueError, match="probability targets must have the input's shape"):
        F.nll_loss(z, mt.zeros(2))
    with pytest.raises(TypeError, match="weight must have the input's dtype float32"):
        F.cross_entropy(z, np.array([0, 1]), weight=mt.tensor(np.ones(3)))


def test_label_smoothing_range_as_pytorch() -> None:
    z, t = mt.tensor([[1.0, 0.0, -1.0]]), mt.tensor([0])
    plain = F.cross_entropy(z, t).item()
    for negative in (-0.5, float("nan")):  # PyTorch smooths only for a positive value
        assert F.cross_entropy(z, t, label_smoothing=negative).item() == plain
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(z, t, label_smoothing=1.5)


@pytest.mark.parametrize(
    ("size_average", "reduce", "expected"),
    [(None, None, "mean"), (False, None, "sum"), (True, False, "none"), (None, False, "none")],
)
def test_deprecated_size_average_and_reduce(size_average, reduce, expected) -> None:
    a, b = mt.tensor([1.0, 3.0]), mt.tensor([0.0, 0.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = F.mse_loss(a, b, size_average, reduce)
        layer = nn.CrossEntropyLoss(None, size_average, -100, reduce)
    assert layer.reduction == expected
    assert bool(caught) == (size_average is not None or reduce is not None)
    wanted = {"mean": 5.0, "sum": 10.0, "none": [1.0, 9.0]}[expected]
    np.testing.assert_allclose(out.numpy(), wanted)


def test_positional_arguments_are_pytorchs() -> None:
    z, t = mt.tensor([[0.0, 1.0], [2.0, 0.0]]), mt.tensor([1, 1])
    # cross_entropy(input, target, weight, size_average, ignore_index, reduce, reduction, eps)
    out = F.cross_entropy(z, t, None, None, 1, None, "sum", 0.0)
    assert out.item() == 0.0  # both targets ignored
    layer = nn.CrossEntropyLoss(None, None, 1, None, "none", 0.25)
    assert (layer.ignore_index, layer.reduction, layer.label_smoothing) == (1, "none", 0.25)
    assert nn.NLLLoss(None, None, 3, None, "sum").ignore_index == 3
    assert nn.MSELoss(None, None, "sum").reduction == "sum"


def test_mse_and_l1_loss() -> None:
    a, b = np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 1.0])
    assert F.mse_loss(mt.tensor(a), mt.tensor(b)).item() == pytest.approx(10 / 3)
    assert nn.MSELoss(reduction="sum")(mt.tensor(a), mt.tensor(b)).item() == 10.0
    np.testing.assert_array_equal(F.mse_loss(mt.tensor(a), b, reduction="none").numpy(), [1, 0, 9])
    assert F.l1_loss(mt.tensor(a), mt.tensor(b)).item() == pytest.approx(4 / 3)
    assert nn.L1Loss(reduction="sum")(mt.tensor(a), mt.tensor(b)).item() == 4.0
    w = mt.tensor([1.0, 1.0, 2.0])  # weighted mean: sum(w e) / sum(w)
    assert F.mse_loss(mt.tensor(a), b, weight=w).item() == pytest.approx((1 + 18) / 4)
    assert F.l1_loss(mt.tensor(a), b, weight=w).item() == pytest.approx((1 + 6) / 4)
    x = mt.tensor(a, requires_grad=True)
    F.l1_loss(x, b, reduction="sum").backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])  # 0 at the tie, as PyTorch
    for fn in (F.mse_loss, F.l1_loss):
        assert mt.gradcheck(
            lambda v, fn=fn: fn(v, mt.tensor(b + 0.5)), [mt.tensor(a, requires_grad=True)]
        )


def test_mse_loss_shapes_and_dtypes_as_pytorch() -> None:
    with pytest.warns(UserWarning, match="different to the input size"):
        out = F.mse_loss(mt.zeros(2, 3), mt.ones(3))
    assert out.item() == 1.0
    with pytest.raises(ValueError, match="does not broadcast"):
        F.mse_loss(mt.zeros(2, 3), mt.ones(2))
    with pytest.raises(TypeError, match="floating point"):
        F.mse_loss(mt.tensor([1, 2]), mt.tensor([1, 2]))
    with pytest.raises(ValueError, match="weight must have the input's shape"):
        F.mse_loss(mt.zeros(2, 3), mt.ones(2, 3), weight=mt.ones(3))


def test_binary_cross_entropy_by_hand() -> None:
    x = mt.tensor([0.5, 0.0, 1.0, 0.25], requires_grad=True)
    y = mt.tensor([1.0, 1.0, 1.0, 0.0])
    out = F.binary_cross_entropy(x, y, reduction="none")
    # -ln 0.5; log 0 clamped at -100 (PyTorch); -ln 1 = 0; -ln 0.75
    np.testing.assert_allclose(out.numpy(), [math.log(2), 100, 0, -math.log(0.75)], rtol=1e-6)
    out.sum().backward()
    # (x - y) / max(x (1 - x), 1e-12): -2, -1e12, 0 / 1e-12 = 0, 0.25 / 0.1875
    np.testing.assert_allclose(x.grad, [-2.0, -1e12, 0.0, 0.25 / 0.1875], rtol=1e-6)
    weighted = F.binary_cross_entropy(mt.tensor([[0.5, 0.5]]), mt.ones(1, 2), mt.tensor([1.0, 3.0]))
    assert weighted.item() == pytest.approx(2 * math.log(2))  # (ln 2 + 3 ln 2) / 2
    assert nn.BCELoss(reduction="sum")(mt.tensor([0.5]), mt.tensor([0.0])).item() == pytest.approx(
        math.log(2)
    )
    q = np.array([0.2, 0.9, 0.6])
    assert mt.gradcheck(
        lambda p: F.binary_cross_entropy(p, mt.tensor(q)),
        [mt.tensor([0.3, 0.5, 0.8], requires_grad=True)],
    )


def test_binary_cross_entropy_rejects_what_pytorch_rejects() -> None:
    with pytest.raises(ValueError, match="all elements of input must be in"):
        F.binary_cross_entropy(mt.tensor([1.5]), mt.tensor([1.0]))
    with pytest.raises(ValueError, match="all elements of input must be in"):
        F.binary_cross_entropy(mt.tensor([float("nan")]), mt.tensor([1.0]))
    with pytest.raises(ValueError, match="all elements of target must be in"):
        F.binary_cross_entropy(mt.tensor([0.5]), mt.tensor([-0.5]))
    with pytest.raises(ValueError, match="must be the input's shape"):
        F.binary_cross_entropy(mt.tensor([0.5, 0.5]), mt.tensor([1.0]))
    with pytest.raises(TypeError, match="input's dtype"):
        F.binary_cross_entropy(mt.tensor([0.5]), mt.tensor(np.array([1.0])))


def test_binary_cross_entropy_with_logits_by_hand() -> None:
    x = mt.tensor([0.0, 200.0, -200.0, 0.0], requires_grad=True)
    y = mt.tensor([1.0, 0.0, 0.0, 0.5])
    out = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    # ln 2; 200 (-log(1 - sigmoid(200)), finite); ~0; ln 2
    np.testing.assert_allclose(out.numpy(), [math.log(2), 200.0, 0.0, math.log(2)], atol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, [-0.5, 1.0, 0.0, 0.0], atol=1e-7)  # sigmoid(x) - y
    pos = F.binary_cross_entropy_with_logits(
        mt.zeros(2, 2), mt.tensor([[1.0, 1.0], [0.0, 0.0]]), pos_weight=mt.tensor([3.0, 1.0])
    )
    assert pos.item() == pytest.approx((3 + 1 + 1 + 1) * math.log(2) / 4)  # p scales y = 1 only
    layer = nn.BCEWithLogitsLoss(pos_weight=mt.tensor([2.0]))
    assert layer(mt.zeros(1), mt.ones(1)).item() == pytest.approx(2 * math.log(2))
    rng = np.random.default_rng(3)
    q = rng.uniform(0, 1, (2, 3))
    assert mt.gradcheck(
        lambda v: F.binary_cross_entropy_with_logits(
            v,
            mt.tensor(q),
            weight=mt.tensor([1.0, 2.0, 0.5]),
            pos_weight=mt.tensor([2.0, 1.0, 3.0]),
        ),
        [mt.tensor(rng.standard_normal((2, 3)) * 3, requires_grad=True)],
    )


def test_layers_print_and_hold_options_as_pytorch() -> None:
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.BCEWithLogitsLoss()) == "BCEWithLogitsLoss()"
    layer = nn.CrossEntropyLoss(reduction="sum", label_smoothing=0.1)
    assert (layer.weight, layer.ignore_index, layer.reduction, layer.label_smoothing) == (
        None,
        -100,
        "sum",
        0.1,
    )
    bad = nn.NLLLoss(reduction="bad")  # checked when used, as in PyTorch
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        bad(mt.zeros(2, 3), mt.tensor([0, 1]))


def test_bad_loss_arguments() -> None:
    with pytest.raises(ValueError, match="reduction must be"):
        F.cross_entropy(mt.zeros(2, 3), [0, 1], reduction="avg")
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\)"):
        F.nll_loss(mt.zeros(2, 3), mt.tensor([0, 3]))
    with pytest.raises(ValueError, match="one entry per class"):
        F.cross_entropy(mt.zeros(2, 3), mt.tensor([0, 1]), weight=mt.ones(2))
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        F.cross_entropy(mt.zeros(2, 3), mt.tensor([0, 1]), ignore_index=1.5)
    # a target equal to ignore_index is skipped even when it is not a class
    assert F.cross_entropy(mt.zeros(2, 3), mt.tensor([0, 7]), ignore_index=7).item() == (
        pytest.approx(math.log(3))
    )
