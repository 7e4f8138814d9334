"""Load testing: do load tests exist, and do they drive twice the expected peak?"""

from __future__ import annotations

import dataclasses

from readiness import seed
from readiness.checks.load_validation._scripts import (
    Rate,
    Unknown,
    fmt,
    k6_rates,
    k6_scripts,
    load_scripts,
    peak,
    request_paths,
    same_route,
    service_routes,
    vegeta_rates,
)
from readiness.context import CheckContext
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.registry import check


@check(
    id="load-validation/load-tests",
    question=seed.LOAD_2X,
    title="Load test scripts exist",
    severity=Severity.RISK,
    rationale="""
        A service that was never load tested finds its limits in production: connection pools,
        Redis round trips, GC pauses and bidder fan-out all behave differently at launch traffic
        than on a laptop. Load tests kept in the repository can be rerun before every release.
    """,
    looks_at="""
        k6 scripts (JS/TS importing `k6` or `k6/http`), Locust files (`from locust import`),
        Gatling simulations (`import io.gatling`), JMeter plans (`.jmx` with `jmeterTestPlan`),
        Artillery configs (YAML with `config.phases`), and `vegeta attack`, `wrk` and `ghz`
        invocations in shell scripts, Makefiles and CI workflows. The paths k6 and Locust
        scripts request are compared with the route strings declared in the services' code
        (`"/openrtb2/auction"`, `"POST /v1/price"`, `@app.post("/resolve")`).
    """,
    remediation="""
        Add a load test next to the service, e.g. `loadtest/bid.js` for k6 with an arrival-rate
        scenario at twice the expected peak and thresholds on p99 latency and error rate, and
        run it against a staging environment before each release.
    """,
    example="""
        import http from 'k6/http';
        export const options = {
          scenarios: {bids: {executor: 'constant-arrival-rate', rate: 10000, timeUnit: '1s',
                             duration: '10m', preAllocatedVUs: 500}},
        };
    """,
    core=True,
    tests_are_subject=True,
)
def load_tests(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    scripts = load_scripts(repo)
    if not scripts:
        note = "no k6, Locust, Gatling, JMeter or Artillery script and no vegeta/wrk/ghz invocation"
        return CheckResult.failed(
            [Failure("the service has never been load tested from this repository", (Evidence.absent(note),))]
        )
    evidence = [repo.evidence(s.path, s.line, note=s.tool) for s in scripts]
    routes = service_routes(ctx, {s.path for s in scripts})
    failures: list[Failure] = []
    for script in scripts:
        targets = request_paths(repo, script)
        if not routes or not targets:
            continue  # nothing to compare: routes built at run time, or URLs assembled elsewhere
        hits = [t for t in targets if any(same_route(t.path, route) for route in routes)]
        if hits:
            evidence.append(repo.evidence(hits[0].file, hits[0].line, note=f"targets {hits[0].path}"))
            continue
        shown = ", ".join(sorted({t.path for t in targets})[:3])
        message = (
            f"{script.path} requests {shown}, which no service in the repository declares as a route: "
            "the load test may exercise something other than the service"
        )
        where = repo.evidence(targets[0].file, targets[0].line)
        failures.append(Failure(message, (where,), Severity.RECOMMENDATION))
    return CheckResult.from_failures(failures, f"{len(scripts)} load test script(s)", *evidence)


@check(
    id="load-validation/peak-2x",
    question=seed.LOAD_2X,
    title="Load tests drive at least twice the expected peak request rate",
    severity=Severity.RISK,
    rationale="""
        Testing at the expected peak only proves the service survives an average good day.
        Twice the peak leaves room for a publisher onboarding, a retry storm or a bidder slowing
        down, and shows where the first bottleneck sits before users find it.
    """,
    looks_at="""
        k6 arrival-rate scenarios (`constant-arrival-rate` `rate`/`timeUnit`,
        `ramping-arrival-rate` `startRate`/`stages[].target`; scenarios starting together are
        added up) and `vegeta attack -rate`, compared with `traffic.expected_peak_rps` in
        `.readiness.yml`. VU-based k6 scenarios, Locust and the other tools don't declare a
        rate and are reported as not assessed.
    """,
    remediation="""
        Declare the expected peak in `.readiness.yml` (`traffic.expected_peak_rps`) and add an
        arrival-rate scenario whose rate reaches at least twice that number.
    """,
    example="""
        # .readiness.yml
        traffic: {expected_peak_rps: 5000}
        # loadtest/bid.js: executor 'ramping-arrival-rate', stages: [{target: 10000, duration: '10m'}]
    """,
    tests_are_subject=True,
)
def peak_2x(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    if not load_scripts(repo):
        return CheckResult.not_applicable("no load tests (load-validation/load-tests reports it)")
    expected = ctx.config.traffic.expected_peak_rps
    if expected is None:
        note = f"traffic.expected_peak_rps is not set in {ctx.config.source or '.readiness.yml'}"
        message = "the expected peak is not declared, so load tests cannot be compared with it"
        failed = CheckResult.failed([Failure(message, (Evidence.absent(note),), Severity.RECOMMENDATION)])
        # Load tests exist, but nothing shows they reach twice the peak: the answer is partial.
        return dataclasses.replace(failed, answer=Answer.PARTIAL)
    peaks: list[Rate] = []
    unknown: list[Unknown] = []
    for script in k6_scripts(repo):
        rates, unreadable = k6_rates(repo, script.path)
        unknown += unreadable
        peaks += [p] if (p := peak(rates)) else []
    rates, unreadable = vegeta_rates(repo)
    peaks += rates
    unknown += unreadable
    best = max(peaks, key=lambda r: r.rps, default=None)
    if best is None:
        why = (
            "; ".join(f"{u.path}:{u.line} {u.reason}" for u in unknown[:5]) or "no tool here declares a rate"
        )
        return CheckResult.not_assessed(
            f"no load test declares a request rate that can be read statically ({why})"
        )
    target = f"2 × {fmt(expected)} = {fmt(2 * expected)} rps"
    where = repo.evidence(best.path, best.line, note=best.source)
    if best.rps >= 2 * expected:
        return CheckResult.passed(f"peak {fmt(best.rps)} rps ≥ {target}", where)
    message = (
        f"the heaviest load test reaches peak {fmt(best.rps)} rps < {target}: "
        "it does not prove headroom over the expected peak"
    )
    return CheckResult.failed([Failure(message, (where,))])
