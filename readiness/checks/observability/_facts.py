"""What the observability checks share: a service's own source files, the semgrep facts found in
them, the Prometheus metrics a service defines, and which deployment runs which service."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from readiness.context import CheckContext
from readiness.facts.code import matches
from readiness.facts.production import by_convention_not_production as is_test_or_vendored
from readiness.model import Evidence
from readiness.parsers.yaml_lines import YMap
from readiness.repo import Repo, Service
from readiness.results import Match

SUFFIXES: dict[str, tuple[str, ...]] = {
    "go": (".go",),
    "python": (".py",),
    "node": (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"),
}
# Rule-id prefix of each language's semgrep rules.
RULE_PREFIX = {"go": "go", "python": "py", "node": "js"}


def is_test(path: str) -> bool:
    return is_test_or_vendored(path)


def own_files(repo: Repo, service: Service, suffixes: tuple[str, ...] | None = None) -> list[str]:
    """The service's own source files (nested services' files belong to them), tests left out."""
    wanted = suffixes if suffixes is not None else SUFFIXES.get(service.language, ())
    if not wanted:
        return []
    return [path for path in repo.files_of(service, *wanted) if not is_test(path)]


def judged(repo: Repo) -> list[Service]:
    """Go, Python and Node services with source of their own: the ones whose code can be read."""
    return [s for s in repo.services() if s.language in SUFFIXES and own_files(repo, s)]


def folder(service: Service) -> str:
    return "the repository root" if service.path == "." else f"{service.path}/"


def label(service: Service) -> str:
    return f"{service.language} service {service.name!r}"


def facts(ctx: CheckContext, service: Service, *rules: str) -> list[Match]:
    """Matches of the rules in the service's own non-test files, one per line."""
    seen: set[tuple[str, int, str]] = set()
    found: list[Match] = []
    for match in matches(ctx, *rules):
        key = (match.path, match.line, match.rule)
        if key in seen or is_test(match.path) or ctx.repo.owner(match.path) != service:
            continue
        seen.add(key)
        found.append(match)
    return found


def rule(service: Service, suffix: str) -> str:
    """The language's rule id for a fact, e.g. rule(go_service, "serves-requests")."""
    return f"{RULE_PREFIX[service.language]}-{suffix}"


def evidence(ctx: CheckContext, found: list[Match], limit: int = 20) -> tuple[Evidence, ...]:
    """Evidence for matches, one per line, at most ``limit`` (a note says how many were left out)."""
    unique = sorted({(m.path, m.line) for m in found})
    shown = tuple(ctx.repo.evidence(path, line) for path, line in unique[:limit])
    if len(unique) > limit:
        shown += (Evidence.absent(f"... and {len(unique) - limit} more"),)
    return shown


def first(ctx: CheckContext, found: list[Match]) -> tuple[Evidence, ...]:
    """Evidence of the first match only (where a fact is established, not every place it recurs)."""
    return (ctx.repo.evidence(found[0].path, found[0].line),) if found else ()


def call_text(repo: Repo, match: Match) -> str:
    """The source lines a match spans (a call's arguments, a composite literal's fields)."""
    return "\n".join(repo.lines(match.path)[match.line - 1 : match.end_line])


# ---- Go imports --------------------------------------------------------------------------------
_IMPORT_SPEC = re.compile(r'^\s*(?:([\w.]+)\s+)?"([^"]+)"')


def go_imports(text: str) -> dict[str, str]:
    """The names a Go file's imports bind: {local name: import path} (blank and dot imports left out)."""
    bound: dict[str, str] = {}
    specs: list[str] = []
    in_block = False
    for raw in text.split("\n"):
        line = raw.split("//", 1)[0].strip()
        if in_block:
            if line.startswith(")"):
                in_block = False
            else:
                specs.append(line)
        elif line.startswith("import ("):
            in_block = True
        elif line.startswith("import "):
            specs.append(line.removeprefix("import "))
        elif line.startswith(("func ", "type ", "var ", "const ")):
            break  # imports come first
    for spec in specs:
        found = _IMPORT_SPEC.match(spec)
        if found is None or found.group(1) in ("_", "."):
            continue
        path = found.group(2)
        bound[found.group(1) or path.rsplit("/", 1)[-1]] = path
    return bound


# ---- Prometheus metrics ------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    path: str
    line: int
    kind: str  # counter, gauge, histogram or summary
    name: str  # the exposed name as far as it can be read ("" when it is not a literal)
    labels: frozenset[str]


_GO_FIELD = r'\b{}:\s*"([^"]*)"'
_GO_LABELS = re.compile(r"\[\]string\s*\{([^}]*)\}")
_QUOTED = re.compile(r"""["'`]([^"'`\n]*)["'`]""")
_PY_NAME = re.compile(r"""\(\s*(?:name\s*=\s*)?["']([^"']+)["']""")
_PY_PREFIX = r"""\b{}\s*=\s*["']([^"']*)["']"""
_JS_NAME = re.compile(r"""\bname\s*:\s*["'`]([^"'`]+)["'`]""")
_JS_LABELS = re.compile(r"\blabelNames\s*:\s*\[([^\]]*)\]")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PY_KINDS = {"py-metric-counter": "counter", "py-metric-gauge": "gauge", "py-metric-histogram": "histogram"}


def _joined(*parts: str) -> str:
    return "_".join(part for part in parts if part)


def _go_metric(repo: Repo, match: Match) -> Metric:
    text = call_text(repo, match)
    kind = re.sub(r"^New|Vec$|Func$", "", match.capture("$CTOR")).lower()

    def field(name: str) -> str:
        found = re.search(_GO_FIELD.format(name), text)
        return found.group(1) if found else ""

    name = field("Name")
    full = _joined(field("Namespace"), field("Subsystem"), name) if name else ""
    labels = _GO_LABELS.search(text)
    names = frozenset(_QUOTED.findall(labels.group(1))) if labels else frozenset()
    return Metric(match.path, match.line, kind, full, names)


