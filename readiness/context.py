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
    # The check being run and the semgrep rules it declared (the engine sets both): reading a rule
    # the check did not declare is a bug, and fails instead of passing on an empty list.
    check_id: str | None = None
    rules: frozenset[str] | None = None
    # The declared rules whose matches in test files the check may read (CheckSpec.test_rules).
    test_rules: frozenset[str] = frozenset()
