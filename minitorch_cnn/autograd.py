"""Reverse-mode automatic differentiation: the graph, ``Function`` and ``backward``.

Read this file first. It teaches the whole idea of autograd in four pieces:

1. ``Function`` -- an operation written as a pair of NumPy routines, ``forward`` (arrays in,
   array out) and ``backward`` (dL/d(output) in, one dL/d(input) per input out).
   ``Function.apply`` runs ``forward`` on the inputs' arrays and, when gradients are wanted,
   records a ``Context`` on the result: which function made it, from which tensors, and
   whatever ``forward`` saved for ``backward``.
2. ``unbroadcast`` -- NumPy broadcasting copies an input along new or length-1 axes; the
   gradient of a copy is the sum of the copies' gradients. The engine (not each op) sums every
   gradient back to its input's shape, so ops stay short.
3. ``backward`` -- visits the recorded graph in reverse topological order (computed
   iteratively, so a 10,000-op chain needs no recursion), hands each node the gradient
   accumulated from all of its uses, and adds the results into the leaves' ``.grad``.
4. ``no_grad`` -- a switch that stops ``apply`` from recording anything.

Two safety nets: ``detect_anomaly`` is a debugging switch that checks every forward and
backward result for NaN/inf and names the first op that produced one; and every tensor has a
*version*, bumped by each in-place change, so a backward whose saved input was changed after
its forward (an ``optimizer.step()`` between forward and backward) is an error instead of a
silently wrong gradient.

Read next: ``tensor/core.py`` (the ``Tensor`` class whose methods call the ops).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


class _GradMode(threading.local):
    """The switches read by ``Function.apply``, one set per thread (as in PyTorch): a
    ``no_grad`` block in one thread never stops another thread from recording."""

    enabled: bool = True
    detect_anomaly: bool = False


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Return True when operations record the graph (outside ``no_grad``)."""
    return _mode.enabled


@contextlib.contextmanager
def set_grad_enabled(mode: bool) -> Iterator[None]:
    """Context manager (or decorator) that records the graph inside when ``mode`` is True
    and records nothing when it is False; the previous setting comes back on exit."""
    if not isinstance(mode, bool):
        raise TypeError(f"set_grad_enabled takes a bool, got {type(mode).__name__}")
    previous = _mode.enabled
    _mode.enabled = mode
    try:
        yield
    finally:
        _mode.enabled = previous


def no_grad() -> contextlib.AbstractContextManager:
    """Context manager (or decorator, ``@no_grad()``) inside which no graph is recorded.

    Results computed inside have ``requires_grad=False`` and keep no reference to their
    inputs, so evaluation loops use no memory for backward.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> w = mt.tensor([1.0, 2.0], requires_grad=True)
    >>> with mt.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    return set_grad_enabled(False)


def enable_grad() -> contextlib.AbstractContextManager:
    """Context manager that records the graph again inside a ``no_grad`` block."""
    return set_grad_enabled(True)


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Context manager that raises at the first op producing NaN or inf.

    Inside it, every ``Function.forward`` result and every gradient returned by a
    ``Function.backward`` is checked with ``np.isfinite``. The first non-finite value raises a
    ``FloatingPointError`` naming the op, the pass (forward or backward) and the shapes of its
    inputs, which is where a NaN is born rather than where it is finally noticed.

    Examples
    --------
    >>> import minitorch_cnn as mt
    >>> x = mt.tensor([0.0, 1.0], requires_grad=True)
    >>> with mt.detect_anomaly():
    ...     y = x.log()          # log(0) = -inf is produced here
    Traceback (most recent call last):
    ...
    FloatingPointError: Log forward produced non-finite values (1 of 2 entries) from inputs of shape (2,)
    """
    previous = _mode.detect_anomaly
    _mode.detect_anomaly = True
    try:
        yield
    finally:
        _mode.detect_anomaly = previous


def _check_finite(name: str, stage: str, array: np.ndarray, shapes: list) -> None:
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        bad = int(array.size - np.count_nonzero(np.isfinite(array)))
        shape_text = ", ".join(str(tuple(s)) for s in shapes)
        raise FloatingPointError(
            f"{name} {stage} produced non-finite values ({bad} of {array.size} entries) "
            f"from inputs of shape {shape_text}"
        )


