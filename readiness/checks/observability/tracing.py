"""Tracing: is every serving service traced, and do traces survive the Go/Python boundary?"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from readiness import seed
from readiness.checks.observability._facts import (
    call_text,
    compose_services_of,
    facts,
    first,
    judged,
    label,
    rule,
)
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.deploy import workloads_of
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import Repo, Service

# Start commands that load a tracer and instrument the installed libraries without code changes.
_AUTO = re.compile(
    r"opentelemetry-instrument\b|ddtrace-run\b|@opentelemetry/auto-instrumentations-node/register|dd-trace/init"
)
_DATADOG_AUTO = re.compile(r"ddtrace-run\b|dd-trace/init")


def _words(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value) if value is not None else ""


def _env_items(env: Any) -> list[tuple[str, str, int]]:
    """(name, value, line) of a container `env:` list or a compose `environment:` map or list."""
    items: list[tuple[str, str, int]] = []
    if isinstance(env, YList):
        for index, entry in enumerate(env):
            if isinstance(entry, YMap) and "name" in entry:
                items.append((str(entry["name"]), _words(entry.get("value")), env.line_of(index)))
            elif isinstance(entry, str) and "=" in entry:
                name, _, value = entry.partition("=")
                items.append((name.strip(), value, env.line_of(index)))
    elif isinstance(env, YMap):
        items += [(str(k), _words(v), env.line_of(k)) for k, v in env.items()]
    return items


@dataclass(frozen=True)
class Setting:
    """A start command or environment variable of the service, where it is written."""

    text: str
    evidence: Evidence


def _settings(repo: Repo, service: Service) -> tuple[list[Setting], dict[str, Setting]]:
    """The service's start commands, and its environment variables by name, from its Dockerfiles,
    Kubernetes workloads, compose services, Procfile and package.json scripts."""
    commands: list[Setting] = []
    env: dict[str, Setting] = {}
    for path in repo.dockerfile_paths():
        if repo.owner(path) != service:
            continue
        for instruction in repo.dockerfile(path).final_stage():
            where = repo.evidence(path, instruction.line)
            if instruction.keyword in ("CMD", "ENTRYPOINT"):
                commands.append(Setting(_words(instruction.exec_form() or instruction.arguments), where))
            elif instruction.keyword == "ENV":
                for name, value in re.findall(r"(\w+)[= ]\"?([^\s\"]*)", instruction.arguments):
                    env.setdefault(name, Setting(value, where))
    for workload in workloads_of(repo, service):
        for container in workload.containers():
            words = f"{_words(container.get('command'))} {_words(container.get('args'))}".strip()
            if words:
                commands.append(Setting(words, repo.evidence(workload.path, container.line)))
            for name, value, line in _env_items(container.get("env")):
                env[name] = Setting(value, repo.evidence(workload.path, line))
    for path, spec in compose_services_of(repo, service):
        for key in ("command", "entrypoint"):
            if key in spec:
                commands.append(Setting(_words(spec[key]), repo.evidence(path, spec.line_of(key))))
        for name, value, line in _env_items(spec.get("environment")):
            env.setdefault(name, Setting(value, repo.evidence(path, line)))
    for path in repo.paths:
        if repo.owner(path) == service and PurePosixPath(path).name in ("Procfile", "package.json"):
            for number, text in enumerate(repo.lines(path), start=1):
                if _AUTO.search(text):
                    commands.append(Setting(text, repo.evidence(path, number)))
    node_options = env.get("NODE_OPTIONS")
    if node_options is not None:
        commands.append(node_options)
    return commands, env


@dataclass(frozen=True)
class Tracing:
    service: Service
    providers: list[Evidence]
    instrumented: list[Evidence]
    datadog: bool
    env: dict[str, Setting]


def tracing_of(ctx: CheckContext, service: Service) -> Tracing:
    commands, env = _settings(ctx.repo, service)
    auto = [command for command in commands if _AUTO.search(command.text)]
    providers = [
        *first(ctx, facts(ctx, service, rule(service, "tracer-provider"))),
        *(c.evidence for c in auto),
    ]
    instrumented = [
        *first(ctx, facts(ctx, service, rule(service, "trace-instrumentation"))),
        *(c.evidence for c in auto),
    ]
    datadog = any(_DATADOG_AUTO.search(c.text) for c in auto) or any(
        "tracer.Start" in (e.snippet or "")
        or "ddtrace" in (e.snippet or "")
        or "dd-trace" in (e.snippet or "")
        for e in providers
    )
    return Tracing(service, providers, instrumented, datadog, env)


def _serving(ctx: CheckContext) -> list[tuple[Service, Evidence]]:
    return [
        (service, found[0])
        for service in judged(ctx.repo)
        if (found := first(ctx, facts(ctx, service, rule(service, "serves-requests"))))
    ]


@check(
    id="observability/tracing",
    question=seed.TRACING,
    title="Every serving service is traced, servers and clients alike",
    severity=Severity.RISK,
    rationale="""
        A bid that takes 300 ms instead of 80 crosses the exchange, the identity service, Redis,
        TimescaleDB and several demand partners; metrics say that it is slow, only a trace says
        where. A tracer must be initialised in each service and its HTTP/gRPC servers and
        clients wrapped, or spans are never created (or never joined into one trace).
    """,
    looks_at="""
        Each service that serves requests (semgrep). A tracer: Go sdktrace.NewTracerProvider /
        otel.SetTracerProvider (or dd-trace-go, OpenTracing); Python TracerProvider /
        set_tracer_provider (or ddtrace); Node NodeSDK / NodeTracerProvider (or dd-trace); or a
        start command that loads one (opentelemetry-instrument, ddtrace-run, --require
        @opentelemetry/auto-instrumentations-node/register) in the Dockerfile, Kubernetes
        workload, compose file, Procfile or package.json. Instrumentation: otelhttp, otelgrpc,
        otelgin/otelecho/otelmux, Python *Instrumentor().instrument(...), Node
        auto-instrumentations, or the same auto-instrumenting start command.
    """,
    remediation="""
        Initialise OpenTelemetry at start-up with an OTLP exporter and a parent-based sampler,
        wrap the HTTP/gRPC server and every outbound client (otelhttp.NewHandler and
        NewTransport in Go; FastAPIInstrumentor/FlaskInstrumentor and
        RequestsInstrumentor/HTTPXClientInstrumentor in Python), or start Python services with
        opentelemetry-instrument.
    """,
    example="""
        tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
        otel.SetTracerProvider(tp)
        handler := otelhttp.NewHandler(mux, "bidder")
        client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)}
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-serves-requests",
        "go-trace-instrumentation",
        "go-tracer-provider",
        "js-serves-requests",
        "js-trace-instrumentation",
        "js-tracer-provider",
        "py-serves-requests",
        "py-trace-instrumentation",
        "py-tracer-provider",
    ),
)
def tracing(ctx: CheckContext) -> CheckResult:
    serving = _serving(ctx)
    if not serving:
        return CheckResult.not_applicable("no service serves HTTP or gRPC requests")
    failures: list[Failure] = []
    traced: list[Evidence] = []
    for service, server in serving:
        found = tracing_of(ctx, service)
        if not found.providers:
            failures.append(
                Failure(
                    f"{label(service)} serves requests but initialises no tracer: a slow or failing "
                    "request cannot be followed into it",
                    (server,),
                )
            )
        elif not found.instrumented:
            failures.append(
                Failure(
                    f"{label(service)} initialises a tracer but wraps no server or client "
                    "(otelhttp, otelgrpc, an Instrumentor): its requests create no spans",
                    (found.providers[0],),
                )
            )
        else:
            traced += [found.providers[0], found.instrumented[0]]
    return CheckResult.from_failures(failures, f"{len(serving)} serving service(s) are traced", *traced)


