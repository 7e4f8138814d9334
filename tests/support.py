"""Helpers for table-driven check tests over small fixture trees."""

from __future__ import annotations

import textwrap
from pathlib import Path

from readiness import config as config_module
from readiness import registry
from readiness.context import CheckContext
from readiness.engine import run_check as run_engine_check
from readiness.model import CheckResult
from readiness.repo import Repo
from readiness.scanners import default_scanners
from readiness.scanners.base import NOT_ASSESSED
from readiness.scanners.semgrep import Semgrep


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
    """Run one registered check over the tree at ``root``, with the real scanners it declares
    (semgrep runs for real over the fixture tree), exactly as the engine would."""
    spec = registry.get(check_id)
    effective = config or config_module.default(root.name)
    repo = Repo(root, exclude=effective.exclude)
    results: dict[str, object] = dict(scanner_results or {})
    outputs = {}
    for scanner in default_scanners():
        if scanner.name in spec.scanners and scanner.name not in results:
            outputs[scanner.name] = output = scanner.run(repo, timeout=300)
            assert output.status != NOT_ASSESSED, f"{scanner.name} did not run: {output.detail}"
            if output.ok:
                results[scanner.name] = output.data
    context = CheckContext(repo, effective, results)
    with repo.recording() as recording:
        return run_engine_check(spec, context, recording, outputs)


def locations(result: CheckResult) -> list[tuple[str | None, int | None]]:
    """(path, line) of the first evidence of each failure, in order."""
    return [
        (failure.evidence[0].path, failure.evidence[0].line) if failure.evidence else (None, None)
        for failure in result.failures
    ]


def semgrep_scan(root: Path) -> dict[str, object]:
    """Run semgrep once over a fixture tree, for tests that hand the same matches to several checks
    through ``run_check(..., scanner_results=...)``: each run costs seconds."""
    output = Semgrep().run(Repo(root), timeout=300)
    assert output.ok, f"semgrep did not run: {output.detail}"
    return {"semgrep": output.data}
