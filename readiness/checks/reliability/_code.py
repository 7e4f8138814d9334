"""What the reliability checks know about the code: semgrep facts per service, the HTTP routes
each service registers and whether a route's handler reaches a dependency, and which data
stores a service depends on according to its manifests.

The semgrep rules under ``readiness/rules/reliability`` extract small facts (a route, a handler
body, a call to ``Ping``); this module joins them per service and across files, so the checks
stay short and agree with each other on what a "health route" or a "dependency" is.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from readiness.context import CheckContext
from readiness.facts import datastores
from readiness.facts.code import matches
from readiness.facts.production import by_convention_not_production as is_test_or_vendored
from readiness.model import Evidence
from readiness.repo import Repo, Service
from readiness.results import Match

# Which files' facts belong to which language of service.
_SUFFIXES = {
    "go": (".go",),
    "python": (".py",),
    "node": (".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx"),
}


def is_test(path: str) -> bool:
    return is_test_or_vendored(path)


def is_rule_fixture(repo: Repo, path: str) -> bool:
    """A semgrep rule's test file (`rule.go` beside `rule.yaml`, annotated `ruleid:`): it holds
    examples of what the rule matches, not code that runs."""
    stem = str(PurePosixPath(path).with_suffix(""))
    return (repo.exists(stem + ".yaml") or repo.exists(stem + ".yml")) and "ruleid:" in repo.text(path)


def facts(ctx: CheckContext, service: Service, *rules: str) -> list[Match]:
    """Matches of the rules in the service's own source files (tests, semgrep rule fixtures and
    nested services excluded)."""
    suffixes = _SUFFIXES.get(service.language, ())
    return [
        m
        for m in matches(ctx, *rules)
        if m.path.endswith(suffixes)
        and not is_test(m.path)
        and ctx.repo.owner(m.path) == service
        and not is_rule_fixture(ctx.repo, m.path)
    ]


def within(inner: Match, outer: Match) -> bool:
    return inner.path == outer.path and outer.line <= inner.line <= outer.end_line


def evidence(repo: Repo, match: Match, note: str | None = None) -> Evidence:
    return repo.evidence(match.path, match.line, note)


# ---- routes -----------------------------------------------------------------------------------

_ROUTE_RULES = {"go": "go-http-route", "python": "py-http-route", "node": "js-http-route"}
_METHOD_PREFIX = re.compile(r"^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+")
_PARAMETER = re.compile(r"\{[^}/]*\}|<[^>/]*>|:\w+|\(\?P<\w+>[^)]*\)")
_CALLEE = re.compile(r"([A-Za-z_]\w*)\s*\(")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")

# Route names that conventionally mean "is the process alive" (must not test dependencies) and
# those that mean health in general. The last path segment decides: /health/live is liveness.
_LIVENESS_NAMES = {"live", "livez", "liveness", "alive", "ping", "heartbeat", "livenessprobe"}
_HEALTH_NAMES = _LIVENESS_NAMES | {
    "health", "healthz", "healthy", "healthcheck", "health-check", "health_check", "_health",
    "ready", "readyz", "readiness", "readinessprobe", "startup", "startupz",
}  # fmt: skip
_READINESS_NAMES = {"ready", "readyz", "readiness", "readinessprobe"}


def normalise_path(raw: str) -> str:
    """`GET /readyz` → `/readyz`; Django's `healthz/` and `^healthz/?$` → `/healthz`."""
    path = _METHOD_PREFIX.sub("", raw.strip())
    path = path.removeprefix("^").removesuffix("$").replace("/?", "/").split("?", 1)[0]
    path = "/" + path.strip("/")
    return path


def last_segment(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].lower()


def is_health_path(path: str) -> bool:
    segments = [s for s in path.lower().strip("/").split("/") if s]
    if not segments:
        return False
    # `/status` on its own is a health page; `/orders/{id}/status` is not.
    return segments[-1] in _HEALTH_NAMES or segments == ["status"] or segments[:1] == ["health"]


def is_liveness_path(path: str) -> bool:
    return last_segment(path) in _LIVENESS_NAMES


def is_readiness_path(path: str) -> bool:
    return last_segment(path) in _READINESS_NAMES


def path_pattern(path: str) -> re.Pattern[str]:
    """A regex for a route path: `{id}`, `<id>`, `:id` match one segment."""
    pieces = _PARAMETER.split(path)
    return re.compile("^" + "[^/]+".join(re.escape(piece) for piece in pieces) + "/?$")


