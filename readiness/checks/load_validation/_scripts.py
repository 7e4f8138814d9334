"""Load-test scripts, and what can be read from them without running them.

k6 options are JavaScript, so they are read with regular expressions over balanced braces rather
than executed: arrival-rate scenarios (`rate`/`timeUnit`, ramping `stages[].target`) give a
request rate, `thresholds` give latency limits. Anything computed at run time (`__ENV.RATE`) is
reported as unknown, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.context import CheckContext
from readiness.facts.documents import balanced, is_test_path, line_at
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import Repo


@dataclass(frozen=True)
class LoadScript:
    tool: str
    path: str
    line: int


@dataclass(frozen=True)
class Rate:
    """A request rate a load test drives, in requests per second, and where it is declared."""

    path: str
    line: int
    rps: float
    source: str
    delayed: bool = False  # a k6 scenario with a `startTime`: it doesn't run alongside the others


@dataclass(frozen=True)
class Unknown:
    path: str
    line: int
    reason: str


@dataclass(frozen=True)
class Threshold:
    path: str
    line: int
    expression: str  # "p(99)<300"
    statistic: str  # "p(99)", "avg", ...
    percentile: float | None
    limit_ms: float


_K6_IMPORT = re.compile(r"""^\s*(import\b.*\bfrom\s*|.*\brequire\(\s*)['"]k6(/[\w/-]+)?['"]""")
_SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")
_BY_IMPORT: list[tuple[str, tuple[str, ...], re.Pattern[str]]] = [
    ("Locust", (".py",), re.compile(r"^\s*(from\s+locust(\.\w+)*\s+import\b|import\s+locust\b)")),
    ("Gatling", (".scala", ".java", ".kt"), re.compile(r"^\s*import\s+(static\s+)?io\.gatling\.")),
    ("JMeter", (".jmx",), re.compile(r"<jmeterTestPlan\b")),
]
# Invocations in shell scripts, Makefiles and CI; commented-out lines don't run.
_COMMANDS: list[tuple[str, re.Pattern[str]]] = [
    ("vegeta", re.compile(r"^(?!\s*#).*\bvegeta\s+attack\b")),
    ("wrk", re.compile(r"^(?!\s*#)(.*[\s;&|(`])?wrk2?\s+(-|https?://|\$)")),
    ("ghz", re.compile(r"^(?!\s*#)(.*[\s;&|(`])?ghz\s+(-|\$|[\w.-]+:\d+)")),
]
_ARTILLERY_PHASES = re.compile(r"(?m)^\s+phases\s*:")


def shell_sources(repo: Repo) -> list[str]:
    return sorted(
        set(repo.with_suffix(".sh", ".bash", ".zsh", ".mk"))
        | set(
            repo.named(
                "Makefile", "GNUmakefile", "justfile", "Taskfile.yml", "Taskfile.yaml", ".gitlab-ci.yml"
            )
        )
        | set(repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"))
    )


def k6_scripts(repo: Repo) -> list[LoadScript]:
    found: list[LoadScript] = []
    for match in repo.search(_K6_IMPORT, repo.with_suffix(*_SCRIPT_SUFFIXES)):
        if not found or found[-1].path != match.path:
            found.append(LoadScript("k6", match.path, match.line))
    return found


def load_scripts(repo: Repo) -> list[LoadScript]:
    """Every load test found, one per file, at the line that proves it (an import or an invocation)."""
    found = k6_scripts(repo)
    for tool, suffixes, pattern in _BY_IMPORT:
        for match in repo.search(pattern, repo.with_suffix(*suffixes)):
            if not any(s.path == match.path for s in found):
                found.append(LoadScript(tool, match.path, match.line))
    for tool, pattern in _COMMANDS:
        for match in repo.search(pattern, shell_sources(repo)):
            if not any(s.path == match.path and s.tool == tool for s in found):
                found.append(LoadScript(tool, match.path, match.line))
    for path in repo.yaml_paths():
        if not _ARTILLERY_PHASES.search(repo.text(path)):
            continue
        for document in repo.yaml(path):
            config = document.get("config") if isinstance(document, YMap) else None
            if isinstance(config, YMap) and isinstance(config.get("phases"), YList):
                found.append(LoadScript("Artillery", path, config.line_of("phases")))
    return found


# ---- request rates ------------------------------------------------------------------------------

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_EXECUTOR = re.compile(r"""\bexecutor\s*:\s*['"`]([\w-]+)['"`]""")
# A literal number (`10_000` included) after `key:`, followed by a comma, a brace, a comment or the line end.
_NUMBER = r"\s*:\s*([\d_]+(?:\.\d+)?)\s*(?:[,}\n]|//|/\*)"
_RATE_KEYS = {"constant-arrival-rate": ("rate",), "ramping-arrival-rate": ("startRate", "target")}
_TIME_UNIT = re.compile(r"""\btimeUnit\s*:\s*['"`]([^'"`]+)['"`]""")
_START_TIME = re.compile(r"""\bstartTime\s*:\s*['"`]([^'"`]+)['"`]""")
_VEGETA_RATE = re.compile(r"-rate(?:=|\s+)(\S+)")
_RATE_VALUE = re.compile(r"^(\d+(?:\.\d+)?)(?:/(\d*(?:\.\d+)?)(ns|us|µs|ms|s|m|h))?$")


def seconds(duration: str) -> float | None:
    """A k6/Go duration ("1s", "1m30s", "500ms") in seconds, None if it isn't a literal."""
    parts = _DURATION.findall(duration.strip())
    if not parts or "".join(n + u for n, u in parts) != duration.strip():
        return None
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _scenario(text: str, position: int) -> tuple[int, str]:
    """The start offset and text of the object literal enclosing ``position``."""
    depth = 0
    for index in range(position, -1, -1):
        if text[index] == "}":
            depth += 1
        elif text[index] == "{":
            if depth == 0:
                return index, balanced(text, index, "{", "}")
            depth -= 1
    return 0, text


def k6_rates(repo: Repo, path: str) -> tuple[list[Rate], list[Unknown]]:
    """The peak arrival rate of each k6 scenario: (rates it could read, scenarios it could not)."""
    text = repo.text(path)
    rates: list[Rate] = []
    unknown: list[Unknown] = []
    for executor in _EXECUTOR.finditer(text):
        start, block = _scenario(text, executor.start())
        kind, line = executor.group(1), line_at(text, executor.start())
        name_match = re.search(r"""(['"`]?)([\w-]+)\1\s*:\s*$""", text[:start])
        label = f"k6 scenario {name_match.group(2) if name_match else '?'!r} ({kind})"
        if kind not in _RATE_KEYS:
            unknown.append(Unknown(path, line, f"{label}: its request rate depends on response times"))
            continue
        keys = _RATE_KEYS[kind]
        found = [
            (float(m.group(1).replace("_", "")), start + m.start())
            for key in keys
            for m in re.finditer(rf"\b{key}{_NUMBER}", block)
        ]
        written = sum(len(re.findall(rf"\b{key}\s*:", block)) for key in keys)
        unit_match = _TIME_UNIT.search(block)
        unit = seconds(unit_match.group(1)) if unit_match else 1.0  # k6's default timeUnit is 1s
        if not found or len(found) != written or not unit:
            unknown.append(Unknown(path, line, f"{label}: its rate or timeUnit is computed at run time"))
            continue
        highest, offset = max(found)
        start_time = _START_TIME.search(block)
        delayed = bool(start_time and seconds(start_time.group(1)))
        rates.append(Rate(path, line_at(text, offset), highest / unit, label, delayed))
    return rates, unknown


def peak(rates: list[Rate]) -> Rate | None:
    """The highest rate reached at once: scenarios starting together add up; delayed ones stand alone."""
    together = [r for r in rates if not r.delayed]
    candidates = [r for r in rates if r.delayed]
    if together:
        biggest = max(together, key=lambda r: r.rps)
        names = " + ".join(r.source for r in together)
        candidates.append(Rate(biggest.path, biggest.line, sum(r.rps for r in together), names))
    return max(candidates, key=lambda r: r.rps, default=None)


def vegeta_rates(repo: Repo) -> tuple[list[Rate], list[Unknown]]:
    rates: list[Rate] = []
    unknown: list[Unknown] = []
    for path in shell_sources(repo):
        lines = repo.lines(path)
        index = 0
        while index < len(lines):
            # Join backslash continuations: `vegeta attack \` with `-rate=...` on the next line.
            start, command = index, lines[index]
            while command.rstrip().endswith("\\") and index + 1 < len(lines):
                index += 1
                command = command.rstrip()[:-1] + " " + lines[index]
            index += 1
            if not _COMMANDS[0][1].search(command):
                continue
            flag = _VEGETA_RATE.search(command)
            rate_line = next((n + 1 for n in range(start, index) if "-rate" in lines[n]), start + 1)
            value = _RATE_VALUE.match(flag.group(1).strip("'\"")) if flag else None
            if value is None or float(value.group(1)) == 0:
                unknown.append(Unknown(path, rate_line, "vegeta attack without a literal -rate"))
                continue
            per = (float(value.group(2) or 1)) * _UNITS[value.group(3) or "s"]
            rates.append(Rate(path, rate_line, float(value.group(1)) / per, "vegeta attack"))
    return rates, unknown


# ---- thresholds ---------------------------------------------------------------------------------

_THRESHOLDS = re.compile(r"\bthresholds\s*:\s*\{")
_DURATION_METRIC = re.compile(r"""(['"`]?)http_req_duration(\{[^}]*\})?\1\s*:\s*\[""")
_EXPRESSION = re.compile(
    r"""['"`]\s*((p\((\d+(?:\.\d+)?)\)|avg|med|min|max)\s*<=?\s*(\d+(?:\.\d+)?))\s*['"`]"""
)


def k6_thresholds(repo: Repo, path: str) -> tuple[int | None, list[Threshold]]:
    """The line of a script's `thresholds` and its limits on `http_req_duration` (in ms)."""
    text = repo.text(path)
    block_match = _THRESHOLDS.search(text)
    if block_match is None:
        return None, []
    block_start = block_match.end() - 1
    block = balanced(text, block_start, "{", "}")
    found: list[Threshold] = []
    for metric in _DURATION_METRIC.finditer(block):
        array_start = block_start + metric.end() - 1
        for expression in _EXPRESSION.finditer(balanced(text, array_start, "[", "]")):
            percentile = float(expression.group(3)) if expression.group(3) else None
            line = line_at(text, array_start + expression.start())
            found.append(
                Threshold(
                    path,
                    line,
                    expression.group(1),
                    expression.group(2),
                    percentile,
                    float(expression.group(4)),
                )
            )
    return line_at(text, block_match.start()), found


def fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:.1f}"


# ---- run lengths --------------------------------------------------------------------------------

_STAGES = re.compile(r"\bstages\s*:\s*\[")
_K6_DURATION = re.compile(r"""\bduration\s*:\s*['"`]([^'"`]+)['"`]""")
_CLI_DURATION = re.compile(
    r"^(?!\s*#).*\b(?:k6\s+run\b.*?(?:--duration|-d)|locust\b.*?(?:--run-time|-t)|vegeta\s+attack\b.*?-duration)"
    r"(?:=|\s+)['\"]?(\w+)"
)
_LOCUST_CONF = re.compile(r"^\s*run[-_]time\s*=\s*['\"]?(\w+)")


@dataclass(frozen=True)
class RunLength:
    path: str
    line: int
    seconds: float
    source: str


def k6_run_lengths(repo: Repo, path: str) -> list[RunLength]:
    """How long each k6 scenario (or the script's top-level options) runs: its `duration`, or the
    sum of its ramping `stages`. Durations computed at run time are not counted."""
    text = repo.text(path)
    found: list[RunLength] = []
    covered: list[tuple[int, int]] = []
    for stages in _STAGES.finditer(text):
        start = stages.end() - 1
        block = balanced(text, start, "[", "]")
        covered.append((start, start + len(block)))
        lengths = [seconds(d) for d in _K6_DURATION.findall(block)]
        if lengths and all(length is not None for length in lengths):
            total = sum(length for length in lengths if length is not None)
            found.append(RunLength(path, line_at(text, stages.start()), total, "k6 stages"))
    for duration in _K6_DURATION.finditer(text):
        if any(start <= duration.start() < end for start, end in covered):
            continue
        length = seconds(duration.group(1))
        if length is not None:
            found.append(RunLength(path, line_at(text, duration.start()), length, "k6 duration"))
    return found


def cli_run_lengths(repo: Repo) -> list[RunLength]:
    """`k6 run --duration`, `locust --run-time`, `vegeta attack -duration` and locust.conf `run-time`."""
    found: list[RunLength] = []
    for match in repo.search(_CLI_DURATION, shell_sources(repo)):
        value = _CLI_DURATION.search(match.text)
        length = seconds(value.group(1)) if value else None
        if length is not None:
            found.append(RunLength(match.path, match.line, length, "command line"))
    for match in repo.search(_LOCUST_CONF, repo.named("locust.conf", "*.locust.conf")):
        value = _LOCUST_CONF.search(match.text)
        raw = value.group(1) if value else ""
        length = float(raw) if raw.isdigit() else seconds(raw)
        if length is not None:
            found.append(RunLength(match.path, match.line, length, "locust.conf run-time"))
    return found


def artillery_run_lengths(repo: Repo, scripts: list[LoadScript]) -> list[RunLength]:
    """The sum of an Artillery config's phase durations (seconds, or a duration string)."""
    found: list[RunLength] = []
    for script in [s for s in scripts if s.tool == "Artillery"]:
        for document in repo.yaml(script.path)[:1]:
            config = document.get("config") if isinstance(document, YMap) else None
            phases = config.get("phases") if isinstance(config, YMap) else None
            total = 0.0
            for phase in phases if isinstance(phases, YList) else []:
                value = phase.get("duration") if isinstance(phase, YMap) else None
                length = float(value) if isinstance(value, int | float) else seconds(str(value))
                total += length or 0.0
            if total:
                found.append(RunLength(script.path, script.line, total, "Artillery phases"))
    return found


# ---- targets ------------------------------------------------------------------------------------

_K6_REQUEST = re.compile(
    r"""\bhttp\.(?:get|post|put|patch|del|head|options|request|asyncRequest)\s*\(\s*"""
    r"""(?:['"`][A-Z]+['"`]\s*,\s*)?(['"`])(.*?)\1"""
)
_LOCUST_REQUEST = re.compile(
    r"""\.client\.(?:get|post|put|patch|delete|head|options|request)\s*\(\s*"""
    r"""(?:['"][A-Z]+['"]\s*,\s*)?f?(['"])(.*?)\1"""
)
_URL_PATH = re.compile(r"^(?:\$\{[^}]*\}|\{[^}]*\}|https?://[^/\s]+)?(/[^?#\s]*)")
_ROUTE_LITERAL = re.compile(
    r"""(["'`])(?:(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+)?(/[\w/{}:<>.*$-]*)\1"""
)
_PARAMETER = re.compile(r"^(\$\{.*\}|\{.*\}|:.+|<.+>|\*)$")


@dataclass(frozen=True)
class Target:
    file: str
    line: int
    path: str  # "/openrtb2/auction"


def request_paths(repo: Repo, script: LoadScript) -> list[Target]:
    """The URL paths a k6 or Locust script requests (literal or template URLs)."""
    pattern = {"k6": _K6_REQUEST, "Locust": _LOCUST_REQUEST}.get(script.tool)
    if pattern is None:
        return []
    text = repo.text(script.path)
    found: list[Target] = []
    for request in pattern.finditer(text):
        path = _URL_PATH.match(request.group(2).strip())
        if path and path.group(1) != "/":
            found.append(Target(script.path, line_at(text, request.start()), path.group(1)))
    return found


def service_routes(ctx: CheckContext, scripts: set[str]) -> list[str]:
    """Route strings in the services' production code: `"/openrtb2/auction"`, `"POST /v1/price"`."""
    repo = ctx.repo
    routes: set[str] = set()
    for path in repo.with_suffix(".go", ".py", ".js", ".ts", ".mjs"):
        if path in scripts or is_test_path(ctx.config, path) or repo.owner(path) is None:
            continue
        for literal in _ROUTE_LITERAL.finditer(repo.text(path)):
            route = literal.group(2)
            if route != "/":
                routes.add(route)
    return sorted(routes)


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def same_route(requested: str, route: str) -> bool:
    """Whether a route serves a requested path; parameters (`{id}`, `:id`, `${id}`) match any segment."""
    left, right = _segments(requested), _segments(route)
    if len(left) != len(right):
        return False
    return all(a == b or _PARAMETER.match(a) or _PARAMETER.match(b) for a, b in zip(left, right, strict=True))
