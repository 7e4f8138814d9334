"""What scanners hand to checks: plain frozen values, with no tool or adapter behind them.

The facts layer and the checks read these; only the adapters in ``readiness.scanners`` build them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from readiness.model import Severity


@dataclass(frozen=True)
class Match:
    """A semgrep match: the rule's own id (without semgrep's path prefix), where, and what the
    rule's metavariables captured there (``$PATH`` → ``"/readyz"``), as written in the source."""

    rule: str
    path: str
    line: int
    end_line: int
    message: str
    metadata: dict[str, Any]
    captures: Mapping[str, str] = field(default_factory=dict)

    def capture(self, name: str) -> str:
        """A metavariable's source text, ``name`` with or without its ``$``; empty when the rule
        captured nothing under that name (a message that did not fit its template)."""
        return self.captures.get(name if name.startswith("$") else "$" + name, "").strip()


class MatchList(list[Match]):
    """Semgrep's matches, and the files it could not analyse (path → why: a parse error, a
    per-file timeout). A lost file is not a clean file: the engine makes the checks whose rules
    cover its language *not assessed* unless they failed on what semgrep did see."""

    def __init__(
        self,
        matches: Iterable[Match] = (),
        unanalysed: Mapping[str, str] | None = None,
        skipped: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(matches)
        self.unanalysed: dict[str, str] = dict(unanalysed or {})
        # Code files semgrep was not given, by why (vendored code, generated stubs, tests no rule
        # reads): counted in the report, so what the gate did not read is never invisible.
        self.skipped: dict[str, int] = dict(skipped or {})


# Advisory severity bands (CVSS qualitative ratings, and the GHSA words some advisories carry).
CRITICAL, HIGH, MEDIUM, LOW = "critical", "high", "medium", "low"
_BAND_SEVERITY = {
    CRITICAL: Severity.BLOCKER,
    HIGH: Severity.BLOCKER,
    MEDIUM: Severity.RISK,
    LOW: Severity.RECOMMENDATION,
}


@dataclass(frozen=True)
class Advisory:
    """One advisory against one installed package version."""

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    fixed: tuple[str, ...] = ()  # every fixed version the advisory names, in its own order
    band: str | None = None  # critical/high/medium/low, None when the advisory says nothing
    score: float | None = None

    @property
    def severity(self) -> Severity | None:
        return _BAND_SEVERITY.get(self.band) if self.band else None

    def describe(self, fix: str | None) -> str:
        """``ID (ALIAS, ALIAS; fixed in X; severity high 7.5)``: the ids people search for."""
        parts = [", ".join(self.aliases)] if self.aliases else []
        parts.append(f"fixed in {fix}" if fix else "no fixed version")
        if self.band:
            parts.append(f"severity {self.band}" + (f" {self.score:.1f}" if self.score is not None else ""))
        else:
            parts.append("severity unknown")
        return f"{self.id} ({'; '.join(parts)})"


@dataclass(frozen=True)
class Vulnerability:
    """A vulnerable package version, where it is declared, and the advisories against it."""

    ecosystem: str  # "PyPI", "Go", "npm"
    package: str
    version: str
    path: str  # the manifest that installs it
    line: int | None
    advisories: tuple[Advisory, ...]
    fix: str | None = None  # the lowest version that fixes every advisory, if there is one
    dev: bool = False  # declared for development or tests only
    # Go: a call path from the module's code to a vulnerable symbol; None when not analysed.
    reachable: bool | None = None
    trace: str = ""  # the call path, one line
    trace_path: str | None = None  # where the module's code makes the first call
    trace_line: int | None = None
    note: str = ""  # how the match was made when it is weaker than the tool's own analysis


@dataclass(frozen=True)
class Manifest:
    """What one scanned file contributed: packages audited and what was left out, and why."""

    path: str
    packages: int
    vulnerable: int = 0
    note: str = ""
    unit: str = "package(s)"

    def summary(self) -> str:
        text = f"{self.path}: {self.packages} {self.unit}, {self.vulnerable} vulnerable"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class DependencyReport:
    """A dependency scanner's parsed result, as the checks read it."""

    tool: str
    vulnerabilities: tuple[Vulnerability, ...] = ()
    manifests: tuple[Manifest, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        parts = [manifest.summary() for manifest in self.manifests]
        return "; ".join([*parts, *self.notes]) or "nothing scanned"


def band(score: float) -> str | None:
    if score >= 9.0:
        return CRITICAL
    if score >= 7.0:
        return HIGH
    if score >= 4.0:
        return MEDIUM
    if score > 0.0:
        return LOW
    return None


def worst(advisories: Iterable[Advisory]) -> Severity:
    """The severity of a vulnerable package: its worst advisory; unknown counts as a risk."""
    found = [advisory.severity or Severity.RISK for advisory in advisories]
    return max(found, key=lambda severity: severity.rank, default=Severity.RISK)
