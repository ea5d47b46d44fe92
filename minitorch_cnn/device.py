"""Devices: everything here runs on the CPU, and says so when asked for anything else.

PyTorch programs begin with ``device = torch.device("cuda" if torch.cuda.is_available()
else "cpu")`` and move models and batches with ``.to(device)``. Here ``cuda.is_available()``
and ``accelerator.is_available()`` are False, ``device("cpu")`` is the one device, and
``device("cuda")`` (or ``.cuda()``, ``.to("mps")``) is a clear error.

Read next: ``generator.py``.
"""

from __future__ import annotations

from typing import Any


class device:  # noqa: N801 -- PyTorch's name
    """A device name: only ``"cpu"`` (optionally ``"cpu:0"``) is accepted."""

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        name = type.type if isinstance(type, device) else type
        if not isinstance(name, str):
            raise TypeError(f"device() takes a string such as 'cpu', got {name!r}")
        kind, _, number = name.partition(":")
        if kind != "cpu" or number not in ("", "0") or index not in (None, 0):
            raise RuntimeError(
                f"device {name!r} is not available: minitorch_cnn runs on the CPU only "
                "(use device('cpu'))"
            )
        self.type, self.index = "cpu", None

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) or other == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


def is_device(value: Any) -> bool:
    """True when ``value`` names a device (a ``device`` or a string), checking it is the CPU."""
    if isinstance(value, device):
        return True
    if isinstance(value, str) and value.partition(":")[0] in ("cpu", "cuda", "mps", "xpu"):
        device(value)  # raises for anything but the CPU
        return True
    return False


def require_cpu(value: Any) -> None:
    """Accept a factory's ``device=`` argument: None, ``"cpu"`` or ``device("cpu")``;
    any other device is the error ``device()`` gives, anything else a TypeError."""
    if value is not None and not is_device(value):
        raise TypeError(f"device must be a device or a string such as 'cpu', got {value!r}")


class _NoAccelerator:
    """``cuda``, ``accelerator``, ``backends.mps``: no such device here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def current_accelerator() -> None:
        return None


cuda = _NoAccelerator()
accelerator = _NoAccelerator()


class backends:  # noqa: N801 -- PyTorch's name
    mps = _NoAccelerator()
    cuda = _NoAccelerator()