@dataclass(frozen=True)
class Route:
    service: Service
    path: str  # normalised, e.g. /readyz
    registration: Match  # where the route is registered (its span covers an inline handler)
    handler: str  # the handler as written: a name, a method value or a function literal
    handler_site: Match | None  # the handler's body when it could be found
    reaches: Match | None  # the first call to a dependency the handler makes (one call deep)

    @property
    def followed(self) -> bool:
        """Whether the handler's code was seen: only then can it be called constant."""
        return self.handler_site is not None or self.reaches is not None

    @property
    def handler_evidence(self) -> Match:
        return self.handler_site or self.registration

    def matches_path(self, probe_path: str) -> bool:
        wanted = "/" + probe_path.split("?", 1)[0].strip("/")
        if path_pattern(self.path).match(wanted):
            return True
        raw = _METHOD_PREFIX.sub("", self.registration_path_raw())
        # net/http patterns ending in "/" serve the whole subtree ("/" serves everything).
        if self.service.language == "go" and raw.endswith("/") and wanted.startswith(raw.rstrip("/") + "/"):
            return True
        # A route registered on a router group or sub-application carries a prefix we don't see.
        return self.path != "/" and wanted.endswith(self.path)

    def registration_path_raw(self) -> str:
        return self.registration.capture("$PATH") or self.path


_FACTORY_CALL = re.compile(r"\b[A-Za-z_][\w.]*\((?P<arguments>[^()]*)\)\s*$")
_DEPENDENCY_ARGUMENT = re.compile(
    r"(?i)\b\w*(store|storage|db|database|pool|client|conn|connection|redis|cache|repo|repository|backend|"
    r"session|dao|deps|dependencies|checker|health)\w*\b"
)


def _source(repo: Repo, match: Match) -> str:
    lines = repo.lines(match.path)
    return "\n".join(lines[match.line - 1 : match.end_line])


def routes(ctx: CheckContext, service: Service) -> list[Route]:
    """The service's routes registered with a literal path, with what their handlers reach."""
    rule = _ROUTE_RULES.get(service.language)
    if rule is None:
        return []
    repo = ctx.repo
    calls = facts(ctx, service, "go-dependency-call", "py-dependency-call", "js-dependency-call")
    # Functions that call a dependency directly, by name (the rules capture the enclosing function).
    reaching: dict[str, Match] = {}
    for call in calls:
        if function := call.capture("$F"):
            reaching.setdefault(function, call)
    handlers: dict[str, Match] = {}
    for fact in facts(ctx, service, "go-http-handler"):
        handlers.setdefault(fact.capture("$H"), fact)

    def reached_from(body: Match) -> Match | None:
        direct = [call for call in calls if within(call, body)]
        if direct:
            return direct[0]
        # Decorator lines name the framework (`@app.get(...)`), not what the handler calls.
        code = "\n".join(
            line for line in _source(repo, body).split("\n") if not line.lstrip().startswith("@")
        )
        for callee in _CALLEE.findall(code):
            if callee in reaching:
                return reaching[callee]
        return None

    found: list[Route] = []
    for registration in facts(ctx, service, rule):
        path, handler = registration.capture("$PATH"), registration.capture("$H")
        if path is None:
            continue
        # A function literal anywhere in the handler (`http.HandlerFunc(func(w, r) {...})`, an
        # arrow function) lies inside the registration's span.
        inline = bool(re.search(r"\bfunc\s*\(|\bfunction\b|=>|^async\b", handler))
        site: Match | None = None
        reaches: Match | None = None
        if inline or (service.language == "python" and registration.end_line > registration.line):
            # A function literal, or a decorated Python function: the registration's span is the body.
            site = registration
            reaches = reached_from(registration)
        else:
            names = _IDENTIFIER.findall(handler)
            known = [name for name in names if name in handlers]
            if known:
                site = handlers[known[-1]]
                reaches = reached_from(site)
            else:
                # A handler built by a factory (`readiness(db)`) or named in another module.
                reaches = next((reaching[name] for name in reversed(names) if name in reaching), None)
                factory = _FACTORY_CALL.search(handler)
                if reaches is None and factory is not None:
                    # A factory can only build a handler that tests what it is given: one handed a
                    # store or client is taken to test it, one handed only settings is constant.
                    if _DEPENDENCY_ARGUMENT.search(factory.group("arguments")):
                        reaches = registration
                    else:
                        site = registration
        found.append(Route(service, normalise_path(path), registration, handler, site, reaches))
    return found


# ---- servers ----------------------------------------------------------------------------------

_SERVER_RULES = {
    "go": ("go-http-serve",),
    "python": ("py-asgi-app", "py-wsgi-app", "py-uvicorn-run"),
    "node": ("js-listen",),
}


