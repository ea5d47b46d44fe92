"""Random numbers: the package's default generator, ``manual_seed`` and ``Generator``.

Every random draw in the package (``rand``, ``randn``, the initializers, dropout, shuffling)
comes from an explicit ``np.random.Generator``: the one passed as ``generator=``, or the
package's default one, created on first use (importing the package draws nothing) and
reseeded by ``manual_seed``. ``generator=`` takes a NumPy generator or this module's
``Generator``, PyTorch's spelling (``torch.Generator().manual_seed(42)``), which holds one.

Read next: ``creation.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import device as devices

_default: np.random.Generator | None = None


def default_generator() -> np.random.Generator:
    """The generator random factories and initializers use when none is given."""
    global _default
    if _default is None:
        _default = np.random.default_rng()
    return _default


def check_seed(seed: object) -> None:
    """The checks of ``manual_seed``, shared with the training program's ``--seed``."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if not 0 <= seed <= 2**64 - 1:
        raise ValueError(f"seed must be in [0, 2**64 - 1], got {seed}")


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
    global _default
    _default = np.random.default_rng(seed)
    return _default


class Generator:
    """PyTorch's ``torch.Generator``: a seedable source of random numbers to pass as
    ``generator=`` (to ``randn``, ``DataLoader``, ``random_split``, the initializers).

    ``Generator().manual_seed(42)`` returns the generator itself, seeded, as in PyTorch.
    Its draws come from the NumPy generator it holds (``numpy_generator``).
    """

    def __init__(self, device: Any = "cpu") -> None:
        devices.require_cpu(device)
        self._seed = int(np.random.SeedSequence().entropy % 2**63)
        self.numpy_generator = np.random.default_rng(self._seed)
        self.device = devices.device("cpu")

    def manual_seed(self, seed: int) -> Generator:
        """Reseed in place and return self."""
        check_seed(seed)
        self._seed = int(seed)
        self.numpy_generator = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % 2**63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed


def resolve_generator(generator: Any) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator``'s, or the default one when None;
    anything else is a TypeError."""
    if generator is None:
        return default_generator()
    if isinstance(generator, Generator):
        return generator.numpy_generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            "generator must be a minitorch_cnn.Generator, a np.random.Generator "
            f"(e.g. np.random.default_rng(0)) or None, got {type(generator).__name__} "
            f"{generator!r}"
        )
    return generator
