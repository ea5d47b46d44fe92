"""Shared test settings: hypothesis profiles and the location of the real MNIST files.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) draws more examples, derandomized so CI runs
are reproducible; the default ``dev`` profile stays fast for local runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """Directory with the real MNIST files: $MINITORCH_CNN_DATA, else ../shared/mnist."""
    candidates = [
        os.environ.get("MINITORCH_CNN_DATA"),
        Path(__file__).parents[2] / "shared" / "mnist",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "train-images-idx3-ubyte.gz").exists():
            return Path(candidate)
    pytest.fail(
        "the real MNIST files are needed: set MINITORCH_CNN_DATA to a directory holding "
        "train-images-idx3-ubyte.gz and the other three files"
    )


# PyTorch programs run by tests/test_pytorch_programs.py after their imports are swapped;
# imported as they are (for doctests) they would need torch.
collect_ignore_glob = ["pytorch_programs/*"]
