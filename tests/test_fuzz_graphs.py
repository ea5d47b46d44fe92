"""Fuzzing the engine: random graphs of public ops, every gradient checked by ``gradcheck``.

Hypothesis draws a few leaves (two whose shapes broadcast against each other, a 4-D image
batch, a conv weight and bias), then a chain of steps, each applying one public op to earlier
nodes: ``+ - * / ** @`` between nodes (broadcasting) or with NumPy operands from either side,
``exp log relu neg``, ``sum mean max`` over drawn axes, ``reshape transpose [index]``,
``log_softmax``, ``cross_entropy``, and ``conv2d max_pool2d avg_pool2d`` on 4-D nodes. The
graph's value is the sum of every unused node weighted by a fixed random array, and
``gradcheck`` compares each leaf's gradient with float64 central differences.

Finite differences need smooth functions, so while the graph is drawn every node's value is
computed and each step fixes the constants that keep it smooth *at these inputs*:
a shift making a log argument, a denominator or a power base >= 0.5; an offset moving ReLU
inputs at least 0.125 away from 0; an offset making every entry of a max or max-pool input
0.25 apart (its values become a ladder in their own order, so no tie can flip under a 1e-6 step);
a factor scaling any node larger than 4 back to 4, so ``exp`` and ``**`` stay moderate. The
constants are then frozen: ``gradcheck`` replays exactly the same graph on perturbed leaves.

Read next: ``tests/test_training_memory.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import minitorch_cnn as mt
from minitorch_cnn import functional as F
from minitorch_cnn.testing import arrays, broadcastable_shapes

MARGIN = 0.5  # smallest log argument, denominator and power base
KINK_GAP = 0.25  # smallest distance from a ReLU kink (halved) or between values of a max
BOUND = 4.0  # largest |value| a node keeps


@dataclass(frozen=True)
class Step:
    """One node of the graph: ``op`` applied to the nodes numbered ``args`` with the frozen
    constant ``const``, the result multiplied by ``scale``."""

    op: str
    args: tuple[int, ...]
    const: Any = None
    scale: float = 1.0


OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "@": lambda a, b: a @ b,
}

# op name -> how to compute it from (const, *input tensors)
APPLY: dict[str, Callable[..., mt.Tensor]] = {
    "add": lambda c, a, b: a + b,
    "sub": lambda c, a, b: a - b,
    "mul": lambda c, a, b: a * b,
    "div": lambda c, a, b: a / (b + c),
    "pow": lambda c, a, b: (a + c) ** b,
    "pow_const": lambda c, a: (a + c[0]) ** c[1],
    "matmul": lambda c, a, b: a @ b,
    "gram": lambda c, a: a @ (a.permute(c) if c is not None else a),
    "numpy_left": lambda c, a: OPERATORS[c[0]](c[1], a),  # np.float64(2) * t, array @ t, ...
    "numpy_right": lambda c, a: OPERATORS[c[0]](a, c[1]),
    "exp": lambda c, a: a.exp(),
    "log": lambda c, a: (a + c).log(),
    "relu": lambda c, a: (a + c).relu(),
    "neg": lambda c, a: -a,
    "sum": lambda c, a: a.sum(axis=c[0], keepdims=c[1]),
    "mean": lambda c, a: a.mean(axis=c[0], keepdims=c[1]),
    "max": lambda c, a: (a + c[2]).max(axis=c[0], keepdims=c[1]),
    "reshape": lambda c, a: a.reshape(c),
    "transpose": lambda c, a: a.permute(*c),
    "getitem": lambda c, a: a[c],
    "log_softmax": lambda c, a: F.log_softmax(a, axis=c),
    "cross_entropy": lambda c, a: F.cross_entropy(a, c),
    "conv2d": lambda c, a, w, b: F.conv2d(
        a,
        w[:, : a.shape[1], : c["kernel"][0], : c["kernel"][1]],
        b if c["bias"] else None,
        stride=c["stride"],
        padding=c["padding"],
        dilation=c["dilation"],
    ),
    "max_pool2d": lambda c, a: F.max_pool2d(a + c[3], c[0], c[1], c[2]),
    "avg_pool2d": lambda c, a: F.avg_pool2d(a, c[0], c[1], c[2]),
}


def apply(step: Step, nodes: list[mt.Tensor]) -> mt.Tensor:
    out = APPLY[step.op](step.const, *(nodes[i] for i in step.args))
    return out if step.scale == 1.0 else out * step.scale


# ----- drawing the constants that keep each step smooth ----------------------------------------


def _shift_to_margin(value: np.ndarray) -> float:
    """A constant c with value + c >= MARGIN everywhere (0 when it already is)."""
    return float(max(0.0, MARGIN - value.min()))


def _away_from_zero(value: np.ndarray) -> np.ndarray:
    """An offset moving entries within KINK_GAP / 2 of 0 to +-KINK_GAP / 2."""
    near = np.abs(value) < KINK_GAP / 2
    return np.where(near, np.where(value < 0, -KINK_GAP / 2, KINK_GAP / 2) - value, 0.0)


def _distinct(value: np.ndarray) -> np.ndarray | float:
    """An offset making all entries at least KINK_GAP apart: a ladder in the entries' order."""
    flat = np.sort(value.ravel())
    if flat.size < 2 or np.diff(flat).min() >= KINK_GAP:
        return 0.0
    ranks = np.argsort(np.argsort(value.ravel(), kind="stable"), kind="stable")
    ladder = KINK_GAP * (ranks - value.size / 2)
    return ladder.reshape(value.shape) - value


