"""pip-audit: known vulnerabilities of the pinned Python requirements.

pip-audit never sees the scanned project: it gets a temporary requirements file (outside the
repository) holding only the ``name==version`` pins read from the install manifests (see
:mod:`readiness.facts.dependencies`), with ``--disable-pip --no-deps``, so nothing is resolved,
downloaded, built or installed. Unpinned requirements are left out (they have no version to
audit; ``security/pinned-dependencies`` reports them).

With an OSV URL configured, pip-audit asks that service (``-s osv --osv-url``) and nothing else;
the adapter then reads each reported advisory's CVSS vector from the same service, because
pip-audit's JSON carries no severity. Without one, pip-audit asks its default service, which
fails without network: that is *not assessed*, never a pass.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from readiness import results
from readiness.facts import dependencies
from readiness.repo import Repo
from readiness.scanners import osv, process, python_report
from readiness.scanners.base import Scanner, ScannerError

_VERSION = re.compile(r"pip-audit (\d+\.\d+\.\d+\S*)")
_ENV = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "PYTHONWARNINGS": "ignore"}
EXIT_VULNERABLE = 1  # pip-audit exits 1 when it found vulnerabilities, and also on errors


class PipAudit(Scanner):
    name = "pip-audit"
    program, program_variable = "pip-audit", "READINESS_PIP_AUDIT"
    advisory_data = True

    def __init__(self, osv_url: str | None = None) -> None:
        self.osv_url = osv_url
        self._executable = process.find(self.program, self.program_variable)

    def detect_version(self) -> str | None:
        return process.tool_version(self._executable, self.name, _ENV, _VERSION)

    def inputs(self, repo: Repo) -> Sequence[str]:
        chosen, _ = dependencies.manifest_paths(repo)
        return chosen

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[results.DependencyReport, str]:
        assert self._executable is not None
        manifests = [dependencies.read_manifest(repo, path) for path in files]
        manifests = [m for m in manifests if m.requirements or m.problems or m.kind != "pyproject"]
        _, superseded = dependencies.manifest_paths(repo)
        notes = tuple(
            f"{path}: ranges, pinned by a lock or requirements file beside it" for path in superseded
        )
        advisories: dict[tuple[str, str], list[results.Advisory]] = {}
        skipped: dict[str, str] = {}
        layers = python_report.layers(manifests)
        deadline = time.monotonic() + timeout
        with tempfile.TemporaryDirectory(prefix="readiness-pip-audit-") as scratch:
            for index, layer in enumerate(layers):
                requirements = Path(scratch) / f"requirements-{index}.txt"
                requirements.write_text(python_report.requirements_text(layer), encoding="utf-8")
                argv = [
                    self._executable,
                    "--requirement",
                    str(requirements),
                    "--disable-pip",
                    "--no-deps",
                    "--format",
                    "json",
                    "--progress-spinner",
                    "off",
                    "--cache-dir",
                    str(Path(scratch) / "cache"),
                    "--timeout",
                    str(max(1, int(timeout))),
                ]
                if self.osv_url:
                    argv += ["--vulnerability-service", "osv", "--osv-url", self.osv_url]
                completed = process.run_until(
                    argv, cwd=Path(scratch), deadline=deadline, total=timeout, env=_ENV, name=self.name
                )
                audit = parse(completed.stdout, completed.stderr, completed.returncode)
                unreported = sorted({name for name, _ in layer} - audit.reported)
                if len(unreported) == len(layer):
                    # "No known vulnerabilities found" over an empty list is not an audit of these.
                    raise ScannerError(
                        f"pip-audit reported on none of the {len(layer)} pinned package(s) it was given "
                        f"({', '.join(unreported[:5])}): nothing was audited"
                    )
                advisories.update(audit.advisories)
                skipped.update(audit.skipped)
                skipped.update((name, "pip-audit did not report on it") for name in unreported)
        if self.osv_url and advisories:
            advisories = self._with_severity(advisories, deadline)
        if skipped:  # private packages the service doesn't know: said, not hidden
            names = ", ".join(sorted(skipped)[:10])
            reason = next(iter(skipped.values()))
            notes += (f"{len(skipped)} package(s) not audited by pip-audit ({names}): {reason}",)
        report = python_report.report(self.name, manifests, advisories, notes)
        source = f"OSV at {self.osv_url}" if self.osv_url else "pip-audit's default service"
        return report, f"{source}: {report.summary()}"

    def _with_severity(
        self, advisories: dict[tuple[str, str], list[results.Advisory]], deadline: float
    ) -> dict[tuple[str, str], list[results.Advisory]]:
        """pip-audit's JSON has no severity: read the advisories' CVSS vectors from the same OSV
        endpoint pip-audit used (only for the packages it found vulnerable)."""
        assert self.osv_url is not None
        enriched: dict[tuple[str, str], list[results.Advisory]] = {}
        for (name, version), found in sorted(advisories.items()):
            entries = osv.query(self.osv_url, "PyPI", name, version, deadline - time.monotonic(), self.name)
            full = {str(entry.get("id")): osv.advisory_from_osv(entry, name, "PyPI") for entry in entries}
            enriched[(name, version)] = [
                replace(
                    a, band=full[a.id].band, score=full[a.id].score, summary=a.summary or full[a.id].summary
                )
                if a.id in full
                else a
                for a in found
            ]
        return enriched


@dataclass(frozen=True)
class Audit:
    """One pip-audit run, parsed: advisories per (canonical name, version), and the packages
    it could not audit with its reason (its default service skips what it can't look up)."""

    advisories: dict[tuple[str, str], list[results.Advisory]]
    skipped: dict[str, str]
    audited: int
    reported: frozenset[str] = frozenset()  # every canonical name the output mentions


def parse(stdout: str, stderr: str, returncode: int) -> Audit:
    """pip-audit's JSON, strictly. Raises ScannerError for anything but a clean run (exit 0)
    or a run that found vulnerabilities (exit 1 with JSON), and when it audited nothing: a run
    that skipped every package says "No known vulnerabilities found" and exits 0."""
    if returncode not in (0, EXIT_VULNERABLE):
        raise ScannerError(f"pip-audit exited with {returncode}: {_reason(stderr)}")
    try:
        data: Any = json.loads(stdout)
    except ValueError:
        if returncode == EXIT_VULNERABLE or not stdout.strip():
            raise ScannerError(f"pip-audit failed: {_reason(stderr)}") from None
        raise ScannerError(f"pip-audit printed no JSON: {process.last_line(stdout)}") from None
    dependencies = data.get("dependencies") if isinstance(data, dict) else None
    if not isinstance(dependencies, list):
        raise ScannerError("pip-audit output has no dependencies list")
    found: dict[tuple[str, str], list[results.Advisory]] = {}
    skipped: dict[str, str] = {}
    for dependency in dependencies:
        if not isinstance(dependency, dict) or "name" not in dependency:
            raise ScannerError("pip-audit output has a malformed dependency")
        name = canonicalize_name(str(dependency["name"]))
        if "skip_reason" in dependency:
            skipped[name] = str(dependency["skip_reason"])
            continue
        vulns = dependency.get("vulns")
        if not isinstance(vulns, list):
            raise ScannerError(f"pip-audit output has no vulns list for {dependency['name']}")
        if vulns:
            found[(name, str(dependency.get("version")))] = [
                results.Advisory(
                    id=str(v["id"]),
                    # pip-audit keeps aliases in a set: sorted, so reports are stable run to run.
                    aliases=tuple(sorted(str(alias) for alias in v.get("aliases") or ())),
                    summary=str(v.get("description") or "").strip()[:200],
                    fixed=tuple(str(fix) for fix in v.get("fix_versions") or ()),
                )
                for v in vulns
                if isinstance(v, dict) and "id" in v
            ]
    if returncode == EXIT_VULNERABLE and not found:
        raise ScannerError(f"pip-audit exited with 1 but reported no vulnerability: {_reason(stderr)}")
    audited = len(dependencies) - len(skipped)
    if dependencies and not audited:
        first = next(iter(skipped.values()))
        raise ScannerError(
            f"pip-audit audited none of {len(skipped)} package(s) ({first[:150]}): its service answered for "
            "none of them; offline, point it at a local OSV service with --osv-url"
        )
    reported = frozenset(canonicalize_name(str(d["name"])) for d in dependencies)
    return Audit(found, skipped, audited, reported)


def _reason(stderr: str) -> str:
    """The line of pip-audit's error output that says why (its own ERROR line, else the last)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("ERROR:"):
            return line.split(":", 2)[-1].strip()[:300]
    for line in reversed(lines):  # an HTTP error from the service, under pip-audit's own wrapper
        if "HTTPError:" in line:
            return "vulnerability service answered " + line.split("HTTPError:", 1)[1].strip()[:250]
    reason = process.last_line(stderr)
    if "Connection refused" in reason or "NewConnectionError" in reason or "Max retries exceeded" in reason:
        host = re.search(r"host='([^']+)', port=(\d+)", reason)
        where = f" {host.group(1)}:{host.group(2)}" if host else ""
        return f"vulnerability service unreachable{where} (connection refused or no network)"
    if "NameResolutionError" in reason or "Name or service not known" in reason or "getaddrinfo" in reason:
        return "vulnerability service unreachable (no network or DNS)"
    return reason
