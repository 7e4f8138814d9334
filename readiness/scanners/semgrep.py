"""Semgrep: every code rule of every category, in one pass over the repository's source files.

Offline by construction: local rule files only, metrics and version checks off.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from readiness.repo import Repo
from readiness.results import Match, MatchList
from readiness.scanners import process
from readiness.scanners.base import Scanner, ScannerError, rules_root

CODE_SUFFIXES = (".go", ".py", ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx")
_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
_VERSION = re.compile(r"(\d+\.\d+\.\d+)")


class Semgrep(Scanner):
    name = "semgrep"
    empty_result: tuple[Match, ...] = ()

    def __init__(self, rules: Path | None = None, per_file_timeout: int = 30) -> None:
        self.rules = rules or rules_root()
        self.per_file_timeout = per_file_timeout
        self._executable = process.find("semgrep", "READINESS_SEMGREP")

    def detect_version(self) -> str | None:
        return process.tool_version(self._executable, self.name, _ENV, _VERSION)

    def inputs(self, repo: Repo) -> Sequence[str]:
        return [path for path in repo.paths if path.endswith(CODE_SUFFIXES)]

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[MatchList, str]:
        """Semgrep over ``files``, in as many runs as the command line needs (one for most
        repositories), all within ``timeout``. The files are named on the command line, never
        found by walking a folder: a `.semgrepignore` in the tree would otherwise decide what the
        gate reads."""
        assert self._executable is not None
        deadline = time.monotonic() + timeout
        templates = message_templates(self.rules)
        matches: list[Match] = []
        errors: list[str] = []
        for batch in batches(files):
            found, lost = self._scan_batch(repo, batch, deadline, timeout, templates)
            matches += found
            errors += lost
        summary = f"{len(matches)} match(es) in {len(files)} file(s)"
        unanalysed = unanalysed_files(errors)
        if errors:
            summary += f"; {len(unanalysed) or len(errors)} file(s) not analysed ({errors[0]})"
        return MatchList(matches, unanalysed), summary

    def _scan_batch(
        self, repo: Repo, files: Sequence[str], deadline: float, total: float, templates: Mapping[str, str]
    ) -> tuple[list[Match], list[str]]:
        assert self._executable is not None
        argv = [
            self._executable,
            "scan",
            "--metrics=off",
            "--disable-version-check",
            "--json",
            "--quiet",
            # A `nosemgrep` comment is written by the author of the change under review: it may
            # not silence the rules behind the gate (a suppression goes through a waiver).
            "--disable-nosem",
            "--timeout",
            str(self.per_file_timeout),
            # One job per CPU this process may use (a container's limit, not the host's count).
            "--jobs",
            str(
                max(
                    1,
                    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
                )
            ),
            "--config",
            str(self.rules),
            "--",
            *files,
        ]
        completed = process.run_until(
            argv, cwd=repo.root, deadline=deadline, total=total, env=_ENV, name=self.name
        )
        matches, errors = parse(completed.stdout, templates)
        if completed.returncode not in (0, 1):
            reason = errors[0] if errors else process.last_line(completed.stderr)
            raise ScannerError(f"semgrep exited with {completed.returncode}: {reason}")
        return matches, errors


# Bytes of file names per semgrep run: far under Linux's ARG_MAX (2 MiB, shared with the
# environment) and macOS's 1 MiB, so a tree of any size never meets "Argument list too long".
MAX_ARGUMENT_BYTES = 256 * 1024


def batches(files: Sequence[str], limit: int = MAX_ARGUMENT_BYTES) -> list[list[str]]:
    """``files`` in order, cut into runs whose names (with their terminating NULs) fit ``limit``."""
    cut: list[list[str]] = []
    current: list[str] = []
    size = 0
    for path in files:
        cost = len(os.fsencode(path)) + 1
        if current and size + cost > limit:
            cut.append(current)
            current, size = [], 0
        current.append(path)
        size += cost
    if current:
        cut.append(current)
    return cut


def unanalysed_files(errors: Sequence[str]) -> dict[str, str]:
    """Per-target errors (``path: reason``, as :func:`parse` words them) by file."""
    found: dict[str, str] = {}
    for error in errors:
        path, _, reason = error.partition(": ")
        if path and path != "?":
            found.setdefault(path, reason)
    return found


_SUFFIXES = {
    "go": (".go",),
    "python": (".py",),
    "javascript": (".js", ".mjs", ".cjs", ".jsx"),
    "typescript": (".ts", ".tsx"),
}


@functools.cache
def rule_suffixes(rules: Path) -> dict[str, tuple[str, ...]]:
    """The file suffixes each rule reads, from its ``languages``: which lost files it would have seen."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(rules.rglob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in document.get("rules") or []:
            if isinstance(rule, dict) and "id" in rule:
                languages = rule.get("languages") or []
                found[str(rule["id"])] = tuple(s for lang in languages for s in _SUFFIXES.get(str(lang), ()))
    return found


