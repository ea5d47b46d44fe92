"""Numerical safety: huge logits, log(0), float32 against float64, and ``detect_anomaly``.

Every tolerance here is derived, not tuned. The unit roundoff of float32 is u = 2^-24. A sum
of K float32 terms computed in any order is off by at most K*u*sum|terms| (the worst case);
with rounding errors of random sign the error grows like sqrt(K) instead of K, and
``|error| <= lambda * sqrt(K) * u * sum|terms|`` holds with high probability for a small
constant lambda (Higham & Mary, "A new approach to probabilistic rounding error analysis",
2019). The per-entry tolerance for conv and pooling below is that bound with lambda = 2 --
which for the short sums of pooling (K <= 4, plus one rounding per term) is no less than the
worst case -- K the number of terms summed into the entry, and ``sum|terms|`` computed as the
same op run in float64 on the absolute values of its inputs.

Read next: ``tests/test_fuzz_graphs.py``.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn import models, nn, optim
from minitorch_cnn.ops import elementwise

U = 2.0**-24  # unit roundoff of float32


def _assert_within(error: np.ndarray, bound: np.ndarray) -> None:
    """Every entry of ``error`` at most the matching (broadcast) entry of ``bound``."""
    bound = np.broadcast_to(bound, error.shape)
    worst = np.unravel_index(np.argmax(error - bound), error.shape)
    assert (error <= bound).all(), f"error {error[worst]:.3g} > bound {bound[worst]:.3g} at {worst}"


# ----- log_softmax and cross_entropy for huge logits -----------------------------------------


def _log_softmax_reference(z: np.ndarray) -> np.ndarray:
    """log softmax of each row in float64, the sum of exponentials added exactly (math.fsum)."""
    rows = []
    for row in z.astype(np.float64):
        m = row.max()
        rows.append(row - m - math.log(math.fsum(math.exp(v - m) for v in row)))
    return np.array(rows)


LOGITS = {
    "all-near-1e4": [[1e4, 1e4 - 1, 1e4 - 2, 1e4 - 0.5]],
    "all-near-minus-1e4": [[-1e4, -1e4 + 0.5, -1e4 + 3, -1e4]],
    "mixed-signs": [[1e4, -1e4, 0.0, 5e3], [-1e4, 1e4, 1e4, -5e3]],
    "ties-at-1e4": [[1e4, 1e4, 1e4, 1e4]],
    "spread-of-2e38": [[1e38, -1e38, 0.0, 1.0], [-1e38, -1e38 + 1e32, 3e37, -3e37]],
    "random-scale-1e4": np.random.default_rng(0).normal(0, 1e4, (8, 10)),
}


@pytest.mark.parametrize("name", sorted(LOGITS))
def test_log_softmax_is_accurate_for_huge_float32_logits(name: str) -> None:
    z = np.asarray(LOGITS[name], dtype=np.float32)
    K = z.shape[1]
    expected = _log_softmax_reference(z)
    x = mt.tensor(z, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way either
        y = F.log_softmax(x, dim=1)
        upstream = np.random.default_rng(1).standard_normal(z.shape).astype(np.float32)
        y.backward(upstream)
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    # y_j = (z_j - m) - log(sum): the subtraction rounds by u*|z_j - m| <= u*(|y_j| + log K);
    # the log of a sum in [1, K] contributes a few u*log K; 4u covers the roundings.
    _assert_within(np.abs(y.numpy() - expected), 4 * U * (np.abs(expected) + math.log(K) + 1))
    # dL/dz = g - softmax * sum(g): entries of size |g| + sum|g|, each rounded a few times
    softmax = np.exp(expected)
    expected_grad = upstream - softmax * upstream.astype(np.float64).sum(axis=1, keepdims=True)
    scale = np.abs(upstream).sum(axis=1, keepdims=True)
    _assert_within(np.abs(x.grad - expected_grad), 4 * K * U * scale)


@pytest.mark.parametrize("name", sorted(LOGITS))
def test_cross_entropy_gradient_is_softmax_minus_onehot_for_huge_logits(name: str) -> None:
    z = np.asarray(LOGITS[name], dtype=np.float32)
    N, K = z.shape
    targets = np.arange(N) % K
    expected = _log_softmax_reference(z)
    x = mt.tensor(z, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, targets)
        loss.backward()
    picked = expected[np.arange(N), targets]
    assert loss.dtype == np.float32 and np.isfinite(loss.item())
    assert abs(loss.item() + picked.mean()) <= 4 * U * (np.abs(picked).mean() + math.log(K) + 1)
    expected_grad = (np.exp(expected) - np.eye(K)[targets]) / N
    assert np.isfinite(x.grad).all() and x.grad.dtype == np.float32
    _assert_within(np.abs(x.grad - expected_grad), np.full(x.grad.shape, 4 * U))


def test_log_of_zero_is_documented_and_gives_minus_inf_with_an_infinite_gradient() -> None:
    for doc in (inspect.getdoc(elementwise.Log), inspect.getdoc(mt.Tensor.log)):
        assert "-inf" in doc and "0" in doc
    assert "log(0) = -inf" in inspect.getdoc(elementwise.Log)
    assert "gradient at 0 is ``inf``" in inspect.getdoc(elementwise.Log)
    x = mt.tensor(np.array([0.0, -0.0, -1.0, 1.0], dtype=np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's divide/invalid warnings are silenced
        y = x.log()
        y.backward(np.ones(4, dtype=np.float32))
    np.testing.assert_array_equal(y.numpy()[:2], [-np.inf, -np.inf])
    assert np.isnan(y.numpy()[2]) and y.numpy()[3] == 0.0
    np.testing.assert_array_equal(x.grad, [np.inf, -np.inf, -1.0, 1.0])  # 1 / x, signed zero kept


# ----- conv and pooling in float32 against the same op in float64 ----------------------------


def _run(
    op: Callable[..., mt.Tensor], arrays: list[np.ndarray], grad_out: np.ndarray
) -> list[np.ndarray]:
    """[output, gradient of each input] of ``op(*arrays)`` with upstream gradient ``grad_out``."""
    tensors = [mt.tensor(a, requires_grad=True) for a in arrays]
    out = op(*tensors)
    out.backward(grad_out.astype(out.dtype))
    return [out.numpy()] + [t.grad for t in tensors]


def _assert_within_sqrt_k_bound(
    op: Callable[..., mt.Tensor],
    arrays: list[np.ndarray],
    grad_out: np.ndarray,
    terms: list[int],
    linear: bool = True,
) -> None:
    """float32 results of ``op`` within 2 * sqrt(K) * u * sum|terms| of the float64 ones, entry
    by entry, where ``terms[i]`` is K for the output (i = 0) and for each input's gradient.

    Every entry is a sum of products; running the op in float64 on |inputs| and |grad_out|
    gives the same sums of |products| -- for an op linear in each input (``linear``). Max
    pooling is a selection: it keeps its inputs, so that only |grad_out| is routed.
    """
    got = _run(op, arrays, grad_out)
    exact = _run(op, [a.astype(np.float64) for a in arrays], grad_out.astype(np.float64))
    magnitude_inputs = [np.abs(a) if linear else a for a in arrays]
    magnitude = _run(
        op, [a.astype(np.float64) for a in magnitude_inputs], np.abs(grad_out.astype(np.float64))
    )
    for name, g, e, m, K in zip(
        ["output", "grad 0", "grad 1", "grad 2"], got, exact, magnitude, terms
    ):
        assert g.dtype == np.float32, name
        ratio = np.abs(g - e) / (math.sqrt(K) * U * np.abs(m) + np.finfo(np.float64).tiny)
        assert ratio.max() <= 2.0, f"{name}: error {ratio.max():.3g} x sqrt({K}) * u * sum|terms|"


def test_conv2d_float32_agrees_with_float64_on_a_large_input() -> None:
    """64 images of 64 channels, 32x32, 3x3 kernels with padding 1 (K terms per entry):

    output  = sum over C*KH*KW = 576 products (+ the bias)
    grad_x  = sum over F*KH*KW = 576 products (one GEMM over F, then KH*KW slice-adds)
    grad_w  = sum over N*OH*OW = 65536 products
    grad_b  = sum over N*OH*OW = 65536 entries of grad_out

    Measured here, the worst entries reach 0.14, 0.05, 0.001 and 0.0001 times
    sqrt(K) * u * sum|terms| (the tolerance is 2 times): OpenBLAS's blocked GEMM and NumPy's
    pairwise sums beat the naive summation the bound assumes, by far for large K.
    """
    rng = np.random.default_rng(7)
    N, C, H, W, F_, K = 64, 64, 32, 32, 64, 3
    x = rng.standard_normal((N, C, H, W), dtype=np.float32)
    weight = rng.standard_normal((F_, C, K, K), dtype=np.float32) * np.float32(1 / 24)
    bias = rng.standard_normal(F_, dtype=np.float32)
    grad_out = rng.standard_normal((N, F_, H, W), dtype=np.float32)
    terms = [C * K * K + 1, F_ * K * K, N * H * W, N * H * W]
    _assert_within_sqrt_k_bound(
        lambda *t: F.conv2d(*t, padding=1), [x, weight, bias], grad_out, terms
    )


def test_pooling_float32_agrees_with_float64_on_a_large_input() -> None:
    """Overlapping 3x3 windows, stride 2, padding 1 on (64, 32, 28, 28).

    Max pooling selects: its output is exact, and each input's gradient is the sum of the
    upstream gradients of at most 4 windows it wins (K = 4). Average pooling sums K = 9
    entries per window; each input's gradient sums at most 4 windows' shares. Measured: the
    worst entries reach 1.06 (max) and 1.31 (average) times sqrt(K) * u * sum|terms|; short
    sums get no help from averaging, hence lambda = 2.
    """
    rng = np.random.default_rng(8)
    x = rng.standard_normal((64, 32, 28, 28), dtype=np.float32)
    grad_out = rng.standard_normal((64, 32, 14, 14), dtype=np.float32)
    settings = dict(kernel_size=3, stride=2, padding=1)
    out32 = F.max_pool2d(x, **settings).numpy()
    np.testing.assert_array_equal(out32, F.max_pool2d(x.astype(np.float64), **settings).numpy())
    _assert_within_sqrt_k_bound(
        lambda t: F.max_pool2d(t, **settings), [x], grad_out, [1, 4], linear=False
    )
    _assert_within_sqrt_k_bound(lambda t: F.avg_pool2d(t, **settings), [x], grad_out, [9, 4])


# ----- detect_anomaly names the op where a NaN or inf is born ----------------------------------


def _mnist_batch(n: int = 2) -> tuple[mt.Tensor, np.ndarray]:
    rng = np.random.default_rng(3)
    return mt.tensor(rng.standard_normal((n, 1, 28, 28), dtype=np.float32)), rng.integers(0, 10, n)


def test_a_nan_weight_in_a_conv_layer_is_named_at_conv2d_forward() -> None:
    model = models.MNISTConvNet(generator=np.random.default_rng(0))
    model.conv_layers[3].weight.numpy()[5, 2, 1, 1] = np.nan  # the second conv layer
    x, y = _mnist_batch()
    with mt.detect_anomaly():
        shapes = r"\(2, 32, 14, 14\), \(64, 32, 3, 3\), \(64,\)"  # input, weight, bias
        with pytest.raises(FloatingPointError, match=r"^Conv2d forward .*" + shapes):
            F.cross_entropy(model(x), y)
    assert not mt.autograd._GradMode.detect_anomaly  # switched off again after the error


def test_a_nan_pixel_is_caught_at_the_first_layer_of_a_training_step() -> None:
    model = models.SimpleCNN(generator=np.random.default_rng(1))
    x, y = _mnist_batch()
    x.numpy()[1, 0, 5, 5] = np.nan
    with (
        mt.detect_anomaly(),
        pytest.raises(FloatingPointError, match=r"^Conv2d forward .*\(2, 1, 28, 28\)"),
    ):
        F.cross_entropy(model(x), y).backward()


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_overlapping_max_pool_windows_overflowing_in_backward_are_named() -> None:
    # the centre wins all four 2x2 windows; 4 upstream gradients of 2e38 add up to inf
    centre = np.zeros((1, 1, 3, 3), np.float32)
    centre[0, 0, 1, 1] = 1.0
    x = mt.tensor(centre, requires_grad=True)
    with mt.detect_anomaly():
        y = F.max_pool2d(x, 2, stride=1) * 2e38  # (1, 1, 2, 2), every entry 2e38: finite
        with pytest.raises(FloatingPointError, match=r"^MaxPool2d backward .*\(1, 1, 3, 3\)"):
            y.backward(np.ones((1, 1, 2, 2), np.float32))


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_log_in_forward_and_in_backward() -> None:
    with mt.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"^Log forward .*1 of 2 entries.*\(2,\)"):
            mt.tensor([0.0, 1.0], requires_grad=True).log()
        tiny = mt.tensor(np.array([1e-45, 1.0], np.float32), requires_grad=True)  # subnormal
        y = tiny.log()  # finite: log(1e-45) = -103.3
        assert np.isfinite(y.numpy()).all()
        with pytest.raises(FloatingPointError, match=r"^Log backward .*1 of 2 entries"):
            y.sum().backward()  # 1 / 1e-45 overflows float32


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_an_infinite_logit_is_named_at_cross_entropy_forward() -> None:
    logits = mt.tensor(np.array([[np.inf, 0.0], [1.0, 2.0]], np.float32), requires_grad=True)
    with (
        mt.detect_anomaly(),
        pytest.raises(FloatingPointError, match=r"^CrossEntropy forward .*\(2, 2\), \(2,\)"),
    ):
        F.cross_entropy(logits, np.array([0, 1]))


def test_a_healthy_training_step_is_unchanged_by_detect_anomaly() -> None:
    results = []
    for check in (False, True):
        rng = np.random.default_rng(4)
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1, generator=rng),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(4 * 14 * 14, 10, generator=rng),
        )
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x, y = _mnist_batch(4)
        for _ in range(2):
            with mt.detect_anomaly() if check else warnings.catch_warnings():
                loss = F.cross_entropy(model(x), y)
                opt.zero_grad()
                loss.backward()
            opt.step()
        results.append([p.numpy().copy() for p in model.parameters()])
    for without, with_check in zip(*results):
        np.testing.assert_array_equal(without, with_check)
