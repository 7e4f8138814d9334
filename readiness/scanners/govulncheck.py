"""govulncheck: known vulnerabilities of Go modules, with call-reachability.

Source mode, one run per module (``./...`` in each go.mod directory). Two generations of the
tool are supported because both are in use: the early releases (Debian 12's package) print one
JSON object with a ``Vulns`` array and read the database from ``GOVULNDB``; v1.x prints a stream
of JSON messages (``config``, ``progress``, ``osv``, ``finding``) and takes ``-db``.

govulncheck analyses code, it never runs it: the Go toolchain only lists and type-checks
packages. The environment makes sure it fetches nothing either: ``GOPROXY=off`` (modules come
from the local module cache or ``vendor/``), ``GOTOOLCHAIN=local`` (no toolchain download),
``GOFLAGS=-mod=readonly`` (or ``-mod=vendor``), ``CGO_ENABLED=0`` (no C compiler on the scanned
code), ``GOWORK=off``.

When the packages can't be loaded that way (modules not in the cache, a go.mod newer than the
local toolchain), and a local database is configured, the adapter falls back to module-level
matching: the go.mod requirements and its minimum Go release against the database. Those
matches say nothing about reachability, and the report says so.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from readiness import results
from readiness.parsers import gomod, versions
from readiness.repo import Repo
from readiness.scanners import go_vulndb, osv, process
from readiness.scanners.base import Scanner, ScannerError

_ENV = {
    "GOPROXY": "off",
    "GOTOOLCHAIN": "local",
    "GOFLAGS": "-mod=readonly",
    "CGO_ENABLED": "0",
    "GOWORK": "off",
    "GOSUMDB": "off",
    "GOTELEMETRY": "off",
}
EXIT_VULNERABLE = 3  # text mode's "vulnerabilities found"; JSON mode exits 0 when it succeeds
# What govulncheck prints when the Go toolchain could not load the packages offline.
_LOAD_FAILURES = (
    "packages contain errors",
    "errors parsing go.mod",
    "missing go.sum entry",
    "cannot find module",
    "no required module provides",
    "module lookup disabled",
    "go.mod requires go",
    "invalid go version",
    "unknown directive",
    "loading packages",
    "could not import",
    'exec: "go"',
    "go: ",
)
_NETWORK_FAILURES = ("dial tcp", "no such host", "connection refused", "network is unreachable", "tls:")


class PackagesNotLoaded(ScannerError):
    """The toolchain could not load the module's packages (so module-level matching may help)."""


@dataclass(frozen=True)
class Frame:
    package: str
    function: str
    filename: str
    line: int

    def name(self) -> str:
        return f"{self.package}.{self.function}" if self.function else self.package


@dataclass(frozen=True)
class GoFinding:
    """One advisory against one module, as govulncheck reported it."""

    entry: dict[str, Any]
    module: str
    version: str  # as found (``go1.19.8`` for the standard library, ``v1.2.3`` for modules)
    fixed: str
    reachable: bool
    frames: tuple[Frame, ...] = ()  # entry point first, vulnerable symbol last


