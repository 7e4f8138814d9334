"""Latency under load: do the load tests fail when p99 latency exceeds the objective?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.checks.load_validation._scripts import fmt, k6_scripts, k6_thresholds, load_scripts
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check

# A tail-latency limit written into a non-k6 load test: `percentile(99)`, `p99 < 200`, JMeter's
# DurationAssertion, Gatling's `percentile3.lt(…)`, a vegeta report checked against a latency.
_TAIL_ASSERTION = re.compile(
    r"(?i)(percentile\w*\s*\(\s*(0?\.99|99)|\bp\(?99\)?\s*[<>]=?|DurationAssertion|percentile[34]\s*\.\s*(lt|lte)"
    r"|get_response_time_percentile\s*\(\s*0?\.99)"
)


@check(
    id="load-validation/p99-threshold",
    question=seed.LATENCY_UNDER_LOAD,
    title="Load tests fail when p99 latency exceeds the objective",
    severity=Severity.RISK,
    rationale="""
        In real-time bidding a slow answer is a lost auction: exchanges drop responses after
        their tmax. Averages and p95 hide the slow tail that times out, so a load test that
        passes at any p99 proves throughput, not that latency stays acceptable under load.
    """,
    looks_at="""
        k6 scripts' `options.thresholds` on `http_req_duration` (and its sub-metrics): a
        `p(99)<N` (or stricter percentile) limit, compared with `traffic.p99_latency_ms` in
        `.readiness.yml` when declared. Other load tools (Locust, JMeter, Gatling, vegeta…)
        need a tail-latency limit written in the script (a 99th-percentile assertion).
    """,
    remediation="""
        Add `thresholds: {http_req_duration: ['p(99)<100']}` to each k6 load test, with the
        number taken from the latency objective, so the run fails when the tail gets slow.
    """,
    example="""
        export const options = {
          thresholds: {http_req_duration: ['p(99)<100'], http_req_failed: ['rate<0.001']},
        };
    """,
    core=True,
    tests_are_subject=True,
)
def p99_threshold(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    scripts = k6_scripts(repo)
    if not scripts:
        others = load_scripts(repo)
        if not others:
            return CheckResult.not_applicable("no load tests (load-validation/load-tests reports it)")
        # Locust, JMeter, Gatling, vegeta…: a latency limit has to be written out in the script
        # or its invocation; without one the run passes whatever the tail does.
        asserted = repo.search(_TAIL_ASSERTION, sorted({s.path for s in others}))
        if asserted:
            return CheckResult.passed(
                "load tests assert a tail-latency limit",
                *(repo.evidence(m.path, m.line) for m in asserted[:5]),
            )
        where = ", ".join(f"{s.path} ({s.tool})" for s in others[:5])
        return CheckResult.failed(
            [
                Failure(
                    "the load tests assert no p99 latency limit: they pass whatever the tail latency is",
                    (
                        repo.evidence(others[0].path, others[0].line),
                        Evidence.absent(f"no p99 limit in {where}"),
                    ),
                )
            ]
        )
    objective = ctx.config.traffic.p99_latency_ms
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    with_thresholds = 0
    for script in scripts:
        line, thresholds = k6_thresholds(repo, script.path)
        if line is None:
            continue  # a helper module, or a smoke test; judged below if no script has thresholds
        with_thresholds += 1
        tail = [t for t in thresholds if t.percentile is not None and t.percentile >= 99]
        if not tail:
            seen = ", ".join(t.expression for t in thresholds) or "none on http_req_duration"
            message = (
                f"{script.path} has thresholds ({seen}) but none on p99 latency: the slow tail goes unnoticed"
            )
            failures.append(Failure(message, (repo.evidence(script.path, line),)))
        for threshold in tail:
            if objective is not None and threshold.limit_ms > objective:
                message = (
                    f"threshold {threshold.expression} allows p99 {fmt(threshold.limit_ms)} ms > objective "
                    f"{fmt(objective)} ms (traffic.p99_latency_ms): it passes while the objective is missed"
                )
                failures.append(Failure(message, (repo.evidence(threshold.path, threshold.line),)))
            else:
                evidence.append(repo.evidence(threshold.path, threshold.line))
    if with_thresholds == 0:
        where = ", ".join(s.path for s in scripts[:5])
        note = f"no `thresholds` in the k6 options of {where}"
        failures.append(
            Failure(
                "k6 load tests have no thresholds: they pass whatever the latency",
                (repo.evidence(scripts[0].path, scripts[0].line), Evidence.absent(note)),
            )
        )
    summary = (
        "p99 latency thresholds (no traffic.p99_latency_ms declared to compare them with)"
        if objective is None
        else f"p99 latency thresholds within the {fmt(objective)} ms objective"
    )
    return CheckResult.from_failures(failures, summary, *evidence)
