import datetime as dt

from readiness.model import (
    Category,
    CategoryResult,
    CheckOutcome,
    Evidence,
    Finding,
    Light,
    Outcome,
    Severity,
    Verdict,
    Waiver,
)
from readiness.scoring import FailOn, light, verdict

WAIVER = Waiver("reliability/x", "accepted", "@team", dt.date(2030, 1, 1))


def finding(severity: Severity, *, waived: bool = False, title: str = "T") -> Finding:
    return Finding(
        check_id="reliability/x",
        category=Category.RELIABILITY,
        severity=severity,
        question="q",
        title=title,
        message="m",
        evidence=(Evidence("a.yaml", 3),),
        remediation="fix",
        waived_by=WAIVER if waived else None,
    )


def outcome(*findings: Finding, result: Outcome | None = None) -> CheckOutcome:
    return CheckOutcome(
        check_id="reliability/x",
        category=Category.RELIABILITY,
        title="T",
        question="q",
        outcome=result or (Outcome.FAIL if findings else Outcome.PASS),
        summary="",
        findings=findings,
    )


def test_light_red_on_unwaived_blocker() -> None:
    assert light([outcome(finding(Severity.BLOCKER)), outcome()]) is Light.RED


def test_light_amber_on_risk_or_not_assessed() -> None:
    assert light([outcome(finding(Severity.RISK))]) is Light.AMBER
    assert light([outcome(result=Outcome.NOT_ASSESSED)]) is Light.AMBER


def test_light_green_with_only_recommendations_and_waived_blockers() -> None:
    checks = [outcome(finding(Severity.RECOMMENDATION)), outcome(finding(Severity.BLOCKER, waived=True))]
    assert light(checks) is Light.GREEN


def category(*checks: CheckOutcome, name: Category = Category.RELIABILITY) -> CategoryResult:
    return CategoryResult(name, checks, light(checks))


def test_verdict_no_go_names_the_blockers() -> None:
    result, why = verdict([category(outcome(finding(Severity.BLOCKER, title="No backups")))], FailOn.BLOCKER)
    assert result is Verdict.NO_GO
    assert "1 unwaived blocker(s) in Reliability" in why and "No backups" in why


def test_verdict_go_with_risks_lists_them_as_mitigations() -> None:
    result, why = verdict([category(outcome(finding(Severity.RISK)))], FailOn.BLOCKER)
    assert result is Verdict.GO
    assert "1 risk(s) to mitigate" in why


def test_fail_on_risk_makes_risks_and_unassessed_no_go() -> None:
    assert verdict([category(outcome(finding(Severity.RISK)))], FailOn.RISK)[0] is Verdict.NO_GO
    unassessed = category(outcome(result=Outcome.NOT_ASSESSED))
    result, why = verdict([unassessed], FailOn.RISK)
    assert result is Verdict.NO_GO and "not assessed" in why


def test_fail_on_never_reports_blockers_without_gating() -> None:
    result, why = verdict([category(outcome(finding(Severity.BLOCKER)))], FailOn.NEVER)
    assert result is Verdict.GO
    assert "1 blocker(s) are not gating" in why


def test_unassessed_checks_are_named_in_a_go() -> None:
    result, why = verdict([category(outcome(result=Outcome.NOT_ASSESSED))], FailOn.BLOCKER)
    assert result is Verdict.GO
    assert "1 check(s) could not be assessed" in why
