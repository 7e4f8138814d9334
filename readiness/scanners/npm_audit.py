"""Node dependencies: lock files against an OSV service, or ``npm audit`` without one.

With an OSV URL configured, every locked package version (package-lock.json, npm-shrinkwrap.json,
yarn.lock, pnpm-lock.yaml) is matched through that service's ``/v1/querybatch`` and the full
advisories fetched from ``/v1/vulns/<id>``: nothing else is contacted, no npm process runs.

Without one, ``npm audit --json --package-lock-only`` asks the npm registry configured on the
machine; it reads the lock file only (no install, no scripts). Offline, that fails, and the
result is *not assessed*. yarn and pnpm lock files need the OSV service.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from readiness import __version__, results
from readiness.parsers import node_locks, versions
from readiness.repo import Repo
from readiness.scanners import osv, process
from readiness.scanners.base import Scanner, ScannerError

_ENV = {"npm_config_update_notifier": "false", "npm_config_fund": "false", "npm_config_audit": "true"}
_NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json")
_GHSA = re.compile(r"GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}")


class NpmAudit(Scanner):
    name = "npm-audit"
    program, program_variable = "npm", "READINESS_NPM"
    advisory_data = True

    def __init__(self, osv_url: str | None = None) -> None:
        self.osv_url = osv_url
        self._executable = None if osv_url else process.find(self.program, self.program_variable)

    def needs_executable(self) -> bool:
        return self.osv_url is None

    def detect_version(self) -> str | None:
        if self.osv_url:
            return f"OSV lockfile match (readiness {__version__})"
        if self._executable is None:
            return None
        try:
            completed = process.run(
                [self._executable, "--version"], cwd=Path.cwd(), timeout=60, env=_ENV, name="npm"
            )
        except ScannerError:
            return None
        version = completed.stdout.strip()
        return f"npm {version}" if completed.returncode == 0 and re.match(r"^\d+\.\d+", version) else None

    def inputs(self, repo: Repo) -> Sequence[str]:
        return repo.named(*node_locks.LOCK_NAMES)

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[results.DependencyReport, str]:
        locks = [node_locks.parse(path, repo.text(path)) for path in files]
        broken = [lock for lock in locks if lock.problem]
        if broken:
            raise ScannerError(f"{broken[0].path} could not be read: {broken[0].problem}")
        if self.osv_url:
            report = self._osv(locks, timeout)
            return report, f"OSV at {self.osv_url}: {report.summary()}"
        report = self._npm(repo, locks, timeout)
        return report, f"npm audit (the configured npm registry): {report.summary()}"

    # ---- OSV ------------------------------------------------------------------------------
    def _osv(self, locks: list[node_locks.NodeLock], timeout: float) -> results.DependencyReport:
        assert self.osv_url is not None
        keys = sorted({(p.name, p.version) for lock in locks for p in lock.packages})
        entries = osv.query_batch(self.osv_url, [("npm", n, v) for n, v in keys], timeout, self.name)
        advisories = {
            key: [osv.advisory_from_osv(entry, key[0], "npm") for entry in found]
            for key, found in zip(keys, entries, strict=True)
            if found
        }
        return _report(locks, advisories)

    # ---- npm audit ------------------------------------------------------------------------
    def _npm(self, repo: Repo, locks: list[node_locks.NodeLock], timeout: float) -> results.DependencyReport:
        assert self._executable is not None
        unsupported = [lock.path for lock in locks if PurePosixPath(lock.path).name not in _NPM_LOCKS]
        if unsupported:
            raise ScannerError(
                f"{unsupported[0]}: npm audit reads package-lock.json only; configure an OSV URL "
                "(--osv-url) to match yarn and pnpm lock files"
            )
        advisories: dict[tuple[str, str], list[results.Advisory]] = {}
        deadline = time.monotonic() + timeout
        for lock in locks:
            with tempfile.TemporaryDirectory(prefix="readiness-npm-") as scratch:
                completed = self._audit_copy(repo, lock, Path(scratch), deadline, timeout)
            for key, found in parse_npm(
                completed.stdout, completed.stderr, completed.returncode, lock
            ).items():
                advisories.setdefault(key, [])
                known = {a.id for a in advisories[key]}
                advisories[key] += [a for a in found if a.id not in known]
        return _report(locks, advisories)

    def _audit_copy(
        self, repo: Repo, lock: node_locks.NodeLock, scratch: Path, deadline: float, total: float
    ) -> process.Completed:
        """``npm audit`` of a copy of the lock file (and its package.json) in ``scratch``.

        The copy holds the versions as parsed, in canonical form, without the entries that are
        problems (:func:`node_locks.for_audit`): npm matches what it reads literally.

        Not in the tree: npm reads the ``.npmrc`` of the project it runs in, and the tree's could
        point the audit at a server of its choosing and hand it our token through ``${VAR}``
        expansion. The user and global configuration are empty files too; the registry is the
        gate's own setting (READINESS_NPM_REGISTRY) or npm's built-in default."""
        assert self._executable is not None
        lock_path = PurePosixPath(lock.path)
        copy = node_locks.for_audit(lock, repo.text(lock.path))
        (scratch / lock_path.name).write_text(copy, encoding="utf-8")
        if repo.exists(str(lock_path.parent / "package.json")):
            package = repo.text(str(lock_path.parent / "package.json"))
            (scratch / "package.json").write_text(package, encoding="utf-8")
        user, machine = scratch / "user-npmrc", scratch / "global-npmrc"  # npm refuses one file twice
        for empty in (user, machine):
            empty.write_text("", encoding="utf-8")
        argv = [
            self._executable,
            "audit",
            "--json",
            "--package-lock-only",
            "--ignore-scripts",
            "--userconfig",
            str(user),
            "--globalconfig",
            str(machine),
            "--cache",
            str(scratch / "cache"),
        ]
        if registry := os.environ.get("READINESS_NPM_REGISTRY"):
            argv += ["--registry", registry]
        return process.run_until(
            argv, cwd=scratch, deadline=deadline, total=total, env=_ENV, name="npm audit"
        )


def _report(
    locks: list[node_locks.NodeLock], advisories: dict[tuple[str, str], list[results.Advisory]]
) -> results.DependencyReport:
    vulnerabilities: list[results.Vulnerability] = []
    manifests: list[results.Manifest] = []
    for lock in locks:
        unique = lock.unique()
        vulnerable = 0
        for package in unique:
            found = advisories.get((package.name, package.version))
            if not found:
                continue
            vulnerable += 1
            fixes = [versions.lowest_fix(package.version, a.fixed) for a in found]
            vulnerabilities.append(
                results.Vulnerability(
                    ecosystem="npm",
                    package=package.name,
                    version=package.version,
                    path=lock.path,
                    line=package.line,
                    advisories=tuple(sorted(found, key=lambda a: a.id)),
                    fix=versions.combined_fix(fixes),
                    dev=package.dev,
                )
            )
        note = f"{len(lock.problems)} unreadable entr(y/ies) not audited" if lock.problems else ""
        manifests.append(results.Manifest(lock.path, len(unique), vulnerable, note))
    return results.DependencyReport("npm-audit", tuple(vulnerabilities), tuple(manifests))


def parse_npm(
    stdout: str, stderr: str, returncode: int, lock: node_locks.NodeLock
) -> dict[tuple[str, str], list[results.Advisory]]:
    """``npm audit --json`` (report version 2, npm 7 and later) → advisories per locked
    (name, version). npm exits 1 both when it found vulnerabilities and when it failed; only a
    report with ``auditReportVersion`` counts as a result."""
    try:
        data: Any = json.loads(stdout)
    except ValueError:
        reason = process.last_line(stderr) if stderr.strip() else process.last_line(stdout)
        raise ScannerError(f"npm audit printed no JSON (exit {returncode}): {reason}") from None
    if not isinstance(data, dict):
        raise ScannerError("npm audit printed JSON that is not an object")
    if "auditReportVersion" not in data:
        error: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
        message = str(error.get("summary") or data.get("message") or process.last_line(stderr)).strip()
        first = message.splitlines()[0] if message else "no reason given"
        raise ScannerError(f"npm audit failed (exit {returncode}): {first[:300]}")
    if data.get("auditReportVersion") != 2:
        raise ScannerError(f"npm audit report version {data.get('auditReportVersion')} is not supported")
    if returncode not in (0, 1):
        raise ScannerError(f"npm audit exited with {returncode}: {process.last_line(stderr)}")
    # npm names the nodes (node_modules/...) it found vulnerable: they are mapped back to the
    # lock's entries, so the key is the entry's parsed name and canonical version.
    locked = {package.node: package for package in lock.packages}
    found: dict[tuple[str, str], list[results.Advisory]] = {}
    for name, vulnerability in (data.get("vulnerabilities") or {}).items():
        if not isinstance(vulnerability, dict):
            raise ScannerError("npm audit output has a malformed vulnerability")
        # "via" holds advisories (objects) or names of vulnerable dependencies (strings): only
        # the package with the advisory itself is reported; its dependents follow from it.
        direct = [via for via in vulnerability.get("via") or () if isinstance(via, dict)]
        if not direct:
            continue
        advisories = [_npm_advisory(via) for via in direct]
        nodes = [str(node) for node in vulnerability.get("nodes") or ()]
        installed = {(locked[node].name, locked[node].version) for node in nodes if node in locked}
        if not installed:
            raise ScannerError(f"npm audit reports {name} at nodes the lock file does not have")
        for key in sorted(installed):
            found.setdefault(key, []).extend(advisories)
    return found


def _npm_advisory(via: dict[str, Any]) -> results.Advisory:
    url = str(via.get("url") or "")
    ghsa = _GHSA.search(url)
    cvss: dict[str, Any] = via["cvss"] if isinstance(via.get("cvss"), dict) else {}
    score = cvss.get("score")
    level = str(via.get("severity") or "").lower()
    band = results.band(float(score)) if isinstance(score, int | float) and score > 0 else None
    band = band or {
        "critical": results.CRITICAL,
        "high": results.HIGH,
        "moderate": results.MEDIUM,
        "low": results.LOW,
    }.get(level)
    advisory_id = ghsa.group(0) if ghsa else f"npm-{via.get('source', '?')}"
    return results.Advisory(
        id=advisory_id,
        aliases=(f"npm-{via['source']}",) if ghsa and via.get("source") else (),
        summary=str(via.get("title") or "")[:200],
        fixed=_fixed_from_range(str(via.get("range") or "")),
        band=band,
        score=float(score) if isinstance(score, int | float) and score > 0 else None,
    )


def _fixed_from_range(vulnerable: str) -> tuple[str, ...]:
    """The fixed versions implied by npm's vulnerable range (``<4.17.21``, ``>=2.0.0 <2.3.1``)."""
    return tuple(dict.fromkeys(re.findall(r"<\s*(\d+\.\d+\.\d+[^\s|]*)", vulnerable)))
