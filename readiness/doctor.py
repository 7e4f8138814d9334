"""What readiness can run on this machine: each scanner, its version, where it was found, whether
it works, and what is missing with the command that installs it.

Two front ends read this: ``readiness doctor`` (:func:`rows`, :func:`table`) and the first line
``readiness scan`` prints when a scanner it will use is not installed (:func:`notice`). Nothing
here prints or exits; the CLI does. Discovery and version detection are the adapters' own
(:meth:`Scanner.executable`, :meth:`Scanner.version`): what the doctor reports is what a scan
would use.

The self-tests never reach the network: semgrep scans a two-line file with a one-rule config in a
temporary directory, which exercises the real adapter end to end; the dependency scanners cannot
scan anything without their vulnerability databases, so for them the test is the version question
the adapter asks anyway.
"""

from __future__ import annotations

import copy
import enum
import os
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from readiness import engine, registry
from readiness.engine import ScanRequest
from readiness.repo import Repo
from readiness.scanners import default_scanners, process
from readiness.scanners.base import Scanner
from readiness.scanners.govulncheck import Govulncheck
from readiness.scanners.npm_audit import NpmAudit
from readiness.scanners.pip_audit import PipAudit
from readiness.scanners.safety import Safety
from readiness.scanners.semgrep import Semgrep

# The one command that brings the pinned Python scanners (pyproject.toml's `scanners` extra).
PYTHON_EXTRA = 'pip install "readiness[scanners]"'
# govulncheck is a Go program: no Python package carries it.
GO_INSTALL = "go install golang.org/x/vuln/cmd/govulncheck@latest"


@dataclass(frozen=True)
class Tool:
    """How a scanner's program is installed: packaging facts the adapters (which only find and run
    the program, and name it in ``program`` / ``program_variable``) do not hold."""

    command: str  # the command that installs it; empty when something else brings it
    brought_by: str = ""  # what brings it when no command does
    checked: str = ""  # what the self-test checks, when it cannot be a real scan


TOOLS: dict[str, Tool] = {
    "semgrep": Tool(PYTHON_EXTRA),
    "pip-audit": Tool(PYTHON_EXTRA, checked="version only (needs the vulnerability database)"),
    "safety": Tool(PYTHON_EXTRA, checked="version only (needs the vulnerability database)"),
    "govulncheck": Tool(
        GO_INSTALL, checked="version only (needs the Go toolchain and the vulnerability database)"
    ),
    "npm-audit": Tool(
        "",
        brought_by="Node.js (or give --osv-url to match lock files without npm)",
        checked="version only (npm audit asks the registry's advisory service)",
    ),
}
# The adapters by scanner name: where each one's program name and override variable are written.
_ADAPTERS: dict[str, type[Scanner]] = {
    adapter.name: adapter for adapter in (Semgrep, PipAudit, Safety, Govulncheck, NpmAudit)
}


class Status(enum.StrEnum):
    OK = "ok"  # the self-test passed
    FAILED = "failed"  # the program is there but the self-test did not pass
    SKIPPED = "skipped"  # nothing to test: the program is not installed


@dataclass(frozen=True)
class Row:
    """One scanner as ``readiness doctor`` shows it."""

    scanner: str
    version: str | None
    path: str | None
    status: Status
    reason: str  # why the self-test has its status, one line
    missing: str | None = None  # what is missing and how to install it; None when nothing is

    @property
    def works(self) -> bool:
        return self.status is Status.OK


def rows(scanners: Sequence[Scanner] | None = None, *, timeout: float = 120.0) -> list[Row]:
    """Every scanner a scan may use (:func:`default_scanners` unless given), checked side by side:
    semgrep's self-test alone takes seconds, most of them its start-up."""
    chosen = list(scanners) if scanners is not None else default_scanners()
    with ThreadPoolExecutor(max_workers=max(1, len(chosen))) as pool:
        return list(pool.map(lambda scanner: _row(scanner, timeout), chosen))


def _row(scanner: Scanner, timeout: float) -> Row:
    path = scanner.executable()
    if path is None and scanner.needs_executable():
        return Row(scanner.name, None, None, Status.SKIPPED, "not installed", _absent(scanner.name))
    version = scanner.version()
    if version is None:
        return Row(
            scanner.name,
            None,
            path,
            Status.FAILED,
            "found, but it did not answer the version question (broken install?)",
            f"a working {_program(scanner.name)[0]}; {_install_clause([scanner.name], 'it')}",
        )
    if path is None:  # configured to work without its program (npm-audit with an OSV service)
        return Row(scanner.name, version, None, Status.OK, "needs no program of its own here")
    if isinstance(scanner, Semgrep):
        status, reason = _semgrep_self_test(scanner, timeout)
        return Row(scanner.name, version, path, status, reason)
    if scanner.name == "govulncheck" and process.find("go") is None:
        # govulncheck loads the packages it checks with the go command: without it no scan works.
        return Row(
            scanner.name,
            version,
            path,
            Status.FAILED,
            "the go command is not found: govulncheck needs the Go toolchain to load packages",
            "go, the Go toolchain govulncheck loads packages with",
        )
    reason = _tool(scanner.name).checked or "version only"
    key_variable = getattr(scanner, "key_variable", None)
    if isinstance(key_variable, str) and not (os.environ.get(key_variable) or getattr(scanner, "db", None)):
        # Installed and working, but a scan skips it: say why, so a skipped safety is no surprise.
        reason += f"; scans skip it while {key_variable} is not set and no local database is configured"
    return Row(scanner.name, version, path, Status.OK, reason)


