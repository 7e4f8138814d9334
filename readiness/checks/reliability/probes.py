"""Startup and readiness probes: is traffic held back until the service can serve it?"""

from __future__ import annotations

from readiness import seed
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check

# Workloads that serve traffic for long; Jobs/CronJobs run to completion and need no probes.
_SERVING_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Rollout"}


@check(
    id="reliability/readiness-probe",
    question=seed.STARTUP_PROBES,
    title="Every serving container declares a readiness probe",
    severity=Severity.BLOCKER,
    rationale="""
        Without a readiness probe Kubernetes sends traffic to a pod as soon as its process
        starts, before it has connected to its database or Redis, and keeps sending it while
        the pod is overloaded or shutting down. Requests fail during every deploy and restart.
    """,
    looks_at="""
        Containers of Deployments, StatefulSets, DaemonSets and Argo Rollouts in Kubernetes
        manifests (plain YAML and kustomize). Init containers, Jobs and CronJobs are not
        flagged: they don't receive traffic.
    """,
    remediation="""
        Add a `readinessProbe` to each serving container that calls an endpoint which checks
        the service's dependencies (for example `httpGet: {path: /readyz, port: http}`), and a
        `startupProbe` for services that take long to start.
    """,
    example="""
        containers:
          - name: bidder
            readinessProbe:
              httpGet: {path: /readyz, port: 8080}
              periodSeconds: 5
    """,
)
def readiness_probe(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    workloads = [w for w in repo.workloads() if w.kind in _SERVING_KINDS]
    if not workloads:
        return CheckResult.not_applicable("no Kubernetes Deployment, StatefulSet, DaemonSet or Rollout found")
    failures: list[Failure] = []
    probed: list[Evidence] = []
    for workload in workloads:
        for container in workload.containers():
            name = container.get("name", "?")
            if "readinessProbe" in container:
                probed.append(repo.evidence(workload.path, container.line_of("readinessProbe")))
                continue
            failures.append(
                Failure(
                    f"{workload.kind} {workload.name!r} container {name!r} has no readinessProbe",
                    (repo.evidence(workload.path, container.line),),
                )
            )
    return CheckResult.from_failures(
        failures, f"{len(probed)} serving container(s) declare a readiness probe", *probed
    )
