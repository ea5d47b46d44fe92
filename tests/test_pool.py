"""max_pool2d and avg_pool2d: against the loop oracles, finite differences and hand examples.

Read next: ``tests/test_testing.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from hypothesis import given
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn.testing import (
    Pool2dConfig,
    arrays,
    distinct_arrays,
    memory_layouts,
    pool2d_configs,
)

TOLERANCE = {
    np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6),
    np.dtype(np.float64): dict(rtol=1e-12, atol=1e-12),
}
# (op, reference forward, reference backward taking (x, grad_out, kernel, stride, padding))
POOLS = {
    "max": (F.max_pool2d, ref.max_pool2d, ref.max_pool2d_backward),
    "avg": (
        F.avg_pool2d,
        ref.avg_pool2d,
        lambda x, *settings, **options: ref.avg_pool2d_backward(x.shape, *settings, **options),
    ),
}


def _mentions(*patterns: str) -> str:
    """A regex matching a message that contains every pattern, in any order."""
    return "(?s)" + "".join(f"(?=.*(?:{p}))" for p in patterns)


def _as_ints(draw: st.DrawFn, kwargs: dict) -> dict:
    """The same settings with each equal (h, w) pair passed as an int or not, as drawn."""
    return {
        name: value[0]
        if isinstance(value, tuple) and value[0] == value[1] and draw(st.booleans())
        else value
        for name, value in kwargs.items()
    }


@st.composite
def _pool_case(
    draw: st.DrawFn,
    elements: st.SearchStrategy | None = None,
    kind: str | None = None,
    **bounds: int,
) -> tuple:
    """A config, an input in a drawn memory layout, F's keyword arguments (int forms drawn
    for equal pairs) and a random upstream gradient."""
    cfg: Pool2dConfig = draw(
        st.booleans().flatmap(lambda square: pool2d_configs(square=square, kind=kind, **bounds))
    )
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = draw(elements(cfg.input_shape, dtype) if elements else arrays(cfg.input_shape, dtype))
    x = draw(memory_layouts(x))
    grad_out = draw(arrays(cfg.output_shape, dtype))
    return cfg, x, _as_ints(draw, cfg.kwargs), grad_out


def _reference_options(cfg: Pool2dConfig, kind: str) -> dict:
    """The reference's keyword options for a config of ``kind``."""
    if kind == "max":
        return dict(dilation=cfg.dilation, ceil_mode=cfg.ceil_mode)
    return dict(
        ceil_mode=cfg.ceil_mode,
        count_include_pad=cfg.count_include_pad,
        divisor_override=cfg.divisor_override,
    )


def _check_against_reference(kind: str, case: tuple) -> None:
    cfg, x, kwargs, grad_out = case
    pool, reference, reference_backward = POOLS[kind]
    settings = (cfg.kernel_size, cfg.effective_stride, cfg.padding)
    options = _reference_options(cfg, kind)
    x_t = mt.Tensor(x, requires_grad=True)
    if kind == "max" and ref.has_empty_window(cfg.input_shape, *settings, **options):
        # dilated taps that all miss the input: PyTorch returns -inf and an index outside
        # the input there; this package refuses
        with pytest.raises(ValueError, match="at least one input pixel"):
            pool(x_t, **kwargs)
        return
    out = pool(x_t, **kwargs)
    assert out.shape == cfg.output_shape
    shape_options = {k: v for k, v in options.items() if k in ("dilation", "ceil_mode")}
    assert out.shape == ref.pool2d_output_shape(cfg.input_shape, *settings, **shape_options)
    assert out.dtype == x.dtype
    expected = reference(x, *settings, **options)
    np.testing.assert_allclose(out.numpy(), expected, **TOLERANCE[x.dtype])
    (out * mt.Tensor(grad_out)).sum().backward()
    assert x_t.grad.dtype == x.dtype
    np.testing.assert_allclose(
        x_t.grad, reference_backward(x, grad_out, *settings, **options), **TOLERANCE[x.dtype]
    )
    if kind == "max":  # the winners' flat indices, as PyTorch reports them
        _, indices = pool(mt.Tensor(x), **kwargs, return_indices=True)
        assert indices.dtype == np.int64
        expected_indices = ref.max_pool2d_indices(x, *settings, **options)
        np.testing.assert_array_equal(indices.numpy(), expected_indices)


@given(_pool_case())
def test_max_pool2d_matches_reference(case: tuple) -> None:
    _check_against_reference("max", case)


@given(_pool_case(elements=lambda shape, dtype: arrays(shape, dtype).map(np.round)))
def test_max_pool2d_ties_match_reference(case: tuple) -> None:
    """Integer-valued inputs tie often: each window's gradient goes whole to its first max."""
    _check_against_reference("max", case)


@given(_pool_case(elements=lambda shape, dtype: arrays(shape, dtype, max_value=-0.5)))
def test_max_pool2d_padding_never_wins(case: tuple) -> None:
    """All-negative input with zero-looking padding: the max still comes from real entries."""
    _check_against_reference("max", case)
    cfg, x, kwargs, _ = case
    assert (F.max_pool2d(mt.Tensor(x), **kwargs).numpy() <= -0.5).all()


