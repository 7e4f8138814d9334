"""Where the services run: Kubernetes containers and compose services mapped to the code they are
built from, their HTTP probes, the commands that start Python servers and the settings those
servers read, and which workloads sit behind a Kubernetes Service.
"""

from __future__ import annotations

import ast
import posixpath
import re
import shlex
import tomllib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from readiness.facts import compose as stacks
from readiness.facts.images import image_name
from readiness.facts.production import is_production
from readiness.model import Evidence
from readiness.parsers.dockerfile import nearest, stage_chain
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import K8sObject, Repo, Service

# Workloads that run for long and serve; Jobs and CronJobs run to completion.
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_URL_PATH = re.compile(r"https?://[^/\s'\"]+(/[^\s'\"]*)")


# ---- which code a container runs ---------------------------------------------------------------


def service_named(repo: Repo, name: str) -> Service | None:
    """The code service called ``name``; image names often carry a project prefix (adtech-bidder)."""
    services = repo.services()
    exact = [s for s in services if s.name.lower() == name.lower()]
    if len(exact) == 1:
        return exact[0]
    suffixed = [s for s in services if name.lower().endswith(("-" + s.name.lower(), "_" + s.name.lower()))]
    return suffixed[0] if len(suffixed) == 1 else None


def service_for_image(repo: Repo, image: str) -> Service | None:
    return service_named(repo, image_name(image).rsplit("/", 1)[-1]) if image else None


def service_for_build(repo: Repo, compose_path: str, build: Any) -> Service | None:
    """The code service a compose `build:` context points at."""
    context = build.get("context") if isinstance(build, dict) else build
    if not isinstance(context, str):
        return None
    base = posixpath.dirname(compose_path)
    directory = posixpath.normpath(posixpath.join(base, context)) if base else posixpath.normpath(context)
    for service in repo.services():
        if service.path == directory:
            return service
    return None


@dataclass(frozen=True)
class Site:
    """A container: one of a Kubernetes workload's containers, or a compose service."""

    path: str
    line: int
    owner: str  # "Deployment 'bidder' container 'bidder'" / "compose service 'idr'"
    spec: YMap
    service: Service | None  # the code service it runs, when that can be told
    workload: K8sObject | None = None
    compose_name: str | None = None
    # A compose service merged from a base file and its overlays: the file each key came from.
    origins: dict[str, str] = field(default_factory=dict)

    def path_of(self, key: str) -> str:
        """The file a key of the spec is written in (an overlay's, for a merged compose service)."""
        return self.origins.get(key, self.path)

    @property
    def image(self) -> str:
        image = self.spec.get("image")
        return image if isinstance(image, str) else ""

    def env(self) -> dict[str, str]:
        """Environment variables with literal values."""
        raw = self.spec.get("env") if self.workload is not None else self.spec.get("environment")
        found: dict[str, str] = {}
        if isinstance(raw, YMap):
            found = {str(k): "" if v is None else str(v) for k, v in raw.items()}
        elif isinstance(raw, YList):
            for item in raw:
                if isinstance(item, YMap) and "value" in item:
                    found[str(item.get("name"))] = str(item["value"])
                elif isinstance(item, str) and "=" in item:
                    name, _, value = item.partition("=")
                    found[name] = value
        return found


def k8s_sites(repo: Repo, kinds: AbstractSet[str] | None = None) -> list[Site]:
    found: list[Site] = []
    for workload in repo.workloads():
        if kinds is not None and workload.kind not in kinds:
            continue
        if not is_production(workload.path):
            continue  # a test or example manifest: not what is deployed
        for container in workload.containers():
            owner = f"{workload.kind} {workload.name!r} container {container.get('name', '?')!r}"
            image = container.get("image")
            service = service_for_image(repo, image) if isinstance(image, str) else None
            found.append(Site(workload.path, container.line, owner, container, service, workload))
    return found


def compose_sites(repo: Repo) -> list[Site]:
    found: list[Site] = []
    for compose in repo.compose_files():
        if not is_production(compose.path) or stacks.is_overlay(repo, compose.path):
            continue  # a development override, a devcontainer, a test stack; overlays are merged below
        declared = {c.path: c.body["services"] for c in repo.compose_files()}
        merged = stacks.services(repo, compose)
        for name, service_spec in merged.items():
            spec = service_spec.spec
            service = service_for_build(repo, compose.path, spec.get("build"))
            if service is None and isinstance(spec.get("image"), str):
                service = service_for_image(repo, spec["image"])
            if service is None and "build" in spec:
                service = service_named(repo, name)
            found.append(
                Site(
                    service_spec.base,
                    declared[service_spec.base].line_of(name),
                    f"compose service {name!r}",
                    spec,
                    service,
                    None,
                    name,
                    dict(service_spec.origins),
                )
            )
    return found


def compose_is_deployment(repo: Repo) -> bool:
    """Compose files are judged as production only when nothing else deploys the services: next
    to Kubernetes manifests they are the local development stack."""
    return not repo.workloads()


# ---- probes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    kind: str  # livenessProbe, readinessProbe, startupProbe, compose healthcheck, HEALTHCHECK
    path: str  # the URL path probed
    file: str
    line: int
    owner: str
    service: Service | None
    site: Site | None = None


