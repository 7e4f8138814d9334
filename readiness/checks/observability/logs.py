"""Logging: are logs structured, do they carry request ids, and are levels used sensibly?"""

from __future__ import annotations

import configparser
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from readiness import seed
from readiness.checks.observability._facts import (
    evidence,
    facts,
    first,
    folder,
    go_imports,
    is_test,
    judged,
    label,
    own_files,
    rule,
)
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import Repo, Service
from readiness.results import Match

# Python logging configured from a file (dictConfig YAML/JSON, fileConfig INI) with a JSON formatter.
_JSON_FORMATTER = re.compile(
    r"^(pythonjsonlogger\.(jsonlogger|json)\.JsonFormatter|ecs_logging\.StdlibFormatter"
    r"|json_log_formatter\.JSONFormatter)$"
)
_LOG_CONFIG_SUFFIXES = (".ini", ".cfg", ".conf", ".yaml", ".yml", ".json")
# zerolog writes JSON unless a ConsoleWriter is set up; its global logger needs no construction.
_ZEROLOG = "github.com/rs/zerolog"


def _config_formatters(repo: Repo, path: str) -> Iterator[str]:
    """Formatter classes named by a logging configuration file (dictConfig or fileConfig)."""
    if path.endswith((".ini", ".cfg", ".conf")):
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            parser.read_string(repo.text(path))
        except configparser.Error:
            return
        for section in parser.sections():
            if section.startswith("formatter_"):
                yield from (
                    parser.get(section, key) for key in ("class", "()") if parser.has_option(section, key)
                )
        return
    documents: list[Any]
    if path.endswith(".json"):
        try:
            documents = [json.loads(repo.text(path))]
        except ValueError:
            return
    else:
        documents = repo.yaml(path)
    for document in documents:
        formatters = document.get("formatters") if isinstance(document, dict) else None
        for formatter in formatters.values() if isinstance(formatters, dict) else []:
            if isinstance(formatter, dict):
                yield from (str(formatter[key]) for key in ("()", "class") if key in formatter)


def _structured(ctx: CheckContext, service: Service) -> list[Evidence]:
    """Where the service sets up a structured logger, if it does."""
    repo = ctx.repo
    found = list(first(ctx, facts(ctx, service, rule(service, "structured-logger"))))
    if service.language == "go":
        for path in own_files(repo, service):
            if any(p.startswith(_ZEROLOG) for p in go_imports(repo.text(path)).values()):
                line = next(n for n, text in enumerate(repo.lines(path), 1) if f'"{_ZEROLOG}' in text)
                found.append(repo.evidence(path, line, "zerolog writes JSON by default"))
    if service.language == "python":
        for path in own_files(repo, service, _LOG_CONFIG_SUFFIXES):
            # Only files that configure formatters are parsed (manifests live here too).
            if "formatter" not in repo.text(path):
                continue
            if any(_JSON_FORMATTER.match(name) for name in _config_formatters(repo, path)):
                found.append(repo.evidence(path, None, "logging configuration with a JSON formatter"))
    return found


def _unstructured(ctx: CheckContext, service: Service, rule_id: str) -> list[Match]:
    """Print-style log calls of a rule. In Go the call's package is resolved through the file's
    imports: `log` may be zerolog's or logrus's (structured) package, and the standard `log`
    writes through JSON once slog.SetDefault has been called."""
    found = facts(ctx, service, rule_id)
    if service.language != "go":
        return found
    routed = bool(facts(ctx, service, "go-slog-set-default"))
    kept = []
    for match in found:
        package = go_imports(ctx.repo.text(match.path)).get(match.capture("$PKG"))
        if package == "fmt" or (package == "log" and not routed):
            kept.append(match)
    return kept


_PRINTS_IN_HANDLERS = {
    "go": "go-print-log-in-handler",
    "python": "py-print-in-handler",
    "node": "js-console-in-handler",
}
_STRUCTURED_HOW = {
    "go": "log/slog with a JSONHandler, zap, zerolog or logrus with a JSONFormatter",
    "python": "structlog with JSONRenderer, python-json-logger, or a JSON logging.Formatter",
    "node": "pino, bunyan or winston with format.json()",
}


