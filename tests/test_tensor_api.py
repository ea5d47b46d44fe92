"""The Tensor API a PyTorch program uses, against hand-computed values; and the engine's
safety nets (versions of saved tensors, grad mode per thread, nested detect_anomaly)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import minitorch_cnn as torch
from minitorch_cnn import nn, optim


def test_data_and_grad_are_tensors_and_asarray_gives_the_values() -> None:
    w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.grad, torch.Tensor) and isinstance(w.data, torch.Tensor)
    np.testing.assert_array_equal(np.asarray(w.grad), [[2.0, 4.0], [6.0, 8.0]])
    assert np.asarray(w) is w.numpy()
    assert not w.data.requires_grad and np.shares_memory(w.data.numpy(), w.numpy())
    w.data.mul_(10)  # a write through .data changes w
    np.testing.assert_array_equal(w.numpy(), [[10.0, 20.0], [30.0, 40.0]])


def test_hand_written_sgd_update_as_in_the_pytorch_tutorials() -> None:
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    loss = (w * w).sum()  # dL/dw = 2w
    loss.backward()
    with torch.no_grad():
        w -= 0.25 * w.grad  # __isub__ falls back to w = w - ..., a new leaf outside the graph
    np.testing.assert_array_equal(np.asarray(w), [0.5, -1.0])
    w2 = torch.tensor([1.0, -2.0], requires_grad=True)
    (w2 * w2).sum().backward()
    with torch.no_grad():
        w2.sub_(0.25 * w2.grad)
        w2.grad.zero_()
    np.testing.assert_array_equal(np.asarray(w2), [0.5, -1.0])
    np.testing.assert_array_equal(np.asarray(w2.grad), [0.0, 0.0])
    assert w2.requires_grad and w2.is_leaf


def test_in_place_on_a_leaf_that_requires_grad_is_pytorchs_error() -> None:
    w = torch.ones(3, requires_grad=True)
    for update in (lambda: w.add_(1), lambda: w.zero_(), lambda: w.fill_(2), lambda: w.copy_(w)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            update()


def test_a_saved_tensor_changed_in_place_before_backward_is_an_error() -> None:
    """An optimizer step between forward and backward: PyTorch's error, not dy/dx = 100."""
    layer = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        layer.weight.fill_(2.0)
    x = torch.tensor([[3.0]], requires_grad=True)
    y = layer(x)
    with torch.no_grad():
        layer.weight.fill_(100.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    x2 = torch.tensor([[3.0]], requires_grad=True)
    with torch.no_grad():
        layer.weight.fill_(2.0)
    layer(x2).backward()  # unchanged: dy/dx = w = 2
    np.testing.assert_array_equal(np.asarray(x2.grad), [[2.0]])


def test_an_optimizer_step_bumps_the_version() -> None:
    layer = nn.Linear(2, 1)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    out = layer(torch.ones(1, 2))
    out.sum().backward()
    before = layer.weight._version
    y = layer(torch.ones(1, 2, requires_grad=True))
    opt.step()
    assert layer.weight._version > before
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_size_view_permute_transpose_and_friends() -> None:
    x = torch.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.numel() == 24 and x.dim() == 3
    assert x.view(6, 4).shape == (6, 4) and x.view(-1).shape == (24,)
    assert x.view_as(torch.zeros(4, 6)).shape == (4, 6)
    assert x.flatten(1).shape == (2, 12) and torch.flatten(x, 0, 1).shape == (6, 4)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(m.transpose(0, 1).numpy(), [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(m.t().numpy(), [[1.0, 3.0], [2.0, 4.0]])
    assert x.unsqueeze(0).shape == (1, 2, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert torch.zeros(1, 3, 1).squeeze().shape == (3,)
    assert torch.zeros(1, 3, 1).squeeze(0).shape == (3, 1)


def test_max_with_dim_returns_values_and_indices_and_routes_the_gradient() -> None:
    x = torch.tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 3.0]], requires_grad=True)
    values, indices = torch.max(x, 1)
    np.testing.assert_array_equal(values.numpy(), [5.0, 7.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])  # the first maximum, as PyTorch
    assert indices.dtype == np.int64
    values.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [[0, 1, 0], [1, 0, 0]])
    kept = x.max(dim=1, keepdim=True)
    assert kept.values.shape == (2, 1) and kept.indices.shape == (2, 1)
    assert x.argmax(dim=1, keepdim=True).shape == (2, 1) and x.argmax().item() == 3
    assert x.max().item() == 7.0 and x.min().item() == 1.0
    assert torch.min(x, 0).indices.tolist() == [0, 1, 1]


