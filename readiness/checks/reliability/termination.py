"""Graceful shutdown beyond Go: Python servers given a drain deadline and closing their pools,
and Kubernetes giving pods enough time (and a preStop pause) to drain."""

from __future__ import annotations

import dataclasses
import re

from readiness import seed
from readiness.checks.reliability._code import evidence, facts
from readiness.checks.reliability._deploy import (
    Launch,
    Site,
    k8s_sites,
    python_launches,
    seconds,
    server_setting,
)
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.datastores import is_datastore
from readiness.facts.deploy import SERVING_KINDS, backing_service
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo, Service

# The setting that bounds each server's drain, and how to spell it on the command line.
_DRAIN_SETTING = {
    "gunicorn": ("graceful_timeout", "--graceful-timeout (or graceful_timeout in gunicorn.conf.py)"),
    "uvicorn": ("timeout_graceful_shutdown", "--timeout-graceful-shutdown"),
    "hypercorn": ("graceful_timeout", "--graceful-timeout (or graceful_timeout in the config)"),
}
# Frameworks with a lifecycle: pools opened at startup belong closed in the shutdown half.
_ASYNC_APPS = ("py-asgi-app",)


def _uvicorn_in_code(ctx: CheckContext, service: Service) -> list[tuple[Evidence, bool]]:
    """uvicorn.run()/Config() calls in the service's code, and whether each bounds the drain."""
    bounded = facts(ctx, service, "py-uvicorn-graceful-timeout")
    return [
        (evidence(ctx.repo, run), any(b.line == run.line and b.path == run.path for b in bounded))
        for run in facts(ctx, service, "py-uvicorn-run")
    ]