class Context:
    """What one recorded op remembers between its forward and its backward.

    It is also the tensor's ``grad_fn`` (as in PyTorch): ``loss.grad_fn`` names the op that
    made ``loss``, and ``next_functions`` leads on to the ops (or leaves) that made its inputs.

    Attributes
    ----------
    function : type[Function]
        The op that produced the output.
    parents : tuple[Tensor, ...]
        The op's tensor inputs, in order; the graph's edges.
    needs_input_grad : tuple[bool, ...]
        Whether each input requires a gradient, so ``backward`` can skip work.
    saved : tuple
        What ``forward`` stored with ``save_for_backward``; freed after ``backward``.
    saved_versions : list[tuple[Tensor, int]]
        The inputs whose arrays ``saved`` holds (or views of them), with their versions at
        forward time: ``backward`` refuses to run if one has been changed in place since.
    """

    def __init__(self, function: type[Function], parents: tuple[Tensor, ...]) -> None:
        self.function = function
        self.parents = parents
        self.needs_input_grad = tuple(p.requires_grad for p in parents)
        self.saved: tuple = ()
        self.saved_versions: list[tuple[Tensor, int]] = []
        self.released = False

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (or anything else) that ``backward`` needs."""
        self.saved = values

    @property
    def saved_tensors(self) -> tuple:
        """``saved`` under PyTorch's name."""
        return self.saved

    def release(self) -> None:
        """Drop saved buffers and graph edges once backward has used them."""
        self.saved = ()
        self.saved_versions = []
        self.parents = ()
        self.released = True

    def name(self) -> str:
        """The op's name as PyTorch prints a ``grad_fn``: ``MulBackward0``."""
        return f"{self.function.__name__}Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """One ``(grad_fn, 0)`` per input: its op's Context, an ``AccumulateGrad`` for a
        leaf that requires grad, or ``None`` for an input that needs no gradient."""
        return tuple(
            (p._ctx if p._ctx is not None else AccumulateGrad(p) if p.requires_grad else None, 0)
            for p in self.parents
        )


class AccumulateGrad:
    """The end of a ``next_functions`` walk: the leaf whose ``.grad`` a backward fills."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions = ()

    def name(self) -> str:
        """``AccumulateGrad``, as in PyTorch."""
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def _saved_inputs(inputs: tuple[Tensor, ...], saved: tuple) -> list[tuple[Tensor, int]]:
    """The inputs whose memory a saved array shares, with their current versions."""
    arrays = [v for v in saved if isinstance(v, np.ndarray)]
    return [
        (t, t._version)
        for t in inputs
        if any(np.may_share_memory(t._data, array) for array in arrays)
    ]


def _check_versions(ctx: Context) -> None:
    for tensor, version in ctx.saved_versions:
        if tensor._version != version:
            raise RuntimeError(
                "one of the tensors needed for gradient computation has been modified by an "
                f"inplace operation: {ctx.function.__name__} saved a tensor of shape "
                f"{tuple(tensor.shape)} at version {version}; it is now at version "
                f"{tensor._version}. Run the forward pass again after changing it (e.g. call "
                "optimizer.step() only after backward())."
            )