def test_reductions_take_dim_and_keepdim_with_numpy_aliases() -> None:
    x = torch.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.sum(dim=0).numpy(), [3.0, 5.0, 7.0])
    np.testing.assert_array_equal(x.sum(axis=0).numpy(), [3.0, 5.0, 7.0])
    assert x.mean(1, keepdim=True).shape == (2, 1) and x.mean(1, keepdims=True).shape == (2, 1)


def test_comparisons_give_bool_tensors_and_tensors_hash_by_identity() -> None:
    pred = torch.tensor([[2], [1], [0]])
    target = torch.tensor([2, 0, 0])
    correct = pred.eq(target.view_as(pred)).sum().item()
    assert correct == 2 and isinstance(correct, int)
    assert (target == 0).dtype == np.bool_ and (target != 0).tolist() == [True, False, False]
    assert (target < 1).tolist() == [False, True, True]
    assert (target >= 2).tolist() == [True, False, False]
    assert len({pred, target, pred}) == 2


def test_python_conversions_of_one_element_tensors() -> None:
    assert bool(torch.tensor([0.0])) is False and bool(torch.tensor(3.0)) is True
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(torch.tensor([1.0, 1.0]))
    assert int(torch.tensor([7])) == 7 and float(torch.tensor(2.5)) == 2.5
    assert [10, 20, 30][torch.tensor(1)] == 20  # __index__
    with pytest.raises(TypeError, match="integer tensors"):
        [10, 20][torch.tensor(1.0)]
    assert torch.tensor([[1, 2]]).tolist() == [[1, 2]]


def test_dtypes_and_conversions() -> None:
    x = torch.tensor([1.7, -2.2])
    assert x.dtype == torch.float32 and x.double().dtype == torch.float64
    assert x.long().tolist() == [1, -2] and x.long().dtype == torch.int64
    assert x.int().dtype == torch.int32 and x.bool().tolist() == [True, True]
    assert x.type(torch.float64).dtype == np.float64 and x.type() == "torch.FloatTensor"
    assert x.to(torch.float64).dtype == np.float64 and x.to("cpu") is x
    assert torch.tensor([1, 2]).float().dtype == torch.float32
    assert torch.tensor([1, 2]).dtype == torch.long


def test_integer_true_division_gives_float32() -> None:
    i = torch.tensor([1, 2, 3])
    for result, expected in (
        (i / 2, [0.5, 1.0, 1.5]),
        (2 / i, [2.0, 1.0, 2 / 3]),
        (i / i, [1.0] * 3),
    ):
        assert result.dtype == np.float32
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


def test_devices_are_the_cpu_only() -> None:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert str(device) == "cpu" and not torch.accelerator.is_available()
    assert not torch.backends.mps.is_available()
    x = torch.ones(2)
    assert x.to(device) is x and x.cpu() is x and x.device == device
    for bad in (lambda: torch.device("cuda"), lambda: x.cuda(), lambda: x.to("cuda:0")):
        with pytest.raises(RuntimeError, match="runs on the CPU"):
            bad()


