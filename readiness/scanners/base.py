"""The scanner interface: is the tool there, run it once with a timeout, parse what it printed.

A scanner never decides pass or fail; it hands parsed data to the checks. Anything short of a
clean, parsable run — missing tool, timeout, non-zero exit it doesn't document, garbage on
stdout, a network failure — is a result with status ``not-assessed`` and a one-line reason, so
the checks that need it are not assessed instead of silently passing.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness import redact
from readiness.model import ScannerRun
from readiness.repo import Repo

OK, NOT_ASSESSED, SKIPPED = "ok", "not-assessed", "skipped"


class ScannerError(Exception):
    """A scanner run that produced nothing usable; the message is the one-line reason."""


@dataclass(frozen=True)
class ScanSettings:
    """What the engine tells every scanner about this scan, beyond the tree itself."""

    test_paths: tuple[str, ...] = ()  # the policy's extra test folders (facts.production)
    test_rules: frozenset[str] = frozenset()  # semgrep rules some check also reads in tests
    # What this scanner kept from an earlier, trusted run (its per-file cache), or None.
    previous: Any = None
    # A slice of the tree (``--shard K/N``): the targets this run owns, or None for all.
    select: Callable[[Sequence[str]], list[str]] | None = None


@dataclass(frozen=True)
class ScanOutput:
    """A scanner's parsed output, or the reason there is none."""

    name: str
    status: str
    detail: str
    version: str | None = None
    seconds: float = 0.0
    data: Any = None
    # What the scanner wants kept for the next run (semgrep's per-file results); never rendered.
    state: Any = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    def run_record(self) -> ScannerRun:
        """The run as every output shows it. A detail can quote what the scanner was given (an
        OSV URL with basic-auth credentials, a tool's error echoing its command line): it is
        redacted here, once, so no renderer can show the raw one."""
        version = redact.scrub(self.version) if self.version else self.version
        return ScannerRun(self.name, version, self.status, redact.scrub(self.detail), round(self.seconds, 2))


class Scanner(abc.ABC):
    name: str = ""
    # True for scanners whose answer changes without any file changing (new advisories are
    # published every day): their results are reused from a checkpoint only while fresh.
    advisory_data: bool = False
    # A scanner whose findings are facts about files (semgrep) has a true answer when there is no
    # file for it: no match. Checks that read other files too must still run; a scanner whose
    # answer is about packages (pip-audit) leaves this None and is skipped instead.
    empty_result: Any = None
    _version_known = False
    _version: str | None = None
    # The program the adapter runs and the environment variable that names it instead of PATH
    # (read by process.find, and by `readiness doctor` to say where it looked).
    program: str = ""
    program_variable: str = ""
    # Where the adapter's constructor found its tool (readiness.scanners.process.find), or None.
    _executable: str | None = None

    def executable(self) -> str | None:
        """The tool's path as this adapter found it, None when not found: `readiness doctor` and
        the missing-scanner notice read the adapter's own discovery, never a second search."""
        return self._executable

    def needs_executable(self) -> bool:
        """False when the adapter is configured to do its work without its tool (npm-audit with
        an OSV service matches lock files itself): then a missing tool is nothing to report."""
        return True

    def version(self) -> str | None:
        """The tool's version, or None when it is not installed (asked once per scanner object)."""
        if not self._version_known:
            self._version, self._version_known = self.detect_version(), True
        return self._version

    @abc.abstractmethod
    def detect_version(self) -> str | None:
        """Ask the tool for its version; None when it is missing or broken."""

    @abc.abstractmethod
    def inputs(self, repo: Repo) -> Sequence[str]:
        """The repository files the tool will read; empty means there is nothing for it to do."""

    @abc.abstractmethod
    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[Any, str]:
        """Run the tool over ``files`` and return (parsed data, summary). Raises ScannerError."""

    def targets(self, repo: Repo, settings: ScanSettings) -> list[str]:
        """The files this run reads: :meth:`inputs`, cut to the shard when there is one."""
        files = list(self.inputs(repo))
        return settings.select(files) if settings.select is not None else files

    def scan_with(
        self, repo: Repo, files: Sequence[str], timeout: float, settings: ScanSettings
    ) -> tuple[Any, str, Any]:
        """:meth:`scan`, for a scanner that can use the settings (data, summary, state to keep)."""
        data, summary = self.scan(repo, files, timeout)
        return data, summary, None

    def run(self, repo: Repo, timeout: float, settings: ScanSettings | None = None) -> ScanOutput:
        started = time.monotonic()
        settings = settings or ScanSettings()
        files = self.targets(repo, settings)
        if not files:
            if self.empty_result is not None:
                return ScanOutput(
                    self.name, OK, "no file in its languages: nothing matched", data=self.empty_result
                )
            return ScanOutput(self.name, SKIPPED, "nothing to scan")
        version = self.version()
        if version is None:
            return ScanOutput(self.name, NOT_ASSESSED, f"{self.name} is not installed")
        try:
            data, summary, state = self.scan_with(repo, files, timeout, settings)
        except ScannerError as error:
            return ScanOutput(self.name, NOT_ASSESSED, str(error), version, time.monotonic() - started)
        return ScanOutput(self.name, OK, summary, version, time.monotonic() - started, data, state)


def rules_root() -> Path:
    return Path(__file__).resolve().parent.parent / "rules"