# ---- propagation -------------------------------------------------------------------------------
_FORMATS = (
    ("tracecontext", re.compile(r"TraceContext|tracecontext|W3C")),
    ("b3", re.compile(r"\bb3|B3")),
    ("jaeger", re.compile(r"(?i)jaeger")),
    ("xray", re.compile(r"(?i)xray")),
    ("ottrace", re.compile(r"\bot\.OT\b|(?i:ottrace)")),
    ("datadog", re.compile(r"(?i)datadog")),
)
# What each SDK propagates when nothing is configured (baggage is not trace context).
_DEFAULT = {"python": {"tracecontext"}, "node": {"tracecontext"}}
_DATADOG_DEFAULT = {"datadog", "tracecontext"}


def _formats(text: str) -> set[str]:
    return {name for name, pattern in _FORMATS if pattern.search(text)}


@dataclass(frozen=True)
class Propagation:
    formats: set[str]
    evidence: Evidence
    how: str


def propagation_of(ctx: CheckContext, found: Tracing) -> Propagation:
    """Which trace-context formats the service sends and accepts, and where that is decided."""
    service = found.service
    set_in_code = facts(ctx, service, rule(service, "trace-propagator"))
    env = found.env.get("OTEL_PROPAGATORS")
    for match in set_in_code:
        text = call_text(ctx.repo, match)
        where = ctx.repo.evidence(match.path, match.line)
        if "autoprop" in text:  # Go's autoprop reads OTEL_PROPAGATORS, like the Python and Node SDKs
            break
        return Propagation(_formats(text), where, "set in code")
    if env is not None:
        return Propagation(_formats(env.text.replace(",", " ")), env.evidence, f"OTEL_PROPAGATORS={env.text}")
    if found.datadog:
        return Propagation(set(_DATADOG_DEFAULT), found.providers[0], "the Datadog tracer's default")
    if service.language == "go" and not set_in_code:
        # The Go API's global propagator is a no-op until otel.SetTextMapPropagator is called.
        return Propagation(set(), found.providers[0], "never set: Go's global propagator is a no-op")
    default = _DEFAULT.get(service.language, {"tracecontext"})
    return Propagation(
        set(default), found.providers[0], "the OpenTelemetry SDK default (tracecontext,baggage)"
    )


