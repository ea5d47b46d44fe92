"""``Sequential``: modules applied one after another.

Read next: ``init.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..tensor import Tensor
from .module import Module


class Sequential(Module):
    """Modules applied one after another; indexable (``seq[0]``, ``seq[1:]``), ``len`` and
    iterable. Its parts are the attributes ``"0"``, ``"1"``, ... (state_dict keys ``0.weight``).
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential takes Modules, got {type(module).__name__} at position {index}"
                )
            setattr(self, str(index), module)

    def _modules(self) -> list[Module]:
        return [child for _, child in self.named_children()]

    def __len__(self) -> int:
        return len(self._modules())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules())

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return Sequential(*self._modules()[index])
        return self._modules()[index]

    def forward(self, x: Tensor) -> Tensor:
        for module in self._modules():
            x = module(x)
        return x
