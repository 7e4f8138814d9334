"""How traffic reaches a workload in Kubernetes: Services that select its pods, and the Ingresses
and Gateway routes that send traffic to those Services."""

from __future__ import annotations

from typing import Any

from readiness.model import Evidence
from readiness.parsers.yaml_lines import YMap
from readiness.repo import K8sObject, Repo

_EXTERNAL_TYPES = ("LoadBalancer", "NodePort")


def pod_labels(workload: K8sObject) -> dict[Any, Any]:
    spec = workload.body.get("spec")
    if workload.kind == "Pod":
        metadata = workload.body.get("metadata")
    else:
        template = spec.get("template") if isinstance(spec, dict) else None
        metadata = template.get("metadata") if isinstance(template, dict) else None
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    return labels if isinstance(labels, dict) else {}


def selecting_services(repo: Repo, workload: K8sObject) -> list[K8sObject]:
    """Kubernetes Services whose selector picks the workload's pods."""
    labels = pod_labels(workload)
    found = []
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        selector = spec.get("selector") if obj.kind == "Service" and isinstance(spec, dict) else None
        if isinstance(selector, dict) and selector and all(labels.get(k) == v for k, v in selector.items()):
            found.append(obj)
    return found


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def backends(obj: K8sObject) -> set[str]:
    """Service names an Ingress or a Gateway API route sends traffic to."""
    spec = obj.body.get("spec")
    if not isinstance(spec, YMap):
        return set()
    names: set[str] = set()
    if obj.kind == "Ingress":
        default = spec.get("defaultBackend") or spec.get("backend")
        candidates = [default] if isinstance(default, dict) else []
        for rule in _items(spec.get("rules")):
            http = rule.get("http") if isinstance(rule, dict) else None
            for path in _items(http.get("paths") if isinstance(http, dict) else None):
                if isinstance(path, dict) and isinstance(path.get("backend"), dict):
                    candidates.append(path["backend"])
        for backend in candidates:
            service = backend.get("service")
            name = service.get("name") if isinstance(service, dict) else backend.get("serviceName")
            if isinstance(name, str):
                names.add(name)
    elif obj.kind in ("HTTPRoute", "GRPCRoute"):
        for rule in _items(spec.get("rules")):
            refs = rule.get("backendRefs") if isinstance(rule, dict) else None
            names |= {
                str(ref.get("name")) for ref in _items(refs) if isinstance(ref, dict) and ref.get("name")
            }
    return names


def routes_to(repo: Repo, workloads: list[K8sObject]) -> list[K8sObject]:
    """Ingresses and routes that reach any of the workloads."""
    names = {svc.name for workload in workloads for svc in selecting_services(repo, workload)}
    return [
        obj
        for obj in repo.k8s_objects()
        if obj.kind in ("Ingress", "HTTPRoute", "GRPCRoute") and backends(obj) & names
    ]


def exposure(repo: Repo, workloads: list[K8sObject]) -> list[Evidence]:
    """Where the workloads are reachable from outside the cluster (empty: internal only)."""
    found = [
        repo.evidence(obj.path, obj.line, note=f"{obj.kind} {obj.name!r}")
        for obj in routes_to(repo, workloads)
    ]
    for workload in workloads:
        for svc in selecting_services(repo, workload):
            spec = svc.body.get("spec")
            if isinstance(spec, YMap) and spec.get("type") in _EXTERNAL_TYPES:
                found.append(repo.evidence(svc.path, spec.line_of("type"), note=f"Service {svc.name!r}"))
    return found


def annotations_of(obj: K8sObject) -> YMap:
    metadata = obj.body.get("metadata")
    found = metadata.get("annotations") if isinstance(metadata, dict) else None
    return found if isinstance(found, YMap) else YMap()
