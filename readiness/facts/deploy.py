"""Kubernetes workloads as a reviewer reads them: each one once, and only its serving containers.

Repositories copy the same manifest into several folders (a quickstart, `base/`, overlays, a
release folder, an "extras" variant): a Deployment named `userservice` written five times is one
workload with five locations, judged once. And not every container serves: a load generator
with no ports and no Service is a client; a proxy sidecar beside the serving container is not
what the readiness probe is for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from readiness.facts.production import is_production
from readiness.parsers.yaml_lines import YMap
from readiness.repo import K8sObject, Repo

SERVING_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Rollout"})


@dataclass(frozen=True)
class Workload:
    """One workload identity (kind, namespace, name) and every manifest that declares it."""

    kind: str
    name: str
    namespace: str
    copies: tuple[K8sObject, ...]

    @property
    def first(self) -> K8sObject:
        return self.copies[0]


def workloads(repo: Repo, kinds: Iterable[str] = SERVING_KINDS) -> list[Workload]:
    """Workloads of these kinds in production manifests, each identity once (copies grouped, in
    path order). Test and example manifests are left out."""
    wanted = frozenset(kinds)
    return [w for w in _all(repo) if w.kind in wanted]


def _all(repo: Repo) -> list[Workload]:
    def build() -> list[Workload]:
        grouped: dict[tuple[str, str, str], list[K8sObject]] = {}
        for obj in repo.workloads():
            if not is_production(obj.path):
                continue
            metadata = obj.body.get("metadata")
            namespace = metadata.get("namespace", "") if isinstance(metadata, YMap) else ""
            grouped.setdefault((obj.kind, obj.name, str(namespace or "")), []).append(obj)
        return [
            Workload(kind, name, namespace, tuple(sorted(copies, key=lambda o: (o.path, o.line))))
            for (kind, name, namespace), copies in sorted(grouped.items(), key=lambda item: item[1][0].path)
        ]

    return repo.memo("facts.deploy.workloads", build)


def serving_containers(repo: Repo, workload: K8sObject) -> list[YMap]:
    """The containers that receive traffic: those that declare ports; when none does, the first
    one if a Service selects the pods. A pod whose containers declare no port and that no Service
    selects serves nothing (a worker, a load generator, a log shipper)."""
    containers = [c for c in workload.containers() if isinstance(c, YMap)]
    with_ports = [c for c in containers if isinstance(c.get("ports"), list) and c.get("ports")]
    if with_ports:
        return with_ports
    if containers and selected_by_service(repo, workload):
        return containers[:1]
    return []


def pod_labels(workload: K8sObject) -> dict[str, str]:
    if workload.kind == "Pod":
        metadata = workload.body.get("metadata")
    else:
        spec = workload.body.get("spec")
        template = spec.get("template") if isinstance(spec, YMap) else None
        metadata = template.get("metadata") if isinstance(template, YMap) else None
    labels = metadata.get("labels") if isinstance(metadata, YMap) else None
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, YMap) else {}


def backing_service(repo: Repo, workload: K8sObject) -> K8sObject | None:
    """The Kubernetes Service whose selector picks the workload's pods, if any."""
    labels = pod_labels(workload)
    if not labels:
        return None
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        selector = spec.get("selector") if obj.kind == "Service" and isinstance(spec, YMap) else None
        if (
            isinstance(selector, YMap)
            and selector
            and all(labels.get(str(k)) == str(v) for k, v in selector.items())
        ):
            return obj
    return None


def selected_by_service(repo: Repo, workload: K8sObject) -> bool:
    return backing_service(repo, workload) is not None