def server_starts(ctx: CheckContext, service: Service) -> list[Match]:
    """Where the service's code starts (or creates) a network server."""
    return facts(ctx, service, *_SERVER_RULES.get(service.language, ()))


# ---- dependencies from manifests --------------------------------------------------------------

# Drivers of databases, caches and brokers (one table, readiness.facts.datastores): a service
# that imports one has something its readiness can depend on.
_GO_DRIVERS = tuple(datastores.GO_MODULES)
_PY_DRIVERS = frozenset(datastores.PYTHON_PACKAGES)
_NODE_DRIVERS = frozenset(datastores.NODE_PACKAGES)
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _line_naming(repo: Repo, path: str, name: str) -> int | None:
    pattern = re.compile(r"(^|[\s\"'])" + re.escape(name) + r"($|[\s\"'\[=<>~!;@,/])", re.IGNORECASE)
    found = repo.search(pattern, [path])
    return found[0].line if found else None


def go_requirements(repo: Repo, path: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    in_block = False
    for number, raw in enumerate(repo.lines(path), start=1):
        if "// indirect" in raw:
            continue  # pulled in by another module, not used by the service itself
        line = raw.split("//", 1)[0].strip()
        if line.startswith("require ("):
            in_block = True
            continue
        if in_block and line == ")":
            in_block = False
            continue
        tokens = line.removeprefix("require ").split() if in_block or line.startswith("require ") else []
        if tokens:
            found.append((tokens[0], number))
    return found


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _python_requirements(repo: Repo, path: str) -> list[tuple[str, int]]:
    name = PurePosixPath(path).name
    if name == "pyproject.toml":
        try:
            data = tomllib.loads(repo.text(path))
        except tomllib.TOMLDecodeError:
            return []
        project = _table(data, "project")
        listed = [str(item) for item in project.get("dependencies") or [] if isinstance(item, str)]
        poetry = _table(_table(data, "tool"), "poetry")
        listed += [str(key) for key in _table(poetry, "dependencies") if key != "python"]
        found = []
        for entry in listed:
            parsed = _REQUIREMENT_NAME.match(entry)
            if parsed:
                found.append((parsed.group(1), _line_naming(repo, path, parsed.group(1)) or 1))
        return found
    found = []
    for number, raw in enumerate(repo.lines(path), start=1):
        if raw.lstrip().startswith(("#", "-")):
            continue
        parsed = _REQUIREMENT_NAME.match(raw)
        if parsed:
            found.append((parsed.group(1), number))
    return found


def _node_requirements(repo: Repo, path: str) -> list[tuple[str, int]]:
    try:
        data = json.loads(repo.text(path))
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    names = [
        str(name)
        for section in ("dependencies", "optionalDependencies")
        if isinstance(data.get(section), dict)
        for name in data[section]
    ]
    return [(name, _line_naming(repo, path, name) or 1) for name in names]


def declared(repo: Repo, service: Service) -> list[tuple[str, Evidence]]:
    """(name, where) of every runtime dependency the service's manifests declare: go.mod requires
    (indirect ones left out), requirements*.txt / pyproject.toml (dev and test files left out),
    package.json dependencies. Python names are canonicalised (psycopg_pool → psycopg-pool)."""
    root = "" if service.path == "." else service.path + "/"
    found: list[tuple[str, Evidence]] = []
    if service.language == "go" and repo.exists(root + "go.mod"):
        found = [
            (m, repo.evidence(root + "go.mod", line)) for m, line in go_requirements(repo, root + "go.mod")
        ]
    elif service.language == "python":
        for path in repo.paths:
            name = PurePosixPath(path).name
            manifest = name == "pyproject.toml" or re.fullmatch(r"requirements[\w.-]*\.(txt|in)", name)
            if manifest and "dev" not in name and "test" not in name and repo.owner(path) == service:
                found += [
                    (_canonical(n), repo.evidence(path, line)) for n, line in _python_requirements(repo, path)
                ]
    elif service.language == "node" and repo.exists(root + "package.json"):
        found = [
            (n, repo.evidence(root + "package.json", line))
            for n, line in _node_requirements(repo, root + "package.json")
        ]
    return found


def data_dependencies(repo: Repo, service: Service) -> list[Evidence]:
    """Evidence of each database, cache or broker driver the service declares in its manifests."""
    drivers = {"go": (), "python": _PY_DRIVERS, "node": _NODE_DRIVERS}.get(service.language, ())
    found = [
        where
        for name, where in declared(repo, service)
        if (name.startswith(_GO_DRIVERS) if service.language == "go" else name in drivers)
    ]
    return list(dict.fromkeys(found))
