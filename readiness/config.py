"""`.readiness.yml`: the policy a team applies to the catalogue.

The file is validated against a JSON Schema; every error names the file, the line and the
key, because a gate whose configuration is silently misread is a gate nobody trusts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema

from readiness import globs, safe_paths
from readiness.model import Category, Severity, Waiver
from readiness.parsers.yaml_lines import YList, YMap, load_all
from readiness.safe_paths import UnsafePath

DEFAULT_FILE = ".readiness.yml"
DEFAULT_CHECKPOINT = ".claude/checkpoints/{project}-production-readiness.md"

_SEVERITIES = [severity.value for severity in Severity]
_CATEGORIES = [category.value for category in Category]

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": ".readiness.yml",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "project": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[A-Za-z0-9._-]+$"},
        "exclude": {"type": "array", "items": {"type": "string"}},
        "disable": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "categories": {"type": "array", "items": {"enum": _CATEGORIES}},
                "checks": {"type": "array", "items": {"type": "string"}},
            },
        },
        "severity": {"type": "object", "additionalProperties": {"enum": _SEVERITIES}},
        "allow_waivers": {"type": "boolean"},
        "inline_suppressions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "checks whose findings a nosemgrep comment on the line may suppress",
        },
        "allow_wide_exclude": {
            "type": "boolean",
            "description": "let `exclude` remove more than half of the production files",
        },
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["check", "reason", "owner", "expires"],
                "properties": {
                    "check": {"type": "string"},
                    "paths": {"type": "array", "items": {"type": "string"}},
                    "reason": {"type": "string", "minLength": 1},
                    "owner": {"type": "string", "minLength": 1},
                    "expires": {"type": "string", "format": "date"},
                },
            },
        },
        "traffic": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "expected_peak_rps": {"type": "number", "exclusiveMinimum": 0},
                "p99_latency_ms": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        "kill_switches": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "config keys or flag names that must turn a feature off without a redeploy",
        },
        "test_paths": {
            "type": "array",
            "items": {"type": "string"},
            "description": "gitignore patterns of test fixtures and examples, reported at lower severity",
        },
        "vulnerabilities": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "osv_url": {"type": "string", "pattern": "^https?://"},
                "go_db": {"type": "string", "minLength": 1},
                "max_age_hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 8760},
            },
        },
        "checkpoint": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"path": {"type": "string", "minLength": 1}},
        },
    },
}


class ConfigError(Exception):
    """A configuration problem, located: ``file:line: key: message``."""

    def __init__(self, file: str, line: int, key: str, message: str) -> None:
        self.file, self.line, self.key, self.message = file, line, key, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


@dataclass(frozen=True)
class Traffic:
    expected_peak_rps: float | None = None
    p99_latency_ms: float | None = None


@dataclass(frozen=True)
class Vulnerabilities:
    """Where dependency scanners get advisories: a local OSV-compatible API, a Go vulnerability
    database (``file://`` URL or directory), and how old scanner results may be when reused."""

    osv_url: str | None = None
    go_db: str | None = None
    max_age_hours: float = 24.0


# Fixtures, test data and examples: findings there are reported at lower severity, not hidden.
DEFAULT_TEST_PATHS = (
    "test/",
    "tests/",
    "testdata/",
    "fixtures/",
    "__tests__/",
    "*_test.go",
    "test_*.py",
    "*_test.py",
    "*.spec.ts",
    "*.test.ts",
    "*.spec.js",
    "*.test.js",
    "examples/",
    "example/",
    ".env.example",
)


@dataclass(frozen=True)
class Config:
    project: str
    source: str | None = None  # the file it came from, None for defaults
    exclude: tuple[str, ...] = ()
    disabled_categories: frozenset[Category] = frozenset()
    disabled_checks: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    allow_waivers: bool = True
    allow_wide_exclude: bool = False
    inline_suppressions: frozenset[str] = frozenset()
    waivers: tuple[Waiver, ...] = ()
    traffic: Traffic = Traffic()
    checkpoint_path: str = DEFAULT_CHECKPOINT
    kill_switches: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    vulnerabilities: Vulnerabilities = Vulnerabilities()

    def checkpoint_file(self) -> str:
        return self.checkpoint_path.replace("{project}", self.project)

    def digest(self) -> str:
        """A stable hash of the effective policy: a changed config invalidates reused results."""
        canonical = {
            "project": self.project,
            "exclude": list(self.exclude),
            "disabled_categories": sorted(c.value for c in self.disabled_categories),
            "disabled_checks": sorted(self.disabled_checks),
            "severity": {k: v.value for k, v in sorted(self.severity.items())},
            "allow_waivers": self.allow_waivers,
            "allow_wide_exclude": self.allow_wide_exclude,
            "inline_suppressions": sorted(self.inline_suppressions),
            "waivers": [
                [w.check, w.reason, w.owner, w.expires.isoformat(), list(w.paths)] for w in self.waivers
            ],
            "traffic": [self.traffic.expected_peak_rps, self.traffic.p99_latency_ms],
            "kill_switches": list(self.kill_switches),
            "test_paths": list(self.test_paths),
            "vulnerabilities": [
                self.vulnerabilities.osv_url,
                self.vulnerabilities.go_db,
                self.vulnerabilities.max_age_hours,
            ],
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def default(project: str) -> Config:
    return Config(project=project)


def load(root: Path, explicit: Path | None = None, *, known_checks: set[str]) -> Config:
    """The config for scanning ``root``: ``explicit``, else ``root/.readiness.yml``, else defaults."""
    path = explicit if explicit is not None else root / DEFAULT_FILE
    project_default = root.resolve().name or "project"
    if not path.exists():
        if explicit is not None:
            raise ConfigError(str(path), 0, "", "file not found")
        return default(project_default)
    display = str(path)
    if safe_paths.under(path, root) and not path.resolve().is_relative_to(root.resolve()):
        # The tree's own file, linked to one outside it: its text would reach error messages.
        raise ConfigError(display, 0, "", "a symlink leading outside the scanned tree; not read")
    text = read_policy_file(path)
    return parse(text, display, project_default=project_default, known_checks=known_checks, root=root)


MAX_FILE_BYTES = 256 * 1024  # a policy file is a few kilobytes; more is a mistake or an attack


def read_policy_file(path: Path) -> str:
    """A policy file's text: a regular file (after following a symlink), at most
    :data:`MAX_FILE_BYTES`. A FIFO would block the scan and ``/dev/zero`` would fill memory, and
    either can be committed as `.readiness.yml`."""
    display = str(path)
    try:
        status = path.stat()
    except OSError as error:
        raise ConfigError(display, 0, "", f"cannot read: {error.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise ConfigError(display, 0, "", "not a regular file")
    if status.st_size > MAX_FILE_BYTES:
        raise ConfigError(display, 0, "", f"larger than {MAX_FILE_BYTES} bytes")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ConfigError(display, 0, "", f"cannot read: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(display, 0, "", f"larger than {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(display, 0, "", f"not UTF-8: {error.reason} at byte {error.start}") from None


def validated(text: str, display: str, schema: dict[str, Any]) -> YMap:
    """The one YAML document in ``text`` as a located mapping, valid against ``schema``; else a
    ConfigError naming the file, the line and the key."""
    documents, error = load_all(text)
    if error is not None:
        raise ConfigError(display, error.line, "", f"invalid YAML: {error.message}")
    if len(documents) > 1:
        raise ConfigError(display, 0, "", "expected one YAML document")
    data = documents[0] if documents else YMap()
    if data is None:
        data = YMap()
    if not isinstance(data, YMap):
        raise ConfigError(display, getattr(data, "line", 1), "", "expected a mapping at the top level")

    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(_plain(data)), key=lambda e: _line_of(data, list(e.absolute_path)))
    if errors:
        first = errors[0]
        location = list(first.absolute_path)
        line = _line_of(data, location)
        if first.validator == "additionalProperties":
            location += _unexpected_keys(first)[:1]
            line = _line_of(data, location)
        elif first.validator == "required" and isinstance(first.instance, dict):
            # The missing key has no line of its own: point at the mapping that lacks it.
            location += [key for key in first.validator_value if key not in first.instance][:1]
        raise ConfigError(display, line, _key_name(location), _message(first))
    return data


def known_check(
    data: YMap, display: str, check_id: str, key_path: list[str | int], known_checks: set[str]
) -> str:
    """``check_id`` if the catalogue has it, else a located error with the closest id."""
    if check_id not in known_checks:
        close = difflib.get_close_matches(check_id, sorted(known_checks), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(
            display, _line_of(data, key_path), _key_name(key_path), f"unknown check id {check_id!r}{hint}"
        )
    return check_id


def parse(
    text: str, display: str, *, project_default: str, known_checks: set[str], root: Path | None = None
) -> Config:
    """The configuration in ``text``; ``root``, when given, is the tree it configures: paths it
    names must stay inside it."""
    data = validated(text, display, SCHEMA)

    def located(key_path: list[str | int], message: str) -> ConfigError:
        return ConfigError(display, _line_of(data, key_path), _key_name(key_path), message)

    def known(check_id: str, key_path: list[str | int]) -> str:
        return known_check(data, display, check_id, key_path, known_checks)

    disable = data.get("disable") or {}
    disabled_checks = frozenset(
        known(check_id, ["disable", "checks", index])
        for index, check_id in enumerate(disable.get("checks", []))
    )
    severity = {
        known(check_id, ["severity", check_id]): Severity(value)
        for check_id, value in (data.get("severity") or {}).items()
    }
    waivers = []
    for index, entry in enumerate(data.get("waivers") or []):
        known(entry["check"], ["waivers", index, "check"])
        waivers.append(
            Waiver(
                check=entry["check"],
                reason=entry["reason"],
                owner=entry["owner"],
                expires=dt.date.fromisoformat(entry["expires"]),
                paths=tuple(entry.get("paths") or ()),
            )
        )
    allow_waivers = data.get("allow_waivers", True)
    if waivers and not allow_waivers:
        raise located(["waivers"], "waivers are listed but allow_waivers is false")
    patterns: list[tuple[list[str | int], str]] = [
        ([key, index], pattern)
        for key in ("exclude", "test_paths")
        for index, pattern in enumerate(data.get(key) or [])
    ]
    patterns += [
        (["waivers", index, "paths", number], pattern)
        for index, entry in enumerate(data.get("waivers") or [])
        for number, pattern in enumerate(entry.get("paths") or [])
    ]
    for key_path, pattern in patterns:
        reason = globs.problem(pattern)
        if reason is not None:
            raise located(key_path, f"{pattern[:100]!r} {reason}")
    checkpoint_path = (data.get("checkpoint") or {}).get("path", DEFAULT_CHECKPOINT)
    parts = PurePosixPath(checkpoint_path).parts
    if PurePosixPath(checkpoint_path).is_absolute() or ".." in parts or "\\" in checkpoint_path:
        # The file is written where the tree's author says: never outside the working directory.
        raise located(["checkpoint", "path"], f"{checkpoint_path!r} must be a relative path without '..'")
    if root is not None:  # where it would land: a regular file inside the tree, no symlink on the way
        project = data.get("project", project_default)
        relative = checkpoint_path.replace("{project}", project)
        try:
            target = safe_paths.inside(root, relative)
            safe_paths.check_target(target.with_suffix(".json"), root)  # the checkpoint's data
        except UnsafePath as error:
            raise located(["checkpoint", "path"], str(error)) from None
    traffic = data.get("traffic") or {}
    vulnerabilities = data.get("vulnerabilities") or {}
    return Config(
        project=data.get("project", project_default),
        source=display,
        exclude=tuple(data.get("exclude") or ()),
        disabled_categories=frozenset(Category(c) for c in disable.get("categories", [])),
        disabled_checks=disabled_checks,
        severity=severity,
        allow_waivers=allow_waivers,
        allow_wide_exclude=data.get("allow_wide_exclude", False),
        inline_suppressions=frozenset(
            known(check_id, ["inline_suppressions", index])
            for index, check_id in enumerate(data.get("inline_suppressions") or [])
        ),
        waivers=tuple(waivers),
        traffic=Traffic(traffic.get("expected_peak_rps"), traffic.get("p99_latency_ms")),
        checkpoint_path=checkpoint_path,
        kill_switches=tuple(data.get("kill_switches") or ()),
        test_paths=tuple(data["test_paths"]) if "test_paths" in data else DEFAULT_TEST_PATHS,
        vulnerabilities=Vulnerabilities(
            osv_url=vulnerabilities.get("osv_url"),
            go_db=vulnerabilities.get("go_db"),
            max_age_hours=vulnerabilities.get("max_age_hours", 24.0),
        ),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _line_of(data: YMap, key_path: list[str | int]) -> int:
    """The line of the deepest node of ``key_path`` that exists in the document."""
    node: Any = data
    line = data.line or 1
    for key in key_path:
        if isinstance(node, YMap) and key in node:
            line, node = node.line_of(key), node[key]
            continue
        if isinstance(node, YList) and isinstance(key, int) and 0 <= key < len(node):
            line, node = node.line_of(key), node[key]
            continue
        break
    return line


def _key_name(key_path: list[str | int]) -> str:
    parts = [f"[{k}]" if isinstance(k, int) else str(k) for k in key_path]
    return ".".join(parts).replace(".[", "[") or "(top level)"


def _unexpected_keys(error: jsonschema.ValidationError) -> list[str]:
    allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
    instance = error.instance if isinstance(error.instance, dict) else {}
    return sorted(str(key) for key in instance if key not in allowed)


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
        extra = _unexpected_keys(error)
        close = difflib.get_close_matches(extra[0], allowed, n=1) if extra else []
        hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
        return f"unknown key{hint}"
    if error.validator == "required":
        return "required key is missing"
    if error.validator == "enum":
        choices = error.validator_value if isinstance(error.validator_value, list) else []
        return f"{error.instance!r} is not one of {', '.join(map(str, choices))}"
    if error.validator == "format" and error.validator_value == "date":
        return f"{error.instance!r} is not a date (YYYY-MM-DD)"
    return error.message


STARTER = """\
# .readiness.yml — policy for `readiness scan`. Every key is optional.
# Docs: docs/configuration.md; list the checks with `readiness checks`.

# Name used for the checkpoint file and the report heading (default: the directory name).
# project: my-service

# What the load-validation checks compare load tests with.
traffic:
  expected_peak_rps: 1000     # requests per second at the expected peak
  p99_latency_ms: 100         # latency objective at p99

# Paths never read (gitignore syntax). In a Git checkout the scan reads the tracked files
# (.gitignore filters untracked ones only); what `exclude` removes is counted in the report,
# and removing more than half of the production files is No-Go unless allowed here.
# exclude:
#   - "third_party/**"
# allow_wide_exclude: false

# Turn off whole categories or single checks.
# disable:
#   categories: [compliance]
#   checks: [load-validation/soak-test]

# Change a check's severity: blocker | risk | recommendation.
# severity:
#   operational-readiness/codeowners: recommendation

# Accept a known failure for a while. All fields but `paths` are required;
# an expired waiver stops waiving and the report says so.
# waivers:
#   - check: disaster-recovery/redis-persistence
#     paths: ["deploy/redis/**"]
#     reason: "Redis holds only a rebuildable cache until the store migration"
#     owner: "@platform-team"
#     expires: 2027-03-31

# Central owners can forbid waivers altogether (a central policy, --policy, can too).
# allow_waivers: false

# Checks whose findings a `nosemgrep` comment on the offending line may suppress. Not listed:
# the comment suppresses nothing and the report lists it as an unapproved waiver.
# inline_suppressions: [observability/structured-logging]

# Config keys or flag names that must switch a feature off without a redeploy; each is
# verified to exist in the code and to be read at run time, not only at start.
# kill_switches: [idr_enabled]

# Test fixtures and examples (gitignore patterns): findings there are reported at lower
# severity instead of being hidden. The default covers tests/, testdata/, *_test.go, examples/...
# test_paths: ["tests/", "testdata/"]

# Offline vulnerability data for the dependency scanners.
# vulnerabilities:
#   osv_url: http://osv.internal:8080/v1/query   # an OSV-compatible API
#   go_db: file:///srv/go-vulndb                  # a Go vulnerability database
#   max_age_hours: 24                             # reuse scanner results at most this long

# Where the checkpoint is kept between runs ({project} is replaced).
# checkpoint:
#   path: .claude/checkpoints/{project}-production-readiness.md
"""
