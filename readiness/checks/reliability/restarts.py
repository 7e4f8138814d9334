"""Crash recovery: is a crashed or wedged process restarted, does a panic in a background
goroutine take the process down, and do restarts stay contained?"""

from __future__ import annotations

import re
from typing import Any

from readiness import seed
from readiness.checks.reliability._code import evidence, facts, is_readiness_path, routes, within
from readiness.checks.reliability._deploy import (
    Site,
    compose_is_deployment,
    compose_sites,
    http_probes,
    python_launches,
    server_setting,
)
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.deploy import SERVING_KINDS
from readiness.facts.production import is_production
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import Repo

# Compose services that run once and exit: migrations, seeders, init containers.
_ONE_SHOT_NAME = re.compile(r"(migrat|init|setup|seed|bootstrap|provision|job|task|cron|backup|test)", re.I)


def _one_shot(name: str, site: Site, completed: set[str]) -> bool:
    return name in completed or bool(_ONE_SHOT_NAME.search(name)) or site.spec.get("profiles") is not None


def _completed_dependencies(sites: list[Site]) -> set[str]:
    """Compose services others wait on with `service_completed_successfully`: one-shot by design."""
    found: set[str] = set()
    for site in sites:
        depends = site.spec.get("depends_on")
        if isinstance(depends, dict):
            found |= {
                str(name)
                for name, entry in depends.items()
                if isinstance(entry, dict) and entry.get("condition") == "service_completed_successfully"
            }
    return found


def _compose_restart(site: Site) -> tuple[str | None, str, int]:
    """The compose restart policy and where it is written (`deploy.restart_policy` counts too;
    a stack's overlay may set it)."""
    if "restart" in site.spec:
        return (
            str(site.spec["restart"]).strip().lower(),
            site.path_of("restart"),
            site.spec.line_of("restart"),
        )
    deploy = site.spec.get("deploy")
    policy = deploy.get("restart_policy") if isinstance(deploy, YMap) else None
    if isinstance(policy, YMap):
        condition = str(policy.get("condition", "any")).lower()
        return (
            ("no" if condition == "none" else condition),
            site.path_of("deploy"),
            policy.line_of("condition"),
        )
    return None, site.path, site.line


def _serves(spec: Any) -> bool:
    containers = spec.get("containers") if isinstance(spec, dict) else None
    return any(isinstance(c, dict) and c.get("ports") for c in containers or [])


