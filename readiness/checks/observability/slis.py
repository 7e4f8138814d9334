"""Metrics: are the key SLIs (latency, errors, saturation) instrumented where metrics are exposed?"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness import seed
from readiness.checks.observability._facts import (
    ERRORS,
    LATENCY,
    SATURATION,
    SLIS,
    call_text,
    exposition,
    facts,
    judged,
    label,
    metric_slis,
    metrics_of,
)
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Service

# Library middleware and collectors (the $FN a go-metric-middleware match captures) by what they give.
_GO_MIDDLEWARE = {
    "InstrumentHandlerDuration": {LATENCY},
    "InstrumentHandlerCounter": {ERRORS},
    "InstrumentHandlerInFlight": {SATURATION},
    "NewDBStatsCollector": {SATURATION},
    "NewCollector": {SATURATION},  # pgxpool and go-redis pool collectors
    "NewPrometheus": {LATENCY, ERRORS},  # gin and echo middleware
    "NewMiddleware": {LATENCY, ERRORS},
    "NewMiddlewareWithConfig": {LATENCY, ERRORS},
}
_OTEL_SERVER = re.compile(
    r"^otel\w+\.(NewHandler|NewMiddleware|Middleware|NewServerHandler|\w*ServerInterceptor)$"
)


@dataclass
class Coverage:
    """Which SLIs a service instruments, and where."""

    found: dict[str, Evidence] = field(default_factory=dict)

    def add(self, sli: str, evidence: Evidence) -> None:
        self.found.setdefault(sli, evidence)

    def missing(self) -> list[str]:
        return [sli for sli in SLIS if sli not in self.found]


def coverage(ctx: CheckContext, service: Service, exposed: Evidence) -> Coverage:
    repo = ctx.repo
    result = Coverage()
    for metric in metrics_of(ctx, service):
        for sli in metric_slis(metric):
            result.add(sli, repo.evidence(metric.path, metric.line))
    if service.language == "go":
        for match in facts(ctx, service, "go-metric-middleware"):
            for sli in _GO_MIDDLEWARE.get(match.capture("$FN"), set()):
                result.add(sli, repo.evidence(match.path, match.line))
        # otelhttp/otelgrpc record request duration with the status code when the service exports
        # OpenTelemetry metrics (its exposition is an OTel exporter, not promhttp).
        if "opentelemetry" in (exposed.snippet or ""):
            for match in facts(ctx, service, "go-trace-instrumentation"):
                if _OTEL_SERVER.match(f"{match.capture('$PKG')}.{match.capture('$FN')}"):
                    result.add(LATENCY, repo.evidence(match.path, match.line))
                    result.add(ERRORS, repo.evidence(match.path, match.line))
    if service.language == "python":
        for match in facts(ctx, service, "py-metric-middleware"):
            where = repo.evidence(match.path, match.line)
            result.add(LATENCY, where)
            result.add(ERRORS, where)
            if re.search(r"in_?progress", call_text(repo, match)):
                result.add(SATURATION, where)
    return result


@check(
    id="observability/sli-metrics",
    question=seed.METRICS,
    title="Exposed metrics cover latency, errors and saturation",
    severity=Severity.RISK,
    rationale="""
        A /metrics endpoint with two counters cannot answer the three questions of an incident:
        are requests slow (a latency histogram, so p99 can be computed and aggregated across
        pods), are they failing (requests counted by status code), and is the service full
        (in-flight requests, queue depth, connection pool use). Without all three, alerts and
        autoscaling are guesses and a saturated pool looks like a slow network.
    """,
    looks_at="""
        Services that expose Prometheus metrics (see observability/metrics-endpoint). Their
        metric definitions (semgrep; Go client_golang/promauto New* with their Name and labels,
        Python prometheus_client, Node prom-client): a histogram or summary for latency; a
        counter labelled by code/status/result, or an error counter, for errors; a gauge named
        for in-flight work, queues, pools or workers for saturation. Library instrumentation
        counts too: promhttp.InstrumentHandler*, DB/pool stats collectors, gin/echo Prometheus
        middleware, prometheus-fastapi-instrumentator, starlette-exporter,
        prometheus-flask-exporter, and otelhttp/otelgrpc when metrics go through OpenTelemetry.
    """,
    remediation="""
        Wrap the router in middleware that records a latency histogram by route, a request
        counter by route and status code, and an in-flight gauge; export pool statistics
        (pgxpool Stat(), go-redis PoolStats(), psycopg pool get_stats()) as gauges.
    """,
    example="""
        latency := promauto.NewHistogramVec(prometheus.HistogramOpts{
            Name: "bidder_request_duration_seconds", Buckets: []float64{.005, .01, .025, .05, .1, .25},
        }, []string{"route"})
        requests := promauto.NewCounterVec(prometheus.CounterOpts{Name: "bidder_requests_total"},
            []string{"route", "code"})
        inFlight := promauto.NewGauge(prometheus.GaugeOpts{Name: "bidder_in_flight_requests"})
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-metric-definition",
        "go-metric-middleware",
        "go-trace-instrumentation",
        "js-metric-definition",
        "py-metric-counter",
        "py-metric-gauge",
        "py-metric-histogram",
        "py-metric-middleware",
    ),
)
def sli_metrics(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    exposing = [(s, exposed) for s in judged(repo) if (exposed := exposition(repo, s)) is not None]
    if not exposing:
        return CheckResult.not_applicable("no service exposes Prometheus metrics")
    failures: list[Failure] = []
    covered: list[Evidence] = []
    for service, exposed in exposing:
        found = coverage(ctx, service, exposed)
        missing = found.missing()
        if not missing:
            covered += [found.found[sli] for sli in SLIS]
            continue
        defined = [repo.evidence(m.path, m.line) for m in metrics_of(ctx, service)]
        have = ", ".join(f"{sli} ({found.found[sli].location()})" for sli in SLIS if sli in found.found)
        failures.append(
            Failure(
                f"{label(service)} exposes metrics but instruments no {' and no '.join(missing)} SLI"
                + (f"; it has {have}" if have else ""),
                tuple(defined[:20]) or (exposed,),
            )
        )
    return CheckResult.from_failures(
        failures, f"{len(exposing)} service(s) instrument latency, errors and saturation", *covered
    )
