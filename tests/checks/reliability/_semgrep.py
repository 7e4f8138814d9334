"""Run semgrep once over a fixture tree and hand its matches to several checks: each run costs
seconds, and the checks of one topic read the same facts."""

from __future__ import annotations

from pathlib import Path

from readiness.repo import Repo
from readiness.scanners.semgrep import Semgrep


def scan(root: Path) -> dict[str, object]:
    output = Semgrep().run(Repo(root), timeout=300)
    assert output.ok, f"semgrep did not run: {output.detail}"
    return {"semgrep": output.data}
