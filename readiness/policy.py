"""Policy: how a team's `.readiness.yml` turns a check's raw result into findings.

Severity overrides and waivers pass through this one function, so the report, the exit code,
SARIF and the PR comment can't disagree about what counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from readiness import globs
from readiness.config import Config
from readiness.facts.production import is_production
from readiness.model import CheckOutcome, CheckResult, Failure, Finding, Outcome, Severity, Waiver
from readiness.registry import CheckSpec
from readiness.suppressions import InlineSuppression


def apply(
    spec: CheckSpec,
    result: CheckResult,
    config: Config,
    today: dt.date,
    inline: Sequence[InlineSuppression] = (),
) -> CheckOutcome:
    findings = tuple(_finding(spec, failure, config, today, inline) for failure in result.failures)
    return CheckOutcome(
        check_id=spec.id,
        category=spec.category,
        title=spec.title,
        question=spec.question.text,
        outcome=result.outcome,
        summary=result.summary,
        findings=findings,
        evidence=result.evidence,
        severity=config.severity.get(spec.id) or spec.severity,
    )


def disabled(spec: CheckSpec) -> CheckOutcome:
    return CheckOutcome(
        check_id=spec.id,
        category=spec.category,
        title=spec.title,
        question=spec.question.text,
        outcome=Outcome.NOT_APPLICABLE,
        summary="disabled in the configuration",
        disabled=True,
    )


def _finding(
    spec: CheckSpec, failure: Failure, config: Config, today: dt.date, inline: Sequence[InlineSuppression]
) -> Finding:
    severity = config.severity.get(spec.id) or failure.severity or spec.severity
    message = failure.message
    if (
        not spec.tests_are_subject
        and _only_in_test_paths(failure, config)
        and severity is not Severity.RECOMMENDATION
    ):
        # Fixtures and examples are not what ships, but a real secret there still leaks: report, downgraded.
        severity = Severity.RECOMMENDATION
        message += " (in a test or example path, so reported as a recommendation)"
    waiver, expired = _matching_waiver(spec.id, failure, config, today)
    comment = _inline_comment(spec, failure, inline) if waiver is None else None
    if comment is not None:
        if spec.id in config.inline_suppressions and config.allow_waivers:
            waiver = comment.waiver(spec.id)
        else:
            message += (
                f" (the nosemgrep comment at {comment.where} suppresses nothing: the gating policy "
                "allows no inline suppression of this check)"
            )
    return Finding(
        check_id=spec.id,
        category=spec.category,
        severity=severity,
        question=spec.question.text,
        title=spec.title,
        message=message,
        evidence=failure.evidence,
        remediation=spec.remediation,
        waived_by=waiver,
        expired_waiver=expired,
    )


def _inline_comment(
    spec: CheckSpec, failure: Failure, inline: Sequence[InlineSuppression]
) -> InlineSuppression | None:
    """The inline suppression comment on a line this semgrep-backed finding names, if any."""
    if "semgrep" not in spec.scanners:
        return None
    return next((s for s in inline for evidence in failure.evidence if s.covers(evidence, spec.rules)), None)


def _only_in_test_paths(failure: Failure, config: Config) -> bool:
    return only_outside_production(failure, tuple(config.test_paths))


def only_outside_production(failure: Failure, test_paths: tuple[str, ...]) -> bool:
    """Whether every place a failure names is a test, fixture, example or development file."""
    paths = [evidence.path for evidence in failure.evidence if evidence.path]
    return bool(paths) and not any(is_production(path, test_paths) for path in paths)


def _matching_waiver(
    check_id: str, failure: Failure, config: Config, today: dt.date
) -> tuple[Waiver | None, Waiver | None]:
    """The live waiver covering this failure, else the expired one that would have (for the report)."""
    if not config.allow_waivers:
        return None, None
    expired: Waiver | None = None
    for waiver in config.waivers:
        if waiver.check != check_id or not _covers_paths(waiver, failure):
            continue
        if waiver.expires >= today:
            return waiver, None
        expired = expired or waiver
    return None, expired


def _covers_paths(waiver: Waiver, failure: Failure) -> bool:
    if not waiver.paths:
        return True
    spec = globs.spec(waiver.paths)
    paths = [evidence.path for evidence in failure.evidence if evidence.path]
    # A waiver scoped to paths never covers a finding about something absent from the tree.
    return bool(paths) and all(spec.match_file(path) for path in paths)