@given(_pool_case())
def test_avg_pool2d_matches_reference(case: tuple) -> None:
    _check_against_reference("avg", case)


@given(_pool_case(kind="max"))
def test_max_pool2d_options_match_reference(case: tuple) -> None:
    """Dilation and ceil_mode, drawn together, and the indices of return_indices."""
    _check_against_reference("max", case)


@given(_pool_case(kind="max", elements=lambda shape, dtype: arrays(shape, dtype).map(np.round)))
def test_max_pool2d_options_ties_match_reference(case: tuple) -> None:
    _check_against_reference("max", case)


def _mostly_minus_inf(shape: tuple, dtype: type) -> st.SearchStrategy:
    """Values below 1 become -inf: many windows hold nothing else."""
    return arrays(shape, dtype).map(lambda a: np.where(a < 1, -np.inf, a).astype(dtype))


@given(_pool_case(kind="max", elements=_mostly_minus_inf, max_kernel=5, max_side=9))
def test_max_pool2d_windows_of_minus_inf_keep_their_first_real_pixel(case: tuple) -> None:
    """With padding and dilation, a window of -inf is won by its first real tap (PyTorch's
    rule), whichever tap of the dilated kernel that is (padding 2 and dilation 2 tell
    ceil(2 / 2) = 1 from 2: kernels up to 5)."""
    with np.errstate(invalid="ignore"):  # -inf * 0 in the test's own sum
        _check_against_reference("max", case)


@given(_pool_case(kind="avg"))
def test_avg_pool2d_options_match_reference(case: tuple) -> None:
    """ceil_mode, count_include_pad and divisor_override, drawn together."""
    _check_against_reference("avg", case)


@given(_pool_case(kind="max", elements=distinct_arrays, max_batch=1, max_channels=2, max_side=5))
def test_max_pool2d_options_gradcheck(case: tuple) -> None:
    cfg, x, kwargs, _ = case
    options = _reference_options(cfg, "max")
    settings = (cfg.kernel_size, cfg.effective_stride, cfg.padding)
    if ref.has_empty_window(cfg.input_shape, *settings, **options):
        with pytest.raises(ValueError, match="at least one input pixel"):
            F.max_pool2d(mt.Tensor(x), **kwargs)
    else:
        assert mt.gradcheck(lambda x: F.max_pool2d(x, **kwargs), [mt.Tensor(x, requires_grad=True)])


@given(_pool_case(kind="avg", max_batch=1, max_channels=2, max_side=5))
def test_avg_pool2d_options_gradcheck(case: tuple) -> None:
    cfg, x, kwargs, _ = case
    assert mt.gradcheck(lambda x: F.avg_pool2d(x, **kwargs), [mt.Tensor(x, requires_grad=True)])


@given(_pool_case(elements=distinct_arrays, max_batch=1, max_channels=2, max_side=5))
def test_max_pool2d_gradcheck(case: tuple) -> None:
    cfg, x, kwargs, _ = case
    assert mt.gradcheck(lambda x: F.max_pool2d(x, **kwargs), [mt.Tensor(x, requires_grad=True)])


@given(_pool_case(max_batch=1, max_channels=2, max_side=5))
def test_avg_pool2d_gradcheck(case: tuple) -> None:
    cfg, x, kwargs, _ = case
    assert mt.gradcheck(lambda x: F.avg_pool2d(x, **kwargs), [mt.Tensor(x, requires_grad=True)])


# ----- hand-computed examples ---------------------------------------------------------------


def _image(rows: list[list[float]]) -> mt.Tensor:
    return mt.tensor(np.array(rows, dtype=np.float32)[None, None], requires_grad=True)


def test_chapter_max_pool_of_1_to_16() -> None:
    x = _image([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]])
    out = F.max_pool2d(x, 2)  # stride defaults to the kernel size
    np.testing.assert_array_equal(out.numpy()[0, 0], [[6, 8], [14, 16]])
    # mean of each 2x2 block: (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, ...
    np.testing.assert_array_equal(F.avg_pool2d(x, 2).numpy()[0, 0], [[3.5, 5.5], [11.5, 13.5]])
    out.sum().backward()
    np.testing.assert_array_equal(
        x.grad[0, 0], [[0, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]]
    )


def test_overlapping_windows_accumulate_gradients() -> None:
    # the centre 9 is the max of all four 2x2 windows (stride 1): it collects all four grads
    x = _image([[1, 2, 3], [4, 9, 5], [6, 7, 8]])
    out = F.max_pool2d(x, 2, stride=1)
    np.testing.assert_array_equal(out.numpy()[0, 0], [[9, 9], [9, 9]])
    (out * mt.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])).sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 0, 0], [0, 10, 0], [0, 0, 0]])
    # average: each entry gets 1/4 of every window covering it (corners 1, edges 2, centre 4)
    y = _image([[1, 2, 3], [4, 9, 5], [6, 7, 8]])
    F.avg_pool2d(y, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(
        y.grad[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    )


def test_max_pool_ties_route_to_the_first_in_row_major_order() -> None:
    # 5 at (0, 1) and (1, 0): (0, 1) comes first in row-major order; a window of zeros
    # (common after ReLU) sends its gradient to its top-left entry
    x = _image([[0, 5, 0, 0], [5, 1, 0, 0]])
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 1, 1, 0], [0, 0, 0, 0]])


