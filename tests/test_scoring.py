import datetime as dt

import pytest

from readiness.model import (
    Answer,
    Category,
    CategoryResult,
    CheckOutcome,
    Evidence,
    Finding,
    Light,
    Outcome,
    QuestionAnswer,
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


def answered(*values: Answer) -> list[QuestionAnswer]:
    return [
        QuestionAnswer(f"reliability.q{i}", Category.RELIABILITY, f"question {i}?", value, (), "because")
        for i, value in enumerate(values)
    ]


LIGHTS = [
    ("every question yes", answered(Answer.YES, Answer.YES, Answer.NOT_APPLICABLE), Light.GREEN),
    ("a partial", answered(Answer.YES, Answer.PARTIAL, Answer.YES), Light.AMBER),
    ("an unknown", answered(Answer.YES, Answer.UNKNOWN, Answer.YES), Light.AMBER),
    ("one no of three", answered(Answer.YES, Answer.NO, Answer.PARTIAL), Light.AMBER),
    ("half answered no", answered(Answer.NO, Answer.NO, Answer.PARTIAL, Answer.YES), Light.RED),
    (
        "n/a does not count",
        answered(Answer.NO, Answer.NOT_APPLICABLE, Answer.NOT_APPLICABLE, Answer.YES),
        Light.RED,
    ),
    ("nothing applies", answered(Answer.NOT_APPLICABLE, Answer.NOT_APPLICABLE), Light.NOT_APPLICABLE),
]


@pytest.mark.parametrize(("answers", "expected"), [c[1:] for c in LIGHTS], ids=[c[0] for c in LIGHTS])
def test_lights_as_a_strict_reviewer_gives_them(answers: list[QuestionAnswer], expected: Light) -> None:
    assert light([outcome()], answers) is expected


def test_a_blocker_is_red_whatever_the_answers() -> None:
    assert light([outcome(finding(Severity.BLOCKER))], answered(Answer.YES, Answer.YES)) is Light.RED


def test_a_risk_keeps_all_yes_from_green() -> None:
    assert light([outcome(finding(Severity.RISK))], answered(Answer.YES)) is Light.AMBER


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


def _unassessed(severity: Severity, summary: str) -> CheckOutcome:
    return CheckOutcome(
        check_id="reliability/x",
        category=Category.RELIABILITY,
        title="T",
        question="q",
        outcome=Outcome.NOT_ASSESSED,
        summary=summary,
        severity=severity,
    )


def test_a_blocker_level_check_that_could_not_look_makes_the_verdict_no_go_incomplete() -> None:
    missing = _unassessed(Severity.BLOCKER, "semgrep: semgrep is not installed")
    cat = CategoryResult(Category.RELIABILITY, (missing, outcome()), Light.AMBER)
    decided, why = verdict([cat], FailOn.BLOCKER)
    assert decided is Verdict.NO_GO
    assert why.startswith("No-Go (incomplete): 1 blocker-level check(s) could not be assessed")
    assert "semgrep: semgrep is not installed" in why
    accepted, why = verdict([cat], FailOn.BLOCKER, allow_incomplete=True)
    assert accepted is Verdict.GO
    assert "INCOMPLETE, accepted with --allow-incomplete: 1 blocker-level check(s)" in why


def test_a_risk_level_check_not_assessed_does_not_block() -> None:
    cat = CategoryResult(
        Category.RELIABILITY, (_unassessed(Severity.RISK, "pip-audit: timed out"),), Light.AMBER
    )
    decided, why = verdict([cat], FailOn.BLOCKER)
    assert decided is Verdict.GO
    assert "1 check(s) could not be assessed and need a manual answer" in why


def _answered(answer: Answer, check: CheckOutcome) -> CategoryResult:
    said = QuestionAnswer(
        question="reliability.health-checks",
        category=Category.RELIABILITY,
        text="q",
        answer=answer,
        checks=(check.check_id,),
        reasoning="Could not be determined: the Helm chart's templates are not rendered",
    )
    return CategoryResult(Category.RELIABILITY, (check,), Light.AMBER, answers=(said,))


def test_an_unknown_answer_on_a_blocker_level_question_is_incomplete() -> None:
    looked = CheckOutcome(
        check_id="reliability/x",
        category=Category.RELIABILITY,
        title="T",
        question="q",
        outcome=Outcome.NOT_APPLICABLE,
        summary="no Deployment found",
        severity=Severity.BLOCKER,
    )
    decided, why = verdict([_answered(Answer.UNKNOWN, looked)], FailOn.BLOCKER)
    assert decided is Verdict.NO_GO
    assert why.startswith("No-Go (incomplete): 1 blocker-level check(s) could not be assessed")
    assert "reliability.health-checks: Could not be determined: the Helm chart's templates" in why
    # The same question answered, or a risk-level check behind it, decides nothing.
    assert verdict([_answered(Answer.PARTIAL, looked)], FailOn.BLOCKER)[0] is Verdict.GO
    risk = CheckOutcome(**{**looked.__dict__, "severity": Severity.RISK})
    assert verdict([_answered(Answer.UNKNOWN, risk)], FailOn.BLOCKER)[0] is Verdict.GO
