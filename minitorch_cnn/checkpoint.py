"""Checkpoints: everything needed to stop training and carry on as if never stopped.

Resuming *exactly* needs more than the weights: the optimizer's state (momentum buffers,
Adam's moments and step counts), where training was (epoch, step), and the state of the
random generator that shuffles the data -- restore all four and the resumed run computes the
same numbers, bit for bit, as an uninterrupted one.

One ``.npz`` file holds them, under prefixes::

    model/conv_layers.0.weight ...      the model's state_dict
    optimizer/lr, optimizer/state.0.momentum_buffer ...
    meta/model, meta/optimizer          class names, to explain a mismatch
    meta/epoch, meta/step               ints
    meta/generator                      the generator's state as JSON (its 128-bit integers
                                        do not fit an int64 array)

The file is written atomically: to a temporary file in the same directory, flushed to disk
(``fsync``), then renamed over the old one with ``os.replace``. A crash or an exception at
any point leaves either the complete old checkpoint or the complete new one, never a mix.

Read next: ``train.py`` (the training program that saves and resumes them).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .nn import Module
from .optim import Optimizer

_FORMAT = 1


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
    ``path`` (an ``.npz`` file), atomically.

    Parameters
    ----------
    path : str or PathLike
        Destination; its directory must exist. The name is used as given.
    model : Module
    optimizer : Optimizer, optional
    epoch, step : int
        Where training is: e.g. epochs completed and optimizer steps taken so far.
    generator : np.random.Generator, optional
        The generator whose state a resumed run must continue from (data shuffling).
    """
    arrays: dict[str, np.ndarray] = {f"model/{k}": v for k, v in model.state_dict().items()}
    if optimizer is not None:
        arrays.update(_flatten_optimizer(optimizer.state_dict()))
    arrays["meta/format"] = np.asarray(_FORMAT)
    arrays["meta/model"] = np.asarray(type(model).__name__)
    arrays["meta/optimizer"] = np.asarray(type(optimizer).__name__ if optimizer is not None else "")
    arrays["meta/epoch"] = np.asarray(int(epoch))
    arrays["meta/step"] = np.asarray(int(step))
    state = generator.bit_generator.state if generator is not None else None
    arrays["meta/generator"] = np.asarray(json.dumps(state))

    path = Path(path)
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)  # atomic on POSIX and Windows
    except BaseException:
        os.unlink(handle.name)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


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
        "optimizer": saved optimizer class name}``.

    Raises
    ------
    ValueError
        If the file is not a readable checkpoint (truncated, empty, another kind of file),
        was saved from another architecture (parameter names or shapes differ), or lacks the
        optimizer or generator state asked for. All or nothing: after an error the model,
        optimizer and generator are as they were.
    """
    try:
        with np.load(path, allow_pickle=False) as stored:
            contents = {key: stored[key] for key in stored.files}
        if int(contents["meta/format"]) != _FORMAT:
            raise ValueError(f"format {int(contents['meta/format'])}, expected {_FORMAT}")
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is not a readable minitorch_cnn checkpoint ({error})") from None
    saved_model = str(contents["meta/model"])
    saved_optimizer = str(contents["meta/optimizer"])
    if optimizer is not None and saved_optimizer != type(optimizer).__name__:
        raise ValueError(
            f"{path} holds the state of a {saved_optimizer or 'missing'} optimizer, "
            f"expected {type(optimizer).__name__}"
        )
    generator_state = json.loads(str(contents["meta/generator"]))
    if generator is not None:
        wanted = type(generator.bit_generator).__name__
        if generator_state is None:
            raise ValueError(f"{path} was saved without a generator state")
        if generator_state["bit_generator"] != wanted:
            raise ValueError(
                f"{path} holds a {generator_state['bit_generator']} state, expected {wanted}"
            )

    # Everything that can be checked without loading is checked; the model's load validates
    # itself before copying, and the optimizer's is undone (by restoring the model) if it fails.
    model_state = {k[len("model/") :]: v for k, v in contents.items() if k.startswith("model/")}
    backup = model.state_dict()
    try:
        model.load_state_dict(model_state)
    except ValueError as error:
        raise ValueError(
            f"{path} holds a {saved_model}, which does not fit this {type(model).__name__} "
            f"(another architecture?): {error.args[0]}"
        ) from None
    if optimizer is not None:
        try:
            optimizer.load_state_dict(_unflatten_optimizer(contents))
        except BaseException:
            model.load_state_dict(backup)
            raise
    if generator is not None:
        generator.bit_generator.state = generator_state
    return {
        "epoch": int(contents["meta/epoch"]),
        "step": int(contents["meta/step"]),
        "model": saved_model,
        "optimizer": saved_optimizer,
    }


def _flatten_optimizer(state_dict: dict) -> dict[str, np.ndarray]:
    """An optimizer's ``state_dict`` as named arrays: ``optimizer/state/<index>/<name>``
    for its per-parameter state, its parameter groups as one JSON string."""
    arrays = {
        f"optimizer/state/{index}/{name}": np.asarray(value)
        for index, state in state_dict["state"].items()
        for name, value in state.items()
    }
    arrays["optimizer/param_groups"] = np.asarray(json.dumps(state_dict["param_groups"]))
    return arrays


def _unflatten_optimizer(contents: dict[str, np.ndarray]) -> dict:
    """The inverse of ``_flatten_optimizer``."""
    state: dict[int, dict] = {}
    for key, value in contents.items():
        parts = key.split("/")
        if len(parts) == 4 and parts[:2] == ["optimizer", "state"] and parts[2].isdigit():
            state.setdefault(int(parts[2]), {})[parts[3]] = value
    if "optimizer/param_groups" not in contents:
        raise ValueError("the checkpoint holds no optimizer parameter groups")
    groups = json.loads(str(contents["optimizer/param_groups"]))
    return {"state": state, "param_groups": groups}