def _axis(draw: st.DrawFn, ndim: int) -> int | tuple[int, ...] | None:
    """None, one axis (maybe negative) or a tuple of distinct axes."""
    kind = draw(st.sampled_from(["none", "int", "tuple"])) if ndim else "none"
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))


def _new_shape(draw: st.DrawFn, size: int) -> tuple[int, ...]:
    """A shape with ``size`` entries: its prime factors dealt to 1-4 axes, maybe one as -1."""
    factors, rest, p = [], size, 2
    while rest > 1:
        while rest % p == 0:
            factors.append(p)
            rest //= p
        p += 1
    ndim = draw(st.integers(1, 4))
    dims = [1] * ndim
    for factor in factors:
        dims[draw(st.integers(0, ndim - 1))] *= factor
    if draw(st.booleans()):
        dims[draw(st.integers(0, ndim - 1))] = -1
    return tuple(dims)


def _index(draw: st.DrawFn, shape: tuple[int, ...]) -> Any:
    """An int, slice, None/Ellipsis mix, int array (repeats allowed) or bool mask for axis 0."""
    n = shape[0]
    kind = draw(st.sampled_from(["int", "slice", "mixed", "int_array", "bool_mask"]))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        start, step = draw(st.integers(0, n - 1)), draw(st.sampled_from([1, 2, -1]))
        return slice(start, None, step)
    if kind == "mixed":
        return (Ellipsis, None, slice(None, None, -1)) if len(shape) > 1 else (None, Ellipsis)
    if kind == "int_array":
        return np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)))
    mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    mask[draw(st.integers(0, n - 1))] = True  # at least one entry is kept
    return np.array(mask)


