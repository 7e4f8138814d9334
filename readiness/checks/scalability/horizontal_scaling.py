"""Horizontal scaling: is there more than one instance, and can any instance serve any request?"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from readiness import seed
from readiness.checks.scalability._fleet import _autoscalers, _kustomize_replicas, _most_replicas
from readiness.context import CheckContext
from readiness.facts.datastores import is_datastore
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject

# DaemonSets run one pod per node by design, so replicas and autoscaling do not apply to them.
_SCALED_KINDS = {"Deployment", "StatefulSet", "Rollout"}


@check(
    id="scalability/autoscaling",
    question=seed.HORIZONTAL_SCALING,
    title="Serving workloads run at least two replicas or are autoscaled",
    severity=Severity.RISK,
    rationale="""
        A single replica is a single point of failure: a node drain, an OOM kill or a bad
        rollout takes the service down until a new pod is scheduled and ready. Without a
        HorizontalPodAutoscaler the replica count is also fixed at whatever was guessed, so a
        traffic peak is absorbed by latency and errors instead of new pods.
    """,
    looks_at="""
        Deployments, StatefulSets and Argo Rollouts; HorizontalPodAutoscalers and KEDA
        ScaledObjects (`spec.scaleTargetRef`); `replicas` in the manifests and in kustomize
        `replicas:` overrides. A workload defined in several places (a base and overlay
        patches) passes if any definition runs two or more replicas. DaemonSets are not judged,
        nor are data stores (Redis, Postgres/TimescaleDB, Kafka, ...): their availability is a
        replication and failover question, answered under disaster recovery.
    """,
    remediation="""
        Add a HorizontalPodAutoscaler with `minReplicas: 2` or more (and a PodDisruptionBudget),
        or at least set `replicas: 2`, and spread the replicas across nodes and zones with
        `topologySpreadConstraints`.
    """,
    example="""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: bidder}
          minReplicas: 3
          maxReplicas: 30
    """,
)
def autoscaling(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    definitions: dict[tuple[str, str], list[K8sObject]] = {}
    for workload in repo.workloads():
        if workload.kind in _SCALED_KINDS and not is_datastore(workload):
            definitions.setdefault((workload.kind, workload.name), []).append(workload)
    if not definitions:
        return CheckResult.not_applicable("no Deployment, StatefulSet or Rollout runs an application")
    autoscalers, overrides = _autoscalers(repo), _kustomize_replicas(repo)
    failures: list[Failure] = []
    scaled: list[Evidence] = []
    for (kind, name), workloads in definitions.items():
        if (autoscaler := autoscalers.get((kind, name))) is not None:
            scaled.append(repo.evidence(autoscaler.path, autoscaler.line))
            continue
        replicas, where = _most_replicas(repo, workloads)
        if name in overrides and overrides[name][0] > replicas:
            replicas, where = overrides[name]
        if replicas >= 2:
            scaled.append(where)
            continue
        count = "a single replica" if replicas == 1 else f"{replicas} replicas"
        failures.append(
            Failure(
                f"{kind} {name!r} runs {count} and no HorizontalPodAutoscaler targets it",
                (repo.evidence(workloads[0].path, workloads[0].line),),
            )
        )
    return CheckResult.from_failures(
        failures, f"{len(scaled)} workload(s) run two or more replicas or are autoscaled", *scaled
    )


def _cookie(value: Any) -> bool:
    return str(value).strip().lower() not in ("", "none", "false")


def _true(value: Any) -> bool:
    return str(value).strip().lower() == "true"


# Ingress-controller and load-balancer annotations that pin a client to one backend pod.
_STICKY_ANNOTATIONS: dict[str, Callable[[Any], bool]] = {
    "nginx.ingress.kubernetes.io/affinity": _cookie,
    "haproxy-ingress.github.io/affinity": _cookie,
    "ingress.kubernetes.io/affinity": _cookie,
    "traefik.ingress.kubernetes.io/affinity": _true,
    "traefik.ingress.kubernetes.io/service.sticky.cookie": _true,
    "alb.ingress.kubernetes.io/target-group-attributes": lambda v: "stickiness.enabled=true" in str(v),
}


def _sticky_settings(obj: K8sObject) -> list[tuple[int, str]]:
    """(line, setting) for every sticky-session setting of a Service or an Ingress."""
    found: list[tuple[int, str]] = []
    spec = obj.body.get("spec")
    if obj.kind == "Service" and isinstance(spec, YMap) and spec.get("sessionAffinity") == "ClientIP":
        found.append((spec.line_of("sessionAffinity"), "spec.sessionAffinity: ClientIP"))
    metadata = obj.body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if isinstance(annotations, YMap):
        found += [
            (annotations.line_of(key), f"annotation {key}")
            for key, sticky in _STICKY_ANNOTATIONS.items()
            if key in annotations and sticky(annotations[key])
        ]
    return found


@check(
    id="scalability/no-sticky-sessions",
    question=seed.HORIZONTAL_SCALING,
    title="Traffic is not pinned to one pod (no sticky sessions)",
    severity=Severity.RISK,
    rationale="""
        Sticky sessions mean a pod holds state a client depends on. Scaling out does not relieve
        the hot pods (existing clients stay where they are), scaling in or a rolling deploy
        drops those clients' sessions, and one overloaded pod cannot shed load to its
        neighbours. It usually hides in-memory session or cache state that belongs in Redis.
    """,
    looks_at="""
        Kubernetes Services (`spec.sessionAffinity: ClientIP`) and the affinity annotations of
        Services and Ingresses for ingress-nginx, HAProxy ingress, Traefik and the AWS Load
        Balancer Controller (`stickiness.enabled=true`).
    """,
    remediation="""
        Move per-client state out of the process (Redis, the database, a signed token) so any
        replica can serve any request, then remove the affinity setting. If affinity is only a
        cache-locality optimisation, document why and waive this check with an expiry.
    """,
    example="""
        apiVersion: v1
        kind: Service
        spec:
          sessionAffinity: None
    """,
)
def no_sticky_sessions(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    routes = [obj for obj in repo.k8s_objects() if obj.kind in ("Service", "Ingress")]
    if not routes:
        return CheckResult.not_applicable("no Kubernetes Service or Ingress found")
    failures = [
        Failure(
            f"{obj.kind} {obj.name!r} pins clients to one pod ({setting})",
            (repo.evidence(obj.path, line),),
        )
        for obj in routes
        for line, setting in _sticky_settings(obj)
    ]
    return CheckResult.from_failures(
        failures,
        f"{len(routes)} Service(s)/Ingress(es) balance without session affinity",
        *(repo.evidence(obj.path, obj.line) for obj in routes),
    )