class Govulncheck(Scanner):
    name = "govulncheck"
    program, program_variable = "govulncheck", "READINESS_GOVULNCHECK"
    advisory_data = True

    def __init__(self, db: str | None = None) -> None:
        self.db = _db_url(db)
        self._executable = process.find(self.program, self.program_variable)
        self._v1 = False  # v1.x: -db and streamed JSON; set by detect_version
        self._format_flag = False

    def detect_version(self) -> str | None:
        if self._executable is None:
            return None
        try:
            completed = process.run([self._executable, "-h"], cwd=Path.cwd(), timeout=60, name=self.name)
        except ScannerError:
            return None
        usage = completed.stdout + completed.stderr
        if "usage" not in usage.lower():
            return None
        self._v1 = "-db" in usage
        self._format_flag = "-format" in usage
        version = _binary_version(self._executable) or ("1.x" if self._v1 else "legacy (pre-1.0)")
        return f"{version}, {_go_version() or 'go toolchain not found'}"

    def inputs(self, repo: Repo) -> Sequence[str]:
        return [path for path in repo.named("go.mod") if gomod.is_module_file(path)]

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[results.DependencyReport, str]:
        assert self._executable is not None
        deadline = time.monotonic() + timeout
        vulnerabilities: list[results.Vulnerability] = []
        manifests: list[results.Manifest] = []
        for path in files:
            module = gomod.parse(path, repo.text(path))
            directory = repo.root / PurePosixPath(path).parent
            try:
                if module.problems:  # the go command would refuse the file: don't hand it over
                    raise PackagesNotLoaded(_refused(module))
                findings = self._run(directory, deadline, timeout)
                found, note = source_vulnerabilities(findings, module, repo.root, directory)
            except PackagesNotLoaded as error:
                local = go_vulndb.local_path(self.db)
                database = go_vulndb.GoVulnDB(local) if local else None
                if database is None or not database.exists():
                    raise ScannerError(
                        f"{path}: {error}; module-level matching needs a local Go vulnerability "
                        "database (--go-vulndb)"
                    ) from None
                found = module_level(module, database)
                note = f"module-level match, packages not loaded: {error}"
            if module.problems:
                note = f"{len(module.problems)} unreadable requirement line(s) not audited; {note}"
            vulnerabilities += found
            vulnerable = len({v.package for v in found})
            unit = "module(s) with the standard library"
            manifests.append(results.Manifest(path, len(module.requires) + 1, vulnerable, note, unit))
        report = results.DependencyReport(self.name, tuple(vulnerabilities), tuple(manifests))
        source = f"database {self.db}" if self.db else "govulncheck's default database"
        return report, f"{source}: {report.summary()}"

    def _run(self, directory: Path, deadline: float, total: float) -> list[GoFinding]:
        assert self._executable is not None
        env = dict(_ENV)
        if (directory / "vendor" / "modules.txt").is_file():
            env["GOFLAGS"] = "-mod=vendor"
        if self._v1:
            argv = [self._executable, *(["-format", "json"] if self._format_flag else ["-json"])]
            argv += [*(["-db", self.db] if self.db else []), "./..."]
        else:
            argv = [self._executable, "-json", "./..."]
            if self.db:
                env["GOVULNDB"] = self.db
        completed = process.run_until(
            argv, cwd=directory, deadline=deadline, total=total, env=env, name=self.name
        )
        return parse(completed.stdout, completed.stderr, completed.returncode)


def _refused(module: gomod.GoMod) -> str:
    line, problem = module.problems[0]
    more = f" and {len(module.problems) - 1} more line(s)" if len(module.problems) > 1 else ""
    return f"not run, the go command would refuse line {line} ({problem}){more}"


def _db_url(db: str | None) -> str | None:
    """A configured database as the URL govulncheck takes (a plain directory becomes file://)."""
    if not db:
        return None
    if "://" in db:
        return db
    return "file://" + os.path.abspath(db)


def _binary_version(executable: str) -> str | None:
    """The golang.org/x/vuln version recorded in the binary's build information (read, never
    run); for a distribution build without one, the distribution package's version."""
    try:
        data = Path(executable).resolve().read_bytes()
    except OSError:
        return None
    match = re.search(rb"mod\tgolang\.org/x/vuln\t(v[0-9][^\t\n]*)", data)
    if match:
        return match.group(1).decode(errors="replace").removeprefix("v")
    try:
        status = Path("/var/lib/dpkg/status").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if Path(executable).resolve() != Path("/usr/bin/govulncheck"):
        return None
    block = re.search(r"^Package: govulncheck\n(?:.+\n)*?Version: (\S+)", status, re.MULTILINE)
    return f"{block.group(1)} (Debian package)" if block else None


def _go_version() -> str | None:
    go = process.find("go")
    if go is None:
        return None
    try:
        completed = process.run([go, "env", "GOVERSION"], cwd=Path.cwd(), timeout=30, env=_ENV, name="go")
    except ScannerError:
        return None
    version = completed.stdout.strip()
    return version if completed.returncode == 0 and version.startswith("go") else None


# ---- parsing --------------------------------------------------------------------------------
def parse(stdout: str, stderr: str, returncode: int) -> list[GoFinding]:
    """Either generation's JSON → findings. Failures raise ScannerError, and PackagesNotLoaded
    when the toolchain could not load the packages."""
    text = stdout.strip()
    if returncode not in (0, EXIT_VULNERABLE) or not text:
        raise _failure(stderr or stdout, returncode)
    if text.startswith("{") and '"Vulns"' in text[:2000]:
        return _parse_legacy(text)
    if text.startswith("{"):
        return _parse_stream(text)
    raise ScannerError(f"govulncheck printed no JSON: {process.last_line(text)}")