_METAVARIABLE = re.compile(r"\$[A-Z_][A-Z0-9_]*")


def message_templates(rules: Path) -> dict[str, str]:
    """Each rule's message as written (`route $PATH handled by $H`), by rule id."""
    found: dict[str, str] = {}
    for path in sorted(rules.rglob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in document.get("rules") or []:
            if isinstance(rule, dict) and isinstance(rule.get("message"), str):
                found[str(rule["id"])] = rule["message"]
    return found


@functools.lru_cache(maxsize=1024)
def _template_pattern(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names = tuple(_METAVARIABLE.findall(template))
    pieces = _METAVARIABLE.split(template.strip())
    groups = [f"(?P<g{index}>.*?)" for index in range(len(names))] + [""]
    regex = "".join(re.escape(piece) + group for piece, group in zip(pieces, groups, strict=True))
    return re.compile("^" + regex + "$", re.S), names


def captures_from(template: str | None, message: str) -> dict[str, str]:
    """What the metavariables captured, read back from the message semgrep interpolated.

    Semgrep's open-source engine no longer reports metavariable bindings in its JSON (they need
    the Pro engine); the message, written with the metavariables in it, is the one channel left.
    Decoding it here, once, against the rule's own template, is what lets the checks read
    captures by name instead of each parsing message strings its own way. A metavariable that
    appears twice in a template must bind the same text; a message that does not fit its template
    (a captured value that contains the template's own words) yields no captures."""
    if not template or "$" not in template:
        return {}
    pattern, names = _template_pattern(template)
    found = pattern.match(message.strip())
    if found is None:
        return {}
    values: dict[str, str] = {}
    for index, name in enumerate(names):
        value = found.group(f"g{index}")
        if values.setdefault(name, value) != value:
            return {}
    return values


def parse(stdout: str, templates: Mapping[str, str] | None = None) -> tuple[list[Match], list[str]]:
    """Semgrep's JSON output → matches and per-target error summaries. Garbage raises ScannerError."""
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        raise ScannerError(
            f"semgrep printed no JSON: {process.last_line(stdout) or 'empty output'}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ScannerError("semgrep output has no results list")
    errors: list[str] = []
    for error in data.get("errors") or []:
        if not isinstance(error, dict):
            continue
        message = str(error.get("message") or error.get("type") or "error").splitlines()[0][:200]
        # A rule error means the scan itself is unsound; a target error only loses one file.
        if error.get("level") == "error" and not error.get("path"):
            raise ScannerError(f"semgrep rule error: {message}")
        errors.append(f"{error.get('path', '?')}: {message}")
    matches = []
    for result in data["results"]:
        try:
            matches.append(
                Match(
                    rule=str(result["check_id"]).rsplit(".", 1)[-1],
                    path=str(result["path"]),
                    line=int(result["start"]["line"]),
                    end_line=int(result["end"]["line"]),
                    message=str(result.get("extra", {}).get("message", "")),
                    metadata=dict(result.get("extra", {}).get("metadata") or {}),
                    captures=captures_from(
                        (templates or {}).get(str(result["check_id"]).rsplit(".", 1)[-1]),
                        str(result.get("extra", {}).get("message", "")),
                    ),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise ScannerError("semgrep output has a malformed result") from None
    return matches, errors
