"""External tools behind one interface (see :mod:`readiness.scanners.base`)."""

from __future__ import annotations

from readiness.scanners.base import Scanner
from readiness.scanners.semgrep import Semgrep


def default_scanners() -> list[Scanner]:
    """Every scanner a scan may use; each runs only when a check that needs it will run."""
    return [Semgrep()]