def _failure(output: str, returncode: int) -> ScannerError:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    lowered = output.lower()
    if any(marker in lowered for marker in _NETWORK_FAILURES):
        reason = next(
            (line for line in lines if any(m in line.lower() for m in _NETWORK_FAILURES)), lines[-1]
        )
        return ScannerError(f"govulncheck could not reach its vulnerability database: {reason[:300]}")
    if any(marker in lowered for marker in _LOAD_FAILURES):
        # The first line after govulncheck's own prefix names the package or go.mod problem.
        detail = next(
            (line for line in lines if not line.startswith("govulncheck:")), lines[0] if lines else ""
        )
        if lines and detail == lines[0]:
            detail = detail.split(": ", 1)[-1]
        return PackagesNotLoaded(f"packages could not be loaded offline ({detail[:200]})")
    return ScannerError(
        f"govulncheck exited with {returncode}: {(lines[-1] if lines else 'no output')[:300]}"
    )


def _parse_legacy(text: str) -> list[GoFinding]:
    try:
        data = json.loads(text)
    except ValueError:
        raise ScannerError("govulncheck printed malformed JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("Vulns") or [], list):
        raise ScannerError("govulncheck output has no Vulns list")
    findings = []
    for vuln in data.get("Vulns") or ():
        entry = vuln.get("OSV") if isinstance(vuln, dict) else None
        if not isinstance(entry, dict) or "id" not in entry:
            raise ScannerError("govulncheck output has a vulnerability without its OSV entry")
        for module in vuln.get("Modules") or ():
            stacks = [s for p in module.get("Packages") or () for s in p.get("CallStacks") or ()]
            frames: tuple[Frame, ...] = ()
            if stacks:
                frames = tuple(
                    Frame(
                        str(f.get("PkgPath", "")),
                        _function(f.get("RecvType", ""), f.get("FuncName", "")),
                        str((f.get("Position") or {}).get("Filename", "")),
                        int((f.get("Position") or {}).get("Line", 0) or 0),
                    )
                    for f in stacks[0].get("Frames") or ()
                )
            findings.append(
                GoFinding(
                    entry,
                    str(module.get("Path", "")),
                    str(module.get("FoundVersion", "")),
                    str(module.get("FixedVersion", "")),
                    bool(stacks),
                    frames,
                )
            )
    return findings


def _function(receiver: str, function: str) -> str:
    receiver = str(receiver or "").lstrip("*").rsplit(".", 1)[-1]
    return f"{receiver}.{function}" if receiver else str(function)


def _parse_stream(text: str) -> list[GoFinding]:
    decoder = json.JSONDecoder()
    entries: dict[str, dict[str, Any]] = {}
    raw: list[dict[str, Any]] = []
    index = 0
    while index < len(text):
        try:
            message, index = decoder.raw_decode(text, index)
        except ValueError:
            raise ScannerError("govulncheck printed malformed JSON") from None
        while index < len(text) and text[index].isspace():
            index += 1
        if not isinstance(message, dict):
            raise ScannerError("govulncheck printed a JSON value that is not a message")
        if isinstance(message.get("osv"), dict):
            entries[str(message["osv"].get("id"))] = message["osv"]
        if isinstance(message.get("finding"), dict):
            raw.append(message["finding"])
    merged: dict[tuple[str, str], GoFinding] = {}
    for finding in raw:
        trace = [t for t in finding.get("trace") or () if isinstance(t, dict)]
        vuln_id = str(finding.get("osv", ""))
        if not trace or vuln_id not in entries:
            raise ScannerError(f"govulncheck finding {vuln_id or '?'} has no trace or no OSV entry")
        top = trace[0]
        reachable = bool(top.get("function"))
        frames = tuple(
            Frame(
                str(t.get("package", "")),
                _function(t.get("receiver", ""), t.get("function", "")),
                str((t.get("position") or {}).get("filename", "")),
                int((t.get("position") or {}).get("line", 0) or 0),
            )
            for t in reversed(trace)
        )
        current = GoFinding(
            entries[vuln_id],
            str(top.get("module", "")),
            str(top.get("version", "")),
            str(finding.get("fixed_version", "")),
            reachable,
            frames if reachable else (),
        )
        key = (vuln_id, current.module)
        previous = merged.get(key)
        if previous is None or (current.reachable and not previous.reachable):
            merged[key] = current
    return list(merged.values())


# ---- findings → vulnerabilities -------------------------------------------------------------
def _ranges(entry: Mapping[str, Any], module: str) -> list[Mapping[str, Any]]:
    return [
        event_range
        for affected in entry.get("affected") or ()
        if (affected.get("package") or {}).get("name") == module
        for event_range in affected.get("ranges") or ()
    ]


def _fixes(entry: Mapping[str, Any], module: str) -> list[str]:
    return [str(e["fixed"]) for r in _ranges(entry, module) for e in r.get("events") or () if "fixed" in e]


def _display(module: str, version: str | None) -> str | None:
    if not version:
        return None
    plain = version.removeprefix("go").removeprefix("v")
    return f"go{plain}" if module == "stdlib" else f"v{plain}"


def _vulnerability(
    entry: Mapping[str, Any],
    module_path: str,
    version: str,
    mod: gomod.GoMod,
    **extra: Any,
) -> results.Vulnerability:
    semver = versions.go_semver(version) if module_path == "stdlib" else version.removeprefix("v")
    fix = versions.lowest_fix(semver, _fixes(entry, module_path))
    if module_path == "stdlib":
        minimum = mod.minimum_go()
        line = minimum[1] if minimum else None
    else:
        # The tool names the module version it built; a replaced one is written under its
        # original path (line_of looks there too).
        line = mod.line_of(module_path, versions.canonical_go_version(version) or version)
    return results.Vulnerability(
        ecosystem="Go",
        package=module_path,
        version=_display(module_path, version) or version,
        path=mod.path,
        line=line,
        advisories=(osv.advisory_from_osv(entry, module_path, "Go"),),
        fix=_display(module_path, fix),
        **extra,
    )


def source_vulnerabilities(
    findings: list[GoFinding], mod: gomod.GoMod, root: Path, directory: Path
) -> tuple[list[results.Vulnerability], str]:
    """govulncheck's findings for one module as vulnerabilities, with the call site in the
    repository for reachable ones.

    The standard library is analysed at the local toolchain's version; advisories that no
    longer apply at the go.mod's minimum Go release are left out (that toolchain can't build
    the module anyway), and counted in the note.
    """
    minimum = mod.minimum_go()
    floor = versions.semver_key(versions.go_semver(minimum[0])) if minimum else None
    found: list[results.Vulnerability] = []
    dropped = 0
    for finding in findings:
        version = finding.version
        if finding.module == "stdlib" and floor is not None:
            local = versions.semver_key(versions.go_semver(version))
            if local is not None and local < floor:
                assert minimum is not None
                if not versions.affected(versions.go_semver(minimum[0]), _ranges(finding.entry, "stdlib")):
                    dropped += 1
                    continue
        trace_path, trace_line = _call_site(finding.frames, mod.module, root, directory)
        chain = " → ".join(frame.name() for frame in finding.frames)
        found.append(
            _vulnerability(
                finding.entry,
                finding.module,
                version,
                mod,
                reachable=finding.reachable,
                trace=chain,
                trace_path=trace_path,
                trace_line=trace_line,
            )
        )
    note = f"{dropped} standard-library advisories of the older local toolchain left out" if dropped else ""
    return found, note


def _call_site(
    frames: Sequence[Frame], module: str, root: Path, directory: Path
) -> tuple[str | None, int | None]:
    """The first frame in the scanned module's own files: where its code makes the call. (v1
    writes positions relative to each frame's module root, so a dependency's relative path
    must not be read as one of ours.)"""
    for frame in frames:
        if not frame.filename or frame.line <= 0:
            continue
        if module and frame.package != module and not frame.package.startswith(module + "/"):
            continue
        path = Path(frame.filename)
        full = path if path.is_absolute() else directory / path
        try:
            relative = full.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        return relative.as_posix(), frame.line
    return None, None


def module_level(mod: gomod.GoMod, database: go_vulndb.GoVulnDB) -> list[results.Vulnerability]:
    """go.mod against the database: each required module version, and the standard library at
    the module's minimum Go release (a lower bound: a newer toolchain may already be patched)."""
    found: list[results.Vulnerability] = []
    note = "module-level match: whether the code calls the vulnerable symbols was not analysed"
    minimum = mod.minimum_go()
    if minimum is not None:
        version = versions.go_semver(minimum[0])
        for entry in database.entries("stdlib"):
            if versions.affected(version, _ranges(entry, "stdlib")):
                found.append(_vulnerability(entry, "stdlib", "go" + minimum[0], mod, note=note))
    for requirement in mod.selected():
        version = requirement.version.removeprefix("v")
        for entry in database.entries(requirement.module):
            if versions.affected(version, _ranges(entry, requirement.module)):
                found.append(_vulnerability(entry, requirement.module, requirement.version, mod, note=note))
    return found
