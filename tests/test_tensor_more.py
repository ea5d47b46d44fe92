"""scatter / scatter_add / index_fill, nonzero, bincount, unique, is_contiguous, einsum and
interpolate: values by hand (or as PyTorch 2.13 prints them), every differentiable one
gradchecked.

Read next: ``tests/test_creation.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional, nn
from minitorch_cnn.testing import distinct_arrays


# ----- scatter ------------------------------------------------------------------------
def test_scatter_writes_along_dim_by_hand() -> None:
    labels = mt.tensor([2, 0, 1])
    one_hot = mt.zeros(3, 4).scatter_(1, labels.unsqueeze(1), 1.0)
    np.testing.assert_array_equal(one_hot.numpy(), [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    out = mt.zeros(3, 5).scatter(1, mt.tensor([[0, 1], [2, 3], [4, 0]]), mt.ones(3, 2) * 7)
    np.testing.assert_array_equal(out.numpy(), [[7, 7, 0, 0, 0], [0, 0, 7, 7, 0], [7, 0, 0, 0, 7]])
    # dim 0: out[index[i][j]][j] = src[i][j]; only src's leading (1, 2) corner is read
    out = mt.zeros(3, 3).scatter(0, mt.tensor([[1, 2]]), mt.tensor([[5.0, 6.0, 7.0]]))
    np.testing.assert_array_equal(out.numpy(), [[0, 0, 0], [5, 0, 0], [0, 6, 0]])
    # the "Learn the Basics" transforms page: a 0-d index into a 1-d tensor, value=
    target = mt.zeros(10, dtype=mt.float).scatter_(0, mt.tensor(3), value=1)
    assert target.tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert mt.scatter(mt.zeros(2, 2), -1, mt.tensor([[1], [0]]), 3.0).tolist() == [[0, 3], [3, 0]]


def test_scatter_add_adds_repeated_positions() -> None:
    out = mt.zeros(3).scatter_add(0, mt.tensor([0, 0, 2]), mt.tensor([1.0, 2.0, 3.0]))
    assert out.tolist() == [3.0, 0.0, 3.0]
    assert mt.zeros(3).scatter(0, mt.tensor([1, 1]), mt.ones(2), reduce="add").tolist() == [0, 2, 0]
    x = mt.ones(2)
    assert x.scatter_add_(0, mt.tensor([1]), mt.tensor([4.0])) is x and x.tolist() == [1, 5]


def test_scatter_gradients_by_hand() -> None:
    w = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = mt.ones(2, 3, requires_grad=True)
    z = base.scatter(1, mt.tensor([[2], [0]]), w[[2, 0]].unsqueeze(1))
    (z * mt.tensor([[1.0, 2.0, 10.0], [100.0, 3.0, 4.0]])).sum().backward()
    assert w.grad.tolist() == [100.0, 0.0, 10.0]  # w[2] landed at (0, 2), w[0] at (1, 0)
    assert base.grad.tolist() == [[1, 2, 0], [0, 3, 4]]  # overwritten entries get nothing


@given(x=distinct_arrays(shape=(3, 4)), src=distinct_arrays(shape=(3, 2)))
def test_scatter_gradcheck(x: np.ndarray, src: np.ndarray) -> None:
    index = np.array([[3, 0], [1, 2], [0, 3]])
    for op in ("scatter", "scatter_add"):

        def f(a: mt.Tensor, b: mt.Tensor, op: str = op) -> mt.Tensor:
            return getattr(a, op)(1, index, b)

        assert mt.gradcheck(
            f, (mt.tensor(x, requires_grad=True), mt.tensor(src, requires_grad=True))
        )


def test_scatter_rejects_what_pytorch_rejects() -> None:
    z = mt.zeros(2, 3)
    with pytest.raises(TypeError, match="int64"):
        z.scatter(1, mt.tensor([[0.0]]), 1.0)
    with pytest.raises(IndexError, match="out of bounds"):
        z.scatter(1, mt.tensor([[5]]), 1.0)
    with pytest.raises(IndexError, match="out of bounds"):
        z.scatter(1, mt.tensor([[-1]]), 1.0)
    with pytest.raises(ValueError, match="as many dims"):
        z.scatter(1, mt.tensor([0]), 1.0)
    with pytest.raises(ValueError, match="no larger than self"):
        z.scatter(1, mt.tensor([[0], [1], [2]]), 1.0)
    with pytest.raises(ValueError, match="no larger than src"):
        z.scatter(1, mt.tensor([[2, 0, 1]]), mt.ones(1, 2))
    with pytest.raises(TypeError, match="dtype"):
        z.scatter(1, mt.tensor([[0]]), mt.ones(1, 1, dtype=mt.float64))
    with pytest.raises(RuntimeError, match="in-place"):
        mt.zeros(3, requires_grad=True).scatter_(0, mt.tensor([0]), 1.0)


# ----- index_fill ---------------------------------------------------------------------
def test_index_fill_by_hand() -> None:
    m = mt.arange(12.0).view(3, 4)
    assert m.index_fill_(1, mt.tensor([0, 2]), -1.0) is m
    assert m.tolist() == [[-1, 1, -1, 3], [-1, 5, -1, 7], [-1, 9, -1, 11]]
    rows = mt.arange(6.0).view(2, 3).index_fill(0, mt.tensor(1), 9.0)
    assert rows.tolist() == [[0, 1, 2], [9, 9, 9]]
    assert mt.zeros(3).index_fill(0, mt.tensor([-1]), 1.0).tolist() == [0, 0, 1]  # from the end
    x = mt.ones(2, 3, requires_grad=True)
    (x.index_fill(1, mt.tensor([1]), 5.0) * mt.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert x.grad.tolist() == [[1, 0, 3], [1, 0, 3]]  # filled entries get no gradient
    with pytest.raises(ValueError, match="0-d or 1-d"):
        mt.zeros(2, 3).index_fill(1, mt.tensor([[0]]), 1.0)
    with pytest.raises(IndexError, match="out of range"):
        mt.zeros(2, 3).index_fill(1, mt.tensor([3]), 1.0)
    with pytest.raises(TypeError, match="int64"):
        mt.zeros(2, 3).index_fill(1, mt.tensor([1.0]), 1.0)


# ----- finding and counting -----------------------------------------------------------
def test_nonzero_and_where_with_a_condition_only() -> None:
    m = mt.tensor([[0, 1], [2, 0]])
    assert m.nonzero().tolist() == [[0, 1], [1, 0]] and m.nonzero().dtype == np.int64
    rows, cols = m.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    assert mt.nonzero(mt.tensor(3)).shape == (1, 0)  # a 0-d tensor: one hit, no coordinates
    assert [t.tolist() for t in mt.tensor(3).nonzero(as_tuple=True)] == [[0]]
    (where,) = mt.where(mt.tensor([3.0, -1.0, 4.0]) > 0)
    assert where.tolist() == [0, 2]


def test_bincount_by_hand() -> None:
    x = mt.tensor([1, 3, 3, 0])
    assert mt.bincount(x).tolist() == [1, 1, 0, 2] and mt.bincount(x).dtype == np.int64
    assert x.bincount(minlength=6).tolist() == [1, 1, 0, 2, 0, 0]
    weighted = x.bincount(weights=mt.tensor([0.5, 1.0, 1.0, 2.0]))
    assert weighted.tolist() == [2.0, 0.5, 0.0, 2.0] and weighted.dtype == np.float32
    assert x.bincount(weights=mt.tensor([1, 2, 3, 4])).dtype == np.float64  # int weights
    assert mt.tensor([], dtype=mt.int64).bincount(minlength=3).tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="non-negative"):
        mt.tensor([-1]).bincount()
    with pytest.raises(ValueError, match="1-d"):
        mt.tensor([[1]]).bincount()
    with pytest.raises(TypeError, match="integer"):
        mt.tensor([1.0]).bincount()
    with pytest.raises(ValueError, match="minlength"):
        x.bincount(minlength=-1)
    with pytest.raises(ValueError, match="weights"):
        x.bincount(weights=mt.tensor([1.0, 2.0]))


def test_unique_by_hand() -> None:
    u = mt.tensor([3, 1, 2, 3, 1, 3])
    assert mt.unique(u).tolist() == [1, 2, 3]
    values, counts = mt.unique(u, return_counts=True)
    assert counts.tolist() == [2, 1, 3]
    values, inverse = u.unique(return_inverse=True)
    assert inverse.tolist() == [2, 0, 1, 2, 0, 2]  # values[inverse] rebuilds u
    _, inverse, counts = mt.tensor([[2.0, 1.0], [1.0, 2.0]]).unique(
        return_inverse=True, return_counts=True
    )
    assert inverse.tolist() == [[1, 0], [0, 1]] and counts.tolist() == [2, 2]  # input's shape
    rows, counts = mt.tensor([[1, 2], [1, 2], [0, 5]]).unique(dim=0, return_counts=True)
    assert rows.tolist() == [[0, 5], [1, 2]] and counts.tolist() == [1, 2]
    assert mt.unique(mt.tensor(5)).tolist() == [5]


def test_is_contiguous_and_contiguous() -> None:
    a = mt.arange(6.0).view(2, 3)
    assert a.is_contiguous() and a[1:].is_contiguous()
    assert not a.t().is_contiguous() and not a[:, 1:].is_contiguous()
    assert a.t().contiguous().is_contiguous() and a.contiguous() is a
    assert a.t().contiguous().view(-1).tolist() == [0, 3, 1, 4, 2, 5]
    x = mt.arange(6.0, requires_grad=True)
    (x.view(2, 3).t().contiguous() * mt.tensor([1.0, 2.0])).sum().backward()
    assert x.grad.tolist() == [1, 1, 1, 2, 2, 2]


# ----- einsum -------------------------------------------------------------------------
A = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_einsum_by_hand() -> None:
    a, b = mt.tensor(A), mt.arange(12.0).view(3, 4)
    np.testing.assert_array_equal(
        mt.einsum("ij,jk->ik", a, b).numpy(), [[20, 23, 26, 29], [56, 68, 80, 92]]
    )
    assert mt.einsum("ij,jk", [a, b]).shape == (2, 4)  # operands as one list, output implied
    assert mt.einsum("ij->ji", a).tolist() == [[0, 3], [1, 4], [2, 5]]
    assert mt.einsum("ba", a).shape == (3, 2)  # implied output in alphabetical order: "ab"
    assert mt.einsum("ii->i", mt.eye(3) * 2).tolist() == [2, 2, 2]
    assert mt.einsum("ii", mt.tensor([[1.0, 9.0], [9.0, 4.0]])).item() == 5.0  # the trace
    assert mt.einsum("ij->", a).item() == 15.0
    assert mt.einsum("bi,bi->b", a, a).tolist() == [5, 50]
    assert mt.einsum("i,j->ij", mt.tensor([1.0, 2.0]), mt.tensor([3.0, 4.0])).tolist() == [
        [3, 4],
        [6, 8],
    ]
    assert mt.einsum("...ij,...jk", mt.ones(5, 2, 3), mt.ones(3, 4)).shape == (5, 2, 4)


EQUATIONS = {
    "ij,jk->ik": [(2, 3), (3, 4)],
    "ii->i": [(3, 3)],
    "iij->j": [(2, 2, 3)],
    "ij->i": [(2, 3)],
    "i,j->ij": [(2,), (3,)],
    "bij,bjk->bik": [(2, 2, 3), (2, 3, 2)],
    "...ij,...jk": [(1, 2, 3), (4, 3, 2)],  # a length-1 stack axis broadcast
    "ij,jk,kl->il": [(2, 3), (3, 2), (2, 2)],
}


@pytest.mark.parametrize("equation", sorted(EQUATIONS))
def test_einsum_gradcheck(equation: str) -> None:
    rng = np.random.default_rng(0)
    inputs = tuple(
        mt.tensor(rng.standard_normal(s), requires_grad=True) for s in EQUATIONS[equation]
    )
    assert mt.gradcheck(lambda *ts: mt.einsum(equation, *ts), inputs)


def test_einsum_rejects_a_bad_equation() -> None:
    with pytest.raises(ValueError, match="names 2 operands, got 1"):
        mt.einsum("ij,jk->ik", mt.ones(2, 2))
    with pytest.raises(ValueError, match="do not fit"):
        mt.einsum("ijk->i", mt.ones(2, 2))
    with pytest.raises(ValueError, match="letters"):
        mt.einsum("i1->i", mt.ones(2, 2))


# ----- interpolate --------------------------------------------------------------------
def test_interpolate_by_hand() -> None:
    x = mt.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    nearest = functional.interpolate(x, scale_factor=2, mode="nearest")
    assert nearest.numpy()[0, 0].tolist() == [
        [0, 0, 1, 1],
        [0, 0, 1, 1],
        [2, 2, 3, 3],
        [2, 2, 3, 3],
    ]
    row = mt.tensor([[[[0.0, 1.0]]]])
    # half-pixel centres: output d reads (d + 0.5) / 2 - 0.5 = -0.25 (-> 0), 0.25, 0.75, 1.25 (-> 1)
    loose = functional.interpolate(row, size=(1, 4), mode="bilinear")
    np.testing.assert_allclose(loose.numpy().ravel(), [0, 0.25, 0.75, 1])
    corners = functional.interpolate(row, size=(1, 4), mode="bilinear", align_corners=True)
    np.testing.assert_allclose(corners.numpy().ravel(), [0, 1 / 3, 2 / 3, 1], rtol=1e-6)
    line = mt.arange(5.0).view(1, 1, 5)
    # scale 1 / 1.7: d * 0.588 floors to 0 0 1 1 2 2 3 4; recomputed (5 / 8) to 0 0 1 1 2 3 3 4
    assert functional.interpolate(line, scale_factor=1.7).numpy().ravel().tolist() == [
        0, 0, 1, 1, 2, 2, 3, 4
    ]  # fmt: skip
    recomputed = functional.interpolate(line, scale_factor=1.7, recompute_scale_factor=True)
    assert recomputed.numpy().ravel().tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    three = mt.tensor([[[1.0, 2.0, 4.0]]])
    assert functional.interpolate(three, size=2, mode="nearest").tolist() == [[[1, 2]]]
    assert functional.interpolate(three, size=2, mode="nearest-exact").tolist() == [[[1, 4]]]


@pytest.mark.parametrize(
    "settings",
    [
        {"scale_factor": 2, "mode": "nearest"},
        {"size": (3, 5), "mode": "bilinear"},
        {"size": (2, 2), "mode": "bilinear", "align_corners": True},
        {"scale_factor": 0.5, "mode": "bilinear"},
    ],
)
@given(x=distinct_arrays(shape=(1, 2, 3, 4)))
def test_interpolate_gradcheck(settings: dict, x: np.ndarray) -> None:
    assert mt.gradcheck(
        lambda t: functional.interpolate(t, **settings), (mt.tensor(x, requires_grad=True),)
    )


def test_interpolate_rejects_what_pytorch_rejects() -> None:
    x = mt.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match="exactly one"):
        functional.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="exactly one"):
        functional.interpolate(x)
    with pytest.raises(ValueError, match="align_corners"):
        functional.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="one entry per spatial dim"):
        functional.interpolate(x, size=(2, 2, 2))
    with pytest.raises(NotImplementedError, match="'bilinear'"):
        functional.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(NotImplementedError, match="bicubic"):
        functional.interpolate(x, scale_factor=2, mode="bicubic")
    with pytest.raises(NotImplementedError, match="3-D"):
        functional.interpolate(mt.zeros(1, 1, 2, 2, 2), scale_factor=2)


def test_upsample_layer() -> None:
    up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
    assert repr(up) == "Upsample(scale_factor=2.0, mode='bilinear')"
    assert repr(nn.Upsample(size=(3, 3))) == "Upsample(size=(3, 3), mode='nearest')"
    assert up(mt.zeros(2, 3, 4, 5)).shape == (2, 3, 8, 10)
    assert list(up.parameters()) == []


# ----- small PyTorch behaviours the programs met ----------------------------------------
@given(st.integers(1, 20))
def test_randint_takes_high_and_a_size_keyword(high: int) -> None:
    draws = mt.randint(high, size=(50,))
    assert draws.shape == (50,) and 0 <= draws.min().item() and draws.max().item() < high
    assert mt.randint(high=high, size=(2,)).shape == (2,)


def test_a_zero_dim_tensor_formats_as_its_value() -> None:
    label = mt.tensor([5, 7])[0]
    assert f"Label: {label}" == "Label: 5" and f"{mt.tensor(2.5)}" == "2.5"
    assert f"{mt.tensor([1.5])}" == "tensor([1.5000])"  # not 0-d: printed as a tensor