class Function:
    """Base class of every differentiable op.

    Subclasses write two static methods on plain ``np.ndarray`` values:

    ``forward(ctx, *arrays, **params) -> np.ndarray``
        Compute the output; store what backward needs with ``ctx.save_for_backward`` and
        non-array settings (axis, stride) as attributes of ``ctx``.
    ``backward(ctx, grad_out) -> tuple``
        Given dL/d(output) with the output's shape, return one gradient per array input
        (``None`` where an input needs none). A gradient may have the *broadcast* shape:
        the engine sums it back to the input's shape.
    """

    @staticmethod
    def forward(ctx: Context, *arrays: np.ndarray, **params: Any) -> np.ndarray:
        """The op's output computed from its inputs' arrays (the class docstring says how)."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        """One dL/d(input) per array input from dL/d(output) (derived in the class docstring)."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **params: Any) -> Tensor:
        """Run the op on tensors and, if any input requires grad, record it in the graph."""
        from .tensor import Tensor

        record = _mode.enabled and any(t.requires_grad for t in inputs)
        ctx = Context(cls, inputs if record else ())
        if not record:
            ctx.needs_input_grad = (False,) * len(inputs)
        out = np.asarray(cls.forward(ctx, *(t._data for t in inputs), **params))
        # (np.asarray: NumPy gives a scalar, not a 0-d array, for some 0-d results)
        if _mode.detect_anomaly:
            _check_finite(cls.__name__, "forward", out, [t.shape for t in inputs])
        result = Tensor._from_op(out, ctx if record else None)
        for t in inputs:  # a view shares its base's version, as in PyTorch
            if np.may_share_memory(out, t._data):
                result._version_counter = t._version_counter
                break
        if record:
            ctx.saved_versions = _saved_inputs(inputs, ctx.saved)
        return result


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient of a broadcast result back to the shape of the broadcast input.

    Broadcasting prepends axes and stretches length-1 axes; each stretched copy received its
    own gradient, and the input's gradient is their sum:
    ``(2, 3, 4) -> (3, 1)`` sums axis 0 (prepended) and axis 2 (stretched from 1).
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1
    )
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape)  # drop the prepended axes, keep the stretched ones as 1


def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor that ``root`` depends on through the graph, inputs before outputs.

    An iterative depth-first search: a tensor is appended after all of its parents, so the
    reversed list visits each node only after every use of it has sent its gradient.
    """
    order: list[Tensor] = []
    visited: set[int] = {id(root)}
    stack: list[tuple[Tensor, Iterator[Tensor]]] = [(root, iter(_parents(root)))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in visited and parent.requires_grad:
                visited.add(id(parent))
                stack.append((parent, iter(_parents(parent))))
                break
        else:  # all parents done
            stack.pop()
            order.append(node)
    return order


def _parents(node: Tensor) -> tuple[Tensor, ...]:
    return node._ctx.parents if node._ctx is not None else ()


def backward(root: Tensor, grad: np.ndarray, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (dL/d root) to every leaf that requires grad.

    Leaves (tensors made by the user, not by an op) *accumulate* into ``.grad``; intermediate
    results pass their gradient on and keep none. Each node's saved buffers are released as
    soon as its backward has run, so memory after a backward is what the leaves hold
    (``retain_graph=True`` keeps them, for a second backward through the same graph).

    A gradient that reaches a node through several uses is the sum of what each use sent
    (the multivariable chain rule); the first one may be a view of an array someone else
    holds, so the sum is always a new array, never ``+=`` into the first.
    """
    order = _topological_order(root)
    pending: dict[int, np.ndarray] = {id(root): grad}
    for node in reversed(order):
        grad_out = pending.pop(id(node), None)
        if grad_out is None:  # reached only through inputs that need no gradient
            continue
        ctx = node._ctx
        if ctx is None:
            node._accumulate_grad(grad_out)
            continue
        if ctx.released:
            raise RuntimeError(
                f"backward through the graph of {ctx.function.__name__} a second time: its "
                "saved buffers were freed by the first backward(). Recompute the forward pass."
            )
        _check_versions(ctx)
        input_grads = ctx.function.backward(ctx, grad_out)
        if not isinstance(input_grads, (tuple, list)):  # PyTorch's bare gradient for one input
            input_grads = (input_grads,)
        if len(input_grads) != len(ctx.parents):
            raise RuntimeError(
                f"{ctx.function.__name__}.backward returned {len(input_grads)} gradients for "
                f"{len(ctx.parents)} inputs"
            )
        for parent, input_grad in zip(ctx.parents, input_grads):
            if input_grad is None or not parent.requires_grad:
                continue
            input_grad = unbroadcast(np.asarray(input_grad), parent.shape)
            if input_grad.dtype != parent.dtype:  # e.g. a float64 constant met a float32 input
                input_grad = input_grad.astype(parent.dtype)
            if _mode.detect_anomaly:
                _check_finite(
                    ctx.function.__name__, "backward", input_grad, [p.shape for p in ctx.parents]
                )
            previous = pending.get(id(parent))
            pending[id(parent)] = input_grad if previous is None else previous + input_grad
        if not retain_graph:
            ctx.release()