@check(
    id="reliability/restart-policy",
    question=seed.CRASH_RECOVERY,
    title="Long-running services are restarted after a crash",
    severity=Severity.RISK,
    rationale="""
        After an OOM kill, a panic or an unhandled exception the process is gone. Deployments,
        StatefulSets and DaemonSets always restart their containers and recreate lost pods; a
        bare Pod is never recreated when its node dies, and with `restartPolicy: Never` not even
        restarted. A compose service without a restart policy stays down until someone notices.
    """,
    looks_at="""
        Kubernetes Pods created directly (not by a controller) that expose ports, and their
        restartPolicy. Compose services' `restart` (or `deploy.restart_policy`) when compose is
        how the services are deployed, i.e. the repository has no Kubernetes workloads; one-shot
        services (waited on with `service_completed_successfully`, named like migrate/init/seed/
        backup, or in a profile) are left out.
    """,
    remediation="""
        Run servers under a Deployment (or StatefulSet) rather than a bare Pod. In compose, set
        `restart: unless-stopped` (or `always`, or `on-failure`) on every long-running service.
    """,
    example="""
        services:
          api:
            image: example/api:1.4.2
            restart: unless-stopped
    """,
    core=True,
)
def restart_policy(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    failures: list[Failure] = []
    found: list[Evidence] = []
    pods = [w for w in repo.workloads() if w.kind == "Pod" and _serves(w.pod_spec())]
    for pod in pods:
        spec = pod.pod_spec() or YMap()
        problem = (
            "with restartPolicy Never it is not even restarted after a crash"
            if str(spec.get("restartPolicy", "Always")) == "Never"
            else "it is not recreated when its node fails or it is evicted"
        )
        line = spec.line_of("restartPolicy") if "restartPolicy" in spec else pod.line
        failures.append(
            Failure(
                f"Pod {pod.name!r} serves traffic without a controller: {problem}",
                (repo.evidence(pod.path, line),),
            )
        )
    controlled = [w for w in repo.workloads() if w.kind in SERVING_KINDS]
    if controlled:
        found.append(
            repo.evidence(controlled[0].path, controlled[0].line, "controllers restart and recreate pods")
        )
    judged_compose = 0
    if compose_is_deployment(repo):
        sites = compose_sites(repo)
        completed = _completed_dependencies(sites)
        for site in sites:
            if _one_shot(site.compose_name or "", site, completed):
                continue
            judged_compose += 1
            policy, path, line = _compose_restart(site)
            if policy is not None and policy.split(":", 1)[0] in ("always", "unless-stopped", "on-failure"):
                found.append(repo.evidence(path, line))
                continue
            state = 'sets restart: "no"' if policy == "no" else "sets no restart policy"
            failures.append(
                Failure(
                    f"{site.owner} {state}: after a crash or OOM kill it stays down",
                    (repo.evidence(path, line),),
                )
            )
    units = _systemd_units(repo)
    for path, line, policy in units:
        if policy in ("always", "on-failure", "on-abnormal", "on-abort", "on-watchdog"):
            found.append(repo.evidence(path, line))
        else:
            failures.append(
                Failure(
                    f"systemd unit {path} sets {'Restart=' + policy if policy else 'no Restart='}: "
                    "after a crash the service stays down",
                    (repo.evidence(path, line),),
                )
            )
    if not pods and not controlled and not judged_compose and not units:
        if not repo.services() and not repo.dockerfile_paths():
            return CheckResult.not_applicable("no service, Kubernetes workload or compose deployment found")
        # The service ships, but nothing in the repository runs it under a supervisor.
        return CheckResult.failed(
            [
                Failure(
                    "nothing in the repository restarts the service after a crash or OOM kill: no "
                    "Kubernetes workload, compose restart policy or systemd unit ships with it",
                    (Evidence.absent("no Deployment/StatefulSet/DaemonSet, compose file or systemd unit"),),
                )
            ]
        )
    result = CheckResult.from_failures(failures, "long-running services are restarted after a crash", *found)
    return result.partly(bool(found))


_UNIT_RESTART = re.compile(r"^\s*Restart\s*=\s*(\S+)")


def _systemd_units(repo: Repo) -> list[tuple[str, int, str | None]]:
    """(path, line, Restart= value or None) of each production systemd service unit."""
    found: list[tuple[str, int, str | None]] = []
    for path in repo.with_suffix(".service"):
        if not is_production(path) or "[Service]" not in repo.text(path):
            continue
        restart = repo.search(_UNIT_RESTART, [path])
        if restart:
            match = _UNIT_RESTART.match(restart[0].text)
            found.append((path, restart[0].line, match.group(1).lower() if match else None))
        else:
            found.append((path, 1, None))
    return found


_GO_CALLEE = re.compile(r"^\s*go\s+(?:[\w.]+\.)?(\w+)\s*\(")


@check(
    id="reliability/goroutine-recover",
    question=seed.CRASH_RECOVERY,
    title="Goroutines started from HTTP handlers recover from panics",
    severity=Severity.RISK,
    rationale="""
        net/http (and gin's or echo's recovery middleware) turns a panic in a handler into a
        failed request. A panic in a goroutine the handler started is not covered: it crashes
        the whole process, dropping every in-flight request of the pod, and a bad input that
        triggers it repeatedly takes every replica down in turn.
    """,
    looks_at="""
        Go code (semgrep): `go func() {...}()` and `go f(...)` inside functions with an HTTP
        handler signature (net/http, gin, echo, fiber, including handler literals), and whether
        the goroutine, or the function it starts, defers a `recover()` (or a helper whose name
        says it recovers).
    """,
    remediation="""
        Start background work through a helper that defers a recover which logs and counts the
        panic, or better, hand the work to a bounded worker pool that is started once, recovers,
        and is drained on shutdown.
    """,
    example="""
        go func() {
            defer func() {
                if p := recover(); p != nil {
                    panicsTotal.Inc()
                    slog.Error("panic in background task", "panic", p, "stack", string(debug.Stack()))
                }
            }()
            ex.record(ctx, imp)
        }()
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-deferred-recover",
        "go-handler-goroutine",
        "go-http-serve",
    ),
)
def goroutine_recover(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = [s for s in repo.services() if s.language == "go" and facts(ctx, s, "go-http-serve")]
    if not services:
        return CheckResult.not_applicable("no Go service starts an HTTP server")
    failures: list[Failure] = []
    found: list[Evidence] = []
    for service in services:
        recovers = facts(ctx, service, "go-deferred-recover")
        recovering = {fact.capture("$F") for fact in recovers}
        for goroutine in facts(ctx, service, "go-handler-goroutine"):
            first = repo.line(goroutine.path, goroutine.line)
            callee = _GO_CALLEE.match(first)
            literal = first.lstrip().startswith("go func")
            guarded = (
                any(within(r, goroutine) for r in recovers)
                if literal
                else bool(callee and callee.group(1) in recovering)
            )
            if guarded:
                found.append(evidence(repo, goroutine))
                continue
            failures.append(
                Failure(
                    f"service {service.name!r} starts a goroutine from an HTTP handler without recovering "
                    "panics: a panic there crashes the whole process",
                    (evidence(repo, goroutine),),
                )
            )
    return CheckResult.from_failures(
        failures, "goroutines started from handlers recover from panics (or none is started)", *found
    )


@check(
    id="reliability/python-worker-limits",
    question=seed.CRASH_RECOVERY,
    title="gunicorn recycles workers and kills hung ones",
    severity=Severity.RECOMMENDATION,
    rationale="""
        A gunicorn worker that leaks memory grows until the container is OOM-killed, taking
        every worker and in-flight request with it; `max_requests` (with jitter) replaces
        workers gracefully before that. `timeout` is how long a worker may stay silent before
        the arbiter kills and replaces it: it must be set to what the service's slowest
        legitimate request needs, not left to a default nobody chose.
    """,
    looks_at="""
        Commands that start gunicorn (Dockerfile, compose, Kubernetes, Procfile) and the
        settings they read: `--max-requests`, `--timeout`, `GUNICORN_CMD_ARGS`, and
        `max_requests` / `timeout` in the gunicorn.conf.py (or the `-c` file) of the service.
    """,
    remediation="""
        Set `max_requests` with `max_requests_jitter` (so workers don't all restart at once)
        and a `timeout` a little above the slowest legitimate request.
    """,
    example="""
        # gunicorn.conf.py
        timeout = 10
        graceful_timeout = 20
        max_requests = 20000
        max_requests_jitter = 2000
    """,
)
def python_worker_limits(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    launches = [launch for launch in python_launches(repo, deployed=True) if launch.server == "gunicorn"]
    if not launches:
        return CheckResult.not_applicable("no gunicorn command found")
    failures: list[Failure] = []
    found: list[Evidence] = []
    for launch in launches:
        missing = []
        for setting in ("max_requests", "timeout"):
            value = server_setting(repo, launch, setting)
            if value is None:
                missing.append(setting)
            else:
                found.append(value.evidence)
        if missing:
            failures.append(
                Failure(
                    f"{launch.origin} starts gunicorn without {' and '.join(missing)}",
                    (repo.evidence(launch.path, launch.line),),
                )
            )
    return CheckResult.from_failures(
        failures, "gunicorn workers are recycled and hung ones are killed", *dict.fromkeys(found)
    )


@check(
    id="reliability/liveness-independent",
    question=seed.CRASH_RECOVERY,
    title="Liveness probes do not depend on downstream services",
    severity=Severity.RISK,
    rationale="""
        When a liveness probe fails Kubernetes restarts the container. If the endpoint it calls
        pings the database or Redis, a dependency outage fails the probe on every pod at once:
        the whole fleet restarts in a loop, drops in-flight work and stampedes the dependency
        as it comes back. Liveness must only say the process is not wedged; dependencies belong
        in readiness, which takes pods out of rotation without killing them.
    """,
    looks_at="""
        HTTP liveness probes of Kubernetes containers: the path is readiness-named (`/ready`,
        `/readyz`, `/readiness`), or the route it calls in the service the image is built from
        (by image name; every service when that is unclear) has a handler that reaches a
        dependency (Ping/Exec/Query, `redis.ping()`, `SELECT 1`, a downstream HTTP call, one
        call deep).
    """,
    remediation="""
        Point the livenessProbe at a constant endpoint (`/livez` that answers 200 while the
        process can serve HTTP at all) and keep dependency checks in the readinessProbe.
    """,
    example="""
        livenessProbe:
          httpGet: {path: /livez, port: http}   # constant
        readinessProbe:
          httpGet: {path: /readyz, port: http}  # pings Postgres and Redis
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-dependency-call",
        "go-http-handler",
        "go-http-route",
        "js-dependency-call",
        "js-http-route",  # the routes of a Node service (reliability._code.routes)
        "py-dependency-call",
        "py-http-route",
    ),
)
def liveness_independent(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    probes = [p for p in http_probes(repo) if p.kind == "livenessProbe"]
    if not probes:
        return CheckResult.not_applicable("no HTTP liveness probe found")
    table = {service: routes(ctx, service) for service in repo.services()}
    failures: list[Failure] = []
    found: list[Evidence] = []
    for probe in probes:
        candidates = (
            table.get(probe.service, []) if probe.service else [r for rs in table.values() for r in rs]
        )
        route = next((r for r in candidates if r.matches_path(probe.path)), None)
        where = repo.evidence(probe.file, probe.line)
        if route is not None and route.reaches is not None:
            failures.append(
                Failure(
                    f"{probe.owner} livenessProbe calls {probe.path}, whose handler reaches a dependency: "
                    "an outage of that dependency restarts every pod at once",
                    (where, evidence(repo, route.reaches)),
                )
            )
        elif is_readiness_path(probe.path):
            failures.append(
                Failure(
                    f"{probe.owner} livenessProbe calls the readiness endpoint {probe.path}: a dependency "
                    "outage restarts the pods instead of only taking them out of rotation",
                    (where,),
                )
            )
        else:
            found.append(where)
    return CheckResult.from_failures(failures, f"{len(probes)} liveness probe(s) stay independent", *found)