def test_grad_fn_names_the_op_and_next_functions_walk_back() -> None:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = ((w * 3.0).sum() - 1.0) * 2.0
    assert loss.grad_fn.name() == "MulBackward0"
    first = loss.grad_fn.next_functions[0][0]
    assert first.name() == "SubBackward0"
    leaf = first.next_functions[0][0].next_functions[0][0].next_functions[0][0]
    assert leaf.name() == "AccumulateGrad" and leaf.variable is w
    assert w.grad_fn is None and "grad_fn=<MulBackward0>" in repr(loss)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_numpy_matrix_input_becomes_a_plain_array() -> None:
    a = torch.tensor(np.matrix([[1.0, 2.0], [3.0, 4.0]]))
    assert type(a.numpy()) is np.ndarray
    np.testing.assert_array_equal((a * a).numpy(), [[1.0, 4.0], [9.0, 16.0]])  # elementwise


def test_requires_grad_must_be_a_bool_and_float() -> None:
    t = torch.tensor([1, 2])
    with pytest.raises(TypeError, match="only floating point"):
        t.requires_grad = True
    with pytest.raises(TypeError, match="must be a bool"):
        torch.tensor([1.0], requires_grad="no")
    with pytest.raises(TypeError, match="must be a bool"):
        torch.ones(1).requires_grad_(1)


def test_numpy_ufuncs_on_tensors() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    doubled = np.float64(2.0) * x
    assert isinstance(doubled, torch.Tensor) and doubled.dtype == np.float32
    assert isinstance(np.ones(2, dtype=np.float32) + x, torch.Tensor)
    np.testing.assert_allclose(np.exp(x), np.exp([1.0, 2.0]), rtol=1e-6)  # an array


def test_grad_mode_is_per_thread() -> None:
    inside, release = threading.Event(), threading.Event()

    def evaluate() -> None:
        with torch.no_grad():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=evaluate)
    worker.start()
    inside.wait(5)
    try:
        w = torch.ones(2, requires_grad=True)
        (w * 2).sum().backward()  # this thread still records while the other is in no_grad
        np.testing.assert_array_equal(np.asarray(w.grad), [2.0, 2.0])
    finally:
        release.set()
        worker.join()


def test_nested_detect_anomaly_keeps_the_outer_block_on() -> None:
    x = torch.tensor([0.0], requires_grad=True)
    with torch.detect_anomaly():
        with torch.detect_anomaly():
            pass
        with pytest.raises(FloatingPointError, match="Log forward"):
            x.log()
    x.log()  # off again outside


def test_no_grad_as_a_decorator_and_set_grad_enabled() -> None:
    @torch.no_grad()
    def evaluate(w: torch.Tensor) -> torch.Tensor:
        return w * 2

    w = torch.ones(2, requires_grad=True)
    assert not evaluate(w).requires_grad and torch.is_grad_enabled()
    with torch.no_grad(), torch.enable_grad():
        assert (w * 2).requires_grad
    with torch.set_grad_enabled(False):
        assert not (w * 2).requires_grad


def test_top_level_functions() -> None:
    a = torch.tensor([[1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[3.0], [4.0]], dtype=torch.float64, requires_grad=True)
    assert torch.cat([a, b.T], dim=0).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert torch.gradcheck(lambda x, y: torch.cat([x, y.T], 1), [a, b])
    assert torch.stack([torch.ones(2), torch.zeros(2)], dim=1).tolist() == [[1, 0], [1, 0]]
    assert torch.arange(3).tolist() == [0, 1, 2] and torch.arange(3).dtype == torch.int64
    assert torch.arange(0, 1, 0.5).dtype == torch.float32
    assert torch.full((2,), 1.5).tolist() == [1.5, 1.5] and torch.full((1,), 2).dtype == torch.int64
    assert torch.zeros_like(a).shape == (1, 2) and torch.ones_like(a).dtype == torch.float64
    r = torch.randint(0, 10, (50,))
    assert r.dtype == torch.int64 and 0 <= r.min().item() and r.max().item() < 10
    arr = np.zeros(3, dtype=np.float32)
    assert torch.from_numpy(arr).numpy() is arr
    assert torch.sum(torch.ones(2, 2), 0).tolist() == [2.0, 2.0]
    assert torch.argmax(torch.tensor([1.0, 3.0, 2.0])).item() == 1