# The self-test's code and rule: one call the rule matches, on the file's second line.
_SELF_TEST_RULE = "readiness-doctor-self-test"
_SELF_TEST_CODE = "value = input()\nprint(eval(value))\n"
_SELF_TEST_RULES = f"""rules:
  - id: {_SELF_TEST_RULE}
    languages: [python]
    severity: INFO
    message: eval of a value
    pattern: eval(...)
"""


def _semgrep_self_test(scanner: Semgrep, timeout: float) -> tuple[Status, str]:
    """A real scan through the adapter (its command line, environment and JSON parsing) with a
    copy of ``scanner`` given a one-rule config: exactly one match on line 2 means it works."""
    with tempfile.TemporaryDirectory(prefix="readiness-doctor-") as scratch:
        rules, tree = Path(scratch, "rules"), Path(scratch, "tree")
        rules.mkdir()
        tree.mkdir()
        (rules / "self-test.yaml").write_text(_SELF_TEST_RULES, encoding="utf-8")
        (tree / "app.py").write_text(_SELF_TEST_CODE, encoding="utf-8")
        probe = copy.copy(scanner)  # the same executable and version, another rule set
        probe.rules = rules
        output = probe.run(Repo(tree, use_git=False), timeout)
    if not output.ok:
        return Status.FAILED, f"self-test scan failed: {output.detail}"
    found = [(match.rule, match.path, match.line) for match in output.data]
    if found == [(_SELF_TEST_RULE, "app.py", 2)]:
        return Status.OK, "self-test scan: 1 match, as expected"
    return Status.FAILED, f"self-test scan: {len(found)} match(es) where 1 (app.py line 2) was expected"


def _tool(name: str) -> Tool:
    return TOOLS.get(name) or Tool("")


def _program(name: str) -> tuple[str, str]:
    """The program a scanner runs and the variable that overrides it, as its adapter names them."""
    adapter = _ADAPTERS.get(name)
    return (adapter.program, adapter.program_variable) if adapter is not None else (name, "")


def _absent(name: str) -> str:
    """Where the program was looked for, and how to install it."""
    program, variable = _program(name)
    override = os.environ.get(variable) if variable else None
    if override:
        where = f"{variable} is set to {override}, which is not an executable file"
    else:
        where = f"not on PATH, nor beside readiness's Python in {process.interpreter_dir()}"
    return f"{program} ({where}); {_install_clause([name], 'it')}"


def _install_clause(names: Sequence[str], subject: str) -> str:
    """How to install ``names`` (scanners sharing one way), ``subject`` naming them in the clause."""
    tool = _tool(names[0])
    if tool.command:
        return f"install {subject} with: {tool.command}"
    return f"{_program(names[0])[0]} comes with {tool.brought_by or 'its own installer'}"


def needed(request: ScanRequest) -> set[str]:
    """The scanners some check of the scan's categories reads: the ones the engine would run."""
    engine.load_catalogue()
    return {
        name
        for category in engine.selected_categories(request)
        for spec in registry.checks_for(category)
        for name in spec.scanners
    }


def missing(scanners: Iterable[Scanner], wanted: set[str]) -> list[str]:
    """The names of the ``wanted`` scanners whose programs the adapters did not find."""
    return [
        scanner.name
        for scanner in scanners
        if scanner.name in wanted and scanner.needs_executable() and scanner.executable() is None
    ]


def notice(request: ScanRequest) -> str | None:
    """The one line a scan starts with when a scanner it will use is not installed, or None."""
    return missing_line(missing(request.scanners, needed(request)))


def missing_line(names: Sequence[str]) -> str | None:
    """``semgrep, pip-audit not found: checks that need them will be not assessed; install them
    with: pip install "readiness[scanners]"``: the programs (npm for npm-audit), and one way to
    install each group of them, on one line."""
    if not names:
        return None
    programs = [_program(name)[0] for name in names]
    pronoun = "them" if len(names) > 1 else "it"
    groups: dict[tuple[str, str], list[str]] = {}
    for name in names:
        tool = _tool(name)
        groups.setdefault((tool.command, tool.brought_by), []).append(name)
    if len(groups) == 1:
        how = _install_clause(names, pronoun)
    else:
        how = "; ".join(
            _install_clause(group, ", ".join(_program(n)[0] for n in group)) for group in groups.values()
        )
    return f"{', '.join(programs)} not found: checks that need {pronoun} will be not assessed; {how}"


def table(found: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table, then what is missing, one line each."""
    header = ("scanner", "version", "found at", "self-test")
    cells = [
        (row.scanner, row.version or "-", row.path or "-", f"{row.status.value}: {row.reason}")
        for row in found
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(3)]
    lines = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(line[:3], widths, strict=True)), line[3]])
        for line in [header, *cells]
    ]
    absent = [row for row in found if row.missing]
    if absent:
        lines += ["", "missing:", *(f"  {row.missing}" for row in absent)]
    working = sum(row.works for row in found)
    lines += ["", f"{working} of {len(found)} scanner(s) work"]
    return "\n".join(lines) + "\n"