@check(
    id="reliability/python-graceful-shutdown",
    question=seed.GRACEFUL_SHUTDOWN,
    title="Python servers drain with a deadline and close their pools on shutdown",
    severity=Severity.RISK,
    rationale="""
        On SIGTERM uvicorn, gunicorn and hypercorn stop accepting and wait for in-flight
        requests, but only a deadline below the pod's grace period makes that wait end before
        SIGKILL: uvicorn waits forever by default and gunicorn's 30 s default equals the default
        grace period, so the kill lands mid-request and the application's shutdown code never
        runs. Async apps that open pools at startup must close them in the shutdown half of
        their lifespan, or connections are reset and buffered writes are lost.
    """,
    looks_at="""
        Commands that start uvicorn, gunicorn or hypercorn (Dockerfile ENTRYPOINT/CMD, compose
        and Kubernetes command/args, Procfile) for `--timeout-graceful-shutdown` /
        `--graceful-timeout`, `GUNICORN_CMD_ARGS`, `UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN`, the
        gunicorn.conf.py (`graceful_timeout`) or hypercorn config they read, and
        `uvicorn.run(..., timeout_graceful_shutdown=)` in code. For ASGI/aiohttp apps that create
        pools or clients (psycopg_pool, asyncpg, SQLAlchemy, redis, aiohttp, httpx): a lifespan
        with code after `yield`, `on_event("shutdown")`, `on_shutdown=`, aiohttp `on_cleanup`
        or `cleanup_ctx`.
    """,
    remediation="""
        Give the server a drain deadline a few seconds below terminationGracePeriodSeconds
        (`uvicorn --timeout-graceful-shutdown 20`, `graceful_timeout = 20` in gunicorn.conf.py)
        and close pools after the lifespan's `yield`.
    """,
    example="""
        CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--timeout-graceful-shutdown", "20"]

        @asynccontextmanager
        async def lifespan(app):
            app.state.pool = AsyncConnectionPool(settings.DATABASE_URL, open=False)
            await app.state.pool.open()
            yield
            await app.state.pool.close()
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "py-asgi-app",
        "py-pool-create",
        "py-shutdown-hook",
        "py-uvicorn-graceful-timeout",
        "py-uvicorn-run",
    ),
)
def python_graceful_shutdown(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    launches = [launch for launch in python_launches(repo, deployed=True) if launch.server in _DRAIN_SETTING]
    services = [s for s in repo.services() if s.language == "python"]
    code_runs = {service: _uvicorn_in_code(ctx, service) for service in services}
    async_apps = {service: facts(ctx, service, *_ASYNC_APPS) for service in services}
    if not launches and not any(code_runs.values()) and not any(async_apps.values()):
        return CheckResult.not_applicable("no Python web server or async web app found")
    failures: list[Failure] = []
    found: list[Evidence] = []
    for launch in launches:
        setting, spelling = _DRAIN_SETTING[launch.server]
        value = server_setting(repo, launch, setting)
        if value is not None:
            found.append(value.evidence)
            continue
        failures.append(
            Failure(
                f"{launch.origin} starts {launch.server} without {spelling}: on SIGTERM it "
                + (
                    "waits for requests without a deadline"
                    if launch.server == "uvicorn"
                    else "uses its default"
                )
                + ", so SIGKILL can land mid-request before shutdown hooks run",
                (repo.evidence(launch.path, launch.line),),
            )
        )
    launched = {launch.service for launch in launches}
    for service in services:
        # uvicorn.run() under `if __name__ == "__main__"` is the local runner when a command line
        # starts the server in production; it is only judged when nothing else starts it.
        for run, bounded in code_runs[service] if service not in launched else []:
            if bounded:
                found.append(run)
            else:
                failures.append(
                    Failure(
                        f"service {service.name!r} starts uvicorn in code without timeout_graceful_shutdown",
                        (run,),
                    )
                )
        if not async_apps[service]:
            continue
        pools = facts(ctx, service, "py-pool-create")
        hooks = facts(ctx, service, "py-shutdown-hook")
        if pools and not hooks:
            failures.append(
                Failure(
                    f"service {service.name!r} creates pools or clients but registers no shutdown hook "
                    "(lifespan code after yield, on_event('shutdown'), on_cleanup): connections are "
                    "reset instead of closed when the pod stops",
                    (evidence(repo, pools[0]),),
                )
            )
        elif pools:
            found.append(evidence(repo, hooks[0]))
    result = CheckResult.from_failures(
        failures, "Python servers drain with a deadline and close their pools", *dict.fromkeys(found)
    )
    # gunicorn and uvicorn drain on SIGTERM by themselves: what fails here is the deadline or the
    # pools, so the drain exists and is incomplete.
    return dataclasses.replace(result, answer=Answer.PARTIAL) if result.failures else result


# ---- Kubernetes grace period ---------------------------------------------------------------------

_DEFAULT_GRACE = 30
_GO_DURATION = re.compile(
    r"^\s*(?:time\.Duration\()?\s*(\d+(?:\.\d+)?)\s*\)?\s*\*\s*time\.(Millisecond|Second|Minute)\s*$"
)
_GO_UNITS = {"Millisecond": 0.001, "Second": 1.0, "Minute": 60.0}


def _go_duration(repo: Repo, service: Service, expression: str) -> float | None:
    """`25*time.Second` → 25; a constant's name is looked up among the service's Go files."""
    literal = _GO_DURATION.match(expression)
    if literal:
        return float(literal.group(1)) * _GO_UNITS[literal.group(2)]
    if not re.fullmatch(r"[A-Za-z_]\w*", expression):
        return None
    definition = re.compile(rf"\b{re.escape(expression)}\s*(?:time\.Duration\s*)?=\s*(.+?)\s*(?://.*)?$")
    for match in repo.search(definition, repo.files_of(service, ".go")):
        found = definition.search(match.text)
        literal = _GO_DURATION.match(found.group(1)) if found else None
        if literal:
            return float(literal.group(1)) * _GO_UNITS[literal.group(2)]
    return None


def _drain_seconds(
    ctx: CheckContext, service: Service, launches: list[Launch]
) -> tuple[float, Evidence] | None:
    """The longest drain deadline the service's code or server settings declare, if readable."""
    repo = ctx.repo
    found: list[tuple[float, Evidence]] = []
    if service.language == "go":
        for fact in facts(ctx, service, "go-shutdown-timeout"):
            value = _go_duration(repo, service, fact.capture("$T"))
            if value is not None:
                found.append((value, evidence(repo, fact)))
    for launch in launches:
        if launch.service != service or launch.server not in _DRAIN_SETTING:
            continue
        setting = server_setting(repo, launch, _DRAIN_SETTING[launch.server][0])
        value = seconds(setting.value) if setting else None
        if setting is not None and value is not None:
            found.append((value, setting.evidence))
    return max(found, key=lambda item: item[0]) if found else None


def _pre_stop_seconds(site: Site) -> float | None:
    """Seconds a preStop hook pauses (`sleep: {seconds: 5}` or `exec: sleep 5`); None without one."""
    lifecycle = site.spec.get("lifecycle")
    hook = lifecycle.get("preStop") if isinstance(lifecycle, YMap) else None
    if not isinstance(hook, YMap):
        return None
    sleep = hook.get("sleep")
    if isinstance(sleep, YMap) and isinstance(sleep.get("seconds"), int):
        return float(sleep["seconds"])
    exec_ = hook.get("exec")
    command = " ".join(str(c) for c in exec_.get("command") or []) if isinstance(exec_, YMap) else ""
    pause = re.search(r"\bsleep\s+(\d+(?:\.\d+)?)", command)
    return float(pause.group(1)) if pause else 0.0


def _grace(repo: Repo, site: Site) -> tuple[float, Evidence]:
    assert site.workload is not None
    pod = site.workload.pod_spec() or YMap()
    grace = pod.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool):
        return float(grace), repo.evidence(site.path, pod.line_of("terminationGracePeriodSeconds"))
    return float(_DEFAULT_GRACE), repo.evidence(
        site.path, site.line, "terminationGracePeriodSeconds unset: 30 s"
    )


def _serving_sites(repo: Repo) -> list[Site]:
    return [
        site for site in k8s_sites(repo, SERVING_KINDS) if site.workload and not is_datastore(site.workload)
    ]


