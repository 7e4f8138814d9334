"""How many copies of a service run, and with which settings.

Connection budgets multiply what one process opens by how many processes the fleet can reach.
A code service (a directory with go.mod, pyproject.toml, package.json) becomes pods through
Kubernetes workloads and compose services; this module finds them, says how it matched them
(so a wrong match is visible in the report), reads the most replicas they can reach, how many
worker processes each pod forks, and evaluates settings that come from the environment.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

from readiness.checks.scalability._code import is_test_path
from readiness.context import CheckContext
from readiness.facts.datastores import is_datastore
from readiness.facts.deploy import REPLICATED_KINDS, why_it_runs
from readiness.facts.documents import Container
from readiness.model import Evidence
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import K8sObject, Repo, Service

KUBERNETES = "Kubernetes"
# KEDA scales to 100 replicas when a ScaledObject sets no maxReplicaCount.
_KEDA_DEFAULT_MAX = 100


@dataclass(frozen=True)
class Deployment:
    """Where a service runs: a workload or compose service, and the most replicas it reaches."""

    environment: str  # KUBERNETES, or the compose file's path
    name: str  # "Deployment 'bidder'" / "compose service 'bidder'"
    mapped_by: str  # why this workload is taken to run the service
    replicas: int
    replicas_how: str  # "HPA 'bidder' maxReplicas" / "replicas" / "1 instance assumed"
    replicas_evidence: Evidence | None
    container: Container | None

    def env(self) -> dict[str, tuple[int, str]]:
        return self.container.environment() if self.container else {}

    def describe(self) -> str:
        return f"{self.name}, {self.mapped_by}" if self.container else self.mapped_by


def unplaced(service: Service) -> Deployment:
    return Deployment(
        "",
        "no workload",
        f"no Kubernetes workload or compose service matches the directory {service.path}/",
        1,
        "1 instance assumed",
        None,
        None,
    )


def _k8s_deployments(repo: Repo, service: Service) -> list[Deployment]:
    definitions: dict[tuple[str, str], list[K8sObject]] = {}
    for workload in repo.workloads():
        if workload.kind in REPLICATED_KINDS and not is_datastore(workload):
            definitions.setdefault((workload.kind, workload.name), []).append(workload)
    autoscalers, overrides = _autoscalers(repo), _kustomize_replicas(repo)
    found: list[Deployment] = []
    for (kind, name), workloads in definitions.items():
        first = workloads[0]
        for spec in first.containers():
            image = str(spec.get("image", ""))
            reason = why_it_runs(service, image, str(spec.get("name", "")), name)
            if reason is None:
                continue
            owner = f"{kind} {name!r}"
            container = Container(
                first.path, spec.line, f"{owner} container {spec.get('name')!r}", image, spec, first
            )
            replicas, how, where = _k8s_replicas(repo, kind, name, workloads, autoscalers, overrides)
            found.append(Deployment(KUBERNETES, owner, reason, replicas, how, where, container))
            break
    return found


def _k8s_replicas(
    repo: Repo,
    kind: str,
    name: str,
    workloads: list[K8sObject],
    autoscalers: dict[tuple[str, str], K8sObject],
    overrides: dict[str, tuple[int, Evidence]],
) -> tuple[int, str, Evidence]:
    scaler = autoscalers.get((kind, name))
    spec = scaler.body.get("spec") if scaler else None
    if scaler is not None and isinstance(spec, YMap):
        key = "maxReplicaCount" if scaler.kind == "ScaledObject" else "maxReplicas"
        value = spec.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            label = "HPA" if scaler.kind == "HorizontalPodAutoscaler" else scaler.kind
            return value, f"{label} {scaler.name!r} {key}", repo.evidence(scaler.path, spec.line_of(key))
        if scaler.kind == "ScaledObject":
            where = repo.evidence(scaler.path, scaler.line)
            return _KEDA_DEFAULT_MAX, f"ScaledObject {scaler.name!r} default maxReplicaCount", where
    replicas, where = _most_replicas(repo, workloads)
    if name in overrides and overrides[name][0] > replicas:
        replicas, where = overrides[name]
        return replicas, "kustomize replicas override", where
    return max(replicas, 1), "spec.replicas, no autoscaler", where


def _compose_deployments(repo: Repo, service: Service) -> list[Deployment]:
    found: list[Deployment] = []
    for compose in repo.compose_files():
        keys = compose.body["services"]
        base = posixpath.dirname(compose.path)
        for key, spec in compose.services.items():
            image = str(spec.get("image", "")) if isinstance(spec.get("image"), str) else ""
            build = spec.get("build")
            context = build.get("context") if isinstance(build, dict) else build
            reason = None
            if isinstance(context, str):
                resolved = (
                    posixpath.normpath(posixpath.join(base, context)) if base else posixpath.normpath(context)
                )
                if resolved == service.path:
                    reason = f"it is built from {service.path}/"
            reason = reason or why_it_runs(service, image, str(spec.get("container_name", "")), key)
            if reason is None:
                continue
            owner = f"compose service {key!r}"
            container = Container(compose.path, keys.line_of(key), owner, image, spec, None)
            deploy = spec.get("deploy")
            replicas = deploy.get("replicas") if isinstance(deploy, YMap) else spec.get("scale")
            if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas > 0:
                holder = deploy if isinstance(deploy, YMap) and "replicas" in deploy else spec
                line = holder.line_of("replicas" if holder is deploy else "scale")
                how, where = "compose deploy.replicas", repo.evidence(compose.path, line)
            else:
                replicas, how, where = 1, "compose runs one", repo.evidence(compose.path, keys.line_of(key))
            found.append(Deployment(compose.path, owner, reason, replicas, how, where, container))
    return found


def deployments(repo: Repo, service: Service) -> list[Deployment]:
    """Where the service runs, Kubernetes first. Empty when nothing matches it."""
    return _k8s_deployments(repo, service) + _compose_deployments(repo, service)


def k8s_workloads(repo: Repo, service: Service) -> list[K8sObject]:
    return [
        d.container.workload
        for d in deployments(repo, service)
        if d.container is not None and d.container.workload is not None
    ]


# ---- settings from the environment -----------------------------------------------------------

_INT = re.compile(r"^\d[\d_]*$")
_CAST = re.compile(r"^(?:u?int(?:8|16|32|64)?|float(?:32|64)?|Int32|Int64)\((.*)\)$")
# A call that reads a variable with a numeric default: os.getenv("X", "10"), getenv("X", "10"),
# os.environ.get("X", 10), envOr("X", "10").
_ENV_DEFAULT = re.compile(
    r"""\(\s*["'](?P<var>[A-Z][A-Z0-9_]*)["']\s*,\s*["']?(?P<default>\d[\d_]*)["']?\s*\)"""
)
_ENV_ONLY = re.compile(
    r"""(?:getenv|environ\.get|environ\[|LookupEnv)\(?\s*["'](?P<var>[A-Z][A-Z0-9_]*)["']"""
)
_SUFFIXES = {"go": (".go",), "python": (".py",), "node": (".js", ".mjs", ".cjs", ".ts")}


@dataclass(frozen=True)
class Value:
    """A number a setting takes at run time, how it was worked out, and the lines that say so."""

    number: int | None  # None: not something a static reading can evaluate
    how: str
    evidence: tuple[Evidence, ...] = ()


def _from_env(
    repo: Repo, var: str, default: str | None, where: Evidence | None, deployment: Deployment
) -> Value:
    env = deployment.env()
    source = (where,) if where else ()
    if var in env and _INT.match(env[var][1].strip()):
        line, text = env[var]
        assert deployment.container is not None
        evidence = repo.evidence(deployment.container.path, line)
        return Value(
            int(text.strip().replace("_", "")),
            f"{var}={text.strip()} in {deployment.name}",
            (*source, evidence),
        )
    if default is not None:
        return Value(int(default.replace("_", "")), f"{var} unset, default {default}", source)
    return Value(None, f"{var} is not set where the service is deployed", source)


def _definitions(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    assign = re.compile(
        rf"(?<![\w.])(?:\w+\.)?{re.escape(name)}\b(?:\s*,\s*\w+)*\s*(?::\s*[^=\n]+?)?\s*:?=(?!=)\s*(?P<rhs>.+)$"
    )
    keyed = re.compile(rf"(?<![\w.]){re.escape(name)}\s*:\s*(?P<rhs>[^=\n,]+)")
    return assign, keyed


def evaluate(ctx: CheckContext, service: Service, expression: str, deployment: Deployment) -> Value:
    """The value of a pool-size expression: a literal, an environment variable read with a
    default, or a name defined (in the service's own code) as one of those."""
    repo = ctx.repo
    text = expression.strip()
    while (cast := _CAST.match(text)) is not None:
        text = cast.group(1).strip()
    if _INT.match(text):
        return Value(int(text.replace("_", "")), text)
    if (inline := _ENV_DEFAULT.search(text)) is not None:
        return _from_env(repo, inline["var"], inline["default"], None, deployment)
    if (bare := _ENV_ONLY.search(text)) is not None:
        return _from_env(repo, bare["var"], None, None, deployment)
    name = re.search(r"([A-Za-z_]\w*)\W*$", text)
    if name is None:
        return Value(None, f"`{expression}` could not be evaluated")
    assign, keyed = _definitions(name.group(1))
    literal: Value | None = None
    paths = [
        p for p in repo.files_of(service, *_SUFFIXES.get(service.language, ())) if not is_test_path(ctx, p)
    ]
    for path in paths:
        for number, line in enumerate(repo.lines(path), start=1):
            found = assign.search(line) or keyed.search(line)
            if found is None:
                continue
            rhs = found["rhs"].strip().rstrip(",").strip()
            where = repo.evidence(path, number)
            if (env := _ENV_DEFAULT.search(rhs)) is not None:
                return _from_env(repo, env["var"], env["default"], where, deployment)
            if literal is None and _INT.match(rhs):
                literal = Value(int(rhs.replace("_", "")), f"{name.group(1)} = {rhs}", (where,))
    return literal or Value(None, f"`{expression}` could not be evaluated statically")


# ---- worker processes ----------------------------------------------------------------------

_WORKERS_FLAG = re.compile(r"(?:^|\s)(?:-w|--workers)(?:=|\s+)(\S+)")
_CONFIG_FLAG = re.compile(r"(?:^|\s)(?:-c|--config)(?:=|\s+)(\S+)")
_WORKERS_SETTING = re.compile(r"^workers\s*=\s*(?P<rhs>.+)$")


def command_line(repo: Repo, service: Service, deployment: Deployment) -> tuple[str, Evidence | None]:
    """What the container runs: its command/args, else the service's Dockerfile ENTRYPOINT + CMD."""
    if deployment.container is not None:
        items = deployment.container.command_items()
        if items:
            text = " ".join(item for _, item in items)
            return text, repo.evidence(deployment.container.path, items[0][0])
    for path in repo.dockerfile_paths():
        if posixpath.dirname(path) != (service.path if service.path != "." else ""):
            continue
        final = repo.dockerfile(path).final_stage()
        parts = [i for i in final if i.keyword in ("ENTRYPOINT", "CMD")]
        if parts:
            words = [" ".join(i.exec_form() or [i.arguments]) for i in parts]
            return " ".join(words), repo.evidence(path, parts[-1].line)
    return "", None


def gunicorn_config(repo: Repo, service: Service, command: str) -> list[str]:
    """The gunicorn config file the command loads (`-c`), else ./gunicorn.conf.py, which gunicorn
    reads by default; looked up by name inside the service's directory."""
    config = _CONFIG_FLAG.search(command)
    name = posixpath.basename(config.group(1).strip("\"'")) if config else "gunicorn.conf.py"
    prefix = "" if service.path == "." else service.path + "/"
    return [p for p in repo.named(name) if p.startswith(prefix)][:1]


def processes(ctx: CheckContext, service: Service, deployment: Deployment) -> Value:
    """Worker processes per pod: each gunicorn/uvicorn worker holds its own pools."""
    if service.language != "python":
        return Value(1, "one process")
    repo = ctx.repo
    command, where = command_line(repo, service, deployment)
    server = "gunicorn" if "gunicorn" in command else "uvicorn" if "uvicorn" in command else None
    if server is None:
        return Value(1, "one process")
    source = (where,) if where else ()
    if (flag := _WORKERS_FLAG.search(command)) is not None:
        value = evaluate(ctx, service, flag.group(1).strip("\"'"), deployment)
        if value.number is not None:
            return Value(value.number, f"{server} --workers {value.how}", (*source, *value.evidence))
    if server == "gunicorn":
        for path in gunicorn_config(repo, service, command):
            for number, line in enumerate(repo.lines(path), start=1):
                setting = _WORKERS_SETTING.match(line.strip())
                if setting is None:
                    continue
                rhs = setting["rhs"].strip()
                here = repo.evidence(path, number)
                if (env := _ENV_DEFAULT.search(rhs)) is not None:
                    value = _from_env(repo, env["var"], env["default"], here, deployment)
                elif _INT.match(rhs):
                    value = Value(int(rhs), rhs, (here,))
                else:
                    value = Value(None, rhs, (here,))
                if value.number is not None:
                    return Value(value.number, f"gunicorn workers: {value.how}", value.evidence)
    # gunicorn and uvicorn both take their default worker count from WEB_CONCURRENCY.
    fallback = _from_env(repo, "WEB_CONCURRENCY", "1", where, deployment)
    if fallback.number != 1:
        return Value(fallback.number, f"{server} workers: {fallback.how}", fallback.evidence)
    return Value(1, f"one {server} worker", source)


def shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _autoscalers(repo: Repo) -> dict[tuple[str, str], K8sObject]:
    """(target kind, target name) -> the HPA or KEDA ScaledObject that scales it. KEDA creates an
    HPA itself and defaults the target kind to Deployment."""
    found: dict[tuple[str, str], K8sObject] = {}
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        ref = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
        if obj.kind in ("HorizontalPodAutoscaler", "ScaledObject") and isinstance(ref, dict):
            found.setdefault((str(ref.get("kind", "Deployment")), str(ref.get("name", ""))), obj)
    return found


def _kustomize_replicas(repo: Repo) -> dict[str, tuple[int, Evidence]]:
    """`replicas:` overrides in kustomization files: workload name -> (count, where it is set)."""
    found: dict[str, tuple[int, Evidence]] = {}
    for path in repo.named("kustomization.yaml", "kustomization.yml"):
        for document in repo.yaml(path):
            entries = document.get("replicas") if isinstance(document, YMap) else None
            if not isinstance(entries, YList):
                continue
            for index, entry in enumerate(entries):
                count = entry.get("count") if isinstance(entry, dict) else None
                if isinstance(count, int) and count > found.get(str(entry.get("name")), (0,))[0]:
                    where = repo.evidence(path, entries.line_of(index))
                    found[str(entry.get("name"))] = (count, where)
    return found


def _most_replicas(repo: Repo, workloads: list[K8sObject]) -> tuple[int, Evidence]:
    """The largest replica count among a workload's definitions (a base and its overlay patches),
    with where it is written. A missing `replicas` means 1; a non-number is not trusted."""
    best: tuple[int, Evidence] = (0, repo.evidence(workloads[0].path, workloads[0].line))
    for workload in workloads:
        spec = workload.body.get("spec")
        value = spec.get("replicas", 1) if isinstance(spec, YMap) else 1
        if isinstance(value, int) and not isinstance(value, bool) and value > best[0]:
            line = spec.line_of("replicas") if isinstance(spec, YMap) else workload.line
            best = (value, repo.evidence(workload.path, line))
    return best