def test_max_pool_padding_never_wins_by_hand() -> None:
    x = _image([[-1, -2], [-3, -4]])
    out = F.max_pool2d(x, 2, stride=1, padding=1)
    # window (i, j) covers rows i-1..i and columns j-1..j of x; only real entries compete
    np.testing.assert_array_equal(out.numpy()[0, 0], [[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[4, 2], [2, 1]])


def test_avg_pool_counts_padding() -> None:
    x = _image([[1, 1], [1, 1]])
    out = F.avg_pool2d(x, 2, stride=1, padding=1)
    # corner windows hold one real 1 and three padding zeros: 1/4
    np.testing.assert_array_equal(
        out.numpy()[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    )


def test_pool_stride_defaults_to_kernel_size() -> None:
    x = mt.tensor(np.arange(2 * 3 * 7 * 5, dtype=np.float32).reshape(2, 3, 7, 5))
    for pool in (F.max_pool2d, F.avg_pool2d):
        default = pool(x, (3, 2))
        assert default.shape == (2, 3, 2, 2)  # floor(7 / 3) = 2, floor(5 / 2) = 2
        np.testing.assert_array_equal(default.numpy(), pool(x, (3, 2), stride=(3, 2)).numpy())


# ----- bad arguments ------------------------------------------------------------------------


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
@pytest.mark.parametrize(
    "shape, kwargs, error, patterns",
    [
        ((6, 6), {"kernel_size": 2}, ValueError, ["3-D", "4-D", r"\(6, 6\)"]),
        ((1, 1, 6, 6), {"kernel_size": 0}, ValueError, ["kernel", r"\b0\b"]),
        ((1, 1, 6, 6), {"kernel_size": 2, "stride": 0}, ValueError, ["stride", r"\b0\b"]),
        ((1, 1, 6, 6), {"kernel_size": 2, "padding": -1}, ValueError, ["padding", "-1"]),
        # PyTorch's rule: padding at most kernel_size // 2 (here 4 // 2 = 2 < 3)
        (
            (1, 1, 6, 6),
            {"kernel_size": 4, "padding": 3},
            ValueError,
            ["padding", r"\b3\b", r"\b2\b|\b4\b"],
        ),
        # kernel 5 larger than the padded input 3 + 2*0
        ((1, 1, 3, 8), {"kernel_size": 5}, ValueError, [r"\b5\b", r"\b3\b"]),
        ((1, 1, 6, 6), {"kernel_size": 2.0}, TypeError, ["kernel", "float|2.0"]),
    ],
)
def test_pool_rejects_bad_arguments(
    pool: object, shape: tuple, kwargs: dict, error: type, patterns: list[str]
) -> None:
    with pytest.raises(error, match=_mentions(*patterns)):
        pool(mt.zeros(*shape), **kwargs)


def test_a_nan_in_a_window_is_its_max_and_takes_the_gradient() -> None:
    """PyTorch's rule: a NaN wins (the last one, scanning row-major), the output is NaN."""
    x = np.array([[[[1.0, np.nan], [5.0, np.nan]]]], dtype=np.float32)
    leaf = mt.tensor(x, requires_grad=True)
    out = F.max_pool2d(leaf, 2)
    assert np.isnan(out.item())
    out.sum().backward()
    np.testing.assert_array_equal(np.asarray(leaf.grad), [[[[0.0, 0.0], [0.0, 1.0]]]])
    y = np.array([[[[np.nan, 1.0, 2.0, 3.0]]]], dtype=np.float32)  # np.fmax would say 3
    assert np.isnan(F.max_pool2d(mt.tensor(y), (1, 4)).item())


def test_a_padded_window_of_minus_inf_sends_its_gradient_to_the_first_real_pixel() -> None:
    """4x5 input of -inf, k=3, s=1, p=1: every one of the 20 windows sends 1 to a real pixel
    (PyTorch: the window's first real pixel), none into the padding."""
    leaf = mt.tensor(np.full((1, 1, 4, 5), -np.inf, dtype=np.float32), requires_grad=True)
    F.max_pool2d(leaf, 3, stride=1, padding=1).sum().backward()
    grad = np.asarray(leaf.grad)[0, 0]
    assert grad.sum() == 20
    expected = np.zeros((4, 5))
    for oh in range(4):
        for ow in range(5):
            expected[max(0, oh - 1), max(0, ow - 1)] += 1  # first real pixel of window (oh, ow)
    np.testing.assert_array_equal(grad, expected)
