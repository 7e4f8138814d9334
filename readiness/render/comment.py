"""The pull-request comment: the scorecard, the blockers and the verdict, always within GitHub's
65,536-character limit (the full list moves to the job summary and report when it wouldn't fit).

Every value from the repository goes through the template's filters (readiness.render.inert), each
bounded in length, so one hostile value can neither inject markup nor eat the budget."""

from __future__ import annotations

from collections.abc import Sequence

from readiness.model import Assessment, Delta, Outcome, Severity, Verdict
from readiness.render import inert
from readiness.render.markdown import ANSWER_ICON, LIGHT_ICON, environment

LIMIT = 65_536


def render(
    assessment: Assessment,
    *,
    marker: str,
    gating: bool,
    footer: str,
    policy_changes: Sequence[str] = (),
    changes: Delta | None = None,
    base_ref: str | None = None,
    limit: int = LIMIT,
) -> str:
    template = environment.get_template("comment.md.j2")
    go = assessment.verdict is Verdict.GO

    def attempt(compact: bool, max_items: int) -> str:
        return template.render(
            a=assessment,
            marker=marker,
            gating=gating,
            footer=footer,
            policy_changes=list(policy_changes),
            verdict_icon="✅" if go else "⛔",
            verdict_word="GO" if go else "NO-GO",
            light_icon=LIGHT_ICON,
            answer_icon=ANSWER_ICON,
            Severity=Severity,
            blockers=assessment.active(Severity.BLOCKER),
            risks=assessment.active(Severity.RISK),
            recommendations=assessment.active(Severity.RECOMMENDATION),
            unassessed=[
                c for cat in assessment.categories for c in cat.checks if c.outcome is Outcome.NOT_ASSESSED
            ],
            compact=compact,
            max_items=max_items,
            changes=changes,
            base_ref=base_ref or "the base branch",
        )

    body = attempt(compact=False, max_items=200)
    max_items = 200
    while len(body) > limit and max_items > 0:
        max_items //= 2
        body = attempt(compact=True, max_items=max_items)
    # Still too long (it should not be: every repository value is bounded): cut at a line, keeping
    # the marker at the top and every code span and escape whole.
    return inert.cut_lines(body, limit, "… (cut to GitHub's size limit)")
