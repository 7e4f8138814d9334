"""Metrics: does Prometheus actually scrape the services that expose metrics?"""

from __future__ import annotations

import re
from typing import Any

from readiness import seed
from readiness.checks.observability._facts import exposition, judged, label
from readiness.context import CheckContext
from readiness.facts.deploy import workloads_of
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo

_SCRAPE = "prometheus.io/scrape"
_TOP_LEVEL_SCRAPE_CONFIGS = re.compile(r"(?m)^scrape_configs\s*:")


def _map(node: Any, *keys: str) -> YMap:
    """The mapping at a key path, or an empty one."""
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, YMap) else YMap()


def _labels(node: Any, *keys: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in _map(node, *keys).items()}


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def _annotated(repo: Repo, obj: K8sObject, *keys: str) -> Evidence | None:
    annotations = _map(obj.body, *keys)
    if str(annotations.get(_SCRAPE, "")).lower() == "true":
        return repo.evidence(obj.path, annotations.line_of(_SCRAPE))
    return None


def _port_names(service: K8sObject) -> set[str]:
    ports = _map(service.body, "spec").get("ports")
    return {str(p.get("name")) for p in ports if isinstance(p, dict)} if isinstance(ports, list) else set()


def _job_names(job: YMap) -> list[str]:
    """What a scrape job names: its job_name, static targets' hosts and relabelling regexes."""
    names = [str(job.get("job_name", ""))]
    for static in job.get("static_configs") or []:
        targets = static.get("targets") if isinstance(static, dict) else None
        names += [str(t).split(":", 1)[0].split(".", 1)[0] for t in targets or [] if isinstance(t, str)]
    for relabel in job.get("relabel_configs") or []:
        if isinstance(relabel, dict) and relabel.get("action", "replace") == "keep":
            names.append(str(relabel.get("regex", "")))
    return names


def _scrape_jobs(repo: Repo) -> list[tuple[str, int, list[str]]]:
    """(path, line, names) for each job of a Prometheus configuration file."""
    jobs = []
    for path in repo.yaml_paths():
        if not _TOP_LEVEL_SCRAPE_CONFIGS.search(repo.text(path)):
            continue
        for document in repo.yaml(path):
            configs = document.get("scrape_configs") if isinstance(document, YMap) else None
            for job in configs if isinstance(configs, YList) else []:
                if isinstance(job, YMap):
                    jobs.append((path, job.line, _job_names(job)))
    return jobs


def _scrapers(repo: Repo, workload: K8sObject) -> tuple[list[Evidence], list[Failure]]:
    """What scrapes a workload's pods, and ServiceMonitors that select it but scrape no real port."""
    pod_labels = _labels(workload.body, "spec", "template", "metadata", "labels")
    found: list[Evidence] = []
    broken: list[Failure] = []
    if (annotated := _annotated(repo, workload, "spec", "template", "metadata", "annotations")) is not None:
        found.append(annotated)
    objects = repo.k8s_objects()
    services = [
        obj
        for obj in objects
        if obj.kind == "Service"
        and (selector := _labels(obj.body, "spec", "selector"))
        and _selects(selector, pod_labels)
    ]
    for service in services:
        if (annotated := _annotated(repo, service, "metadata", "annotations")) is not None:
            found.append(annotated)
        service_labels = _labels(service.body, "metadata", "labels")
        for monitor in (obj for obj in objects if obj.kind == "ServiceMonitor"):
            if not _selects(_labels(monitor.body, "spec", "selector", "matchLabels"), service_labels):
                continue
            endpoints = _map(monitor.body, "spec").get("endpoints")
            ports = (
                {str(e.get("port")) for e in endpoints if isinstance(e, dict) and e.get("port")}
                if isinstance(endpoints, list)
                else set()
            )
            unknown = sorted(ports - _port_names(service))
            if unknown:
                broken.append(
                    Failure(
                        f"ServiceMonitor {monitor.name!r} scrapes port(s) {', '.join(unknown)} that Service "
                        f"{service.name!r} does not name: Prometheus finds no target",
                        (
                            repo.evidence(monitor.path, monitor.line),
                            repo.evidence(service.path, service.line),
                        ),
                    )
                )
            else:
                found.append(repo.evidence(monitor.path, monitor.line))
    for monitor in (obj for obj in objects if obj.kind == "PodMonitor"):
        if _selects(_labels(monitor.body, "spec", "selector", "matchLabels"), pod_labels):
            found.append(repo.evidence(monitor.path, monitor.line))
    names = {workload.name, *(service.name for service in services)}
    for path, line, job_names in _scrape_jobs(repo):
        if names & set(job_names):
            found.append(repo.evidence(path, line))
    return found, broken


@check(
    id="observability/metrics-scraped",
    question=seed.METRICS,
    title="Prometheus is configured to scrape every service that exposes metrics",
    severity=Severity.RISK,
    rationale="""
        A /metrics endpoint nobody scrapes is the same as none: dashboards stay empty and alerts
        never fire, and nobody notices until the incident. With the Prometheus Operator a
        ServiceMonitor or PodMonitor must select the Service or pods; with annotation-based
        discovery the pods need prometheus.io/scrape; otherwise a scrape job must name them.
    """,
    looks_at="""
        For each Go, Python or Node service that exposes Prometheus metrics, the Kubernetes
        workloads that run it (named after it, or running a container or image of that name):
        prometheus.io/scrape annotations on the pod template or on a Service selecting its pods,
        ServiceMonitors selecting such a Service (and whether their endpoint ports exist on it),
        PodMonitors selecting the pods, and Prometheus configuration files whose scrape jobs
        name the workload or its Service.
    """,
    remediation="""
        Add a ServiceMonitor selecting the service's Service and naming its metrics port (or a
        PodMonitor), or annotate the pod template with prometheus.io/scrape, port and path when
        Prometheus discovers pods by annotation.
    """,
    example="""
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: bidder}
        spec:
          selector: {matchLabels: {app: bidder}}
          endpoints: [{port: http, path: /metrics, interval: 15s}]
    """,
)
def metrics_scraped(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    deployed = [
        (service, workloads)
        for service in judged(repo)
        if exposition(repo, service) is not None and (workloads := workloads_of(repo, service))
    ]
    if not deployed:
        return CheckResult.not_applicable("no Kubernetes workload runs a service that exposes metrics")
    failures: list[Failure] = []
    scraped: list[Evidence] = []
    for service, workloads in deployed:
        for workload in workloads:
            found, broken = _scrapers(repo, workload)
            failures += broken
            if found:
                scraped.append(found[0])
            elif not broken:
                failures.append(
                    Failure(
                        f"{label(service)} exposes metrics but nothing scrapes {workload.kind} "
                        f"{workload.name!r}: no ServiceMonitor, PodMonitor, prometheus.io/scrape annotation "
                        "or scrape job selects it",
                        (repo.evidence(workload.path, workload.line),),
                    )
                )
    return CheckResult.from_failures(
        failures, f"{len(scraped)} workload(s) exposing metrics are scraped", *scraped
    )
