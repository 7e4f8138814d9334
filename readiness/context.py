"""What a check is given: the repository view, the policy's options and the scanners' results.

Checks read from here and nowhere else: no I/O of their own, no processes, no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from readiness.config import Config
from readiness.repo import Repo


@dataclass(frozen=True)
class CheckContext:
    repo: Repo
    config: Config
    # Parsed scanner output by scanner name; a missing key means the scanner did not run.
    scanner_results: Mapping[str, Any] = field(default_factory=dict)