@check(
    id="reliability/prestop-pause",
    question=seed.GRACEFUL_SHUTDOWN,
    title="Containers behind a Service pause before shutting down",
    severity=Severity.RECOMMENDATION,
    rationale="""
        Kubernetes sends SIGTERM and removes the pod from the Service's endpoints at the same
        time; kube-proxy, ingress controllers and load balancers learn of the removal seconds
        later and keep routing requests to a pod that has already stopped accepting them. A
        short preStop sleep keeps the pod serving until the removal has propagated, so
        rollouts and scale-downs drop no requests.
    """,
    looks_at="""
        Containers of Deployments, StatefulSets, DaemonSets and Rollouts whose pods a
        Kubernetes Service selects: `lifecycle.preStop` with a `sleep` action or an `exec`
        command. Data stores are left out: their clients reconnect.
    """,
    remediation="""
        Add `lifecycle.preStop.sleep.seconds: 5` (Kubernetes 1.30+) or `exec: {command: ["sleep",
        "5"]}` to each serving container, and count it in terminationGracePeriodSeconds.
    """,
    example="""
        lifecycle:
          preStop:
            sleep: {seconds: 5}
    """,
)
def prestop_pause(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    behind = [
        (site, service) for site in _serving_sites(repo) if (service := _backing(repo, site)) is not None
    ]
    if not behind:
        return CheckResult.not_applicable(
            "no serving container (other than data stores) sits behind a Service"
        )
    failures: list[Failure] = []
    found: list[Evidence] = []
    for site, service in behind:
        lifecycle = site.spec.get("lifecycle")
        if _pre_stop_seconds(site) is not None and isinstance(lifecycle, YMap):
            found.append(repo.evidence(site.path, lifecycle.line_of("preStop")))
            continue
        failures.append(
            Failure(
                f"{site.owner} is behind Service {service.name!r} but has no preStop pause: requests "
                "routed to it before its endpoint removal propagates are refused while it shuts down",
                (repo.evidence(site.path, site.line),),
            )
        )
    return CheckResult.from_failures(
        failures, f"{len(behind)} container(s) behind a Service pause before stopping", *found
    )


def _backing(repo: Repo, site: Site) -> K8sObject | None:
    return backing_service(repo, site.workload) if site.workload is not None else None


@check(
    id="reliability/termination-grace",
    question=seed.GRACEFUL_SHUTDOWN,
    title="The grace period covers the preStop pause and the application's drain",
    severity=Severity.RISK,
    rationale="""
        After SIGTERM a pod has terminationGracePeriodSeconds (30 by default) for its preStop
        pause and the application's drain together; then it is SIGKILLed. An application told
        to drain for longer than what is left is killed mid-request, and its shutdown code
        (closing pools, flushing buffers) never runs.
    """,
    looks_at="""
        Serving containers of Deployments, StatefulSets, DaemonSets and Rollouts whose image is
        built from a service of the repository, when that service's drain deadline can be read:
        the timeout of the context passed to Go's Server.Shutdown (a literal or a constant such
        as `25 * time.Second`), gunicorn/hypercorn `graceful_timeout`, uvicorn
        `--timeout-graceful-shutdown`. Compared with the pod's terminationGracePeriodSeconds
        minus the preStop pause (`sleep` action or `exec` sleep).
    """,
    remediation="""
        Set terminationGracePeriodSeconds to at least the preStop pause plus the drain deadline
        plus a few seconds of margin, or shorten the drain deadline.
    """,
    example="""
        spec:
          terminationGracePeriodSeconds: 40      # >= 5 s preStop + 25 s drain + margin
    """,
    scanners=(SEMGREP,),
    rules=("go-shutdown-timeout",),
)
def termination_grace(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    launches = python_launches(repo, deployed=True)
    sites: list[tuple[Site, tuple[float, Evidence]]] = []
    for site in _serving_sites(repo):
        drain = _drain_seconds(ctx, site.service, launches) if site.service is not None else None
        if drain is not None:
            sites.append((site, drain))
    if not sites:
        return CheckResult.not_applicable(
            "no serving container runs a service whose drain deadline can be read"
        )
    failures: list[Failure] = []
    found: list[Evidence] = []
    for site, (drain_seconds, drain_evidence) in sites:
        grace, grace_evidence = _grace(repo, site)
        pause = _pre_stop_seconds(site) or 0.0
        if grace >= drain_seconds + pause:
            found += [grace_evidence, drain_evidence]
            continue
        failures.append(
            Failure(
                f"{site.owner}: terminationGracePeriodSeconds is {grace:g} s but the preStop pause "
                f"({pause:g} s) plus the drain deadline ({drain_seconds:g} s) need "
                f"{drain_seconds + pause:g} s: SIGKILL arrives before in-flight requests finish",
                (grace_evidence, drain_evidence),
            )
        )
    return CheckResult.from_failures(
        failures, f"{len(sites)} serving container(s) get time to drain", *dict.fromkeys(found)
    )
