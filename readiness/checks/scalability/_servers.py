"""The servers connection budgets are measured against: PostgreSQL/TimescaleDB (and PgBouncer in
front of it) and Redis, with the connection limit each one is configured with.

A limit comes from the server's command line (`-c max_connections=200`, `--maxclients 5000`),
the configuration file it loads (found by name, as a file or a ConfigMap key), image-specific
environment variables, operator resources (CloudNativePG, Zalando), or else the product's
default, said so in the report.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from readiness.checks.scalability._fleet import KUBERNETES, _most_replicas, shell_words
from readiness.facts.deploy import selecting_services
from readiness.facts.documents import Container
from readiness.facts.images import image_name
from readiness.model import Evidence
from readiness.parsers.yaml_lines import YMap
from readiness.repo import K8sObject, Repo

POSTGRES_DEFAULT_MAX_CONNECTIONS = 100
REDIS_DEFAULT_MAXCLIENTS = 10000
PGBOUNCER_DEFAULT_MAX_CLIENT_CONN = 100
PGBOUNCER_DEFAULT_POOL_SIZE = 20

_POSTGRES_IMAGES = ("postgres", "postgresql", "postgis", "timescaledb", "timescaledb-ha")
_REDIS_IMAGES = ("redis", "redis-stack", "redis-stack-server", "valkey", "keydb")


@dataclass(frozen=True)
class Server:
    environment: str  # KUBERNETES or a compose file's path
    label: str  # "StatefulSet 'timescaledb'"
    kind: str  # "postgres" | "pgbouncer" | "redis"
    names: frozenset[str]  # host names that reach it
    limit: int
    limit_how: str  # "max_connections 200 (deploy/k8s/config/postgresql.conf)"
    limit_evidence: Evidence | None
    confirmed: bool = True  # False: no such server is defined here, the product default is assumed
    replicas: int = 1
    pool_size: int = 0  # PgBouncer: server connections per database/user pair, per replica
    pool_how: str = ""


@dataclass(frozen=True)
class _Site:
    environment: str
    label: str
    names: frozenset[str]
    container: Container
    replicas: int


def _service_names(repo: Repo, workload: K8sObject) -> set[str]:
    return {svc.name.lower() for svc in selecting_services(repo, workload)}


def _sites(repo: Repo) -> Iterator[_Site]:
    for workload in repo.workloads():
        if workload.kind in ("Job", "CronJob"):
            continue
        services = _service_names(repo, workload)
        replicas = _most_replicas(repo, [workload])[0] if workload.kind != "Pod" else 1
        for spec in workload.containers():
            if isinstance(spec.get("image"), str):
                owner = f"{workload.kind} {workload.name!r}"
                names = frozenset({workload.name.lower(), str(spec.get("name", "")).lower(), *services})
                container = Container(workload.path, spec.line, owner, spec["image"], spec, workload)
                yield _Site(KUBERNETES, owner, names, container, max(replicas, 1))
    for compose in repo.compose_files():
        keys = compose.body["services"]
        for key, spec in compose.services.items():
            if isinstance(spec.get("image"), str):
                owner = f"compose service {key!r}"
                names = frozenset({key.lower(), str(spec.get("container_name", key)).lower()})
                container = Container(compose.path, keys.line_of(key), owner, spec["image"], spec, None)
                deploy = spec.get("deploy")
                replicas = deploy.get("replicas", 1) if isinstance(deploy, YMap) else 1
                yield _Site(
                    compose.path, owner, names, container, replicas if isinstance(replicas, int) else 1
                )


def _last_segment(image: str) -> str:
    return image_name(image).rsplit("/", 1)[-1]


def _conf_setting(repo: Repo, file_name: str, setting: re.Pattern[str]) -> tuple[int, Evidence] | None:
    """A setting in a config file the server loads, by file name: a file in the repository or a
    ConfigMap key of that name."""
    for path in repo.named(file_name):
        for number, line in enumerate(repo.lines(path), start=1):
            if (found := setting.match(line.strip())) is not None:
                return int(found.group(1)), repo.evidence(path, number)
    for obj in repo.k8s_objects():
        data = obj.body.get("data") if obj.kind == "ConfigMap" else None
        if isinstance(data, YMap) and isinstance(data.get(file_name), str):
            lines = repo.lines(obj.path)
            for number in range(data.line_of(file_name), len(lines) + 1):
                if (found := setting.match(lines[number - 1].strip())) is not None:
                    return int(found.group(1)), repo.evidence(obj.path, number)
    return None


def _command_tokens(container: Container) -> list[tuple[int, str]]:
    return [(line, token) for line, item in container.command_items() for token in shell_words(item)]


_PG_SETTING = re.compile(r"^max_connections\s*=?\s*'?(\d+)")
_PG_FLAG = re.compile(r"max_connections=(\d+)")
_CONFIG_FILE = re.compile(r"config_file=(\S+)")


def _postgres_limit(repo: Repo, site: _Site) -> tuple[int, str, Evidence | None]:
    container = site.container
    tokens = _command_tokens(container)
    for line, token in tokens:
        if (flag := _PG_FLAG.search(token)) is not None:
            return (
                int(flag.group(1)),
                "max_connections on its command line",
                repo.evidence(container.path, line),
            )
    env = container.environment()
    for name in ("POSTGRESQL_MAX_CONNECTIONS", "POSTGRES_MAX_CONNECTIONS"):
        if name in env and env[name][1].strip().isdigit():
            return int(env[name][1]), name, repo.evidence(container.path, env[name][0])
    for _, token in tokens:
        if (config := _CONFIG_FILE.search(token)) is not None:
            found = _conf_setting(repo, posixpath.basename(config.group(1)), _PG_SETTING)
            if found is not None:
                return found[0], f"max_connections in {found[1].path}", found[1]
    where = repo.evidence(container.path, container.image_line)
    return POSTGRES_DEFAULT_MAX_CONNECTIONS, "PostgreSQL's default max_connections, not overridden", where


_INI_SETTING = {
    "max_client_conn": re.compile(r"^max_client_conn\s*=\s*(\d+)"),
    "default_pool_size": re.compile(r"^default_pool_size\s*=\s*(\d+)"),
}


def _pgbouncer_setting(
    repo: Repo, site: _Site, setting: str, default: int
) -> tuple[int, str, Evidence | None]:
    env = site.container.environment()
    for name in (setting.upper(), f"PGBOUNCER_{setting.upper()}"):
        if name in env and env[name][1].strip().isdigit():
            return int(env[name][1]), name, repo.evidence(site.container.path, env[name][0])
    found = _conf_setting(repo, "pgbouncer.ini", _INI_SETTING[setting])
    if found is not None:
        return found[0], f"{setting} in {found[1].path}", found[1]
    return (
        default,
        f"PgBouncer's default {setting}",
        repo.evidence(site.container.path, site.container.image_line),
    )


def database_servers(repo: Repo) -> list[Server]:
    """PostgreSQL/TimescaleDB servers and PgBouncers, in every environment."""
    found: list[Server] = []
    for site in _sites(repo):
        image = _last_segment(site.container.image)
        if image in _POSTGRES_IMAGES or image.startswith("timescaledb"):
            limit, how, where = _postgres_limit(repo, site)
            found.append(Server(site.environment, site.label, "postgres", site.names, limit, how, where))
        elif image.endswith("pgbouncer"):
            limit, how, where = _pgbouncer_setting(
                repo, site, "max_client_conn", PGBOUNCER_DEFAULT_MAX_CLIENT_CONN
            )
            size, size_how, _ = _pgbouncer_setting(
                repo, site, "default_pool_size", PGBOUNCER_DEFAULT_POOL_SIZE
            )
            found.append(
                Server(
                    site.environment,
                    site.label,
                    "pgbouncer",
                    site.names,
                    limit,
                    how,
                    where,
                    replicas=site.replicas,
                    pool_size=size,
                    pool_how=size_how,
                )
            )
    for obj in repo.k8s_objects():
        group = str(obj.body.get("apiVersion", "")).split("/", 1)[0]
        if (obj.kind, group) not in (("Cluster", "postgresql.cnpg.io"), ("postgresql", "acid.zalan.do")):
            continue
        spec = obj.body.get("spec")
        postgresql = spec.get("postgresql") if isinstance(spec, YMap) else None
        parameters = postgresql.get("parameters") if isinstance(postgresql, YMap) else None
        value = parameters.get("max_connections") if isinstance(parameters, YMap) else None
        names = frozenset(
            {obj.name.lower(), f"{obj.name}-rw".lower(), f"{obj.name}-ro".lower(), f"{obj.name}-r".lower()}
        )
        label = f"{obj.kind} {obj.name!r}"
        if value is not None and str(value).strip().isdigit():
            assert isinstance(parameters, YMap)
            where = repo.evidence(obj.path, parameters.line_of("max_connections"))
            found.append(
                Server(
                    KUBERNETES, label, "postgres", names, int(str(value)), "max_connections parameter", where
                )
            )
        else:
            where = repo.evidence(obj.path, obj.line)
            found.append(
                Server(
                    KUBERNETES,
                    label,
                    "postgres",
                    names,
                    POSTGRES_DEFAULT_MAX_CONNECTIONS,
                    "PostgreSQL's default max_connections, not overridden",
                    where,
                )
            )
    return found + _helm_databases(repo)


_HELM_MAX_CONNECTIONS = re.compile(r"max_connections\s*=\s*'?(\d+)")


def _helm_databases(repo: Repo) -> list[Server]:
    """PostgreSQL charts configured through Helm values: a `max_connections` key (CloudNativePG,
    Zalando and most charts' `parameters`) or a line of extended configuration (bitnami's
    `primary.extendedConfiguration`). Charts are not rendered, so only values that set a limit
    are recognised."""
    found: list[Server] = []
    for path in repo.named("values.yaml", "values.yml", "values-*.yaml", "values-*.yml"):
        text = repo.text(path).lower()
        if "postgres" not in text and "timescale" not in text and "postgres" not in path.lower():
            continue
        for number, line in enumerate(repo.lines(path), start=1):
            stripped = line.strip()
            key = re.match(r"^(?:max_connections|maxConnections)\s*:\s*[\"']?(\d+)", stripped)
            inline = _HELM_MAX_CONNECTIONS.search(stripped)
            value = key.group(1) if key else inline.group(1) if inline else None
            if value is None:
                continue
            chart = posixpath.basename(posixpath.dirname(path)) or path
            found.append(
                Server(
                    KUBERNETES,
                    f"PostgreSQL from Helm values {path}",
                    "postgres",
                    frozenset({chart.lower(), "postgresql", "postgres"}),
                    int(value),
                    f"max_connections in {path}",
                    repo.evidence(path, number),
                )
            )
            break
    return found


_MAXCLIENTS = re.compile(r"^maxclients\s+(\d+)")


def _redis_limit(repo: Repo, site: _Site) -> tuple[int, str, Evidence | None]:
    container = site.container
    tokens = _command_tokens(container)
    env = container.environment()
    if "REDIS_EXTRA_FLAGS" in env or "REDIS_ARGS" in env:
        name = "REDIS_EXTRA_FLAGS" if "REDIS_EXTRA_FLAGS" in env else "REDIS_ARGS"
        tokens += [(env[name][0], token) for token in shell_words(env[name][1])]
    for index, (line, token) in enumerate(tokens):
        if token == "--maxclients" and index + 1 < len(tokens) and tokens[index + 1][1].isdigit():
            return (
                int(tokens[index + 1][1]),
                "--maxclients on its command line",
                repo.evidence(container.path, line),
            )
    for _, token in tokens:
        if token.endswith(".conf"):
            found = _conf_setting(repo, posixpath.basename(token), _MAXCLIENTS)
            if found is not None:
                return found[0], f"maxclients in {found[1].path}", found[1]
    where = repo.evidence(container.path, container.image_line)
    return REDIS_DEFAULT_MAXCLIENTS, "Redis's default maxclients, not overridden", where


def redis_servers(repo: Repo) -> list[Server]:
    found: list[Server] = []
    for site in _sites(repo):
        name = image_name(site.container.image)
        if name.rsplit("/", 1)[-1] in _REDIS_IMAGES:
            limit, how, where = _redis_limit(repo, site)
            found.append(Server(site.environment, site.label, "redis", site.names, limit, how, where))
    return found


# ---- which server a service talks to ----------------------------------------------------------

_URL_HOST = re.compile(
    r"\b(?:postgres(?:ql)?|redis|rediss)(?:\+\w+)?://(?:[^@/\s\"'`]*@)?(?P<host>[A-Za-z0-9_.-]+)"
)
_ADDR = re.compile(r"^(?P<host>[A-Za-z][A-Za-z0-9_.-]*):\d{2,5}$")
_KV_HOST = re.compile(r"\bhost=(?P<host>[A-Za-z0-9_.-]+)")
_CODE_ADDR = re.compile(r"[\"'`](?P<host>[A-Za-z][A-Za-z0-9_.-]*):(?:5432|6432|6379)[\"'`]")


def host_labels(texts: list[str]) -> set[str]:
    """The first DNS label of every database or Redis host named in the texts."""
    hosts: set[str] = set()
    for text in texts:
        for pattern in (_URL_HOST, _KV_HOST, _CODE_ADDR):
            hosts |= {m["host"] for m in pattern.finditer(text)}
        if (addr := _ADDR.match(text.strip())) is not None:
            hosts.add(addr["host"])
    return {host.split(".", 1)[0].lower() for host in hosts}