def _url_path(text: str) -> str | None:
    found = _URL_PATH.search(text)
    return found.group(1) if found else None


def http_probes(repo: Repo) -> list[Probe]:
    """HTTP probes of Kubernetes containers, compose healthchecks and Dockerfile HEALTHCHECKs."""
    found: list[Probe] = []
    for site in k8s_sites(repo):
        for kind in PROBES:
            probe = site.spec.get(kind)
            if not isinstance(probe, YMap):
                continue
            http_get = probe.get("httpGet")
            exec_ = probe.get("exec")
            if isinstance(http_get, YMap) and isinstance(http_get.get("path"), str):
                found.append(
                    Probe(
                        kind,
                        http_get["path"],
                        site.path,
                        http_get.line_of("path"),
                        site.owner,
                        site.service,
                        site,
                    )
                )
            elif isinstance(exec_, YMap) and isinstance(exec_.get("command"), list):
                path = _url_path(" ".join(str(item) for item in exec_["command"]))
                if path:
                    found.append(
                        Probe(kind, path, site.path, exec_.line_of("command"), site.owner, site.service, site)
                    )
    for site in compose_sites(repo):
        check = site.spec.get("healthcheck")
        test = check.get("test") if isinstance(check, YMap) else None
        text = " ".join(str(item) for item in test) if isinstance(test, list) else str(test or "")
        path = _url_path(text)
        if path and isinstance(check, YMap):
            found.append(
                Probe("healthcheck", path, site.path, check.line_of("test"), site.owner, site.service, site)
            )
    for dockerfile in repo.dockerfiles():
        for instruction in dockerfile.find("HEALTHCHECK", final_stage_only=True):
            path = _url_path(instruction.arguments)
            if path:
                found.append(
                    Probe(
                        "HEALTHCHECK",
                        path,
                        dockerfile.path,
                        instruction.line,
                        dockerfile.path,
                        repo.owner(dockerfile.path),
                    )
                )
    return found


# ---- Python servers: how they are started and what they are told --------------------------------

PYTHON_SERVERS = ("gunicorn", "uvicorn", "hypercorn", "daphne", "granian")


def _tokens(text: str) -> list[str]:
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    # `sh -c "exec gunicorn ..."`: the server and its flags are inside one token.
    expanded: list[str] = []
    for token in tokens:
        expanded.append(token)
        if " " in token:
            expanded += _tokens(token)
    return expanded


def _argv(value: Any) -> list[str]:
    if isinstance(value, str):
        return _tokens(value)
    if isinstance(value, list):
        tokens: list[str] = []
        for item in value:
            tokens.append(str(item))
            if " " in str(item):
                tokens += _tokens(str(item))
        return tokens
    return []


@dataclass(frozen=True)
class Launch:
    """A command that starts a Python web server, and where it is written."""

    path: str
    line: int
    origin: str  # "idr/Dockerfile CMD", "compose service 'api'", "Deployment 'api' container 'api'"
    server: str  # gunicorn, uvicorn, ...
    argv: tuple[str, ...]
    service: Service | None
    env: dict[str, str] = field(default_factory=dict)

    def option(self, *names: str) -> str | None:
        """The value of a command-line option (`--name value`, `--name=value`); GUNICORN_CMD_ARGS
        counts as part of gunicorn's command line."""
        argv = list(self.argv)
        if self.server == "gunicorn" and "GUNICORN_CMD_ARGS" in self.env:
            argv += _tokens(self.env["GUNICORN_CMD_ARGS"])
        for index, token in enumerate(argv):
            for name in names:
                if token == name and index + 1 < len(argv):
                    return argv[index + 1]
                if token.startswith(name + "="):
                    return token.split("=", 1)[1]
        return None


def _server(argv: list[str]) -> str | None:
    for token in argv:
        name = PurePosixPath(token).name
        if name in PYTHON_SERVERS:
            return name
    return None


