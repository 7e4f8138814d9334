"""Alerting: does each service that exposes metrics have alerts on latency, errors and saturation?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.checks.observability._facts import (
    ERRORS,
    LATENCY,
    SATURATION,
    SATURATION_NAME,
    SLIS,
    call_text,
    exposition,
    facts,
    judged,
    label,
    metric_slis,
    metrics_of,
)
from readiness.checks.observability._rules import Alert, alerts
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.deploy import workloads_of
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Service

# Metrics that request middlewares record under fixed names, by a word of the call that sets them up.
_LIBRARY_METRICS = {
    "Instrumentator": ("http_request_duration_seconds", "http_requests_total"),
    "PrometheusMiddleware": ("starlette_request_duration_seconds", "starlette_requests_total"),
    "PrometheusMetrics": ("flask_http_request_duration_seconds", "flask_http_request_total"),
    "django_prometheus": ("django_http_requests_latency_seconds", "django_http_responses_total_by_status"),
}
_KIND_PATTERNS = {
    LATENCY: re.compile(r"histogram_quantile|duration|latency"),
    ERRORS: re.compile(r"""(code|status|status_code)\s*=~?\s*"5|5xx|\berrors?\b|error_|_error|fail"""),
    SATURATION: re.compile(
        SATURATION_NAME.pattern + r"|(?i:cpu|memory|oom|throttl|shed|rejected|dropped|limit)"
    ),
}


def _names(ctx: CheckContext, service: Service) -> dict[str, set[str]]:
    """The service's metric names, each with the SLIs it serves (empty when it serves none)."""
    names: dict[str, set[str]] = {}
    for metric in metrics_of(ctx, service):
        if metric.name:
            names.setdefault(metric.name, set()).update(metric_slis(metric))
    if service.language == "python":
        for match in facts(ctx, service, "py-metric-middleware"):
            text = call_text(ctx.repo, match)
            for word, (latency, requests) in _LIBRARY_METRICS.items():
                if word in text:
                    names.setdefault(latency, set()).add(LATENCY)
                    names.setdefault(requests, set()).add(ERRORS)
    return names


def _about(alert: Alert, service: Service, names: dict[str, set[str]], targets: set[str]) -> bool:
    """Whether an alert watches the service: it queries one of its metrics, or selects its job,
    service, app or container by name."""
    expr = str(alert.rule.get("expr", ""))
    if any(name in expr for name in names):
        return True
    selectors = "|".join(re.escape(target) for target in sorted(targets))
    return bool(
        re.search(
            rf"""\b(job|service|app|app_kubernetes_io_name|container|deployment)\s*=~?\s*"[^"]*\b({selectors})\b""",
            expr,
        )
    )


def _kinds(alert: Alert, names: dict[str, set[str]]) -> set[str]:
    expr = str(alert.rule.get("expr", ""))
    kinds = {kind for kind, pattern in _KIND_PATTERNS.items() if pattern.search(expr)}
    for name, slis in names.items():
        if name in expr:
            kinds |= slis
    return kinds


@check(
    id="observability/slo-alerts",
    question=seed.ALERTING,
    title="Each service has alerts on latency, error rate and saturation",
    severity=Severity.RISK,
    rationale="""
        Alerts that exist are not enough: the ones that page must cover what users feel. A
        service with an error-rate alert but no latency alert degrades silently from 80 ms to
        800 ms (bids time out at the exchange, revenue drops, nothing pages); without a
        saturation alert a filling connection pool or in-flight limit is found only once it
        overflows.
    """,
    looks_at="""
        Alerting rules (Prometheus rule files and PrometheusRule objects) matched to each
        service that exposes metrics, by the metric names the service defines in code (and
        those of its request-metrics middleware) or by a job/service/app/container selector
        naming it. Each matched alert is classified from its expression: latency
        (histogram_quantile, duration or latency metrics), errors (5xx status selectors, error
        or failure counters) and saturation (in-flight, queue, pool, connection, CPU or memory).
    """,
    remediation="""
        For every service, alert on p99 latency against its objective (histogram_quantile over
        the latency histogram), on the ratio of 5xx (or failed) requests, and on saturation
        (in-flight requests near the limit, pool usage above 90%, CPU throttling or memory
        near the limit), each with `for:`, a severity and a runbook.
    """,
    example="""
        - alert: BidderHighLatency
          expr: histogram_quantile(0.99, sum by (le) (rate(bidder_request_duration_seconds_bucket[5m]))) > 0.1
          for: 10m
          labels: {severity: page}
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-metric-definition",
        "py-metric-counter",
        "py-metric-gauge",
        "py-metric-histogram",
        "py-metric-middleware",
    ),
)
def slo_alerts(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    exposing = [(s, exposed) for s in judged(repo) if (exposed := exposition(repo, s)) is not None]
    if not exposing:
        return CheckResult.not_applicable("no service exposes Prometheus metrics")
    found = alerts(repo)
    if not found:
        return CheckResult.not_applicable("no alerting rules at all (see observability/alert-rules)")
    failures: list[Failure] = []
    covered: list[Evidence] = []
    for service, exposed in exposing:
        names = _names(ctx, service)
        targets = {service.name, *(w.name for w in workloads_of(repo, service))}
        mine = [alert for alert in found if _about(alert, service, names, targets)]
        where = tuple(repo.evidence(alert.path, alert.line) for alert in mine)
        if not mine:
            shown = ", ".join(sorted(names)[:3]) or "none defined in code"
            failures.append(
                Failure(
                    f"{label(service)} exposes metrics but no alert queries them (metrics: {shown}) "
                    f"or selects job/service {service.name!r}",
                    (exposed,),
                )
            )
            continue
        kinds = set().union(*(_kinds(alert, names) for alert in mine))
        missing = [kind for kind in SLIS if kind not in kinds]
        if missing:
            alerting = ", ".join(alert.name for alert in mine)
            failures.append(
                Failure(
                    f"{label(service)} has no {' and no '.join(missing)} alert (its alerts: {alerting})",
                    where,
                )
            )
        else:
            covered += where
    return CheckResult.from_failures(
        failures, f"{len(exposing)} service(s) alert on latency, errors and saturation", *covered
    )
