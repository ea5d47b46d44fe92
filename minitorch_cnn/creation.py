"""Tensor factories (``zeros``, ``ones``, ``rand``, ``randn``) and the default random generator.

All factories return float32, as in PyTorch. Random ones draw from an explicit
``np.random.Generator``: pass ``generator=`` for full control, or seed the package's default
generator with ``manual_seed`` (created on first use: importing the package draws nothing).

Read next: ``ops/elementwise.py``.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor

_default_generator: np.random.Generator | None = None


def default_generator() -> np.random.Generator:
    """The generator random factories and initializers use when none is given."""
    global _default_generator
    if _default_generator is None:
        _default_generator = np.random.default_rng()
    return _default_generator


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (like ``torch.manual_seed``) and return it.

    Parameters
    ----------
    seed : int
        In [0, 2**64 - 1], the range of PyTorch's seeds. PyTorch also takes a negative seed
        (-1 becomes 2**64 - 1), a float (truncated) or a numeric string; here those are
        errors, so that a typo is never silently a different seed.

    Raises
    ------
    TypeError
        ``seed`` is not an int (a bool is not one either).
    ValueError
        ``seed`` is outside [0, 2**64 - 1].
    """
    check_seed(seed)
    global _default_generator
    _default_generator = np.random.default_rng(seed)
    return _default_generator


def check_seed(seed: object) -> None:
    """The checks of ``manual_seed``, shared with the training program's ``--seed``."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if not 0 <= seed <= 2**64 - 1:
        raise ValueError(f"seed must be in [0, 2**64 - 1], got {seed}")


def _shape(shape: tuple) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))``; every size a non-negative int."""
    dims = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    for size in dims:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
            raise ValueError(f"sizes must be non-negative ints, got shape {dims!r}")
    return tuple(int(s) for s in dims)


def resolve_generator(generator: np.random.Generator | None) -> np.random.Generator:
    """``generator``, or the default one when None; anything else is a TypeError."""
    if generator is None:
        return default_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            "generator must be a np.random.Generator (e.g. np.random.default_rng(0)) or None, "
            f"got {type(generator).__name__} {generator!r}"
        )
    return generator


def zeros(*shape: int, requires_grad: bool = False) -> Tensor:
    """A float32 tensor of zeros."""
    return Tensor(np.zeros(_shape(shape), dtype=np.float32), requires_grad=requires_grad)


def ones(*shape: int, requires_grad: bool = False) -> Tensor:
    """A float32 tensor of ones."""
    return Tensor(np.ones(_shape(shape), dtype=np.float32), requires_grad=requires_grad)


def rand(
    *shape: int, generator: np.random.Generator | None = None, requires_grad: bool = False
) -> Tensor:
    """Float32 samples uniform in [0, 1)."""
    rng = resolve_generator(generator)
    return Tensor(rng.random(_shape(shape), dtype=np.float32), requires_grad=requires_grad)


def randn(
    *shape: int, generator: np.random.Generator | None = None, requires_grad: bool = False
) -> Tensor:
    """Float32 samples from the standard normal distribution."""
    rng = resolve_generator(generator)
    return Tensor(rng.standard_normal(_shape(shape), dtype=np.float32), requires_grad=requires_grad)
