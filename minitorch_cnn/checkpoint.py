"""Checkpoints: everything needed to stop training and carry on as if never stopped.

Resuming *exactly* needs more than the weights: the optimizer's state (momentum buffers,
Adam's moments and step counts), where training was (epoch, step), and the state of the
random generator that shuffles the data -- restore all four and the resumed run computes the
same numbers, bit for bit, as an uninterrupted one.

One file holds them, written by ``save`` (a safetensors file, atomically: see
``serialization.py``) as one dict::

    {"format": "minitorch_cnn.checkpoint/2", "epoch": 3, "step": 2811,
     "model_class": "SimpleCNN", "model": model.state_dict(),
     "optimizer_class": "SGD", "optimizer": optimizer.state_dict(),   (None without one)
     "generator": generator.bit_generator.state}                      (None without one)

A checkpoint is input like any other file: ``load_checkpoint`` checks every piece (the
format, the numbers, the optimizer's hyperparameters, the generator's state on a throwaway
bit generator) before it changes anything, and an error leaves the model, the optimizer and
the generator as they were.

Read next: ``train.py`` (the training program that saves and resumes them).
"""

from __future__ import annotations

import copy
import math
import os
from typing import Any

import numpy as np

from .nn import Module
from .optim import Optimizer
from .serialization import load, save

_FORMAT = "minitorch_cnn.checkpoint/2"
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")  # NumPy's own
# bounds NumPy's state setters do not check: MT19937 reads key[pos] (key has 624 words)
_STATE_BOUNDS = {"pos": 624, "buffer_pos": 4, "has_uint32": 1, "uinteger": 2**32 - 1}


def save_checkpoint(
    path: str | os.PathLike,
    model: Module,
    optimizer: Optimizer | None = None,
    *,
    epoch: int = 0,
    step: int = 0,
    generator: np.random.Generator | None = None,
) -> None:
    """Write ``model``, ``optimizer``, ``epoch``, ``step`` and ``generator``'s state to
    ``path``, atomically (whatever its extension; see the module docstring for the layout).

    Parameters
    ----------
    path : str or PathLike
        Destination; its directory must exist.
    model : Module
    optimizer : Optimizer, optional
    epoch, step : int, >= 0
        Where training is: e.g. epochs completed and optimizer steps taken so far.
    generator : np.random.Generator, optional
        The generator whose state a resumed run must continue from (data shuffling); its bit
        generator must be one of NumPy's: PCG64, PCG64DXSM, MT19937, Philox or SFC64.

    Raises
    ------
    TypeError
        ``model`` not a Module, ``optimizer`` not an Optimizer, ``generator`` not a
        ``np.random.Generator`` over one of NumPy's bit generators, ``epoch``/``step`` not ints.
    ValueError
        ``epoch`` or ``step`` negative.
    """
    _check_type("model", model, Module, "an nn.Module")
    if optimizer is not None:
        hint = " (the model passed as the optimizer?)" if isinstance(optimizer, Module) else ""
        _check_type("optimizer", optimizer, Optimizer, f"an optim.Optimizer or None{hint}")
    if generator is not None:
        _check_type(
            "generator",
            generator,
            np.random.Generator,
            "a np.random.Generator (e.g. np.random.default_rng(seed)) or None",
        )
        kind = type(generator.bit_generator)  # exactly NumPy's class: a subclass may differ
        if kind.__name__ not in _BIT_GENERATORS or kind is not getattr(np.random, kind.__name__):
            raise TypeError(
                f"generator: its bit generator must be one of NumPy's {_BIT_GENERATORS}, got "
                f"{kind.__qualname__}"
            )
    for name, value in (("epoch", epoch), ("step", step)):
        _check_type(name, value, (int, np.integer), "an int")
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    contents = {
        "format": _FORMAT,
        "epoch": int(epoch),
        "step": int(step),
        "model_class": type(model).__name__,
        "model": model.state_dict(),
        "optimizer_class": type(optimizer).__name__ if optimizer is not None else "",
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "generator": generator.bit_generator.state if generator is not None else None,
    }
    save(contents, path)


def load_checkpoint(
    path: str | os.PathLike,
    model: Module,
    optimizer: Optimizer | None = None,
    *,
    generator: np.random.Generator | None = None,
) -> dict[str, Any]:
    """Restore a checkpoint written by ``save_checkpoint`` into ``model`` (and ``optimizer``,
    ``generator`` when given), in place.

    Returns
    -------
    dict
        ``{"epoch": int, "step": int, "model": saved model class name,
        "optimizer": saved optimizer class name ("" if none was saved)}``.

    Raises
    ------
    TypeError
        ``model``, ``optimizer`` or ``generator`` of the wrong kind.
    ValueError
        The file is not a checkpoint (another kind of file, truncated, damaged: the message
        says which), a piece is missing or out of range (epoch, step, a hyperparameter, the
        generator's state), or it was saved from another architecture or optimizer. All or
        nothing: after an error the model, optimizer and generator are as they were.
    FileNotFoundError
        No file at ``path``.
    """
    _check_type("model", model, Module, "an nn.Module")
    if optimizer is not None:
        _check_type("optimizer", optimizer, Optimizer, "an optim.Optimizer or None")
    if generator is not None:
        _check_type("generator", generator, np.random.Generator, "a np.random.Generator or None")
    contents = _read(path)
    if optimizer is not None:
        if contents["optimizer_class"] != type(optimizer).__name__:
            raise ValueError(
                f"{path} holds the state of a {contents['optimizer_class'] or 'missing'} "
                f"optimizer, expected {type(optimizer).__name__}"
            )
        _check_hyperparameters(contents["optimizer"], path)
    if generator is not None:
        _check_generator_state(contents["generator"], generator, path)

    # Every piece is checked. The model's load is all or nothing itself; the optimizer's
    # (which checks shapes against the parameters) is undone by restoring the model.
    backup = copy.deepcopy(model.state_dict())  # state_dict() shares memory with the model
    try:
        model.load_state_dict(contents["model"])
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{path} holds a {contents['model_class']}, which does not fit this "
            f"{type(model).__name__} (another architecture?): {error.args[0]}"
        ) from None
    if optimizer is not None:
        try:
            optimizer.load_state_dict(contents["optimizer"])
        except Exception as error:
            model.load_state_dict(backup)
            raise ValueError(f"{path}: the optimizer state does not fit: {error}") from None
    if generator is not None:
        generator.bit_generator.state = contents["generator"]  # checked: cannot fail
    return _summary(contents)