@check(
    id="observability/structured-logging",
    question=seed.LOGGING,
    title="Services log structured (JSON) lines, not free text",
    severity=Severity.RISK,
    rationale="""
        At 3am the question is "which requests failed, for which publisher, since when": a log
        pipeline answers it only if each line is a record with fields (level, time, request id,
        publisher, error). Free-text lines from log.Printf or print() can only be grepped, carry
        no level, and a multi-line error splits into several unrelated entries. A service that
        has a structured logger but still prints from its handlers bypasses it exactly where it
        matters.
    """,
    looks_at="""
        Source of each Go, Python and Node service (semgrep; tests excluded): construction of a
        structured logger (Go slog JSON/Text handler, zap production config or JSON encoder,
        zerolog, logrus JSONFormatter; Python structlog JSONRenderer, python-json-logger,
        ecs-logging, loguru serialize=True, a logging.Formatter that emits JSON, or a logging
        config file naming a JSON formatter; Node pino, bunyan, winston format.json()), and
        log.Print*/fmt.Print*/print()/console.* calls, anywhere and inside HTTP handlers. Go
        imports are resolved so zerolog's or logrus's `log` package is not mistaken for the
        standard one, and log.Print* after slog.SetDefault counts as structured.
    """,
    remediation="""
        Build one JSON logger at start-up and use it everywhere: in Go
        `slog.New(slog.NewJSONHandler(os.Stdout, nil))` plus `slog.SetDefault`, in Python
        structlog with `JSONRenderer()` (or python-json-logger), in Node pino. Replace
        log.Printf/fmt.Println/print() in request paths with the logger and pass values as
        fields, not interpolated into the message.
    """,
    example="""
        logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
        slog.SetDefault(logger)
        logger.Error("frequency cap lookup failed", "publisher_id", pub, "err", err)
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-print-log",
        "go-print-log-in-handler",
        "go-slog-set-default",
        "go-structured-logger",
        "js-console-in-handler",
        "js-structured-logger",
        "py-logging-config",
        "py-print-in-handler",
        "py-structured-logger",
    ),
)
def structured_logging(ctx: CheckContext) -> CheckResult:
    services = judged(ctx.repo)
    if not services:
        return CheckResult.not_applicable("no Go, Python or Node service with source code")
    failures: list[Failure] = []
    passing: list[Evidence] = []
    for service in services:
        structured = _structured(ctx, service)
        if not structured:
            prints = _unstructured(ctx, service, "go-print-log") if service.language == "go" else []
            setup = facts(ctx, service, "py-logging-config") if service.language == "python" else []
            shown = evidence(ctx, prints or setup) or (
                Evidence.absent(f"no structured logger set up under {folder(service)}"),
            )
            detail = f": {len(prints)} log.Print*/fmt.Print* call(s) write free text" if prints else ""
            failures.append(
                Failure(
                    f"{label(service)} sets up no structured logger ({_STRUCTURED_HOW[service.language]})"
                    f"{detail}; its logs cannot be queried by field or level",
                    shown,
                )
            )
            continue
        in_handlers = _unstructured(ctx, service, _PRINTS_IN_HANDLERS[service.language])
        if in_handlers:
            failures.append(
                Failure(
                    f"{label(service)} has a structured logger but {len(in_handlers)} request handler "
                    "line(s) print free text past it: those lines have no level, fields or request id",
                    evidence(ctx, in_handlers),
                )
            )
        else:
            passing.append(structured[0])
    return CheckResult.from_failures(failures, f"{len(passing)} service(s) log structured lines", *passing)


# ---- request ids -------------------------------------------------------------------------------
@check(
    id="observability/request-ids",
    question=seed.LOGGING,
    title="Requests carry an id that is propagated and put on every log line",
    severity=Severity.RISK,
    rationale="""
        A bid request crosses the exchange, the identity service and several demand partners.
        Without an id read from (or generated for) each request and attached to every log line
        it produces, the lines of one failing auction cannot be pulled out of thousands per
        second, and the Go and Python sides of one request cannot be joined.
    """,
    looks_at="""
        Services that serve requests (semgrep: net/http, gin, echo, fiber, chi, gRPC; FastAPI,
        Flask, Starlette, aiohttp, Django, gRPC; Express, Fastify, Koa). For each: where a
        request id enters (X-Request-ID/X-Correlation-ID header read, chi/echo/gin/fiber
        request-id middleware, zerolog hlog, asgi-correlation-id, starlette-context, django-guid,
        a trace id taken from the span context), and whether it is put on log lines (a
        `request_id`/`trace_id` log field, structlog bind_contextvars, a context variable read by
        the formatter, flask.g.request_id, pino-http).
    """,
    remediation="""
        Add middleware that takes X-Request-ID from the caller (or generates one), echoes it on
        the response, forwards it on outgoing calls and binds it into the request's logger:
        `logger.With("request_id", id)` stored in the context in Go, structlog
        `bind_contextvars(request_id=...)` or asgi-correlation-id in Python.
    """,
    example="""
        id := r.Header.Get("X-Request-ID")
        if id == "" { id = newRequestID() }
        ctx := context.WithValue(r.Context(), loggerKey, slog.Default().With("request_id", id))
        next.ServeHTTP(w, r.WithContext(ctx))
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-request-id-log-field",
        "go-request-id-source",
        "go-serves-requests",
        "js-request-id-log-field",
        "js-request-id-source",
        "js-serves-requests",
        "py-request-id-log-field",
        "py-request-id-source",
        "py-serves-requests",
    ),
)
def request_ids(ctx: CheckContext) -> CheckResult:
    serving = [(s, found) for s in judged(ctx.repo) if (found := facts(ctx, s, rule(s, "serves-requests")))]
    if not serving:
        return CheckResult.not_applicable("no service serves HTTP or gRPC requests")
    failures: list[Failure] = []
    passing: list[Evidence] = []
    for service, servers in serving:
        sources = facts(ctx, service, rule(service, "request-id-source"))
        fields = facts(ctx, service, rule(service, "request-id-log-field"))
        if not sources:
            failures.append(
                Failure(
                    f"{label(service)} serves requests but neither reads X-Request-ID nor generates a "
                    "request id: its log lines cannot be tied to a request",
                    first(ctx, servers),
                )
            )
        elif not fields:
            failures.append(
                Failure(
                    f"{label(service)} reads a request id but never puts it on its log lines",
                    first(ctx, sources),
                )
            )
        else:
            passing += [*first(ctx, sources), *first(ctx, fields)]
    return CheckResult.from_failures(
        failures, f"{len(serving)} serving service(s) log a request id", *passing
    )


