"""The delta against the base branch: table tests over raw results, judged by the current policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from readiness import policy, registry, scoring, seed
from readiness.checkpoint import CategoryState
from readiness.config import Config
from readiness.delta import compare, gate_new_blockers
from readiness.model import (
    Assessment,
    Category,
    CategoryResult,
    CheckResult,
    Delta,
    Evidence,
    Failure,
    Finding,
    Light,
    RepoStats,
    Severity,
    Verdict,
    Waiver,
)
from readiness.registry import CheckSpec

TODAY = dt.date(2026, 8, 1)
A, B, C = "reliability/zz-a", "reliability/zz-b", "security/zz-c"  # blocker, risk, blocker by default


@pytest.fixture(autouse=True)
def catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    registry.all_checks()  # load the built-in checks first, then add ours
    for check_id, question, severity in (
        (A, seed.HEALTH_CHECKS, Severity.BLOCKER),
        (B, seed.GRACEFUL_SHUTDOWN, Severity.RISK),
        (C, seed.SECRETS, Severity.BLOCKER),
    ):
        spec = CheckSpec(
            id=check_id,
            question=question,
            title=check_id,
            severity=severity,
            rationale="",
            looks_at="",
            remediation="",
            example="",
            function=lambda ctx: CheckResult.passed("unused"),
        )
        monkeypatch.setitem(registry._REGISTRY, check_id, spec)


def bad(path: str, snippet: str, line: int = 1, severity: Severity | None = None) -> Failure:
    return Failure(f"{path} is wrong", (Evidence(path, line, snippet),), severity)


def failed(*failures: Failure) -> CheckResult:
    return CheckResult.failed(list(failures))


PASS = CheckResult.passed("fine")
UNKNOWN = CheckResult.not_assessed("scanner timed out")


def assessment(raw: dict[str, CheckResult], config: Config) -> Assessment:
    results = []
    for category in Category:
        specs = [registry.get(i) for i in sorted(raw) if registry.get(i).category is category]
        if not specs:
            continue
        outcomes = tuple(policy.apply(s, raw[s.id], config, TODAY) for s in specs)
        results.append(CategoryResult(category, outcomes, scoring.light(outcomes)))
    return Assessment(
        project="p",
        root=".",
        generated_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
        readiness_version="0",
        fail_on="new-blockers",
        categories=tuple(results),
        verdict=Verdict.GO,
        justification="",
        repo=RepoStats(0, (), ()),
    )


def states(raw: dict[str, CheckResult]) -> dict[Category, CategoryState]:
    by_category: dict[Category, dict[str, CheckResult]] = {}
    for check_id, result in raw.items():
        category = (
            registry.get(check_id).category if check_id in registry.known_ids() else Category.RELIABILITY
        )
        by_category.setdefault(category, {})[check_id] = result
    return {
        category: CategoryState("f", {}, "2026-07-31T00:00:00+00:00", "green", results)
        for category, results in by_category.items()
    }


def brief(findings: list[Finding]) -> list[tuple[str, str | None, str]]:
    return [(f.check_id, f.evidence[0].path if f.evidence else None, f.severity.value) for f in findings]


@dataclass
class Case:
    id: str
    base: dict[str, CheckResult]
    now: dict[str, CheckResult]
    new: list[tuple[str, str | None, str]] = field(default_factory=list)
    fixed: list[tuple[str, str | None, str]] = field(default_factory=list)
    existing: list[tuple[str, str | None, str]] = field(default_factory=list)
    changes: list[tuple[Category, Light, Light]] = field(default_factory=list)
    uncovered: list[Category] = field(default_factory=list)
    config: Config = field(default_factory=lambda: Config(project="p"))


CASES = [
    Case(
        "unchanged",
        {A: failed(bad("a.py", "x"))},
        {A: failed(bad("a.py", "x"))},
        existing=[(A, "a.py", "blocker")],
    ),
    Case(
        "introduced",
        {A: PASS},
        {A: failed(bad("a.py", "x"))},
        new=[(A, "a.py", "blocker")],
        changes=[(Category.RELIABILITY, Light.GREEN, Light.RED)],
    ),
    Case(
        "fixed",
        {A: failed(bad("a.py", "x"))},
        {A: PASS},
        fixed=[(A, "a.py", "blocker")],
        changes=[(Category.RELIABILITY, Light.RED, Light.GREEN)],
    ),
    Case(
        "moved down the file: the same finding",
        {A: failed(bad("a.py", "timeout = None", line=10))},
        {A: failed(bad("a.py", "timeout  =  None", line=42))},
        existing=[(A, "a.py", "blocker")],
    ),
    Case(
        "another file: a new finding and a fixed one",
        {A: failed(bad("a.py", "x"))},
        {A: failed(bad("b.py", "x"))},
        new=[(A, "b.py", "blocker")],
        fixed=[(A, "a.py", "blocker")],
    ),
    Case(
        "a risk that became a blocker is new",
        {A: failed(bad("a.py", "x", severity=Severity.RISK))},
        {A: failed(bad("a.py", "x"))},
        new=[(A, "a.py", "blocker")],
        changes=[(Category.RELIABILITY, Light.AMBER, Light.RED)],
    ),
    Case(
        "a blocker that became a risk is existing",
        {A: failed(bad("a.py", "x"))},
        {A: failed(bad("a.py", "x", severity=Severity.RISK))},
        existing=[(A, "a.py", "risk")],
        changes=[(Category.RELIABILITY, Light.RED, Light.AMBER)],
    ),
    Case(
        "identical findings are counted",
        {A: failed(bad("a.py", "x"))},
        {A: failed(bad("a.py", "x"), bad("a.py", "x", line=9))},
        new=[(A, "a.py", "blocker")],
        existing=[(A, "a.py", "blocker")],
    ),
    Case(
        "a check that could not look now fixed nothing",
        {A: failed(bad("a.py", "x"))},
        {A: UNKNOWN},
        changes=[(Category.RELIABILITY, Light.RED, Light.AMBER)],
    ),
    Case(
        "recommendations take no part",
        {B: PASS},
        {B: failed(bad("b.py", "y", severity=Severity.RECOMMENDATION))},
    ),
    Case(
        "risks take part",
        {B: PASS},
        {B: failed(bad("b.py", "y"))},
        new=[(B, "b.py", "risk")],
        changes=[(Category.RELIABILITY, Light.GREEN, Light.AMBER)],
    ),
    Case(
        "a category the base lacks: its findings are new",
        {A: PASS},
        {A: PASS, C: failed(bad("s.py", "key"))},
        new=[(C, "s.py", "blocker")],
        uncovered=[Category.SECURITY],
    ),
    Case(
        "a check the base didn't run: its findings are new",
        {A: PASS},
        {A: PASS, B: failed(bad("b.py", "y"))},
        new=[(B, "b.py", "risk")],
        changes=[(Category.RELIABILITY, Light.GREEN, Light.AMBER)],
    ),
    Case(
        "a check that no longer exists is dropped from the base",
        {A: PASS, "reliability/gone": failed(bad("g.py", "z"))},
        {A: PASS},
    ),
    Case(
        "the current policy judges the base: a severity override applies to both",
        {A: failed(bad("a.py", "x"))},
        {A: failed(bad("a.py", "x"))},
        existing=[(A, "a.py", "risk")],
        config=Config(project="p", severity={A: Severity.RISK}),
    ),
    Case(
        "the current policy judges the base: a waiver is not a fix, nor is it listed",
        {A: failed(bad("a.py", "x"))},
        {A: failed(bad("a.py", "x"))},
        config=Config(project="p", waivers=(Waiver(A, "accepted", "team", dt.date(2026, 12, 1)),)),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_delta(case: Case) -> None:
    delta = compare(assessment(case.now, case.config), states(case.base), case.config, TODAY)
    assert brief(delta.new) == case.new
    assert brief(delta.fixed) == case.fixed
    assert brief(delta.existing) == case.existing
    assert delta.category_changes == case.changes
    assert delta.uncovered == case.uncovered


def test_category_changes_use_the_current_policy_not_the_saved_light() -> None:
    base = states({A: failed(bad("a.py", "x"))})  # saved light says "green": it is not trusted
    config = Config(project="p")
    delta = compare(assessment({A: failed(bad("a.py", "x"))}, config), base, config, TODAY)
    assert delta.category_changes == []


def gate(base: dict[str, CheckResult] | None, now: dict[str, CheckResult]) -> tuple[Verdict, str]:
    config = Config(project="p")
    current = assessment(now, config)
    delta: Delta | None = None if base is None else compare(current, states(base), config, TODAY)
    return gate_new_blockers(delta, current)


def test_new_blockers_gate_only_what_the_pr_introduced() -> None:
    verdict, why = gate({A: failed(bad("a.py", "x"))}, {A: failed(bad("a.py", "x"))})
    assert verdict is Verdict.GO
    assert (
        why
        == "Go: no blocker is new in this PR; 1 blocker(s) already on the base branch do not gate this PR."
    )

    verdict, why = gate({A: failed(bad("a.py", "x"))}, {A: failed(bad("a.py", "x"), bad("n.py", "y"))})
    assert verdict is Verdict.NO_GO
    assert why == (
        f"No-Go: 1 blocker(s) new in this PR ({A}); "
        "1 blocker(s) already on the base branch do not gate this PR."
    )


def test_a_new_risk_does_not_fail_new_blockers() -> None:
    assert gate({B: PASS}, {B: failed(bad("b.py", "y"))})[0] is Verdict.GO


def test_without_a_base_new_blockers_falls_back_to_blocker_and_says_so() -> None:
    verdict, why = gate(None, {A: failed(bad("a.py", "x"))})
    assert verdict is Verdict.NO_GO
    assert why.endswith("(no base branch state was available, so fail-on new-blockers fell back to blocker)")
    assert gate(None, {A: PASS})[0] is Verdict.GO
