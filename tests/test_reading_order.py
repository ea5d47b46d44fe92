"""The package is read as a book: from ``autograd.py`` each module's "Read next" names the
next one, the chain passes every module once, and it follows README's reading order.

Read next: ``tests/test_autograd.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "minitorch_cnn"
README = PACKAGE.parent / "README.md"


def _next(module: str) -> str | None:
    """The first package file named after "Read next:" in ``module``'s docstring."""
    text = (PACKAGE / module).read_text(encoding="utf-8")
    match = re.search(r"Read next: ``([\w/]+\.py)``", text)
    if match is None or not (PACKAGE / match.group(1)).is_file():
        return None  # the chain leaves the package (to the tests)
    return match.group(1)


def _chain() -> list[str]:
    chain = ["autograd.py"]
    while (following := _next(chain[-1])) is not None:
        assert following not in chain, f"the chain loops back to {following}"
        chain.append(following)
    return chain


def test_the_chain_from_autograd_visits_every_module() -> None:
    modules = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" or path.parent == PACKAGE / "testing"
    }
    missing = modules - set(_chain()) - {"__init__.py", "ops/__init__.py"}
    assert not missing, f"not reached by any 'Read next': {sorted(missing)}"


def test_the_chain_follows_the_readmes_reading_order() -> None:
    section = README.read_text(encoding="utf-8").split("## Reading order", 1)[1]
    section = section.split("\n## ", 1)[0]
    named = []  # files in the order README first names them
    for name in re.findall(r"`(?:minitorch_cnn/)?([\w/]+\.py)`", section):
        if (PACKAGE / name).is_file() and name not in named:
            named.append(name)
    assert len(named) >= 10, "README's reading order names the package's files"
    chain = _chain()
    positions = [chain.index(name) for name in named if name in chain]
    assert positions == sorted(positions), (
        f"README names files in another order than the chain: {[chain[i] for i in positions]}"
    )
