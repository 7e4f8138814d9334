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

from readiness.facts.images import short_name
from readiness.facts.production import is_production
from readiness.parsers.yaml_lines import YMap
from readiness.repo import K8sObject, Repo, Service

SERVING_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Rollout"})
# Kinds whose manifest sets how many pods run (a DaemonSet runs one per node instead).
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "Rollout", "ReplicaSet"})


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


def _metadata(node: object) -> YMap:
    metadata = node.get("metadata") if isinstance(node, dict) else None
    return metadata if isinstance(metadata, YMap) else YMap()


def pod_labels(workload: K8sObject) -> dict[str, str]:
    """The labels of the pods a workload creates (a CronJob's through its job template)."""
    spec = workload.body.get("spec")
    spec = spec if isinstance(spec, YMap) else YMap()
    if workload.kind == "CronJob":
        job = spec.get("jobTemplate")
        job_spec = job.get("spec") if isinstance(job, YMap) else None
        spec = job_spec if isinstance(job_spec, YMap) else YMap()
    template = spec.get("template") if workload.kind != "Pod" else workload.body
    labels = _metadata(template).get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def selecting_services(repo: Repo, workload: K8sObject) -> list[K8sObject]:
    """Kubernetes Services whose selector picks the workload's pods."""
    labels = pod_labels(workload)
    found = []
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec") if obj.kind == "Service" else None
        selector = spec.get("selector") if isinstance(spec, YMap) else None
        if isinstance(selector, dict) and selector:
            wanted = {str(k): str(v) for k, v in selector.items()}
            if wanted.items() <= labels.items():
                found.append(obj)
    return found


def backing_service(repo: Repo, workload: K8sObject) -> K8sObject | None:
    """The first Kubernetes Service whose selector picks the workload's pods, if any."""
    return next(iter(selecting_services(repo, workload)), None)


# ---- which workload runs which service ---------------------------------------------------------
# One rule for every category: a workload runs a service (a source directory) when it, one of
# its containers, or one of its containers' images is named like the directory. Names are
# compared case-insensitively, images by their last path segment without tag or digest.


def why_it_runs(service: Service, image: str, container_name: str, owner_name: str) -> str | None:
    """Why a container (of a workload or a compose service) runs the service, or None."""
    wanted = service.name.lower()
    if image and short_name(image) == wanted:
        return f"its image {image} is named like the directory {service.path}/"
    if container_name.lower() == wanted:
        return f"its container is named like the directory {service.path}/"
    if owner_name.lower() == wanted:
        return f"it is named like the directory {service.path}/"
    return None


def runs(service: Service, workload: K8sObject) -> bool:
    # A workload without containers can still be named like the service: judge its name alone.
    containers = workload.containers() or [YMap()]
    return any(
        why_it_runs(service, str(c.get("image", "")), str(c.get("name", "")), workload.name)
        for c in containers
    )


def workloads_of(repo: Repo, service: Service, kinds: Iterable[str] = SERVING_KINDS) -> list[K8sObject]:
    """The workloads of these kinds that run the service, every copy of each (see ``runs``)."""
    wanted = frozenset(kinds)
    return [w for w in repo.workloads() if w.kind in wanted and runs(service, w)]


def selected_by_service(repo: Repo, workload: K8sObject) -> bool:
    return backing_service(repo, workload) is not None
