"""The wider Tensor API (statistics, where/masked_fill, expand/repeat, split, gather, sort,
new_*, in-place operators): values by hand, every differentiable one gradchecked.

Read next: ``tests/test_creation.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn.testing import distinct_arrays

X = [[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]


def test_statistics_by_hand() -> None:
    x = mt.tensor(X)
    assert x.var().item() == pytest.approx(17.5 / 5)  # mean 3.5, squares sum 17.5, n - 1 = 5
    assert x.var(unbiased=False).item() == pytest.approx(17.5 / 6)
    assert x.var(correction=0).item() == pytest.approx(17.5 / 6)
    np.testing.assert_allclose(x.var(dim=1).numpy(), [4.0, 4.0])
    np.testing.assert_allclose(x.std(dim=1, keepdim=True).numpy(), [[2.0], [2.0]])
    assert x.norm().item() == pytest.approx(np.sqrt(91.0))
    assert x.norm(p=1).item() == pytest.approx(21.0)
    np.testing.assert_allclose(x.norm(dim=1).numpy(), [np.sqrt(35), np.sqrt(56)], rtol=1e-6)
    np.testing.assert_allclose(x.amax(dim=0).numpy(), [4, 5, 6])
    np.testing.assert_allclose(x.amin(dim=1).numpy(), [1, 2])
    np.testing.assert_allclose(x.logsumexp(dim=1).numpy(), np.log(np.exp(X).sum(axis=1)), rtol=1e-6)
    big = mt.tensor([1000.0, 1000.0])
    assert big.logsumexp(0).item() == pytest.approx(1000 + np.log(2))  # no overflow


def test_where_masked_fill_maximum() -> None:
    x = mt.tensor(X)
    np.testing.assert_array_equal(x.masked_fill(x > 3, 0.0).numpy(), [[1, 0, 3], [0, 2, 0]])
    np.testing.assert_array_equal(mt.where(x > 3, x, mt.zeros(1)).numpy(), [[0, 5, 0], [4, 0, 6]])
    a = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mt.tensor([1.0, 1.0, 4.0], requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1, 0])  # a tie shares the gradient
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0, 1])
    np.testing.assert_array_equal(mt.minimum(a, b).detach().numpy(), [1, 1, 3])
    assert (~(x > 3)).dtype == np.bool_
    assert mt.tensor([np.nan, 1.0]).isnan().tolist() == [True, False]


def test_shape_methods_by_hand() -> None:
    x = mt.tensor(X)
    assert x.repeat(2, 1).shape == (4, 3)
    np.testing.assert_array_equal(x.repeat(1, 2).numpy()[0], [1, 5, 3, 1, 5, 3])
    assert x[0:1].expand(3, -1).shape == (3, 3)
    assert [t.shape for t in x.split(2, dim=1)] == [(2, 2), (2, 1)]
    assert [t.shape for t in x.split([1, 2], dim=1)] == [(2, 1), (2, 2)]
    assert [t.shape for t in x.chunk(2, dim=1)] == [(2, 2), (2, 1)]
    assert [t.tolist() for t in x.unbind(0)] == X
    np.testing.assert_array_equal(x.index_select(1, [2, 0]).numpy(), [[3, 1], [6, 4]])
    np.testing.assert_array_equal(x.gather(1, [[0, 0], [2, 1]]).numpy(), [[1, 1], [6, 2]])
    values, indices = x.topk(2, dim=1)
    np.testing.assert_array_equal(values.numpy(), [[5, 3], [6, 4]])
    np.testing.assert_array_equal(indices.numpy(), [[1, 2], [2, 0]])
    values, indices = x.sort(dim=1, descending=True)
    np.testing.assert_array_equal(indices.numpy(), [[1, 2, 0], [2, 0, 1]])
    assert mt.tensor([1.0, 2.0]).dot(mt.tensor([3.0, 4.0])).item() == 11.0
    with pytest.raises(ValueError, match="split sizes"):
        x.split([1, 1], dim=1)


def test_new_tensors_take_this_ones_dtype() -> None:
    x = mt.zeros(2, dtype=mt.float64)
    assert x.new_ones(2, 3).dtype == np.float64 and x.new_ones(2, 3).shape == (2, 3)
    assert x.new_zeros((4,)).shape == (4,)
    assert x.new_tensor([1, 2]).dtype == np.float64
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_ones(1, requires_grad=True).requires_grad


def test_augmented_assignment_updates_a_parameter_in_place() -> None:
    w = mt.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    alias = w
    with mt.no_grad():
        alias -= 0.5 * alias.grad  # as "Learning PyTorch with examples" updates parameters
    assert alias is w
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 0.0, 0.0])
    with pytest.raises(RuntimeError, match="in-place"):
        w += 1  # a leaf that requires grad, outside no_grad: PyTorch's error
    y = w * 1.0
    z = y
    y += 1  # a result in the graph: the name now refers to a new node
    assert y is not z and y.requires_grad
    y.sum().backward()


def test_out_keyword_and_top_level_functions() -> None:
    x, y = mt.rand(5, 3), mt.rand(5, 3)
    result = mt.empty(5, 3)
    mt.add(x, y, out=result)
    np.testing.assert_allclose(result.numpy(), x.numpy() + y.numpy())
    assert mt.allclose(mt.mul(x, 2), x + x) and mt.equal(x, x) and mt.is_tensor(x)
    assert mt.numel(x) == 15
    with mt.inference_mode():
        assert not (mt.ones(1, requires_grad=True) * 2).requires_grad


OPS = {
    "sin": lambda t: t.sin(),
    "cos": lambda t: t.cos(),
    "norm": lambda t: t.norm(dim=1),
    "std": lambda t: t.std(dim=0),
    "var": lambda t: t.var(),
    "logsumexp": lambda t: t.logsumexp(1),
    "repeat": lambda t: t.repeat(2, 1, 3),
    "expand": lambda t: t[0:1].expand(3, 4),
    "gather": lambda t: t.gather(1, np.array([[0, 0], [1, 2], [3, 3]])),
    "topk": lambda t: t.topk(2, dim=1).values,
    "sort": lambda t: t.sort(0).values,
    "index_select": lambda t: t.index_select(1, [0, 0, 2]),
    "chunk": lambda t: t.chunk(2, 1)[1],
    "masked_fill": lambda t: t.masked_fill(t.detach().numpy() > 0, 1.0),
    "maximum": lambda t: t.maximum(t * 0.5),
    "amin": lambda t: t.amin(0),
    "cumsum": lambda t: t.cumsum(1),
    "prod": lambda t: t.prod(),
    "prod_dim": lambda t: t.prod(0, keepdim=True),
    "flip": lambda t: t.flip(0, 1),
}


@pytest.mark.parametrize("name", sorted(OPS))
@given(x=distinct_arrays(shape=(3, 4)))
def test_gradcheck(name: str, x: np.ndarray) -> None:
    assert mt.gradcheck(OPS[name], (mt.tensor(x, requires_grad=True),))


@given(st.integers(1, 3), st.integers(1, 3))
def test_repeat_gradient_counts_copies(r0: int, r1: int) -> None:
    x = mt.ones(2, 3, requires_grad=True)
    x.repeat(r0, r1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), r0 * r1))


def test_retain_graph_allows_a_second_backward() -> None:
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()  # d(x.x)/dx = 2x, accumulated twice
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_one_element_tensors_format_as_numbers_and_stay_arrays() -> None:
    loss = mt.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and "{:4f}".format(mt.tensor(2.0)) == "2.000000"
    count = mt.tensor(0)
    count += (mt.tensor([1, 2, 3]) > 1).sum()  # a 0-d result stays a tensor of an array
    count += mt.tensor(2) * 3
    assert count.item() == 8


def test_floor_division_remainder_and_rounding() -> None:
    a = mt.tensor([7.0, -7.0, 5.5])
    np.testing.assert_array_equal((a // 2).numpy(), [3.0, -4.0, 2.0])
    np.testing.assert_array_equal((a % 2).numpy(), [1.0, 1.0, 1.5])  # Python's sign rule
    np.testing.assert_array_equal((mt.tensor([7, 8]) % 3).numpy(), [1, 2])
    np.testing.assert_array_equal((10 // mt.tensor([3, 4])).numpy(), [3, 2])
    np.testing.assert_array_equal(mt.round(mt.tensor([0.5, 1.5, 2.4])).numpy(), [0.0, 2.0, 2.0])
    x = mt.tensor([7.0, 5.0], requires_grad=True)
    (x % 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_factories_take_size_as_a_keyword_and_argmax_takes_axis() -> None:
    assert mt.rand(size=(1, 1, 28, 28), dtype=mt.float32).shape == (1, 1, 28, 28)
    assert mt.zeros(size=(2,)).shape == (2,)
    with pytest.raises(TypeError, match="not both"):
        mt.ones(2, size=(2,))
    assert mt.tensor([[1.0, 3.0, 2.0]]).argmax(axis=1).tolist() == [1]


def test_one_hot_by_hand() -> None:
    np.testing.assert_array_equal(
        mt.functional.one_hot(mt.tensor([2, 0]), 3).numpy(), [[0, 0, 1], [1, 0, 0]]
    )
    assert mt.functional.one_hot(mt.tensor([[1], [3]])).shape == (2, 1, 4)
    with pytest.raises(ValueError, match="in \\[0, 2\\)"):
        mt.functional.one_hot(mt.tensor([2]), 2)
    with pytest.raises(TypeError, match="int64"):
        mt.functional.one_hot(mt.tensor([1.0]))


def test_gradient_clipping_by_norm_and_value() -> None:
    a, b = mt.zeros(2, requires_grad=True), mt.zeros(1, requires_grad=True)
    a.grad, b.grad = mt.tensor([3.0, 0.0]), mt.tensor([4.0])
    total = mt.nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)  # sqrt(3^2 + 4^2)
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [0.8], rtol=1e-5)
    assert mt.nn.utils.clip_grad_norm_([a, b], 10.0).item() == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.0], rtol=1e-5)  # under the limit
    a.grad = mt.tensor([3.0, -5.0])
    mt.nn.utils.clip_grad_value_(a, 1.0)
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, -1.0])


def test_shapes_are_pytorchs_size() -> None:
    x = mt.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.size() == mt.Size([2, 3, 4])
    assert repr(x.size()) == "torch.Size([2, 3, 4])" and str(x.shape) == "torch.Size([2, 3, 4])"
    assert x.shape.numel() == 24 and x.size(1) == 3
    assert repr(x.shape[1:]) == "torch.Size([3, 4])" and x.shape[0] == 2
    assert f"shape {x.shape}" == "shape (2, 3, 4)"  # error messages read as tuples


def test_cumsum_prod_flip_argsort_by_hand() -> None:
    x = mt.tensor([[1.0, 2.0, 3.0], [4.0, 0.0, 6.0]], requires_grad=True)
    np.testing.assert_array_equal(x.cumsum(1).detach().numpy(), [[1, 3, 6], [4, 4, 10]])
    np.testing.assert_array_equal(x.prod(1).detach().numpy(), [6, 0])
    np.testing.assert_array_equal(x.flip(1).detach().numpy(), [[3, 2, 1], [6, 0, 4]])
    np.testing.assert_array_equal(x.argsort(1).numpy(), [[0, 1, 2], [1, 0, 2]])
    x.prod(1).sum().backward()  # the product of the others, also next to a zero
    np.testing.assert_array_equal(x.grad.numpy(), [[6, 3, 2], [0, 24, 0]])


def test_legacy_typed_constructors_and_sampling() -> None:
    assert mt.FloatTensor([1, 2]).dtype == np.float32 and mt.FloatTensor([1, 2]).tolist() == [1, 2]
    assert mt.LongTensor(2, 3).shape == (2, 3) and mt.LongTensor(2, 3).dtype == np.int64
    assert mt.DoubleTensor([0.5]).dtype == np.float64 and isinstance(mt.float32, mt.dtype)
    draws = mt.bernoulli(mt.full((4000,), 0.25), generator=mt.Generator().manual_seed(0))
    assert set(np.unique(draws.numpy())) == {0.0, 1.0} and abs(draws.mean().item() - 0.25) < 0.03
    samples = mt.normal(2.0, 0.5, size=(4000,), generator=mt.Generator().manual_seed(0))
    assert abs(samples.mean().item() - 2.0) < 0.05 and abs(samples.std().item() - 0.5) < 0.05


@pytest.mark.parametrize(
    "values, dtype, text",
    [  # each as PyTorch 2.13 prints it
        ([0.5, 1.0], mt.float32, "tensor([0.5000, 1.0000])"),
        ([1.0, 2.0, 3.0], mt.float32, "tensor([1., 2., 3.])"),
        ([1e-5, 1.0], mt.float32, "tensor([1.0000e-05, 1.0000e+00])"),
        ([np.nan, 1.5, -np.inf], mt.float32, "tensor([   nan, 1.5000,   -inf])"),
        ([-1.23456, 100.5], mt.float32, "tensor([ -1.2346, 100.5000])"),
        ([1, 2, -30], mt.int64, "tensor([  1,   2, -30])"),
        ([True, False], mt.bool, "tensor([ True, False])"),
        ([0.1234, -2.5], mt.float64, "tensor([ 0.1234, -2.5000], dtype=torch.float64)"),
        (2.5, mt.float32, "tensor(2.5000)"),
    ],
)
def test_tensors_print_as_pytorchs(values, dtype, text: str) -> None:
    assert repr(mt.tensor(values, dtype=dtype)) == text


def test_long_tensors_are_summarized_and_wrapped_as_pytorch() -> None:
    text = repr(mt.arange(2000, dtype=mt.float32).reshape(40, 50))
    assert text.startswith("tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01,")
    assert "        ...,\n" in text and all(len(line) <= 80 for line in text.splitlines())
    assert repr(mt.zeros(2, 0)) == "tensor([], size=(2, 0))"


def test_max_sort_and_topk_return_pytorchs_named_tuples() -> None:
    x = mt.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    assert repr(x.max(1)) == (
        "torch.return_types.max(\nvalues=tensor([5., 6.]),\nindices=tensor([1, 2]))"
    )
    values, indices = x.min(dim=0)
    assert values.tolist() == [1.0, 2.0, 3.0] and indices.tolist() == [0, 1, 0]
    assert type(x.sort(1)).__name__ == "sort" and type(x.topk(1)).__name__ == "topk"
    assert x.topk(1, dim=1).indices.tolist() == [[1], [2]]