# ---- log levels --------------------------------------------------------------------------------
_LEVEL_KEY = re.compile(r"(?i)^([a-z0-9]+_)*log_?level$")
_DEBUG = re.compile(r"(?i)^\s*(debug|trace|all)\s*$")
# Files for developers' machines and CI, where debug logging is expected.
_DEV_FILE = re.compile(
    r"(?i)(^|[/._-])(dev|devel|development|local|test|tests|testing|e2e|ci|example|examples|sample"
    r"|override|kind|minikube)([/._-]|$)"
)
_MIN_CALLS = 5  # below this, one level is not a pattern
_LEVEL_NAMES = {"warning": "warn", "exception": "error", "critical": "error", "fatal": "error"}
_PRINTS = {"go": "go-print-log"}


def _level(call: str) -> str:
    """`Infof`, `InfoContext`, `infow` -> `info`; `warning` -> `warn`; `exception` -> `error`."""
    base = re.sub(r"(Context|[fw])$", "", call).lower()
    return _LEVEL_NAMES.get(base, base)


def _is_dev(path: str) -> bool:
    return bool(_DEV_FILE.search(path))


def _debug_env(env: Any) -> Iterator[tuple[int, str]]:
    """(line, name) of LOG_LEVEL-like variables set to debug, in a container's `env:` list or a
    compose `environment:` mapping or list."""
    if isinstance(env, YList):
        for index, item in enumerate(env):
            if isinstance(item, YMap):
                name, value = str(item.get("name", "")), item.get("value")
                if _LEVEL_KEY.match(name) and isinstance(value, str) and _DEBUG.match(value):
                    yield item.line_of("value") if "value" in item else env.line_of(index), name
            elif isinstance(item, str) and "=" in item:
                name, _, value = item.partition("=")
                if _LEVEL_KEY.match(name.strip()) and _DEBUG.match(value):
                    yield env.line_of(index), name.strip()
    elif isinstance(env, YMap):
        for key, value in env.items():
            if _LEVEL_KEY.match(str(key)) and isinstance(value, str) and _DEBUG.match(value):
                yield env.line_of(key), str(key)


def _debug_keys(node: Any) -> Iterator[tuple[int, str]]:
    """(line, key) of log-level keys set to debug anywhere in a parsed values/config document."""
    if isinstance(node, YMap):
        for key, value in node.items():
            if (
                _LEVEL_KEY.match(str(key).replace("-", "_"))
                and isinstance(value, str)
                and _DEBUG.match(value)
            ):
                yield node.line_of(key), str(key)
            else:
                yield from _debug_keys(value)
    elif isinstance(node, YList):
        for item in node:
            yield from _debug_keys(item)


def _json_debug_keys(repo: Repo, path: str) -> list[tuple[int, str]]:
    """Log-level keys set to debug in a JSON configuration file (flags, app config)."""
    try:
        data = json.loads(repo.text(path))
    except ValueError:
        return []
    keys: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if _LEVEL_KEY.match(str(key)) and isinstance(value, str) and _DEBUG.match(value):
                    keys.append(str(key))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    found = []
    for key in keys:
        line = next((n for n, text in enumerate(repo.lines(path), 1) if f'"{key}"' in text), 1)
        found.append((line, key))
    return found


