"""Metrics: does every service expose Prometheus metrics?"""

from __future__ import annotations

import dataclasses
import re

from readiness import seed
from readiness.checks.observability._facts import _EXPOSITION, exposition, folder
from readiness.context import CheckContext
from readiness.facts.production import is_production
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo


@check(
    id="observability/metrics-endpoint",
    question=seed.METRICS,
    title="Every service exposes Prometheus metrics",
    severity=Severity.RISK,
    rationale="""
        Without a metrics endpoint there is no request rate, error ratio or latency histogram to
        alert on or to scale by; an incident is diagnosed from logs alone, if at all. Each
        service has to expose its own metrics: a healthy neighbour says nothing about it.
    """,
    looks_at="""
        Source files of each Go module, Python project and Node package (tests and vendored code
        excluded) for an import of a Prometheus exposition handler or exporter: Go `promhttp`
        or an OpenTelemetry metrics exporter; Python `prometheus_client`,
        `prometheus_fastapi_instrumentator`, `starlette_exporter`, `prometheus_flask_exporter`,
        `django_prometheus` or an OpenTelemetry exporter; Node `prom-client`,
        `express-prom-bundle` or an OpenTelemetry exporter.
    """,
    remediation="""
        Expose `/metrics` from each service with the Prometheus client of its language (or an
        OpenTelemetry metrics exporter) and instrument at least request count by status,
        request latency as a histogram, and saturation (in-flight requests, pool usage).
    """,
    example="""
        import "github.com/prometheus/client_golang/prometheus/promhttp"

        mux.Handle("/metrics", promhttp.Handler())
    """,
    core=True,
)
def metrics_endpoint(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = repo.services()
    # Only languages whose exporters are listed above can be judged; others are not guessed at.
    judged = [service for service in services if service.language in _EXPOSITION]
    if not judged:
        return CheckResult.not_applicable("no Go, Python or Node service found")
    failures: list[Failure] = []
    exposing: list[Evidence] = []
    for service in judged:
        exposed = exposition(repo, service)
        if exposed is not None:
            exposing.append(exposed)
            continue
        failures.append(
            Failure(
                f"{service.language} service {service.name!r} ({service.path}) exposes no Prometheus metrics",
                (Evidence.absent(f"no Prometheus client or exporter import under {folder(service)}"),),
            )
        )
    instrumented = _metrics_libraries(repo)
    result = CheckResult.from_failures(
        failures, f"{len(exposing)} service(s) expose Prometheus metrics", *exposing, *instrumented[:3]
    )
    # Metrics emitted by some services (or by code in a language judged nowhere else, such as a
    # JVM service's Micrometer registry): the SLIs exist for part of the system.
    if failures:
        result = dataclasses.replace(result, evidence=(*exposing, *instrumented[:3]))
    return result.partly(bool(exposing or instrumented))


# Metrics libraries declared by any production build file, whatever its language.
_METRICS_LIBRARY = re.compile(
    r"(?i)micrometer-registry|micrometer-core|io\.prometheus|simpleclient|prometheus/client_golang|"
    r"prometheus[-_]client|prom-client|promphp|prometheus_exporter|opentelemetry-exporter-prometheus|"
    r"go\.opentelemetry\.io/otel/metric|statsd|dogstatsd"
)
_BUILD_FILES = (
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "composer.json",
    "Gemfile",
    "go.mod",
    "package.json",
)


def _metrics_libraries(repo: Repo) -> list[Evidence]:
    files = [p for p in repo.named(*_BUILD_FILES) if is_production(p)]
    files += [
        p
        for p in repo.paths
        if re.search(r"requirements[\w.-]*\.txt$|pyproject\.toml$", p) and is_production(p)
    ]
    return [
        repo.evidence(m.path, m.line, note="metrics library") for m in repo.search(_METRICS_LIBRARY, files)
    ]