def checkpoint_info(path: str | os.PathLike) -> dict[str, Any]:
    """What ``load_checkpoint`` would return, without a model: e.g. to build the right
    architecture (``info["model"]`` is its class name) before loading into it.

    Raises
    ------
    ValueError
        As ``load_checkpoint``, if the file is not a checkpoint.
    """
    return _summary(_read(path))


def _read(path: str | os.PathLike) -> dict[str, Any]:
    """The checked contents of the checkpoint at ``path`` (ValueError if it is not one)."""
    try:
        contents = load(path)  # ValueError for anything that is not a well-formed file
    except ValueError as error:
        raise ValueError(f"{path} is not a readable minitorch_cnn checkpoint: {error}") from None
    _check_contents(contents, path)
    return contents


def _summary(contents: dict[str, Any]) -> dict[str, Any]:
    return {
        "epoch": contents["epoch"],
        "step": contents["step"],
        "model": contents["model_class"],
        "optimizer": contents["optimizer_class"],
    }


def _check_type(name: str, value: Any, kind: type | tuple[type, ...], expected: str) -> None:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__} {value!r:.60}")


def _check_contents(contents: Any, path: str | os.PathLike) -> None:
    """ValueError unless ``contents`` has every key of a checkpoint, each of the right kind."""
    kinds = {
        "format": str,
        "epoch": int,
        "step": int,
        "model_class": str,
        "model": dict,
        "optimizer_class": str,
        "optimizer": (dict, type(None)),
        "generator": (dict, type(None)),
    }
    if not isinstance(contents, dict) or contents.get("format") != _FORMAT:
        found = contents.get("format") if isinstance(contents, dict) else type(contents).__name__
        raise ValueError(
            f"{path} is not a readable minitorch_cnn checkpoint: its format is {found!r:.60}, "
            f"expected {_FORMAT!r}"
        )
    if sorted(contents) != sorted(kinds):
        raise ValueError(
            f"{path}: a checkpoint has the keys {sorted(kinds)}, got {sorted(contents)}"
        )
    for key, kind in kinds.items():
        if not isinstance(contents[key], kind) or isinstance(contents[key], bool):
            wanted = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise ValueError(
                f"{path}: {key} must be a {wanted}, got {type(contents[key]).__name__}"
            )
    for key in ("epoch", "step"):
        if contents[key] < 0:
            raise ValueError(f"{path}: {key} must be >= 0, got {contents[key]}")


def _check_hyperparameters(state: Any, path: str | os.PathLike) -> None:
    """Every number in an optimizer's state dict is finite and >= 0: learning rates, momenta,
    betas, eps, weight decays, step counts and parameter indices all are (arrays aside)."""
    if state is None:
        raise ValueError(f"{path} was saved without an optimizer state")
    stack = [("optimizer", state)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{where}.{key}", item) for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{where}.{index}", item) for index, item in enumerate(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{path}: {where} must be a finite number >= 0, got {value}")


def _check_generator_state(state: Any, generator: np.random.Generator, path: Any) -> None:
    """ValueError unless ``state`` is a valid state for ``generator``'s bit generator: the same
    keys and kinds as a fresh one's, arrays of the same dtype and shape, ints in range, and
    accepted by a throwaway bit generator of that class."""
    kind = type(generator.bit_generator)
    if state is None:
        raise ValueError(f"{path} was saved without a generator state")
    if state.get("bit_generator") != kind.__name__:
        raise ValueError(
            f"{path} holds a {state.get('bit_generator')!r:.40} state, expected {kind.__name__}"
        )
    stack = [("generator", state, kind().state)]
    while stack:
        where, value, template = stack.pop()
        if isinstance(template, dict):
            if not isinstance(value, dict) or sorted(value) != sorted(template):
                raise ValueError(f"{path}: {where} must have the keys {sorted(template)}")
            stack.extend((f"{where}.{k}", value[k], template[k]) for k in template)
        elif isinstance(template, np.ndarray):
            if not (
                isinstance(value, np.ndarray)
                and value.dtype == template.dtype
                and value.shape == template.shape
            ):
                raise ValueError(
                    f"{path}: {where} must be a {template.dtype} array of shape {template.shape}"
                )
        elif isinstance(template, int):
            bound = _STATE_BOUNDS.get(where.rsplit(".", 1)[-1], 2**128 - 1)
            if type(value) is not int or not 0 <= value <= bound:
                raise ValueError(
                    f"{path}: {where} must be an int in [0, {bound}], got {value!r:.60}"
                )
        elif value != template:
            raise ValueError(f"{path}: {where} must be {template!r}")
    try:
        kind().state = state
    except (TypeError, ValueError, KeyError, IndexError, OverflowError) as error:
        raise ValueError(f"{path}: the generator state is not valid: {error}") from None
