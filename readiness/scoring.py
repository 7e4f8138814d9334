"""Traffic lights and the Go/No-Go verdict: small pure functions over check outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from readiness.model import CategoryResult, CheckOutcome, Light, Outcome, Severity, Verdict


class FailOn(StrEnum):
    """What makes the verdict No-Go."""

    BLOCKER = "blocker"
    RISK = "risk"
    NEVER = "never"
    # Only blockers a pull request introduces: decided against the base branch's checkpoint
    # (readiness.delta); wherever no base is known it behaves as BLOCKER.
    NEW_BLOCKERS = "new-blockers"


def light(checks: Iterable[CheckOutcome]) -> Light:
    """Red on any unwaived blocker; Amber on any unwaived risk or anything not assessed; else Green.

    Not assessed keeps a category from Green: a check that could not look has not shown that
    all is well.
    """
    checks = list(checks)
    active = [f for c in checks for f in c.findings if not f.waived]
    if any(f.severity is Severity.BLOCKER for f in active):
        return Light.RED
    if any(f.severity is Severity.RISK for f in active) or any(
        c.outcome is Outcome.NOT_ASSESSED for c in checks
    ):
        return Light.AMBER
    return Light.GREEN


def verdict(categories: Sequence[CategoryResult], fail_on: FailOn) -> tuple[Verdict, str]:
    """The verdict and a justification naming what decided it."""
    blockers = [
        f for c in categories for f in c.findings() if not f.waived and f.severity is Severity.BLOCKER
    ]
    risks = [f for c in categories for f in c.findings() if not f.waived and f.severity is Severity.RISK]
    unassessed = [c for cat in categories for c in cat.checks if c.outcome is Outcome.NOT_ASSESSED]
    red = [c.category.label for c in categories if c.light is Light.RED]

    if fail_on is not FailOn.NEVER and blockers:
        titles = _first_titles(f.title for f in blockers)
        return Verdict.NO_GO, (
            f"No-Go: {len(blockers)} unwaived blocker(s) in {', '.join(red)} must be fixed before launch "
            f"({titles})."
        )
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
    if risks:
        notes.append(f"{len(risks)} risk(s) to mitigate")
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