def _deployed_debug(repo: Repo) -> list[Evidence]:
    """Debug log levels in the configuration that deploys the services (not dev or test files)."""
    found: list[Evidence] = []
    for workload in repo.workloads():
        if _is_dev(workload.path):
            continue
        for container in workload.containers() + workload.init_containers():
            for line, name in _debug_env(container.get("env")):
                found.append(
                    repo.evidence(workload.path, line, f"{workload.kind}/{workload.name} sets {name}")
                )
    for obj in repo.k8s_objects():
        data = obj.body.get("data")
        if obj.kind == "ConfigMap" and isinstance(data, YMap) and not _is_dev(obj.path):
            for line, name in _debug_env(data):
                found.append(repo.evidence(obj.path, line, f"ConfigMap/{obj.name} sets {name}"))
    for compose in repo.compose_files():
        if _is_dev(compose.path):
            continue
        for service_name, service in compose.services.items():
            for line, name in _debug_env(service.get("environment")):
                found.append(repo.evidence(compose.path, line, f"compose service {service_name} sets {name}"))
    for path in repo.named("values*.yaml", "values*.yml"):
        if not _is_dev(path):
            for document in repo.yaml(path):
                found += [
                    repo.evidence(path, line, f"Helm value {key}") for line, key in _debug_keys(document)
                ]
    for path in repo.with_suffix(".json"):
        name = PurePosixPath(path).name
        if _is_dev(path) or is_test(path) or name.startswith(("package", "tsconfig")) or "lock" in name:
            continue
        found += [
            repo.evidence(path, line, f"{key} in configuration") for line, key in _json_debug_keys(repo, path)
        ]
    return sorted(found, key=lambda e: (e.path or "", e.line or 0))


@check(
    id="observability/log-levels",
    question=seed.LOGGING,
    title="Log levels are used, and production does not log at debug",
    severity=Severity.RISK,
    rationale="""
        Debug logging in production multiplies log volume (and cost) at the worst time, can
        write bid requests and personal data to the log store, and slows the hot path. Levels
        are also how errors stand out: a service that logs everything at one level, or with no
        level at all, makes "show me the errors since the deploy" impossible and cannot be
        turned down when it gets noisy.
    """,
    looks_at="""
        Code (semgrep, tests excluded): debug as the unconditional default (zap.NewDevelopment,
        slog.LevelDebug, zerolog/logrus debug level, logging.basicConfig(level=DEBUG), a
        LOG_LEVEL lookup that falls back to "debug", uvicorn log_level="debug"), and the levels
        of each service's log calls. Deployment configuration outside dev/test/example files:
        LOG_LEVEL-like variables set to debug in Kubernetes container env, ConfigMaps, compose
        environments, Helm values and JSON config files.
    """,
    remediation="""
        Default to info in code and in every production manifest; make debug something you
        switch on for a while (a flag, a reloadable config, an env var in a dev overlay).
        Log failures at warn/error and routine events at info or debug, with a real logger
        rather than log.Printf.
    """,
    example="""
        env:
          - name: LOG_LEVEL
            value: info
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-debug-by-default",
        "go-log-level-call",
        "go-print-log",
        "go-slog-set-default",
        "py-debug-by-default",
        "py-log-level-call",
    ),
)
def log_levels(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = judged(repo)
    deployed = _deployed_debug(repo)
    if not services and not deployed:
        return CheckResult.not_applicable(
            "no service source and no deployment configuration with a log level"
        )
    failures: list[Failure] = []
    for item in deployed:
        failures.append(Failure(f"debug logging is configured for production: {item.note}", (item,)))
    judged_levels = 0
    for service in services:
        if service.language in ("go", "python"):
            defaults = facts(ctx, service, rule(service, "debug-by-default"))
            if defaults:
                failures.append(
                    Failure(f"{label(service)} logs at debug by default", evidence(ctx, defaults))
                )
            calls = facts(ctx, service, rule(service, "log-level-call"))
        else:
            calls = []
        levels = Counter(_level(call.capture("$LEVEL")) for call in calls)
        prints = _unstructured(ctx, service, _PRINTS[service.language]) if service.language in _PRINTS else []
        if len(calls) >= _MIN_CALLS and len(levels) == 1:
            (only,) = levels
            failures.append(
                Failure(
                    f"{label(service)} logs all {len(calls)} calls at {only}: errors do not stand out "
                    "and the volume cannot be turned down",
                    evidence(ctx, calls, limit=3),
                    Severity.RECOMMENDATION,
                )
            )
        elif not calls and len(prints) >= _MIN_CALLS:
            failures.append(
                Failure(
                    f"{label(service)} logs {len(prints)} lines with no level at all (log.Printf/fmt.Print): "
                    "failures cannot be told from routine messages, nor filtered",
                    evidence(ctx, prints, limit=3),
                    Severity.RECOMMENDATION,
                )
            )
        judged_levels += bool(calls)
    return CheckResult.from_failures(
        failures,
        f"no debug logging by default in code or deployment configuration; levels of {judged_levels} "
        "service(s) checked",
    )
