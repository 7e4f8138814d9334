"""Config changes: does a service pick them up while running, or only when it restarts?"""

from __future__ import annotations

import dataclasses

from readiness import seed
from readiness.checks.operational_readiness._runtime import ENV_RULES, RELOAD_RULES, facts, flag_sdks
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.documents import containers, unquote
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo, Service

_RELOADER_KEYS = (
    "reloader.stakater.com/auto",
    "reloader.stakater.com/search",
    "configmap.reloader.stakater.com/reload",
    "secret.reloader.stakater.com/reload",
)


def _reloader(repo: Repo, workload: K8sObject) -> Evidence | None:
    """A stakater/Reloader annotation: the workload is restarted (rolled) when its ConfigMap changes."""
    metadata = workload.body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, YMap) else None
    if isinstance(annotations, YMap):
        for key in _RELOADER_KEYS:
            if key in annotations and str(annotations[key]).lower() not in ("false", ""):
                return repo.evidence(workload.path, annotations.line_of(key), note="Reloader rolls the pods")
    return None


def _runs(repo: Repo, service: Service, workload: K8sObject) -> bool:
    """Whether a workload runs the service: named after it, or running an image named after it."""
    if workload.name == service.name:
        return True
    return any(
        c.workload is workload and c.image_name.rsplit("/", 1)[-1] == service.name for c in containers(repo)
    )


@check(
    id="operational-readiness/config-reload",
    question=seed.CONFIG_RELOAD,
    title="Configuration changes apply without a restart (or the restart is known and automated)",
    severity=Severity.RECOMMENDATION,
    rationale="""
        During an incident the quickest levers are configuration: lower a rate limit, raise a
        timeout, switch off a partner. When every value is read from environment variables at
        start, each change is a rollout of every pod (minutes, and a risk of its own); a service
        that re-reads a mounted ConfigMap, a flag file or a flag service on change applies it in
        seconds. Either can be fine, but the on-call engineer must know which one it is.
    """,
    looks_at="""
        Per service (Go, Python, Node), with semgrep: config watchers (viper `WatchConfig`/
        `OnConfigChange`, fsnotify, SIGHUP handlers, watchdog/watchfiles, `fs.watch`/chokidar),
        reload/refresh functions called on a ticker or in a polling loop, and environment reads
        (`os.Getenv`, `os.getenv`/`os.environ`, `process.env`). Kubernetes workloads running the
        service with stakater/Reloader annotations, and flag SDK dependencies.
    """,
    remediation="""
        Keep the values you may need to change during an incident (rate limits, timeouts, feature
        switches) in a mounted ConfigMap the service re-reads (a watcher or a short poll,
        validating before applying), or in a flag service. For the rest, document that a change
        is a rollout, and add stakater/Reloader (`reloader.stakater.com/auto: "true"`) so a
        ConfigMap change rolls the pods without a manual restart.
    """,
    example="""
        go flags.Watch(ctx, 15*time.Second)   // re-reads /etc/pricing/flags.json, keeps the last good one
        # or, on the Deployment:  metadata.annotations: {reloader.stakater.com/auto: "true"}
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-config-watch",
        "go-env-read",
        "go-periodic-reload",
        "js-config-watch",
        "js-env-read",
        "py-config-watch",
        "py-env-read",
        "py-periodic-reload",
    ),
)
def config_reload(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    reloads, env_reads = facts(ctx, *RELOAD_RULES), facts(ctx, *ENV_RULES)
    sdks = flag_sdks(repo)
    workloads = repo.workloads()
    hot: list[str] = []
    rolled: list[str] = []
    restart: list[str] = []
    partly_hot: list[str] = []  # reloads something, but also reads the environment once at start
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    for service in repo.services():
        own_reloads = [m for m in reloads if repo.owner(m.path) == service]
        own_env = [m for m in env_reads if repo.owner(m.path) == service]
        own_sdks = [s for s in sdks if repo.owner(s.path) == service]
        reloader = next(
            (e for w in workloads if _runs(repo, service, w) and (e := _reloader(repo, w)) is not None), None
        )
        if own_reloads or own_sdks:
            hot.append(service.name)
            if own_env:
                partly_hot.append(service.name)
            if own_reloads:
                first = own_reloads[0]
                evidence.append(
                    repo.evidence(first.path, first.line, note=f"{service.name}: {first.message}")
                )
            for sdk in own_sdks[:1]:
                note = f"{service.name}: {sdk.product} flags are evaluated at run time"
                evidence.append(repo.evidence(sdk.path, sdk.line, note=note))
        elif reloader is not None:
            rolled.append(service.name)
            evidence.append(reloader)
        elif own_env:
            restart.append(service.name)
            # Only literal names are worth listing: `os.Getenv(key)` inside a helper names nothing.
            literal = [key for m in own_env if (key := m.capture("$KEY"))[:1] in "\"'`"]
            keys = sorted({unquote(key) for key in literal})
            shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
            message = (
                f"service {service.name!r} reads its configuration from the environment"
                f"{f' ({shown})' if shown else ''} and never re-reads it: a change needs a rollout that "
                "restarts every pod"
            )
            cited = tuple(repo.evidence(m.path, m.line) for m in own_env[:3])
            failures.append(Failure(message, cited, Severity.RECOMMENDATION))
    parts = [
        f"hot reload: {', '.join(hot)}" if hot else "",
        f"restarted automatically on change (Reloader): {', '.join(rolled)}" if rolled else "",
        f"restart required: {', '.join(restart)}" if restart else "",
    ]
    summary = "; ".join(p for p in parts if p)
    if not summary:
        return CheckResult.not_applicable("no service reads configuration in a way semgrep recognises")
    if failures:
        return CheckResult.failed(failures, summary).partly(bool(hot or rolled))
    result = CheckResult.passed(summary, *evidence)
    if partly_hot:
        # A reload hook (SIGHUP, a file watcher) re-reads part of the configuration; what the
        # service took from its environment at start stays until a restart.
        summary += f"; {', '.join(partly_hot)} also read settings from the environment once, at start"
        return dataclasses.replace(result, summary=summary, answer=Answer.PARTIAL)
    return result
