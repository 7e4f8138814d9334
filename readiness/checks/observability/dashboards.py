"""Dashboards: is there a dashboard, and does it show the metrics the services actually define?"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from readiness import seed
from readiness.checks.observability._facts import exposition, is_test, judged, label, metrics_of
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.production import is_production
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import Repo


@dataclass(frozen=True)
class Dashboard:
    path: str
    line: int
    title: str
    queries: tuple[str, ...]


def _panels(node: Any) -> Iterator[dict[str, Any]]:
    """Every panel of a dashboard model, rows' nested panels included (old and new schemas)."""
    if not isinstance(node, dict):
        return
    for key in ("panels", "rows"):
        children = node.get(key)
        for child in children if isinstance(children, list) else []:
            if isinstance(child, dict):
                yield child
                yield from _panels(child)


def _dashboard(data: Any) -> tuple[str, tuple[str, ...]] | None:
    """(title, queries) of a Grafana dashboard model, or None when the JSON is something else."""
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]  # the HTTP API's export wraps the model
    if not isinstance(data, dict) or not any(isinstance(data.get(k), list) for k in ("panels", "rows")):
        return None
    queries = []
    for panel in _panels(data):
        targets = panel.get("targets")
        for target in targets if isinstance(targets, list) else []:
            if isinstance(target, dict):
                queries += [str(target[k]) for k in ("expr", "query", "rawSql") if target.get(k)]
    return str(data.get("title", "")), tuple(queries)


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def dashboards(repo: Repo) -> list[Dashboard]:
    """Grafana dashboards kept as JSON files, in ConfigMaps (the sidecar's grafana_dashboard
    convention) or in grafana-operator GrafanaDashboard objects."""
    found: list[Dashboard] = []
    for path in repo.with_suffix(".json"):
        if is_test(path) or ('"panels"' not in repo.text(path) and '"rows"' not in repo.text(path)):
            continue
        model = _dashboard(_parsed(repo.text(path)))
        if model is not None:
            found.append(Dashboard(path, 0, *model))
    for obj in repo.k8s_objects():
        if obj.kind == "ConfigMap" and isinstance(data := obj.body.get("data"), YMap):
            for key, value in data.items():
                if str(key).endswith(".json") and (model := _dashboard(_parsed(str(value)))) is not None:
                    found.append(Dashboard(obj.path, data.line_of(key), *model))
        elif obj.kind == "GrafanaDashboard" and isinstance(spec := obj.body.get("spec"), YMap):
            model = _dashboard(_parsed(str(spec.get("json", ""))))
            if model is not None:
                found.append(Dashboard(obj.path, obj.line, *model))
    return found


