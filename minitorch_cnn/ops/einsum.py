"""``einsum``: a sum of products whose indices are named by letters, e.g. ``"ij,jk->ik"``
(a matrix product), ``"ii->i"`` (a diagonal), ``"bi,bi->b"`` (row-wise dot products).

The backward of an einsum is an einsum. Writing the forward as
``out[o] = sum over the other letters of  x_1[s_1] * ... * x_n[s_n]``,
each ``x_i`` enters linearly, so
``dL/dx_i[s_i] = sum over the letters not in s_i of  dL/dout[o] * prod_{j != i} x_j[s_j]``,
which is the einsum ``"o,s_1,..(without s_i)..,s_n->s_i"``. Two cases need care:

- a letter that occurs only in ``s_i`` was summed away by the forward: the gradient does not
  depend on it, so it is computed without that letter and then broadcast along it;
- a letter repeated in ``s_i`` (``"ii->i"``) reads a diagonal: the gradient is zero off
  that diagonal and is written onto it through ``np.einsum``'s writeable diagonal view.

The equation reaching this op is explicit: ``->`` given and ``...`` replaced by letters
(``einsum.py`` does that).

Read next: ``ops/interpolate.py``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


class Einsum(Function):
    """``out = np.einsum(",".join(inputs) + "->" + output, *arrays)``; backward as derived
    in the module docstring, one einsum per input."""

    @staticmethod
    def forward(
        ctx: Context, *arrays: np.ndarray, inputs: tuple[str, ...] = (), output: str = ""
    ) -> np.ndarray:
        ctx.save_for_backward(*arrays)
        ctx.inputs, ctx.output = inputs, output
        return np.einsum(",".join(inputs) + "->" + output, *arrays, optimize=True)

    @staticmethod
    def backward(ctx: Context, grad_out: np.ndarray) -> tuple:
        arrays, inputs = ctx.saved, ctx.inputs
        sizes = {}  # each letter's length; a length-1 (broadcast) axis gives way to a longer one
        for term, array in zip(inputs, arrays):
            for letter, n in zip(term, array.shape):
                sizes[letter] = max(n, sizes.get(letter, 1))
        grads = []
        for i, term in enumerate(inputs):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [j for j in range(len(inputs)) if j != i]
            letters = "".join(dict.fromkeys(term))  # distinct, in order: "ii" -> "i"
            seen = set(ctx.output).union(*(inputs[j] for j in others))
            kept = "".join(c for c in letters if c in seen)
            equation = ",".join([ctx.output] + [inputs[j] for j in others]) + "->" + kept
            grad = np.einsum(equation, grad_out, *(arrays[j] for j in others), optimize=True)
            # letters only this input had: the gradient is the same all along them
            lengths = iter(grad.shape)
            grad = grad.reshape([next(lengths) if c in kept else 1 for c in letters])
            grad = np.broadcast_to(grad, [sizes[c] for c in letters])  # view, no copy
            if len(letters) < len(term):  # a repeated letter: write onto the diagonal
                full = np.zeros([sizes[c] for c in term], dtype=grad_out.dtype)
                np.einsum(term + "->" + letters, full)[...] = grad  # view of the diagonal
                grad = full
            grads.append(grad)
        return tuple(grads)