def _conv_axis(draw: st.DrawFn, size: int) -> tuple[int, int, int, int]:
    """(kernel, stride, padding, dilation) for one axis of length ``size``, the kernel fitting."""
    padding, dilation = draw(st.integers(0, 1)), draw(st.integers(1, 2))
    kernel = draw(st.integers(1, min(3, (size + 2 * padding - 1) // dilation + 1)))
    return kernel, draw(st.integers(1, 2)), padding, dilation


def _pool_settings(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    kernel = tuple(draw(st.integers(1, min(3, size))) for size in shape[2:])
    stride = tuple(draw(st.integers(1, 2)) for _ in range(2))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    return kernel, stride, padding


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _matmul_fits(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    if not a or not b or a[-1] != (b[-2] if len(b) > 1 else b[0]):
        return False
    return _broadcasts(a[:-2], b[:-2])


def _applicable(op: str, a: mt.Tensor, nodes: list[mt.Tensor]) -> bool:
    """Whether ``op`` can take node ``a`` as its (first) input."""
    if op in ("getitem", "gram", "log_softmax"):
        return a.ndim >= 1
    if op == "matmul":
        return any(_matmul_fits(a.shape, n.shape) for n in nodes)
    if op == "cross_entropy":
        return a.ndim == 2
    if op in ("max_pool2d", "avg_pool2d"):
        return a.ndim == 4
    if op == "conv2d":
        return a.ndim == 4 and a.shape[1] <= 3  # the weight leaf has 3 input channels
    return True


def draw_step(
    draw: st.DrawFn,
    nodes: list[mt.Tensor],
    leaves: dict[str, int],
    op: str | None = None,
    index: int | None = None,
) -> Step:
    """An op (``op`` if given) and an input it applies to (node ``index`` if given), with the
    constants that keep it smooth there."""
    if op is None:
        usable = [op for op in APPLY if any(_applicable(op, n, nodes) for n in nodes)]
        op = draw(st.permutations(usable))[0]  # near uniform (sampled_from favours the first)
    if index is None:
        candidates = [i for i, n in enumerate(nodes) if _applicable(op, n, nodes)][::-1]
        index = draw(st.sampled_from(candidates))  # shrinks to the newest node: deep chains
    a = nodes[index]
    value = a.numpy()
    if op in ("add", "sub", "mul", "div", "pow"):
        partners = [i for i, n in enumerate(nodes) if _broadcasts(a.shape, n.shape)]
        other = draw(st.sampled_from(partners))
        const = {"div": _shift_to_margin(nodes[other].numpy()), "pow": _shift_to_margin(value)}.get(
            op
        )
        return Step(op, (index, other), const)
    if op == "matmul":
        partners = [i for i, n in enumerate(nodes) if _matmul_fits(a.shape, n.shape)]
        return Step(op, (index, draw(st.sampled_from(partners))))
    if op == "gram":  # a @ a.T for a matrix (stack), a @ a for a vector
        perm = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2) if a.ndim >= 2 else None
        return Step(op, (index,), perm)
    if op in ("numpy_left", "numpy_right"):
        symbol = draw(st.sampled_from(["+", "-", "*", "/", "@"] if a.ndim else ["+", "-", "*"]))
        if symbol == "/" and op == "numpy_left":
            symbol = "*"  # a node as denominator needs a shift: that is "div"
        if symbol == "@":
            inner = a.shape[-1] if op == "numpy_right" else a.shape[-2 if a.ndim > 1 else 0]
            shape = (inner, 2) if op == "numpy_right" else (2, inner)
        else:  # a NumPy scalar, 0-d array or an array broadcasting against a's last axes
            shape = draw(st.sampled_from([(), a.shape[-1:], (1,) + a.shape[-1:]]))
        operand = draw(arrays(shape, np.float64, min_value=0.5, max_value=2.0))
        if shape == () and draw(st.booleans()):
            operand = np.float64(operand)  # a NumPy scalar, not a 0-d array
        return Step(op, (index,), (symbol, operand))
    if op == "pow_const":
        exponent = draw(st.sampled_from([-1.5, -1, 0.5, 2, 3]))
        return Step(op, (index,), (_shift_to_margin(value), exponent))
    if op == "log":
        return Step(op, (index,), _shift_to_margin(value))
    if op == "relu":
        return Step(op, (index,), _away_from_zero(value))
    if op in ("sum", "mean"):
        return Step(op, (index,), (_axis(draw, a.ndim), draw(st.booleans())))
    if op == "max":
        return Step(op, (index,), (_axis(draw, a.ndim), draw(st.booleans()), _distinct(value)))
    if op == "reshape":
        return Step(op, (index,), _new_shape(draw, a.numel()))
    if op == "transpose":
        return Step(op, (index,), tuple(draw(st.permutations(range(a.ndim)))) if a.ndim else ())
    if op == "getitem":
        return Step(op, (index,), _index(draw, a.shape))
    if op == "log_softmax":
        return Step(op, (index,), draw(st.integers(-a.ndim, a.ndim - 1)))
    if op == "cross_entropy":
        N, K = a.shape
        targets = draw(st.lists(st.integers(0, K - 1), min_size=N, max_size=N))
        return Step(op, (index,), np.array(targets))
    if op == "conv2d":
        (kh, sh, ph, dh), (kw, sw, pw, dw) = (_conv_axis(draw, size) for size in a.shape[2:])
        const = dict(
            kernel=(kh, kw),
            stride=(sh, sw),
            padding=(ph, pw),
            dilation=(dh, dw),
            bias=draw(st.booleans()),
        )
        return Step(op, (index, leaves["weight"], leaves["bias"]), const)
    if op == "max_pool2d":
        return Step(op, (index,), _pool_settings(draw, a.shape) + (_distinct(value),))
    if op == "avg_pool2d":
        return Step(op, (index,), _pool_settings(draw, a.shape))
    return Step(op, (index,))  # exp, neg


@st.composite
def graphs(
    draw: st.DrawFn, start: str | None = None
) -> tuple[list[np.ndarray], list[Step], list[np.ndarray | None]]:
    """(leaf arrays, steps, output weights): a random graph, smooth at its leaves; ``start``
    names an op applied to the image batch first (else the first op is drawn too)."""
    shape_a, shape_b = draw(broadcastable_shapes(max_dims=3, max_side=3))
    image_shape = tuple(draw(st.integers(lo, hi)) for lo, hi in ((1, 2), (1, 2), (2, 5), (2, 5)))
    leaf_shapes = [shape_a, shape_b, image_shape, (2, 3, 3, 3), (2,)]
    leaves = [draw(arrays(shape, np.float64, -2.0, 2.0)) for shape in leaf_shapes]
    names = {"weight": 3, "bias": 4}
    with mt.no_grad():
        nodes = [mt.tensor(leaf) for leaf in leaves]
        steps = []
        for number in range(draw(st.integers(3, 8))):
            first = start is not None and number == 0
            step = draw_step(draw, nodes, names, start if first else None, 2 if first else None)
            out = apply(step, nodes)
            largest = float(np.abs(out.numpy()).max()) if out.numel() else 0.0
            if largest > BOUND:
                step = Step(step.op, step.args, step.const, BOUND / largest)
                out = apply(step, nodes)
            steps.append(step)
            nodes.append(out)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    used = {i for step in steps for i in step.args}
    weights = [
        rng.standard_normal(node.shape) if i not in used else None
        for i, node in enumerate(nodes[len(leaves) :], start=len(leaves))
    ]
    return leaves, steps, weights


def replay(
    leaves: list[mt.Tensor], steps: list[Step], weights: list[np.ndarray | None]
) -> mt.Tensor:
    """The graph's value: the sum of each unused node times its fixed weight array."""
    nodes = list(leaves)
    for step in steps:
        nodes.append(apply(step, nodes))
    total = mt.tensor(np.float64(0.0))
    for node, weight in zip(nodes[len(leaves) :], weights):
        if weight is not None:
            total = total + (node * weight).sum()
    return total


def _check(graph: tuple[list[np.ndarray], list[Step], list[np.ndarray | None]]) -> None:
    leaf_arrays, steps, weights = graph
    for step in steps:
        note(f"{step.op} of nodes {step.args}, const {step.const!r}, scale {step.scale:.3g}")
    used = {i for step in steps for i in step.args}
    leaves = [mt.tensor(a, requires_grad=i in used) for i, a in enumerate(leaf_arrays)]
    assert mt.gradcheck(lambda *t: replay(list(t), steps, weights), leaves)


@given(graphs())
def test_random_graphs_have_correct_gradients(graph: tuple) -> None:
    _check(graph)


@pytest.mark.parametrize("start", ["conv2d", "max_pool2d", "avg_pool2d"])
@settings(max_examples=30)
@given(data=st.data())
def test_random_graphs_through_conv_and_pooling(start: str, data: st.DataObject) -> None:
    """The same, starting with ``start`` on the image batch: a 4-D node early in every graph."""
    _check(data.draw(graphs(start)))


def test_the_constants_keep_kinks_and_poles_away() -> None:
    """The smoothing offsets do what the module docstring says, on hand-made values."""
    value = np.array([[0.01, -0.02, 1.0], [0.3, 0.3, -5.0]])
    assert (value + _shift_to_margin(value)).min() == MARGIN
    assert _shift_to_margin(value + 10) == 0.0
    moved = value + _away_from_zero(value)
    assert np.abs(moved).min() >= KINK_GAP / 2 and moved[0, 1] < 0 and moved[1, 2] == -5.0
    ladder = np.sort((value + _distinct(value)).ravel())
    assert np.diff(ladder).min() >= KINK_GAP - 1e-12
    np.testing.assert_array_equal(
        np.argsort(value.ravel(), kind="stable"),
        np.argsort((value + _distinct(value)).ravel(), kind="stable"),
    )
    assert _distinct(np.array([0.0, 1.0, -1.0])) == 0.0  # already apart: left alone