@check(
    id="observability/dashboards",
    question=seed.DASHBOARDS,
    title="Dashboards exist and show the services' own metrics",
    severity=Severity.RISK,
    rationale="""
        At 3am the on-call engineer needs one place that shows request rate, errors, latency
        and saturation per service next to deploys, not an empty Grafana and a PromQL prompt.
        Dashboards kept in the repository are reviewed, versioned and restored with the code;
        a dashboard that queries none of a service's metrics (renamed, or never wired) shows
        nothing when it matters.
    """,
    looks_at="""
        Grafana dashboard models in the repository: JSON files with `panels` (or `rows`) whose
        targets hold queries, dashboards embedded in ConfigMaps (`*.json` data keys) and
        grafana-operator GrafanaDashboard objects. Their queries are compared with the metric
        names each service that exposes metrics defines in code (Go promauto/prometheus.New*
        Name, Python prometheus_client, Node prom-client).
    """,
    remediation="""
        Export the service's dashboard from Grafana as JSON into the repository (e.g.
        monitoring/grafana/<service>.json) and provision it from there (sidecar ConfigMap or
        grafana-operator). Give it golden-signal panels (rate, error ratio, p50/p99 latency,
        saturation) built on the metrics the service defines, plus deploy annotations.
    """,
    example="""
        {"title": "Bidder", "panels": [{"title": "p99 latency", "targets": [{"expr":
          "histogram_quantile(0.99, sum by (le) (rate(bidder_request_duration_seconds_bucket[5m])))"}]}]}
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-metric-definition",
        "js-metric-definition",
        "py-metric-counter",
        "py-metric-gauge",
        "py-metric-histogram",
    ),
)
def dashboards_check(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = judged(repo)
    if not services:
        return CheckResult.not_applicable("no Go, Python or Node service with source code")
    found = dashboards(repo)
    others = other_dashboards(repo)
    if not found and others:
        # A dashboard in a form whose queries are not read here (Cloud Monitoring, CloudWatch,
        # Datadog): it exists, but nothing confirms it shows each service's golden signals.
        failed = CheckResult.failed(
            [
                Failure(
                    "dashboards exist but none is a Grafana model whose panels can be checked against the "
                    "services' metrics: their coverage of latency, errors and saturation is unconfirmed",
                    tuple(others[:3]),
                    Severity.RECOMMENDATION,
                )
            ]
        )
        return dataclasses.replace(failed, answer=Answer.PARTIAL)
    if not found:
        return CheckResult.failed(
            [
                Failure(
                    f"no Grafana dashboard in the repository for {len(services)} service(s): an outage is "
                    "diagnosed from scratch",
                    (
                        Evidence.absent(
                            "no dashboard JSON with panels, dashboard ConfigMap or GrafanaDashboard"
                        ),
                    ),
                )
            ]
        )
    queries = "\n".join(query for dashboard in found for query in dashboard.queries)
    failures: list[Failure] = []
    for service in services:
        exposed = exposition(repo, service)
        names = sorted({m.name for m in metrics_of(ctx, service) if m.name})
        if exposed is None or not names or any(name in queries for name in names):
            continue
        failures.append(
            Failure(
                f"no dashboard queries any metric {label(service)} defines ({', '.join(names[:3])}"
                f"{', ...' if len(names) > 3 else ''})",
                (exposed,),
                Severity.RECOMMENDATION,
            )
        )
    titles = ", ".join(d.title or d.path for d in found)
    result = CheckResult.from_failures(
        failures,
        f"{len(found)} dashboard(s): {titles}",
        *(repo.evidence(d.path, d.line or None) for d in found),
    )
    missing = [signal for signal, pattern in _GOLDEN_SIGNALS.items() if not pattern.search(queries)]
    if missing:
        # What diagnoses an outage is the golden signals; a dashboard without them is a start.
        summary = f"{result.summary or titles}; no panel shows {' or '.join(missing)}"
        return dataclasses.replace(result, summary=summary, answer=Answer.PARTIAL)
    return result


# Panels an outage is diagnosed from, recognised in their queries.
_GOLDEN_SIGNALS = {
    "latency": re.compile(r"(?i)histogram_quantile|duration|latency|_seconds_bucket|response_time"),
    "errors": re.compile(r"(?i)status(_code)?\s*=~?\s*\"?[45]|code\s*=~?\s*\"?[45]|error|fail|5xx"),
}
# Dashboards of other tools, as JSON exports or Terraform resources.
_OTHER_JSON = re.compile(r'"(mosaicLayout|gridLayout|rowLayout|columnLayout|widgets)"\s*:')
_OTHER_TERRAFORM = re.compile(
    r'^\s*resource\s+"(google_monitoring_dashboard|aws_cloudwatch_dashboard|datadog_dashboard(_json)?|'
    r'grafana_dashboard|newrelic_one_dashboard(_json)?|azurerm_portal_dashboard)"'
)


def other_dashboards(repo: Repo) -> list[Evidence]:
    found = []
    for path in repo.with_suffix(".json"):
        if is_production(path) and (hit := repo.search(_OTHER_JSON, [path])):
            found.append(repo.evidence(path, hit[0].line))
    for path in repo.with_suffix(".tf"):
        if is_production(path):
            found += [repo.evidence(m.path, m.line) for m in repo.search(_OTHER_TERRAFORM, [path])]
    return found
