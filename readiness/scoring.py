"""Traffic lights and the Go/No-Go verdict: small pure functions over check outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from enum import StrEnum

from readiness.model import (
    Answer,
    CategoryResult,
    CheckOutcome,
    Light,
    Outcome,
    QuestionAnswer,
    Severity,
    Verdict,
)


class FailOn(StrEnum):
    """What makes the verdict No-Go."""

    BLOCKER = "blocker"
    RISK = "risk"
    NEVER = "never"
    # Only blockers a pull request introduces: decided against the base branch's checkpoint
    # (readiness.delta); wherever no base is known it behaves as BLOCKER.
    NEW_BLOCKERS = "new-blockers"


# The rule as users read it (README, `readiness explain lights`, docs/checks.md); `light` below
# is its implementation, and a test keeps the README's copy identical.
LIGHT_RULES: tuple[tuple[str, str], ...] = (
    (
        "Red",
        "any unwaived blocker, or essential controls missing: half or more of the category's "
        "applicable questions answered no",
    ),
    (
        "Amber",
        "core controls exist with significant gaps: any question partial, no or unknown, any "
        "unwaived risk, or any check not assessed",
    ),
    ("Green", "production-grade: every question yes or an earned n/a, minor gaps only"),
    ("n/a", "every question is about a component the repository does not have (never shown as Green)"),
)


def light(checks: Iterable[CheckOutcome], answers: Sequence[QuestionAnswer] = ()) -> Light:
    """A category's light, as a strict reviewer gives it.

    - Red: any unwaived blocker, or essential controls missing: half or more of the category's
      applicable questions answered *no*.
    - Amber: core controls exist with significant gaps: any question answered *partial*, *no* or
      *unknown*, any unwaived risk, or any check not assessed.
    - Green: production-grade: every question *yes* or an earned *n/a*, minor gaps only.
    - n/a: every question is about a component the repository does not have; never Green.

    Not assessed keeps a category from Green: a check that could not look has not shown that
    all is well. Without answers (a bare list of checks) the questions don't count.
    """
    checks = list(checks)
    active = [f for c in checks for f in c.findings if not f.waived]
    applicable = [a for a in answers if a.answer is not Answer.NOT_APPLICABLE]
    if any(f.severity is Severity.BLOCKER for f in active):
        return Light.RED
    absent = sum(1 for a in applicable if a.answer is Answer.NO)
    if applicable and 2 * absent >= len(applicable):
        return Light.RED
    if answers and not applicable:
        return Light.NOT_APPLICABLE
    if (
        any(f.severity is Severity.RISK for f in active)
        or any(c.outcome is Outcome.NOT_ASSESSED for c in checks)
        or any(a.answer is not Answer.YES for a in applicable)
    ):
        return Light.AMBER
    return Light.GREEN


def incomplete(categories: Sequence[CategoryResult]) -> list[CheckOutcome]:
    """Blocker-level checks that could not look: a scan missing them cannot say Go.

    Two ways to be blind: the check itself was not assessed, or the question it answers came out
    *unknown* (the component is there in a form no check reads). The second is listed under the
    question's blocker-level checks, with the answer's reasoning as the reason."""
    gaps = {
        c.check_id: c
        for cat in categories
        for c in cat.checks
        if c.outcome is Outcome.NOT_ASSESSED and c.severity is Severity.BLOCKER and not c.disabled
    }
    for cat in categories:
        by_id = {c.check_id: c for c in cat.checks}
        for answer in cat.answers:
            if answer.answer is not Answer.UNKNOWN:
                continue
            for check_id in answer.checks:
                check = by_id.get(check_id)
                if check is None or check.disabled or check.severity is not Severity.BLOCKER:
                    continue
                gaps.setdefault(check_id, replace(check, summary=f"{answer.question}: {answer.reasoning}"))
    return list(gaps.values())


def missing_scanners(checks: Iterable[CheckOutcome]) -> list[str]:
    """The scanner failures behind not-assessed checks (``semgrep: semgrep is not installed``),
    each once, else the checks' own reasons."""
    return list(dict.fromkeys(c.summary for c in checks if c.summary))


def incomplete_justification(gaps: Sequence[CheckOutcome]) -> str:
    reasons = missing_scanners(gaps)
    shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    return (
        f"No-Go (incomplete): {len(gaps)} blocker-level check(s) could not be assessed, so the scan "
        f"cannot say Go ({shown}). Install or fix what is named, or accept the gap with "
        "--allow-incomplete (the Action's allow-incomplete input)."
    )


def verdict(
    categories: Sequence[CategoryResult],
    fail_on: FailOn,
    allow_incomplete: bool = False,
    *,
    scope_problem: str | None = None,
) -> tuple[Verdict, str]:
    """The verdict and a justification naming what decided it.

    ``scope_problem``: why the scan did not cover the service (readiness.scope); it decides
    like a blocker, and no --allow-incomplete accepts it: only the gating policy can."""
    blockers = [
        f for c in categories for f in c.findings() if not f.waived and f.severity is Severity.BLOCKER
    ]
    risks = [f for c in categories for f in c.findings() if not f.waived and f.severity is Severity.RISK]
    unassessed = [c for cat in categories for c in cat.checks if c.outcome is Outcome.NOT_ASSESSED]
    # The categories the blockers are in (a category can also be Red from its answers alone).
    red = [c.category.label for c in categories if c.count(Severity.BLOCKER)]

    if fail_on is not FailOn.NEVER and blockers:
        titles = _first_titles(f.title for f in blockers)
        return Verdict.NO_GO, (
            f"No-Go: {len(blockers)} unwaived blocker(s) in {', '.join(red)} must be fixed before launch "
            f"({titles})."
        )
    if fail_on is not FailOn.NEVER and scope_problem:
        return Verdict.NO_GO, f"No-Go (scope): {scope_problem}."
    gaps = incomplete(categories)
    if fail_on is not FailOn.NEVER and gaps and not allow_incomplete:
        return Verdict.NO_GO, incomplete_justification(gaps)
    if fail_on is FailOn.RISK and (risks or unassessed):
        parts = []
        if risks:
            parts.append(f"{len(risks)} unwaived risk(s) ({_first_titles(f.title for f in risks)})")
        if unassessed:
            parts.append(
                f"{len(unassessed)} check(s) not assessed ({_first_titles(c.title for c in unassessed)})"
            )
        return Verdict.NO_GO, f"No-Go under --fail-on risk: {' and '.join(parts)}."

    notes = []
    if blockers:
        notes.append(f"{len(blockers)} blocker(s) are not gating because --fail-on is never")
    if scope_problem:
        notes.append(f"not gating because --fail-on is never: {scope_problem}")
    if risks:
        notes.append(f"{len(risks)} risk(s) to mitigate")
    if gaps:
        notes.append(
            f"INCOMPLETE, accepted with --allow-incomplete: {len(gaps)} blocker-level check(s) were not "
            f"assessed ({'; '.join(missing_scanners(gaps)[:3])})"
        )
    if unassessed:
        notes.append(
            f"{len(unassessed)} check(s) could not be assessed and need a manual answer "
            f"({_first_titles(c.title for c in unassessed)})"
        )
    tail = "; ".join(notes) if notes else "every category is Green"
    return Verdict.GO, f"Go: no unwaived blockers; {tail}."


def _first_titles(titles: Iterable[str], limit: int = 3) -> str:
    unique = list(dict.fromkeys(titles))
    shown = "; ".join(unique[:limit])
    return shown + (f"; and {len(unique) - limit} more" if len(unique) > limit else "")
