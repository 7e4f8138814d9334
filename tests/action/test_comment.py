"""The PR comment stays within GitHub's 65,536 characters and keeps what matters."""

from __future__ import annotations

import dataclasses
import datetime as dt

from readiness import config, policy_changes
from readiness.model import (
    Assessment,
    Category,
    CategoryResult,
    CheckOutcome,
    Evidence,
    Finding,
    Light,
    Outcome,
    RepoStats,
    Severity,
    Verdict,
    Waiver,
)
from readiness.render import comment

MARKER = "<!-- readiness:scorecard project=p -->"


def assessment(count: int, message_length: int) -> Assessment:
    findings = tuple(
        Finding(
            f"reliability/check-{i % 5}",
            Category.RELIABILITY,
            Severity.BLOCKER if i % 3 == 0 else Severity.RISK,
            "q",
            f"Title {i % 5}",
            f"problem {i} " + "x" * message_length,
            (Evidence(f"deploy/f{i}.yaml", i + 1),),
            "fix",
        )
        for i in range(count)
    )
    check = CheckOutcome("reliability/check-0", Category.RELIABILITY, "T", "q", Outcome.FAIL, "", findings)
    return Assessment(
        project="p",
        root=".",
        generated_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        readiness_version="0.1.0",
        fail_on="blocker",
        categories=(CategoryResult(Category.RELIABILITY, (check,), Light.RED),),
        verdict=Verdict.NO_GO,
        justification="No-Go: blockers.",
        repo=RepoStats(0, (), ()),
    )


def test_a_small_assessment_is_rendered_whole() -> None:
    body = comment.render(assessment(6, 10), marker=MARKER, gating=True, footer="commit abc1234")
    assert body.startswith(MARKER + "\n## ⛔ Production readiness: NO-GO")
    assert "| Reliability | 🔴 Red | 2 | 4 | 0 | 0 |" in body
    assert "<details><summary>Risks (4)</summary>" in body
    assert "problem 5 " in body


def test_a_huge_assessment_is_cut_to_the_limit_keeping_scorecard_blockers_and_verdict() -> None:
    body = comment.render(assessment(3000, 200), marker=MARKER, gating=True, footer="f")
    assert len(body) <= comment.LIMIT
    assert body.startswith(MARKER)
    assert "| Reliability | 🔴 Red | 1000 | 2000 |" in body
    assert "### Blockers (1000)" in body and "more in the full report" in body
    assert "would exceed GitHub's size limit" in body
    assert "problem 0 " in body  # the most important blockers are still listed


def test_pathological_messages_are_still_cut() -> None:
    body = comment.render(assessment(3, 200_000), marker=MARKER, gating=True, footer="f")
    assert len(body) <= comment.LIMIT and body.startswith(MARKER)


def test_not_gating_and_policy_changes_are_said() -> None:
    waiver = Waiver(
        "reliability/check-0",
        "accepted for the `beta`\n</details>",
        "@sre",
        dt.date(2027, 1, 31),
        ("deploy/**",),
    )
    base = config.default("svc")
    head = dataclasses.replace(base, waivers=(waiver,), disabled_checks=frozenset({"security/tls"}))
    changes = policy_changes.between(base, head)
    body = comment.render(assessment(3, 5), marker=MARKER, gating=False, footer="f", policy_changes=changes)
    assert "the gate reports but does not fail" in body
    assert "### ⚠️ Policy changes in this pull request (take effect after merge)" in body
    assert "- disables the checks `security/tls`" in body
    # the author's text stays inside one code span: a longer fence than its backticks, no raw HTML
    # (a zero-width joiner after "<"), no mention (one after "@"), one line
    assert (
        "- waives `reliability/check-0` on `deploy/**` until 2027-01-31 "
        "(owner `@\u200dsre`: ``accepted for the `beta` <\u200d/details>``)"
    ) in body
