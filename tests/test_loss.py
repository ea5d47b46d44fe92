"""Losses with PyTorch's options against per-sample loops of PyTorch's documented formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import nn


def _log_softmax_loop(z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z)
    for n in range(z.shape[0]):
        for rest in np.ndindex(*z.shape[2:]):
            col = z[(n, slice(None)) + rest]
            m = max(col)
            out[(n, slice(None)) + rest] = col - m - math.log(sum(math.exp(v - m) for v in col))
    return out


def _reference(z, t, w, ignore, reduction, eps):
    """PyTorch's cross_entropy with class-index targets, one sample at a time."""
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
    return losses.sum() / sum(weights)


@given(
    n=st.integers(1, 4),
    c=st.integers(2, 4),
    spatial=st.sampled_from([(), (2,), (2, 3)]),
    weighted=st.booleans(),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    eps=st.sampled_from([0.0, 0.1, 0.5]),
    data=st.data(),
)
def test_cross_entropy_matches_the_formula(n, c, spatial, weighted, reduction, eps, data) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    z = rng.standard_normal((n, c, *spatial))
    t = rng.integers(0, c, size=(n, *spatial))
    t.flat[0] = -100 if data.draw(st.booleans()) and t.size > 1 else t.flat[0]
    w = rng.uniform(0.5, 2.0, size=c) if weighted else None
    out = F.cross_entropy(
        mt.tensor(z), mt.tensor(t), None if w is None else mt.tensor(w), -100, reduction, eps
    )
    np.testing.assert_allclose(out.numpy(), _reference(z, t, w, -100, reduction, eps), rtol=1e-9)
    leaf = mt.tensor(z, requires_grad=True)
    weight = None if w is None else mt.tensor(w)
    assert mt.gradcheck(
        lambda x: F.cross_entropy(x, mt.tensor(t), weight, -100, reduction, eps).sum(), [leaf]
    )


def test_nll_loss_is_cross_entropy_on_log_probabilities() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 3))
    t = np.array([0, 2, 1, 1, 0])
    logp = F.log_softmax(mt.tensor(z), dim=1)
    expected = -np.mean([_log_softmax_loop(z)[i, t[i]] for i in range(5)])
    np.testing.assert_allclose(F.nll_loss(logp, mt.tensor(t)).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.NLLLoss()(logp, t).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.CrossEntropyLoss()(mt.tensor(z), t).numpy(), expected)
    assert mt.gradcheck(
        lambda x: F.nll_loss(x, t, reduction="sum"), [mt.tensor(z, requires_grad=True)]
    )


def test_probability_targets() -> None:
    rng = np.random.default_rng(1)
    z = rng.standard_normal((3, 4))
    q = rng.dirichlet(np.ones(4), size=3)
    logp = _log_softmax_loop(z)
    expected = -np.mean([(q[i] * logp[i]).sum() for i in range(3)])
    np.testing.assert_allclose(F.cross_entropy(mt.tensor(z), mt.tensor(q)).numpy(), expected)
    smoothed = -np.mean([((q[i] * 0.8 + 0.2 / 4) * logp[i]).sum() for i in range(3)])
    out = F.cross_entropy(mt.tensor(z), mt.tensor(q), label_smoothing=0.2)
    np.testing.assert_allclose(out.numpy(), smoothed)
    assert mt.gradcheck(
        lambda x: F.cross_entropy(x, mt.tensor(q)), [mt.tensor(z, requires_grad=True)]
    )


def test_everything_ignored_or_an_empty_batch_gives_nan_as_pytorch() -> None:
    assert math.isnan(F.cross_entropy(mt.zeros(2, 3), mt.tensor([-100, -100])).item())
    assert math.isnan(F.cross_entropy(mt.zeros(0, 3), np.zeros(0, int)).item())


def test_mse_loss() -> None:
    a, b = np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 1.0])
    assert F.mse_loss(mt.tensor(a), mt.tensor(b)).item() == pytest.approx(10 / 3)
    assert nn.MSELoss(reduction="sum")(mt.tensor(a), mt.tensor(b)).item() == 10.0
    np.testing.assert_array_equal(F.mse_loss(mt.tensor(a), b, "none").numpy(), [1.0, 0.0, 9.0])
    assert mt.gradcheck(lambda x: F.mse_loss(x, mt.tensor(b)), [mt.tensor(a, requires_grad=True)])


def test_bad_loss_arguments() -> None:
    with pytest.raises(ValueError, match="reduction must be"):
        F.cross_entropy(mt.zeros(2, 3), [0, 1], reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(mt.zeros(2, 3), [0, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\)"):
        F.nll_loss(mt.zeros(2, 3), mt.tensor([0, 3]))
    with pytest.raises(ValueError, match="one entry per class"):
        F.cross_entropy(mt.zeros(2, 3), mt.tensor([0, 1]), weight=mt.ones(2))
    with pytest.raises(ValueError, match="reduction must be"):
        nn.NLLLoss(reduction="bad")