def _py_metric(repo: Repo, match: Match) -> Metric:
    text = call_text(repo, match)
    found = _PY_NAME.search(text)
    name = found.group(1) if found else ""

    def prefix(keyword: str) -> str:
        value = re.search(_PY_PREFIX.format(keyword), text)
        return value.group(1) if value else ""

    full = _joined(prefix("namespace"), prefix("subsystem"), name) if name else ""
    # Label names are the identifier-like literals; the name comes first and the help text has spaces.
    literals = [value for value in _QUOTED.findall(text) if _IDENTIFIER.match(value) and value != name]
    kind = "summary" if "Summary" in text.split("(", 1)[0] else _PY_KINDS[match.rule]
    return Metric(match.path, match.line, kind, full, frozenset(literals))


def _js_metric(repo: Repo, match: Match) -> Metric:
    text = call_text(repo, match)
    found = _JS_NAME.search(text)
    labels = _JS_LABELS.search(text)
    names = frozenset(_QUOTED.findall(labels.group(1))) if labels else frozenset()
    name = found.group(1) if found else ""
    return Metric(match.path, match.line, (match.capture("$KIND")).lower(), name, names)


def metrics_of(ctx: CheckContext, service: Service) -> list[Metric]:
    """The Prometheus metrics the service defines in code, in path and line order."""
    repo = ctx.repo
    found: list[Metric] = []
    if service.language == "go":
        found = [_go_metric(repo, m) for m in facts(ctx, service, "go-metric-definition")]
    elif service.language == "python":
        found = [_py_metric(repo, m) for m in facts(ctx, service, *_PY_KINDS)]
    elif service.language == "node":
        found = [_js_metric(repo, m) for m in facts(ctx, service, "js-metric-definition")]
    return sorted(found, key=lambda metric: (metric.path, metric.line))


# ---- where a service runs ----------------------------------------------------------------------
def compose_services_of(repo: Repo, service: Service) -> list[tuple[str, YMap]]:
    """(compose file, compose service) pairs whose build context is the service's directory."""
    found = []
    for compose in repo.compose_files():
        base = PurePosixPath(compose.path).parent
        for spec in compose.services.values():
            build = spec.get("build")
            context = build.get("context") if isinstance(build, YMap) else build
            if isinstance(context, str) and posixpath.normpath(str(base / context)) == service.path:
                found.append((compose.path, spec))
    return found


def exposition(repo: Repo, service: Service) -> Evidence | None:
    """Where the service imports a Prometheus exposition handler or exporter, or None."""
    if service.language not in _EXPOSITION:
        return None
    suffixes, pattern = _EXPOSITION[service.language]
    found = repo.search(pattern, own_files(repo, service, suffixes))
    return repo.evidence(found[0].path, found[0].line) if found else None


# The service level indicators the review asks for.
LATENCY, ERRORS, SATURATION = "latency", "errors", "saturation"


SLIS = (LATENCY, ERRORS, SATURATION)


_STATUS_LABELS = {"code", "status", "status_code", "http_status", "response_code", "result", "outcome"}


_ERROR_NAME = re.compile(r"(?i)(error|fail|5xx)")


_SIZE_NAME = re.compile(r"(?i)(bytes|size)")


# Gauges that say how full the service is: in-flight work, queues, pools, workers.
SATURATION_NAME = re.compile(
    r"(?i)(in_?flight|in_?progress|concurren|active|queue|pending|backlog|pool|conns|connections"
    r"|workers|busy|saturat|utili[sz]|capacity|waiting|buffer|goroutines|threads)"
)


def metric_slis(metric: Metric) -> set[str]:
    """The SLIs one metric definition can serve."""
    if metric.kind in ("histogram", "summary") and not _SIZE_NAME.search(metric.name):
        return {LATENCY}
    if metric.kind == "counter" and (metric.labels & _STATUS_LABELS or _ERROR_NAME.search(metric.name)):
        return {ERRORS}
    if metric.kind == "gauge" and SATURATION_NAME.search(metric.name):
        return {SATURATION}
    return set()


# An import of an exposition handler or exporter, per language. A metrics library alone is not
# enough in Go (registering counters exposes nothing without promhttp), hence the handler there.
_EXPOSITION: dict[str, tuple[tuple[str, ...], re.Pattern[str]]] = {
    "go": (
        (".go",),
        re.compile(
            r'"(github\.com/prometheus/client_golang/prometheus/promhttp'
            r"|go\.opentelemetry\.io/otel/exporters/(prometheus|otlp/otlpmetric\S*)"
            r'|github\.com/labstack/echo-contrib/(echo)?prometheus|github\.com/zsais/go-gin-prometheus)"'
        ),
    ),
    "python": (
        (".py",),
        re.compile(
            r"^\s*(from|import)\s+(prometheus_client|prometheus_fastapi_instrumentator|starlette_exporter"
            r"|prometheus_flask_exporter|django_prometheus|aioprometheus|opentelemetry\.exporter\.prometheus"
            r"|opentelemetry\.exporter\.otlp\.proto\.\w+\.metric_exporter)\b"
            r"|[\"']django_prometheus[\"']"
        ),
    ),
    "node": (
        (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"),
        re.compile(
            r"""(require\(\s*|from\s+|import\s+)['"](prom-client|express-prom-bundle"""
            r"""|@opentelemetry/exporter-prometheus|@opentelemetry/exporter-metrics-otlp-[\w-]+)['"]"""
        ),
    ),
}