@check(
    id="observability/trace-propagation",
    question=seed.TRACING,
    title="Traced services propagate trace context in the same format",
    severity=Severity.RISK,
    rationale="""
        A trace crosses from Go to Python only if both sides speak the same header format: W3C
        traceparent, B3, Jaeger's uber-trace-id or Datadog's. When one side injects B3 and the
        other extracts W3C, or a Go service never sets a propagator (the global one is a
        no-op), every downstream service starts a new trace and the end-to-end view of a bid
        request is gone exactly where the languages meet.
    """,
    looks_at="""
        Every traced service (see observability/tracing): Go otel.SetTextMapPropagator (or
        autoprop with OTEL_PROPAGATORS), Python set_global_textmap, Node setGlobalPropagator or
        NodeSDK textMapPropagator, else OTEL_PROPAGATORS in the Dockerfile, Kubernetes workload
        or compose environment, else the SDK default (W3C tracecontext for the OpenTelemetry
        Python and Node SDKs, Datadog+W3C for Datadog tracers, nothing for Go). Judged when at
        least two services are traced.
    """,
    remediation="""
        Use W3C trace context everywhere: in Go
        `otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{},
        propagation.Baggage{}))`; in Python and Node keep the SDK default or set
        OTEL_PROPAGATORS=tracecontext,baggage on every service. If B3 is required by a
        partner, configure the same composite propagator on all sides.
    """,
    example="""
        otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
            propagation.TraceContext{}, propagation.Baggage{},
        ))
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-serves-requests",
        "go-trace-instrumentation",
        "go-trace-propagator",
        "go-tracer-provider",
        "js-serves-requests",
        "js-trace-instrumentation",
        "js-trace-propagator",
        "js-tracer-provider",
        "py-serves-requests",
        "py-trace-instrumentation",
        "py-trace-propagator",
        "py-tracer-provider",
    ),
)
def trace_propagation(ctx: CheckContext) -> CheckResult:
    traced = [found for service, _ in _serving(ctx) if (found := tracing_of(ctx, service)).providers]
    if len(traced) < 2:
        return CheckResult.not_applicable("fewer than two services are traced: no boundary to cross")
    failures: list[Failure] = []
    speaking: list[tuple[Service, Propagation]] = []
    for found in traced:
        propagation = propagation_of(ctx, found)
        if not propagation.formats:
            failures.append(
                Failure(
                    f"{label(found.service)} propagates no trace context ({propagation.how}): traces stop "
                    "at it and its downstream calls start new ones",
                    (propagation.evidence,),
                )
            )
        else:
            speaking.append((found.service, propagation))
    shared = set.intersection(*(p.formats for _, p in speaking)) if speaking else set()
    if len(speaking) >= 2 and not shared:
        described = "; ".join(
            f"{service.name}: {'+'.join(sorted(p.formats))} ({p.how})" for service, p in speaking
        )
        failures.append(
            Failure(
                f"traced services share no propagation format ({described}): traces break between them",
                tuple(p.evidence for _, p in speaking),
            )
        )
    return CheckResult.from_failures(
        failures,
        f"{len(traced)} traced service(s) share the {'/'.join(sorted(shared))} propagation format",
        *(replace(p.evidence, note=f"{service.name}: {p.how}") for service, p in speaking),
    )
