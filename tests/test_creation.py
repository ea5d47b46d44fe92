"""The factories and ``Generator`` take PyTorch's arguments and give PyTorch's dtypes.

Read next: ``tests/test_tensor.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import minitorch_cnn as mt


def test_default_dtypes_are_pytorchs() -> None:
    assert mt.zeros(2, 3).dtype == np.float32
    assert mt.ones((2, 3)).shape == (2, 3)
    assert mt.empty(4).dtype == np.float32
    assert mt.rand(2).dtype == np.float32 and mt.randn(2).dtype == np.float32
    assert mt.arange(5).dtype == np.int64
    assert mt.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert mt.full((2,), 3).dtype == np.int64
    assert mt.full((2,), 3.0).dtype == np.float32
    assert mt.full((2,), True).dtype == np.bool_
    assert mt.randint(10, (3,)).dtype == np.int64
    assert mt.randperm(4).dtype == np.int64
    assert mt.linspace(0, 1, 5).dtype == np.float32
    assert mt.eye(3).dtype == np.float32


def test_dtype_device_and_requires_grad_keywords() -> None:
    x = mt.zeros(2, 2, dtype=mt.int64, device="cpu")
    assert x.dtype == np.int64 and x.device == mt.device("cpu")
    y = mt.randn(3, dtype=mt.float64, device=mt.device("cpu"), requires_grad=True)
    assert y.dtype == np.float64 and y.requires_grad
    assert mt.tensor([1, 2], dtype=mt.float32, device="cpu").dtype == np.float32
    assert mt.ones_like(mt.ones(2, dtype=mt.int64)).dtype == np.int64
    assert mt.zeros_like(mt.ones(2), dtype=mt.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        mt.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        mt.tensor([1.0], device="cuda:0")
    with pytest.raises(TypeError, match="floating point"):
        mt.rand(2, dtype=mt.int64)
    with pytest.raises(TypeError):
        mt.tensor([1.0], True)  # as in PyTorch, everything after data is a keyword


def test_values_by_hand() -> None:
    np.testing.assert_array_equal(mt.arange(1, 7, 2).numpy(), [1, 3, 5])
    np.testing.assert_array_equal(mt.arange(3).numpy(), [0, 1, 2])
    np.testing.assert_allclose(mt.linspace(-1, 1, 5).numpy(), [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_array_equal(mt.eye(2, 3).numpy(), [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(mt.full((2, 2), 7.5).numpy(), [[7.5, 7.5], [7.5, 7.5]])
    np.testing.assert_array_equal(mt.full_like(mt.zeros(3), 2).numpy(), [2.0, 2.0, 2.0])
    assert sorted(mt.randperm(6).tolist()) == [0, 1, 2, 3, 4, 5]
    draws = mt.randint(3, 5, (200,)).numpy()
    assert set(np.unique(draws)) == {3, 4}
    assert mt.rand_like(mt.zeros(2, 3)).shape == (2, 3)
    assert mt.randn_like(mt.zeros(2, dtype=mt.float64)).dtype == np.float64


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        mt.zeros(-1)
    with pytest.raises(ValueError, match="step must be nonzero"):
        mt.arange(0, 5, 0)
    with pytest.raises(ValueError, match="high"):
        mt.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="dtype"):
        mt.zeros(2, dtype="complex64")


def test_generator_is_pytorchs_seedable_source() -> None:
    g = mt.Generator()
    assert g.manual_seed(42) is g and g.initial_seed() == 42
    first = mt.randn(5, generator=g).numpy()
    second = mt.randn(5, generator=mt.Generator().manual_seed(42)).numpy()
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(mt.randn(5, generator=g).numpy(), first)  # the stream moves on
    perm = mt.randperm(10, generator=mt.Generator().manual_seed(3)).tolist()
    assert perm == mt.randperm(10, generator=mt.Generator().manual_seed(3)).tolist()
    new_seed = g.seed()
    assert g.initial_seed() == new_seed
    with pytest.raises(RuntimeError, match="CPU only"):
        mt.Generator(device="cuda")
    with pytest.raises(TypeError, match="generator must be"):
        mt.randn(2, generator=0)


def test_manual_seed_makes_the_default_stream_repeat() -> None:
    mt.manual_seed(7)
    a = mt.rand(4).numpy()
    mt.manual_seed(7)
    np.testing.assert_array_equal(mt.rand(4).numpy(), a)