def _dockerfile_env(instructions: list[Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword != "ENV":
            continue
        tokens = _tokens(instruction.arguments)
        if tokens and "=" not in tokens[0] and len(tokens) >= 2:
            env[tokens[0]] = " ".join(tokens[1:])
            continue
        for token in tokens:
            name, sep, value = token.partition("=")
            if sep:
                env[name] = value
    return env


def python_launches(repo: Repo, *, deployed: bool = False) -> list[Launch]:
    """Every command that starts a Python web server: Dockerfile ENTRYPOINT/CMD, compose and
    Kubernetes command/args, Procfile lines. With ``deployed``, compose commands count only when
    compose is how the services are deployed (a dev stack runs `uvicorn --reload` on purpose)."""
    found: list[Launch] = []
    for dockerfile in repo.dockerfiles():
        chain = stage_chain(dockerfile)
        entrypoint, cmd = nearest(chain, "ENTRYPOINT"), nearest(chain, "CMD")
        argv = [*(_argv(entrypoint.exec_form() or entrypoint.arguments) if entrypoint else [])]
        argv += _argv(cmd.exec_form() or cmd.arguments) if cmd else []
        server = _server(argv)
        if server is None:
            continue
        # The instruction that names the server is the one to point at.
        named = next(
            (i for i in (entrypoint, cmd) if i is not None and _server(_argv(i.exec_form() or i.arguments))),
            cmd or entrypoint,
        )
        assert named is not None
        env = _dockerfile_env([i for stage in reversed(chain) for i in stage])
        found.append(
            Launch(
                dockerfile.path,
                named.line,
                f"{dockerfile.path} {named.keyword}",
                server,
                tuple(argv),
                repo.owner(dockerfile.path),
                env,
            )
        )
    composed = compose_sites(repo) if not deployed or compose_is_deployment(repo) else []
    for site in [*composed, *k8s_sites(repo)]:
        keys = [key for key in ("entrypoint", "command", "args") if key in site.spec]
        argv = [token for key in keys for token in _argv(site.spec[key])]
        server = _server(argv)
        if server is None:
            continue
        line = next(site.spec.line_of(key) for key in keys if _server(_argv(site.spec[key])))
        found.append(Launch(site.path, line, site.owner, server, tuple(argv), site.service, site.env()))
    for path in repo.named("Procfile"):
        for number, raw in enumerate(repo.lines(path), start=1):
            process, _, command = raw.partition(":")
            argv = _tokens(command)
            server = _server(argv)
            if server and process.strip():
                found.append(
                    Launch(path, number, f"{path} {process.strip()}", server, tuple(argv), repo.owner(path))
                )
    return found


@dataclass(frozen=True)
class Setting:
    value: str | None  # None when set to something we can't evaluate (a variable)
    evidence: Evidence


def _config_literal(node: ast.expr) -> str | None:
    """A constant, or the default of `int(os.getenv("X", "20"))` / `os.environ.get("X", 20)`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return str(node.value)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in ("int", "float") and node.args:
            return _config_literal(node.args[0])
        if (
            len(node.args) >= 2
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("getenv", "get")
        ):
            return _config_literal(node.args[1])
    return None


def python_config_settings(repo: Repo, path: str) -> dict[str, Setting]:
    """Top-level assignments of a Python config file (gunicorn.conf.py), read without running it."""
    try:
        tree = ast.parse(repo.text(path))
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, Setting] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = Setting(
                        _config_literal(statement.value), repo.evidence(path, statement.lineno)
                    )
    return found


def _config_file(repo: Repo, launch: Launch, explicit: str | None, default: str) -> str | None:
    """The repository file a `-c/--config` option names, or the server's default config file."""
    if explicit is not None:
        if explicit.startswith("python:"):
            return None  # a module on sys.path: not resolvable statically
        name = PurePosixPath(explicit.removeprefix("file:")).name
    else:
        name = default
    near = [path for path in repo.named(name) if posixpath.dirname(path) == posixpath.dirname(launch.path)]
    # Without a known service, only a file beside the command is taken: another service's
    # config would say nothing about this server.
    owned = [path for path in repo.named(name) if launch.service and repo.owner(path) == launch.service]
    found = near or owned
    return found[0] if found else None


# Command-line spellings of the settings the checks read, per server.
_FLAGS = {
    ("gunicorn", "graceful_timeout"): ("--graceful-timeout",),
    ("gunicorn", "timeout"): ("-t", "--timeout"),
    ("gunicorn", "max_requests"): ("--max-requests",),
    ("uvicorn", "timeout_graceful_shutdown"): ("--timeout-graceful-shutdown",),
    ("hypercorn", "graceful_timeout"): ("--graceful-timeout",),
}
_ENV = {("uvicorn", "timeout_graceful_shutdown"): "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"}


def server_setting(repo: Repo, launch: Launch, name: str) -> Setting | None:
    """A server setting from the command line, the environment or the server's config file."""
    flags = _FLAGS.get((launch.server, name), ())
    value = launch.option(*flags) if flags else None
    if value is not None:
        return Setting(value, repo.evidence(launch.path, launch.line))
    env_name = _ENV.get((launch.server, name))
    if env_name and env_name in launch.env:
        return Setting(launch.env[env_name], repo.evidence(launch.path, launch.line))
    if launch.server == "gunicorn":
        config = _config_file(repo, launch, launch.option("-c", "--config"), "gunicorn.conf.py")
        if config is not None and config.endswith(".py"):
            return python_config_settings(repo, config).get(name)
    if launch.server == "hypercorn":
        config = _config_file(repo, launch, launch.option("-c", "--config"), "hypercorn.toml")
        if config is not None and config.endswith(".toml"):
            try:
                data = tomllib.loads(repo.text(config))
            except tomllib.TOMLDecodeError:
                return None
            if name in data:
                line = next((m.line for m in repo.search(rf"^\s*{name}\s*=", [config])), 1)
                return Setting(str(data[name]), repo.evidence(config, line))
    return None


def seconds(value: str | None) -> float | None:
    """`20`, `20s`, `1m` → seconds; None when it isn't a plain duration."""
    if value is None:
        return None
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", value)
    if not found:
        return None
    number = float(found.group(1))
    return {"ms": number / 1000, "m": number * 60}.get(found.group(2) or "s", number)
