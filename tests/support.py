"""Helpers for table-driven check tests over small fixture trees."""

from __future__ import annotations

import textwrap
from pathlib import Path

from readiness import config as config_module
from readiness import registry
from readiness.context import CheckContext
from readiness.model import CheckResult
from readiness.repo import Repo


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under root; text is dedented so tests can indent it."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_check(
    check_id: str,
    root: Path,
    config: config_module.Config | None = None,
    scanner_results: dict[str, object] | None = None,
) -> CheckResult:
    """Run one registered check, exactly as the engine would, over the tree at ``root``."""
    spec = registry.get(check_id)
    effective = config or config_module.default(root.name)
    repo = Repo(root, exclude=effective.exclude)
    return spec.function(CheckContext(repo, effective, scanner_results or {}))


def locations(result: CheckResult) -> list[tuple[str | None, int | None]]:
    """(path, line) of the first evidence of each failure, in order."""
    return [
        (failure.evidence[0].path, failure.evidence[0].line) if failure.evidence else (None, None)
        for failure in result.failures
    ]
