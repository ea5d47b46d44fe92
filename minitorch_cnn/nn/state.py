"""``state_dict`` and ``load_state_dict``: a module's state by dotted name, out and back in.

``state_dict()`` gives, for every parameter and persistent buffer, a tensor that *shares
memory* with it (``param.detach()``), as PyTorch does: it is a view of the model, not a
copy, so it follows training. To keep a snapshot -- the best weights so far -- copy it::

    best = copy.deepcopy(model.state_dict())

A layer used twice appears under each of its names, so the keys are what PyTorch would
write for the same model and files move between the two (``serialization.py``).

``load_state_dict`` checks everything before it changes anything: names (missing and
unexpected keys), kinds (numbers only) and shapes, naming each bad key. Then it copies the
values into the existing arrays, in place, cast to each tensor's dtype, so optimizers built
on the parameters keep working.

Read next: ``nn/linear.py``.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..dtypes import as_array
from ..tensor import Tensor
from .attributes import Attributes
from .parameter import UninitializedParameter


class _IncompatibleKeys(namedtuple("_IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns (PyTorch's named tuple, PyTorch's repr): two lists of
    names, ``missing_keys`` and ``unexpected_keys``."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _entries(module: Attributes) -> Iterator[tuple[str, Tensor]]:
    """``(dotted name, tensor)`` for every parameter and persistent buffer, under every name
    a shared one has (a cycle is not followed back, see ``named_modules``)."""
    for path, sub in module.named_modules(remove_duplicate=False):
        dot = f"{path}." if path else ""
        for name, param in sub._parameters.items():
            if param is not None:
                yield dot + name, param
        for name, buffer in sub._buffers.items():
            if buffer is not None and name not in sub._non_persistent_buffers_set:
                yield dot + name, buffer


def state_dict(
    module: Attributes, destination: dict[str, Any] | None, prefix: str, keep_vars: bool
) -> dict[str, Tensor]:
    """``module``'s parameters and persistent buffers as an ``OrderedDict`` of detached
    tensors sharing their memory (the Parameters themselves with ``keep_vars=True``), keys
    prefixed by ``prefix``, written into ``destination`` when given."""
    destination = OrderedDict() if destination is None else destination
    for name, tensor in _entries(module):
        kept = keep_vars or isinstance(tensor, UninitializedParameter)  # no values to share
        destination[prefix + name] = tensor if kept else tensor.detach()
    return destination


def load_state_dict(
    module: Attributes, state: Mapping[str, Any], strict: bool
) -> _IncompatibleKeys:
    """Copy ``state``'s values into ``module``'s parameters and persistent buffers, in place.

    Parameters
    ----------
    module : Module (an ``Attributes`` with the parts registered by assignment)
    state : mapping of str to Tensor, np.ndarray or nested list of numbers
        Values are cast to each tensor's dtype (float64 into float32, as ``copy_``).
    strict : bool
        When true, a key of the module missing from ``state`` or a key of ``state`` that the
        module lacks is an error; when false they are only returned.

    Returns
    -------
    _IncompatibleKeys
        ``(missing_keys, unexpected_keys)``, lists of names.

    Raises
    ------
    TypeError
        If ``state`` is not a mapping, or a value is not numeric data (naming each such key).
    ValueError
        For ragged lists or shapes that differ from the module's (each key, both shapes),
        and, when ``strict``, naming the missing and unexpected keys. After any error the
        module is unchanged.
    """
    if not isinstance(state, Mapping):
        raise TypeError(
            "load_state_dict expects a mapping of names to tensors (e.g. model.state_dict()), "
            f"got {type(state).__name__}"
        )
    where = f"load_state_dict into {module._get_name()}: "
    own = dict(_entries(module))
    missing = [key for key in own if key not in state]
    unexpected = [key for key in state if key not in own]
    arrays: dict[str, np.ndarray] = {}
    bad_kinds, ragged, bad_shapes = [], [], []
    for key in (key for key in own if key in state):
        target, value = own[key], state[key]
        lazy = isinstance(target, UninitializedParameter)
        if isinstance(value, UninitializedParameter):  # a lazy model's own state: no values
            if not lazy:
                bad_shapes.append(f"{key}: expected {target.shape}, got an uninitialized parameter")
            continue
        try:
            array = as_array(value)
        except TypeError as error:
            bad_kinds.append(f"{key}: {error}")
            continue
        except ValueError as error:  # a ragged nested list
            ragged.append(f"{key}: {error}")
            continue
        if not lazy and array.shape != target._data.shape:
            bad_shapes.append(f"{key}: expected {target._data.shape}, got {array.shape}")
        arrays[key] = array
    if bad_kinds:
        raise TypeError(where + "; ".join(bad_kinds))
    problems = [f"missing keys {missing}"] if strict and missing else []
    problems += [f"unexpected keys {unexpected}"] if strict and unexpected else []
    problems += ragged + (["shape mismatch in " + "; ".join(bad_shapes)] if bad_shapes else [])
    if problems:
        raise ValueError(where + "; ".join(problems))
    for key, array in arrays.items():
        _copy_into(own[key], array)
    return _IncompatibleKeys(missing, unexpected)


def _copy_into(target: Tensor, array: np.ndarray) -> None:
    """``target.copy_(array)`` outside the graph; a lazy parameter first takes its shape."""
    if isinstance(target, UninitializedParameter):
        target.materialize(array.shape)
    if not target._data.flags.writeable:  # e.g. a buffer registered from a broadcast view
        target._data = target._data.copy()
    np.copyto(target._data, array, casting="unsafe")
    target._bump_version()
