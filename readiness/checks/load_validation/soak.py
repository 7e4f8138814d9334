"""Soak testing: has the service run under load for a day, long enough to show leaks?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.checks.load_validation._scripts import (
    RunLength,
    artillery_run_lengths,
    cli_run_lengths,
    fmt,
    k6_run_lengths,
    k6_scripts,
    load_scripts,
)
from readiness.context import CheckContext
from readiness.facts.documents import find_documents
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check

SOAK_SECONDS = 24 * 3600
_SOAK_SUBJECT = re.compile(r"\b(soak|endurance|longevity)\b")
_HOURS = re.compile(r"\b(\d+(?:\.\d+)?)\s*(h|hrs?|hours?)\b|\b(\d+(?:\.\d+)?)\s*days?\b", re.I)


def _hours(text: str) -> float:
    """The longest span of hours (or days) a line of prose mentions."""
    spans = [float(h) if h else float(d) * 24 for h, _, d in _HOURS.findall(text)]
    return max(spans, default=0.0)


def _documented(ctx: CheckContext) -> list[Evidence]:
    """Soak runs written down: a document or section about soak/endurance tests naming 24 h or more."""
    repo = ctx.repo
    found: list[Evidence] = []
    for match in find_documents(repo, _SOAK_SUBJECT, any_heading=True):
        for number, text in match.lines(repo):
            if _hours(text) * 3600 >= SOAK_SECONDS:
                found.append(
                    repo.evidence(match.path, number, note=f"documented soak run ({match.named_by})")
                )
                break
    return found


@check(
    id="load-validation/soak-test",
    question=seed.SOAK,
    title="A soak test runs the service under load for 24 hours or more",
    severity=Severity.RISK,
    rationale="""
        Memory and goroutine leaks, connection-pool exhaustion, growing Redis keyspaces and slow
        GC drift only show after hours: a ten-minute load test passes while the service falls
        over on its second day in production. A soak test at the expected peak for 24 hours or
        more, watching memory, latency and error rate, finds them before launch.
    """,
    looks_at="""
        k6 scripts (a scenario's `duration`, or the sum of its ramping `stages`), `k6 run
        --duration`, `locust --run-time` and `vegeta attack -duration` in shell scripts,
        Makefiles and CI, locust.conf `run-time`, Artillery phase durations; documents or
        sections about soak/endurance tests that name a run of 24 hours or more.
    """,
    remediation="""
        Add a soak scenario (e.g. k6 `constant-arrival-rate` at the expected peak with
        `duration: '24h'`), run it against staging before launch and after major changes, and
        commit the results: memory per pod over time, p99 latency at the start and the end.
    """,
    example="""
        soak: {executor: 'constant-arrival-rate', rate: 1000, timeUnit: '1s', duration: '24h',
               preAllocatedVUs: 150, startTime: '35m'}
    """,
    core=True,
    tests_are_subject=True,
)
def soak_test(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    scripts = load_scripts(repo)
    documented = _documented(ctx)
    if not scripts and not documented:
        return CheckResult.not_applicable("no load tests (load-validation/load-tests reports it)")
    lengths: list[RunLength] = [length for s in k6_scripts(repo) for length in k6_run_lengths(repo, s.path)]
    lengths += cli_run_lengths(repo) + artillery_run_lengths(repo, scripts)
    soaks = [length for length in lengths if length.seconds >= SOAK_SECONDS]
    if soaks or documented:
        found = [repo.evidence(s.path, s.line, note=f"{s.source}: {fmt(s.seconds / 3600)} h") for s in soaks]
        return CheckResult.passed("a run of 24 hours or more is scripted or documented", *found, *documented)
    longest = max(lengths, key=lambda length: length.seconds, default=None)
    if longest is not None:
        where = repo.evidence(
            longest.path, longest.line, note=f"longest run: {fmt(longest.seconds / 60)} min"
        )
        message = (
            f"the longest load test runs {fmt(longest.seconds / 60)} min, short of the 24 h a soak "
            "test needs to show leaks"
        )
        return CheckResult.failed([Failure(message, (where,))])
    note = "no load test declares a duration that can be read statically, and no documented soak run"
    first = scripts[0]
    return CheckResult.failed(
        [
            Failure(
                "no soak test: nothing shows the service survives 24 hours under load",
                (repo.evidence(first.path, first.line, note=first.tool), Evidence.absent(note)),
            )
        ]
    )
