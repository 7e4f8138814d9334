"""The assessment's vocabulary: categories, severities, outcomes, findings.

Everything here is a frozen value so results can be hashed, compared, serialised into
checkpoints and handed to renderers without anyone mutating them on the way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """The seed's eight categories, declared in the seed's order (which is the report's order)."""

    RELIABILITY = "reliability"
    OBSERVABILITY = "observability"
    SCALABILITY = "scalability"
    SECURITY = "security"
    DISASTER_RECOVERY = "disaster-recovery"
    OPERATIONAL_READINESS = "operational-readiness"
    LOAD_VALIDATION = "load-validation"
    COMPLIANCE = "compliance"

    @property
    def label(self) -> str:
        """The name people read (``str.title`` is taken by the str base class)."""
        return _CATEGORY_TITLES[self]


_CATEGORY_TITLES = {
    Category.RELIABILITY: "Reliability",
    Category.OBSERVABILITY: "Observability",
    Category.SCALABILITY: "Scalability",
    Category.SECURITY: "Security",
    Category.DISASTER_RECOVERY: "Disaster recovery",
    Category.OPERATIONAL_READINESS: "Operational readiness",
    Category.LOAD_VALIDATION: "Load validation",
    Category.COMPLIANCE: "Compliance & legal",
}


class Severity(StrEnum):
    """How bad a failed check is. Ordered: a blocker outranks a risk outranks a recommendation."""

    BLOCKER = "blocker"
    RISK = "risk"
    RECOMMENDATION = "recommendation"

    @property
    def rank(self) -> int:
        return {Severity.BLOCKER: 3, Severity.RISK: 2, Severity.RECOMMENDATION: 1}[self]


class Outcome(StrEnum):
    """What a check concluded.

    NOT_ASSESSED is the fail-closed state: the check could not look (it crashed, a scanner
    was missing or failed, an input could not be parsed). It is never counted as a pass.
    """

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    NOT_ASSESSED = "not-assessed"


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    # Every question of the category is about a component the repository does not have. Shown as
    # such, never as Green: nothing was shown to be production-grade.
    NOT_APPLICABLE = "n/a"


class Answer(StrEnum):
    """A review question's answer, as a strict reviewer gives it.

    ``n/a`` is earned: it needs positive evidence that the component the question is about is
    absent. ``unknown`` means readiness could not tell (a scanner missing, a form it cannot read).
    """

    YES = "yes"  # present and effective
    PARTIAL = "partial"  # present but incomplete, off by default, or in some services only
    NO = "no"  # absent
    NOT_APPLICABLE = "n/a"  # the repository has no such component
    UNKNOWN = "unknown"  # could not be determined


class Verdict(StrEnum):
    GO = "go"
    NO_GO = "no-go"


@dataclass(frozen=True)
class Evidence:
    """Where the proof is: a file and line (with the line's text), or a note on what is absent."""

    path: str | None = None
    line: int | None = None
    snippet: str | None = None
    note: str | None = None

    def location(self) -> str:
        if self.path is None:
            return self.note or "(repository)"
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict[str, str | int | None]:
        return {"path": self.path, "line": self.line, "snippet": self.snippet, "note": self.note}

    @staticmethod
    def from_dict(data: dict[str, object]) -> Evidence:
        def text(key: str) -> str | None:
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"evidence {key} must be a string")
            return value

        line = data.get("line")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
            raise ValueError("evidence line must be a positive integer")
        return Evidence(text("path"), line, text("snippet"), text("note"))

    @staticmethod
    def absent(what: str) -> Evidence:
        """Evidence of absence, e.g. ``Evidence.absent("no file matching runbooks/**")``."""
        return Evidence(note=what)


@dataclass(frozen=True)
class Failure:
    """One thing a check found wrong. ``severity`` overrides the check's default when a check
    grades its own failures (a constant health handler is a risk, a missing one a blocker)."""

    message: str
    evidence: tuple[Evidence, ...] = ()
    severity: Severity | None = None


