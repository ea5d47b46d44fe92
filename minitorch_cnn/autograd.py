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

``detect_anomaly`` is a debugging switch: it checks every forward and backward result for
NaN/inf and names the first op that produced one.

Read next: ``tensor.py`` (the ``Tensor`` class whose methods call the ops) and
``ops/elementwise.py`` (the simplest ``Function`` subclasses).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


class _GradMode:
    """Global switches read by ``Function.apply`` (module state, not thread-local)."""

    enabled: bool = True
    detect_anomaly: bool = False


def is_grad_enabled() -> bool:
    """Return True when operations record the graph (outside ``no_grad``)."""
    return _GradMode.enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Context manager inside which no graph is recorded.

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
    previous = _GradMode.enabled
    _GradMode.enabled = False
    try:
        yield
    finally:
        _GradMode.enabled = previous


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
    previous = _GradMode.detect_anomaly
    _GradMode.detect_anomaly = True
    try:
        yield
    finally:
        _GradMode.detect_anomaly = previous


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
    """

    def __init__(self, function: type[Function], parents: tuple[Tensor, ...]) -> None:
        self.function = function
        self.parents = parents
        self.needs_input_grad = tuple(p.requires_grad for p in parents)
        self.saved: tuple = ()
        self.released = False

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (or anything else) that ``backward`` needs."""
        self.saved = values

    def release(self) -> None:
        """Drop saved buffers and graph edges once backward has used them."""
        self.saved = ()
        self.parents = ()
        self.released = True


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

        record = _GradMode.enabled and any(t.requires_grad for t in inputs)
        ctx = Context(cls, inputs if record else ())
        if not record:
            ctx.needs_input_grad = (False,) * len(inputs)
        out = cls.forward(ctx, *(t._data for t in inputs), **params)
        if _GradMode.detect_anomaly:
            _check_finite(cls.__name__, "forward", out, [t.shape for t in inputs])
        result = Tensor._from_op(out, ctx if record else None)
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


def backward(root: Tensor, grad: np.ndarray) -> None:
    """Propagate ``grad`` (dL/d root) to every leaf that requires grad.

    Leaves (tensors made by the user, not by an op) *accumulate* into ``.grad``; intermediate
    results pass their gradient on and keep none. Each node's saved buffers are released as
    soon as its backward has run, so memory after a backward is what the leaves hold.

    Every gradient travels with a flag, ``owned``: True when nothing but the engine holds
    it (see ``_owned``). A leaf keeps an owned first gradient as its ``.grad``; any other
    it copies (as PyTorch steals a gradient nobody else references).
    """
    order = _topological_order(root)
    pending: dict[int, tuple[np.ndarray, bool]] = {id(root): (grad, False)}  # the caller's array
    for node in reversed(order):
        grad_out, owned = pending.pop(id(node), (None, False))
        if grad_out is None:  # reached only through inputs that need no gradient
            continue
        ctx = node._ctx
        if ctx is None:
            node._accumulate_grad(grad_out, owned)
            continue
        if ctx.released:
            raise RuntimeError(
                f"backward through the graph of {ctx.function.__name__} a second time: its "
                "saved buffers were freed by the first backward(). Recompute the forward pass."
            )
        input_grads = ctx.function.backward(ctx, grad_out)
        if len(input_grads) != len(ctx.parents):
            raise RuntimeError(
                f"{ctx.function.__name__}.backward returned {len(input_grads)} gradients for "
                f"{len(ctx.parents)} inputs"
            )
        for index, (parent, input_grad) in enumerate(zip(ctx.parents, input_grads)):
            if input_grad is None or not parent.requires_grad:
                continue
            returned = np.asarray(input_grad)
            input_grad = unbroadcast(returned, parent.shape)
            if input_grad.dtype != parent.dtype:
                input_grad = input_grad.astype(parent.dtype)
            others = [g for i, g in enumerate(input_grads) if i != index and g is not None]
            # summed back or cast: a new array; else ask whether the op made it afresh
            owned = input_grad is not returned or _owned(returned, [grad_out, *others])
            if _GradMode.detect_anomaly:
                _check_finite(
                    ctx.function.__name__, "backward", input_grad, [p.shape for p in ctx.parents]
                )
            previous = pending.get(id(parent))
            # The first gradient may alias another array: never add into it in place.
            pending[id(parent)] = (
                (input_grad, owned) if previous is None else (previous[0] + input_grad, True)
            )
        ctx.release()


def _owned(grad: np.ndarray, others: list[np.ndarray]) -> bool:
    """Whether an op's backward made ``grad`` afresh, so that nothing else holds its memory.

    Backwards return either new arrays or views of what they were handed: ``Add`` passes
    ``grad_out`` itself to both inputs, ``Reshape`` a view of it, ``Sum`` a read-only
    broadcast of it, and ``grad_out`` may be the caller's own array. So a gradient is owned
    when it is writeable, shares no memory with ``grad_out`` or with the op's other
    gradients, and fills its whole buffer (a cropped view, like a padded convolution's
    input gradient, would keep the padding alive). (``backward`` does not ask about a
    gradient that ``unbroadcast`` summed or a cast converted: those are new arrays.)
    """
    return (
        grad.flags.writeable
        and (grad.base is None or grad.nbytes == getattr(grad.base, "nbytes", -1))
        and not any(np.may_share_memory(grad, other) for other in others)
    )
