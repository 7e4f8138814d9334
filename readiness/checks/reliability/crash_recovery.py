"""Crash recovery: what happens after an OOM kill or a panic?"""

from __future__ import annotations

from typing import Any

from readiness import seed
from readiness.checks.reliability._deploy import Site, compose_is_deployment, compose_sites
from readiness.context import CheckContext
from readiness.facts.deploy import SERVING_KINDS
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

# Workloads that run for long and serve; Jobs and CronJobs run to completion and are left alone.


def _quantity(resources: Any, section: str, resource: str) -> bool:
    block = resources.get(section) if isinstance(resources, dict) else None
    value = block.get(resource) if isinstance(block, dict) else None
    return value is not None and str(value).strip() != ""


def _missing(resources: Any) -> list[str]:
    """What the container leaves unset. Kubernetes copies a limit into a missing request of the same
    resource, so a memory limit alone also gives the scheduler a memory request."""
    missing: list[str] = []
    if not _quantity(resources, "limits", "memory"):
        missing.append("a memory limit")
        if not _quantity(resources, "requests", "memory"):
            missing.append("a memory request")
    if not (_quantity(resources, "requests", "cpu") or _quantity(resources, "limits", "cpu")):
        missing.append("a cpu request")
    return missing


@check(
    id="reliability/resource-limits",
    question=seed.CRASH_RECOVERY,
    title="Serving containers set memory limits and requests, and cpu requests",
    severity=Severity.RISK,
    rationale="""
        A container without a memory limit that leaks or spikes grows until the node runs out of
        memory; the kernel then OOM-kills whichever process it picks, often a neighbour, and the
        kubelet may evict every pod on the node. With a limit, only the offending container is
        killed and restarted, which is the recovery you want. Requests are what the scheduler
        packs by: without them pods land on nodes that cannot hold them, and the autoscaler
        has nothing to compute utilisation from.
    """,
    looks_at="""
        `resources` of every container of Deployments, StatefulSets, DaemonSets and Argo Rollouts.
        A memory limit also counts as the memory request, and a cpu limit as the cpu request,
        because Kubernetes copies a limit into a missing request. Init containers, Jobs and
        CronJobs are not judged. A cpu limit is not required: it throttles latency-sensitive
        services and does not protect the node. Where compose is the deployment, each service's
        `mem_limit` or `deploy.resources.limits.memory` (overlays merged).
    """,
    remediation="""
        Set `resources.requests.memory`, `resources.requests.cpu` and `resources.limits.memory`
        from observed usage (p99 of working set plus headroom), and alert on restarts with reason
        OOMKilled so a limit that is too tight is noticed.
    """,
    example="""
        resources:
          requests: {cpu: 500m, memory: 512Mi}
          limits: {memory: 512Mi}
    """,
)
def resource_limits(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    workloads = [w for w in repo.workloads() if w.kind in SERVING_KINDS]
    if not workloads:
        if compose_is_deployment(repo) and (sites := compose_sites(repo)):
            return _compose_memory_limits(repo, sites)
        return CheckResult.not_applicable("no Kubernetes Deployment, StatefulSet, DaemonSet or Rollout found")
    failures: list[Failure] = []
    bounded: list[Evidence] = []
    for workload in workloads:
        for container in workload.containers():
            missing = _missing(container.get("resources"))
            if not missing:
                bounded.append(repo.evidence(workload.path, container.line_of("resources")))
                continue
            failures.append(
                Failure(
                    f"{workload.kind} {workload.name!r} container {container.get('name', '?')!r} sets no "
                    + ", no ".join(item.removeprefix("a ") for item in missing),
                    (repo.evidence(workload.path, container.line),),
                )
            )
    return CheckResult.from_failures(
        failures, f"{len(bounded)} serving container(s) set memory limits and requests", *bounded
    )


def _compose_memory_limits(repo: Repo, sites: list[Site]) -> CheckResult:
    """Compose as the deployment: each service needs `mem_limit` or `deploy.resources.limits.memory`,
    or one runaway container takes the host (and every service on it) down."""
    failures: list[Failure] = []
    bounded: list[Evidence] = []
    for site in sites:
        deploy = site.spec.get("deploy")
        resources = deploy.get("resources") if isinstance(deploy, dict) else None
        if site.spec.get("mem_limit") is not None:
            bounded.append(repo.evidence(site.path_of("mem_limit"), site.spec.line_of("mem_limit")))
        elif _quantity(resources, "limits", "memory"):
            bounded.append(repo.evidence(site.path_of("deploy"), site.spec.line_of("deploy")))
        else:
            failures.append(
                Failure(
                    f"{site.owner} sets no memory limit (mem_limit or deploy.resources.limits.memory): a "
                    "leak or spike in it can exhaust the host every other service runs on",
                    (repo.evidence(site.path, site.line),),
                )
            )
    result = CheckResult.from_failures(
        failures, f"{len(bounded)} compose service(s) set a memory limit", *bounded
    )
    return result.partly(bool(bounded))
