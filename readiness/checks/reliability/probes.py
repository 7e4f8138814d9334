"""Startup and readiness probes: is traffic held back until the service can serve it?"""

from __future__ import annotations

from typing import Any

from readiness import seed
from readiness.context import CheckContext
from readiness.facts import deploy
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
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
    core=True,
)
def readiness_probe(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    workloads = deploy.workloads(repo)
    if not workloads:
        return CheckResult.not_applicable("no Kubernetes Deployment, StatefulSet, DaemonSet or Rollout found")
    failures: list[Failure] = []
    probed: list[Evidence] = []
    serving = 0
    for workload in workloads:
        # Each copy of the manifest is judged; one failure per container names every copy.
        missing: dict[str, list[Evidence]] = {}
        for copy in workload.copies:
            for container in deploy.serving_containers(repo, copy):
                name = str(container.get("name", "?"))
                if "readinessProbe" in container:
                    probed.append(repo.evidence(copy.path, container.line_of("readinessProbe")))
                else:
                    missing.setdefault(name, []).append(repo.evidence(copy.path, container.line))
        serving += bool(missing) or any(deploy.serving_containers(repo, c) for c in workload.copies)
        for name, where in missing.items():
            copies = f" ({len(where)} copies of the manifest)" if len(where) > 1 else ""
            failures.append(
                Failure(
                    f"{workload.kind} {workload.name!r} container {name!r} has no readinessProbe{copies}",
                    tuple(where),
                )
            )
    if not serving:
        return CheckResult.not_applicable(
            "no workload serves traffic (no container declares a port or sits behind a Service)"
        )
    result = CheckResult.from_failures(
        failures, f"{len(probed)} serving container(s) declare a readiness probe", *probed[:10]
    )
    return result.partly(bool(probed))


def _has_healthcheck(service: Any) -> bool:
    healthcheck = service.get("healthcheck") if isinstance(service, dict) else None
    if not isinstance(healthcheck, dict) or healthcheck.get("disable") is True:
        return False
    return healthcheck.get("test") not in (["NONE"], "NONE")


def _condition(entry: Any) -> Any:
    return entry.get("condition", "service_started") if isinstance(entry, dict) else "service_started"


def _dependencies(depends_on: Any) -> list[tuple[str, int, str]]:
    """(dependency, line, condition) for both spellings of depends_on; the list form means
    `service_started`, and so does a long-form entry without a condition."""
    if isinstance(depends_on, YList):
        return [(str(name), depends_on.line_of(i), "service_started") for i, name in enumerate(depends_on)]
    if isinstance(depends_on, YMap):
        return [
            (str(name), depends_on.line_of(name), str(_condition(entry)))
            for name, entry in depends_on.items()
        ]
    return []


@check(
    id="reliability/compose-healthchecks",
    question=seed.STARTUP_PROBES,
    title="Compose services wait for their dependencies to be healthy",
    severity=Severity.RISK,
    rationale="""
        `depends_on: [redis]` only orders container start: the API starts the moment the Redis
        or Postgres container exists, long before it accepts connections, and crashes or serves
        errors until it happens to retry. Only `condition: service_healthy`, backed by a
        `healthcheck` on the dependency, makes Compose wait until the dependency can serve.
    """,
    looks_at="""
        `depends_on` of every service in docker-compose / compose files, and the `healthcheck`
        of the services depended on. `condition: service_completed_successfully` is accepted for
        one-shot dependencies such as migrations. A dependency defined in another compose file
        is judged by its condition only; a HEALTHCHECK baked into an image is not visible here.
    """,
    remediation="""
        Give every service others depend on a `healthcheck` that proves it can serve (for
        example `redis-cli ping`, `pg_isready`), and use the long form of `depends_on` with
        `condition: service_healthy`.
    """,
    example="""
        services:
          api:
            depends_on:
              redis: {condition: service_healthy}
          redis:
            image: redis:7.2
            healthcheck: {test: ["CMD", "redis-cli", "ping"], interval: 5s, retries: 10}
    """,
)
def compose_healthchecks(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    failures: list[Failure] = []
    waiting: list[Evidence] = []
    for compose in repo.compose_files():
        for name, service in compose.services.items():
            for dependency, line, condition in _dependencies(service.get("depends_on")):
                if condition == "service_completed_successfully":
                    waiting.append(repo.evidence(compose.path, line))
                    continue
                problems: list[str] = []
                if condition != "service_healthy":
                    problems.append(f"`{condition}` only waits until the container has started")
                target = compose.services.get(dependency)
                if target is not None and not _has_healthcheck(target):
                    problems.append(f"{dependency!r} has no healthcheck")
                if not problems:
                    waiting.append(repo.evidence(compose.path, line))
                    continue
                failures.append(
                    Failure(
                        f"service {name!r} does not wait for {dependency!r} to be healthy: "
                        + "; ".join(problems),
                        (repo.evidence(compose.path, line),),
                    )
                )
    if not failures and not waiting:
        return CheckResult.not_applicable("no compose service declares depends_on")
    return CheckResult.from_failures(
        failures,
        f"{len(waiting)} compose depends_on entries wait for a healthy (or completed) dependency",
        *waiting,
    )


@check(
    id="reliability/liveness-probe",
    question=seed.CRASH_RECOVERY,
    title="Serving containers declare a liveness probe",
    severity=Severity.RISK,
    rationale="""
        Kubernetes restarts a container whose process exits, but not one that hangs: a deadlock,
        an exhausted worker pool or a stuck event loop keeps the process alive and the pod
        serving errors (or nothing) until someone notices. A liveness probe on a constant
        endpoint is what turns a hang into a restart.
    """,
    looks_at="""
        Serving containers (those that declare a port or sit behind a Service) of Deployments,
        StatefulSets, DaemonSets and Argo Rollouts in production manifests, each workload once
        however many folders copy its manifest.
    """,
    remediation="""
        Add a `livenessProbe` to each serving container on an endpoint that answers as long as the
        process can make progress (not one that tests dependencies: an outage of those must not
        restart every pod), with a `failureThreshold` that tolerates a slow moment.
    """,
    example="""
        livenessProbe:
          httpGet: {path: /livez, port: http}
          periodSeconds: 10
          failureThreshold: 3
    """,
)
def liveness_probe(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    failures: list[Failure] = []
    probed: list[Evidence] = []
    for workload in deploy.workloads(repo):
        missing: dict[str, list[Evidence]] = {}
        for copy in workload.copies:
            for container in deploy.serving_containers(repo, copy):
                if "livenessProbe" in container:
                    probed.append(repo.evidence(copy.path, container.line_of("livenessProbe")))
                else:
                    missing.setdefault(str(container.get("name", "?")), []).append(
                        repo.evidence(copy.path, container.line)
                    )
        for name, where in missing.items():
            failures.append(
                Failure(
                    f"{workload.kind} {workload.name!r} container {name!r} has no livenessProbe: a hung "
                    "process is never restarted",
                    tuple(where),
                )
            )
    if not failures and not probed:
        return CheckResult.not_applicable("no Kubernetes workload serves traffic")
    result = CheckResult.from_failures(
        failures, f"{len(probed)} serving container(s) declare a liveness probe", *probed[:10]
    )
    return result.partly(bool(probed))
