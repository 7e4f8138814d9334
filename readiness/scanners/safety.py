"""safety: the pinned Python requirements against Safety's vulnerability database.

It runs only when it can: with ``SAFETY_API_KEY`` in the environment (safety reads it itself;
the key never goes on a command line or into the report), or with a local database directory
(``safety check --db``). Otherwise it is *skipped*, with the reason. safety 3 probes its
platform over the network at start-up, before reading any database, so without network every
run fails; that is *not assessed* with a one-line reason, never a traceback and never a pass.

The input is the same temporary ``name==version`` file pip-audit gets (see
:mod:`readiness.facts.dependencies`): safety never sees the project itself.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from readiness import results
from readiness.facts import dependencies
from readiness.repo import Repo
from readiness.scanners import process, python_report
from readiness.scanners.base import SKIPPED, Scanner, ScannerError, ScanOutput, ScanSettings

_VERSION = re.compile(r"version (\d+\.\d+\.\d+\S*)")
_ENV = {"PYTHONWARNINGS": "ignore", "SAFETY_DISABLE_TELEMETRY": "1"}
EXIT_VULNERABLE = 64  # safety's "vulnerabilities found"
# safety's documented failure codes, worded for the report.
_EXIT_REASONS = {
    65: "the API key was rejected",
    66: "too many requests to the Safety platform",
    67: "the local vulnerability database could not be loaded",
    68: "the vulnerability database could not be fetched",
    69: "the vulnerability database is malformed",
    71: "a requirement could not be parsed",
}


class Safety(Scanner):
    name = "safety"
    program, program_variable = "safety", "READINESS_SAFETY"
    advisory_data = True

    def __init__(self, db: str | None = None, key_variable: str = "SAFETY_API_KEY") -> None:
        self.db = db
        self.key_variable = key_variable
        self._executable = process.find(self.program, self.program_variable)

    def detect_version(self) -> str | None:
        return process.tool_version(self._executable, self.name, _ENV, _VERSION)

    def inputs(self, repo: Repo) -> Sequence[str]:
        chosen, _ = dependencies.manifest_paths(repo)
        return chosen

    def run(self, repo: Repo, timeout: float, settings: ScanSettings | None = None) -> ScanOutput:
        if self.inputs(repo) and not (os.environ.get(self.key_variable) or self.db):
            return ScanOutput(
                self.name,
                SKIPPED,
                f"not run: {self.key_variable} is not set and no local safety database is configured",
                self.version(),
            )
        return super().run(repo, timeout, settings)

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[results.DependencyReport, str]:
        assert self._executable is not None
        manifests = [dependencies.read_manifest(repo, path) for path in files]
        manifests = [m for m in manifests if m.requirements or m.problems or m.kind != "pyproject"]
        deadline = time.monotonic() + timeout
        advisories: dict[tuple[str, str], list[results.Advisory]] = {}
        with tempfile.TemporaryDirectory(prefix="readiness-safety-") as scratch:
            for index, layer in enumerate(python_report.layers(manifests)):
                requirements = Path(scratch) / f"requirements-{index}.txt"
                requirements.write_text(python_report.requirements_text(layer), encoding="utf-8")
                argv = [self._executable, "check", "-r", str(requirements), "--output", "json"]
                if self.db:
                    argv += ["--db", self.db]
                completed = process.run_until(
                    argv,
                    cwd=Path(scratch),
                    deadline=deadline,
                    total=timeout,
                    env=_ENV,
                    name=self.name,
                    passed=(self.key_variable,),  # safety reads its key from the environment itself
                )
                for key, found in parse(completed.stdout, completed.stderr, completed.returncode).items():
                    advisories.setdefault(key, []).extend(found)
        report = python_report.report(self.name, manifests, advisories)
        source = f"local database {self.db}" if self.db else "the Safety platform"
        return report, f"{source}: {report.summary()}"


def parse(stdout: str, stderr: str, returncode: int) -> dict[tuple[str, str], list[results.Advisory]]:
    """``safety check --output json`` → advisories per (canonical name, version)."""
    if returncode not in (0, EXIT_VULNERABLE):
        raise ScannerError(_failure(stderr or stdout, returncode))
    data = _json(stdout)
    if data is None:
        raise ScannerError(f"safety printed no JSON: {process.last_line(stdout) or 'empty output'}")
    vulnerabilities = data.get("vulnerabilities") if isinstance(data, dict) else None
    if not isinstance(vulnerabilities, list):
        raise ScannerError("safety output has no vulnerabilities list")
    found: dict[tuple[str, str], list[results.Advisory]] = {}
    for item in vulnerabilities:
        if not isinstance(item, dict) or "package_name" not in item or "vulnerability_id" not in item:
            raise ScannerError("safety output has a malformed vulnerability")
        key = (canonicalize_name(str(item["package_name"])), str(item.get("analyzed_version")))
        cve = item.get("CVE")
        found.setdefault(key, []).append(
            results.Advisory(
                id=f"SAFETY-{item['vulnerability_id']}",
                aliases=(str(cve),) if cve else (),
                summary=str(item.get("advisory") or "").strip().splitlines()[0][:200]
                if item.get("advisory")
                else "",
                fixed=tuple(str(v) for v in item.get("fixed_versions") or ()),
                **_severity(item.get("severity")),
            )
        )
    if returncode == EXIT_VULNERABLE and not found:
        raise ScannerError("safety exited with 64 (vulnerabilities found) but listed none")
    return found


def _json(stdout: str) -> Any:
    """The JSON report; safety may print a notice before it, so start at the first ``{`` line."""
    text = stdout.strip()
    for start in (0, *(m.start() for m in re.finditer(r"^\{", text, re.MULTILINE))):
        try:
            return json.loads(text[start:])
        except ValueError:
            continue
    return None


def _severity(severity: Any) -> dict[str, Any]:
    if not isinstance(severity, dict):
        return {}
    for version in ("cvssv3", "cvssv2"):
        metrics = severity.get(version)
        if isinstance(metrics, dict) and isinstance(metrics.get("base_score"), int | float):
            score = float(metrics["base_score"])
            return {"band": results.band(score), "score": score}
    return {}


def _failure(output: str, returncode: int) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip() and "Warning" not in line]
    last = lines[-1] if lines else "no output"
    network = (
        "ConnectError",
        "NetworkConnectionError",
        "Name or service not known",
        "ConnectionError",
        "SSLError",
    )
    if any(marker in output for marker in network):
        return f"safety could not reach the Safety platform (it needs network at start-up): {last[:200]}"
    if returncode in _EXIT_REASONS:
        return f"safety exited with {returncode}: {_EXIT_REASONS[returncode]} ({last[:200]})"
    return f"safety exited with {returncode}: {last[:300]}"