@dataclass(frozen=True)
class CheckResult:
    """What one check returned: an outcome, its failures, and the evidence behind a pass."""

    outcome: Outcome
    failures: tuple[Failure, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    summary: str = ""
    # What this result says about the review question, when the check knows better than its
    # outcome does: a failure in 2 of 5 services is PARTIAL, not NO (readiness.answers).
    answer: Answer | None = None

    @staticmethod
    def passed(summary: str, *evidence: Evidence) -> CheckResult:
        return CheckResult(Outcome.PASS, evidence=evidence, summary=summary)

    @staticmethod
    def failed(failures: list[Failure] | tuple[Failure, ...], summary: str = "") -> CheckResult:
        if not failures:
            raise ValueError("a failed result needs at least one failure")
        return CheckResult(Outcome.FAIL, failures=tuple(failures), summary=summary)

    @staticmethod
    def not_applicable(reason: str) -> CheckResult:
        return CheckResult(Outcome.NOT_APPLICABLE, summary=reason)

    @staticmethod
    def not_assessed(reason: str) -> CheckResult:
        return CheckResult(Outcome.NOT_ASSESSED, summary=reason)

    def partly(self, some_passed: bool) -> CheckResult:
        """This failure as PARTIAL when part of what was judged passed (2 of 5 services drain):
        the control exists, incompletely. A pass or a failure everywhere is left as it is."""
        if self.outcome is Outcome.FAIL and some_passed and self.answer is None:
            return dataclasses.replace(self, answer=Answer.PARTIAL)
        return self

    @staticmethod
    def from_failures(failures: list[Failure], pass_summary: str, *pass_evidence: Evidence) -> CheckResult:
        """The common tail of a check: failed if anything was found, passed otherwise."""
        if failures:
            return CheckResult.failed(failures)
        return CheckResult.passed(pass_summary, *pass_evidence)


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    owner: str
    expires: dt.date
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A failure placed in the assessment: which check, how severe after policy, and why."""

    check_id: str
    category: Category
    severity: Severity
    question: str
    title: str
    message: str
    evidence: tuple[Evidence, ...]
    remediation: str
    waived_by: Waiver | None = None
    # A waiver that matched but has expired: it no longer waives, and the report says so.
    expired_waiver: Waiver | None = None

    @property
    def waived(self) -> bool:
        return self.waived_by is not None


@dataclass(frozen=True)
class CheckOutcome:
    """One check's run in the assessment: outcome, findings after policy, pass evidence."""

    check_id: str
    category: Category
    title: str
    question: str
    outcome: Outcome
    summary: str
    findings: tuple[Finding, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    disabled: bool = False
    severity: Severity | None = None  # the check's effective default (catalogue, then config)


@dataclass(frozen=True)
class QuestionAnswer:
    """The answer to one review question, with the checks behind it and a reviewer's sentence."""

    question: str  # the seed key, e.g. "reliability.health-checks"
    category: Category
    text: str
    answer: Answer
    checks: tuple[str, ...]
    reasoning: str
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.answer.value,
            "checks": list(self.checks),
            "reasoning": self.reasoning,
            "evidence": [e.to_dict() for e in self.evidence],
        }

    @staticmethod
    def from_dict(data: dict[str, object], category: Category, text: str) -> QuestionAnswer:
        checks = data.get("checks")
        evidence = data.get("evidence")
        if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
            raise ValueError("answer checks must be a list of check ids")
        if not isinstance(evidence, list) or not all(isinstance(e, dict) for e in evidence):
            raise ValueError("answer evidence must be a list")
        question, reasoning = data.get("question"), data.get("reasoning")
        if not isinstance(question, str) or not isinstance(reasoning, str):
            raise ValueError("an answer's question and reasoning must be strings")
        return QuestionAnswer(
            question=question,
            category=category,
            text=text,
            answer=Answer(str(data.get("answer"))),
            checks=tuple(checks),
            reasoning=reasoning,
            evidence=tuple(Evidence.from_dict(e) for e in evidence),
        )


@dataclass(frozen=True)
class CategoryResult:
    category: Category
    checks: tuple[CheckOutcome, ...]
    light: Light
    reused: bool = False
    answers: tuple[QuestionAnswer, ...] = ()

    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings() if f.severity is severity and not f.waived)

    @property
    def not_assessed(self) -> int:
        return sum(1 for c in self.checks if c.outcome is Outcome.NOT_ASSESSED)


@dataclass(frozen=True)
class ScannerRun:
    """A scanner's run as recorded in the report: what, which version, result, how long."""

    name: str
    version: str | None
    status: str  # "ok", "not-assessed", "skipped"
    detail: str
    seconds: float


@dataclass(frozen=True)
class RepoStats:
    files_indexed: int
    skipped: tuple[tuple[str, str], ...]  # (path, reason)
    services: tuple[tuple[str, str, str], ...]  # (name, path, language)
    listing: str = "walk"  # "git": the tracked files; "walk": every file under the root
    excluded: int = 0  # files removed by the configured `exclude` patterns
    excluded_note: str = ""  # the report's sentence about them ("412 file(s) excluded by ...")
    # Code files semgrep did not read, by why ("vendored code", "generated stubs", ...).
    not_scanned: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CheckInfo:
    """What the catalogue says of a check, for outputs that describe rules (SARIF's rule table)."""

    id: str
    category: Category
    title: str
    question: str  # the question's text
    severity: Severity  # the default
    rationale: str
    looks_at: str
    remediation: str


@dataclass(frozen=True)
class Assessment:
    project: str
    root: str
    generated_at: dt.datetime
    readiness_version: str
    fail_on: str
    categories: tuple[CategoryResult, ...]
    verdict: Verdict
    justification: str
    repo: RepoStats
    scanners: tuple[ScannerRun, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    parse_problems: tuple[str, ...] = field(default=())
    catalogue: tuple[CheckInfo, ...] = field(default=())  # every registered check, in report order
    scope_problem: str = ""  # why the scan did not cover the service (readiness.scope), if it didn't
    # What the gating policy undid or refused: central-policy floors a configuration tried to go
    # below, and inline suppression comments (each with its file and line).
    policy_notes: tuple[str, ...] = ()

    def findings(self) -> list[Finding]:
        return [f for c in self.categories for f in c.findings()]

    def active(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings() if f.severity is severity and not f.waived]

    def waived(self) -> list[Finding]:
        return [f for f in self.findings() if f.waived]


@dataclass(frozen=True)
class Delta:
    """A pull request's findings against its base branch (readiness.delta computes it)."""

    new: list[Finding]
    fixed: list[Finding]  # as the base had them, under the current policy
    existing: list[Finding]
    category_changes: list[tuple[Category, Light, Light]]  # (category, on the base, now); changes only
    uncovered: list[Category]  # assessed now, absent from the base checkpoint: their findings are new

    @property
    def new_blockers(self) -> list[Finding]:
        return [f for f in self.new if f.severity is Severity.BLOCKER]
