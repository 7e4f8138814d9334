"""Deployment strategy: does a deploy replace pods gradually, or take the service down?"""

from __future__ import annotations

import math
import re

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.deploy import serving_containers
from readiness.facts.documents import k8s_api_group
from readiness.facts.production import is_production
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def _all_down(value: object, replicas: int | None) -> bool:
    """Whether `maxUnavailable` lets every replica go at once (Kubernetes rounds percentages down).

    Without `replicas` (an autoscaler owns the count) only a percentage can be judged.
    """
    match = _PERCENT.match(str(value))
    if match:
        percent = float(match.group(1))
        return percent >= 100 if replicas is None else math.floor(replicas * percent / 100) >= replicas > 0
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and replicas is not None
        and value >= replicas > 0
    )


def _judge_deployment(repo: Repo, deployment: K8sObject) -> Failure | Evidence:
    spec = deployment.body.get("spec")
    spec = spec if isinstance(spec, YMap) else None
    strategy = spec.get("strategy") if spec else None
    if spec is None or not isinstance(strategy, YMap):
        return repo.evidence(deployment.path, deployment.line, note="default RollingUpdate (25% unavailable)")
    name = f"Deployment {deployment.name!r}"
    if strategy.get("type") == "Recreate":
        message = f"{name} uses the Recreate strategy: every deploy stops all pods before starting new ones"
        return Failure(message, (repo.evidence(deployment.path, strategy.line_of("type")),))
    rolling = strategy.get("rollingUpdate")
    replicas = spec.get("replicas")
    replicas = replicas if isinstance(replicas, int) else None
    if isinstance(rolling, YMap) and _all_down(rolling.get("maxUnavailable"), replicas):
        value = rolling["maxUnavailable"]
        count = f"{replicas} replica(s)" if replicas is not None else "the autoscaled replicas"
        message = f"{name} rolls out with maxUnavailable {value} of {count}: every pod may be down at once"
        return Failure(message, (repo.evidence(deployment.path, rolling.line_of("maxUnavailable")),))
    return repo.evidence(deployment.path, strategy.line_of("type") if "type" in strategy else strategy.line)


@check(
    id="operational-readiness/rolling-deploys",
    question=seed.DEPLOY_PIPELINE,
    title="Deployments roll out gradually (rolling, canary or blue/green), never all at once",
    severity=Severity.RISK,
    rationale="""
        A `Recreate` strategy, or a rolling update allowed to take every replica down at once,
        turns each deploy into an outage: bid requests fail until the new pods are ready. A
        gradual rollout keeps serving and stops on the first pods that fail their probes.
    """,
    looks_at="""
        Kubernetes Deployments (`spec.strategy.type`, `rollingUpdate.maxUnavailable` against
        `replicas`); Argo Rollouts and Flagger Canaries are recorded as progressive delivery.
    """,
    remediation="""
        Use `strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 25%}}`
        with a readiness probe, or progressive delivery (Argo Rollouts, Flagger) for canaries.
        A workload that must never run two versions at once needs a documented maintenance
        window instead.
    """,
    example="""
        spec:
          replicas: 6
          strategy:
            type: RollingUpdate
            rollingUpdate: {maxUnavailable: 0, maxSurge: 2}
    """,
    core=True,
)
def rolling_deploys(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    objects = [o for o in repo.k8s_objects() if is_production(o.path)]
    deployments = [o for o in objects if o.kind == "Deployment"]
    progressive = [
        repo.evidence(o.path, o.line, note=f"progressive delivery: {o.kind} {o.name!r}")
        for o in objects
        if (o.kind == "Rollout" and k8s_api_group(o) == "argoproj.io")
        or (o.kind == "Canary" and k8s_api_group(o) == "flagger.app")
    ]
    if not deployments and not progressive:
        in_place = _compose_deployments(repo)
        if in_place:
            # docker compose stops the old container and starts the new one: each deploy is a gap.
            return CheckResult.failed(
                [
                    Failure(
                        "the service is deployed with docker compose, which recreates each container in "
                        "place: every deploy is a short outage, with no rolling, blue/green or canary step",
                        tuple(in_place[:3]),
                    )
                ]
            )
        return CheckResult.not_applicable(
            "no Kubernetes Deployment, Argo Rollout or compose deployment found"
        )
    judged = [_judge_deployment(repo, deployment) for deployment in deployments]
    failures = [j for j in judged if isinstance(j, Failure)]
    evidence = [j for j in judged if isinstance(j, Evidence)] + progressive
    for deployment in deployments:
        unready = [c for c in serving_containers(repo, deployment) if "readinessProbe" not in c]
        if unready and not any(
            isinstance(j, Failure) and j.evidence[0].path == deployment.path for j in judged
        ):
            failures.append(
                Failure(
                    f"Deployment {deployment.name!r} rolls out without a readiness probe on container "
                    f"{unready[0].get('name', '?')!r}: each new pod takes traffic before it can serve, so "
                    "the rollout is not health-gated",
                    (repo.evidence(deployment.path, unready[0].line),),
                )
            )
    result = CheckResult.from_failures(failures, f"{len(evidence)} workload(s) deploy gradually", *evidence)
    return result.partly(bool(evidence))


_COMPOSE_UP = re.compile(r"\bdocker[- ]compose\b[^\n]*\bup\b|\bdocker\s+stack\s+deploy\b")


def _compose_deployments(repo: Repo) -> list[Evidence]:
    """Where the service is deployed by compose: a deploy workflow or script running `compose up`,
    or production compose files when nothing else deploys."""
    scripts = [
        p
        for p in (*repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"), *repo.with_suffix(".sh"))
        if is_production(p)
    ]
    found = [
        repo.evidence(m.path, m.line) for m in repo.search(_COMPOSE_UP, scripts) if "stack" not in m.text
    ]
    if not found:
        found = [
            repo.evidence(c.path, 1, note="production compose file")
            for c in repo.compose_files()
            if is_production(c.path) and any("build" in v or "image" in v for v in c.services.values())
        ]
    return found
