"""Where the tests find their data: the project's own small copies under tests/data, or the larger
real snapshots in ``../shared`` (beside the checkout: every developer machine and CI has it, a bare
clone has not).

- ``data(relative)``: ``../shared/<relative>`` when it is there, else ``tests/data/<relative>``
  (the hand-written, trimmed stand-in). For data both places hold in the same shape.
- ``requires_shared(relative, what)``: a skip marker for a test that needs the real snapshot itself
  (the corpus, the full vulnerability databases): it runs whenever ``../shared/<relative>`` exists
  and is skipped with a one-line reason when it does not.

READINESS_TEST_SHARED=<dir> points the tests at another copy of ``shared``; a missing directory
runs the suite as a bare clone would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SHARED = Path(os.environ.get("READINESS_TEST_SHARED") or ROOT.parent / "shared")


def shared(relative: str) -> Path:
    """``../shared/<relative>``, whether or not it exists."""
    return SHARED / relative


def has_shared(relative: str) -> bool:
    return shared(relative).exists()


def data(relative: str) -> Path:
    """The real snapshot when ../shared has it, else the project's own copy in tests/data."""
    real = shared(relative)
    if real.exists():
        return real
    local = DATA / relative
    if not local.exists():
        raise FileNotFoundError(f"neither {real} nor {local} exists")
    return local


def skip_reason(what: str) -> str:
    return f"needs ../shared ({what}); not beside this checkout"


def requires_shared(relative: str, what: str) -> pytest.MarkDecorator:
    """Skip unless ``../shared/<relative>`` exists; ``what`` names the data in the skip reason."""
    return pytest.mark.skipif(not has_shared(relative), reason=skip_reason(what))
