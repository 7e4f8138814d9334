"""Semgrep: every code rule of every category, in one pass over the repository's source files.

Offline by construction: local rule files only, metrics and version checks off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from readiness.facts.production import Kind, generated_name, is_generated, is_production, kind
from readiness.repo import Repo
from readiness.results import Match, MatchList
from readiness.scanners import process
from readiness.scanners.base import Scanner, ScannerError, ScanSettings, rules_root
from readiness.scanners.semgrep_cache import Cache, FileResult

CODE_SUFFIXES = (".go", ".py", ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx")
_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
_VERSION = re.compile(r"(\d+\.\d+\.\d+)")


class Semgrep(Scanner):
    name = "semgrep"
    program, program_variable = "semgrep", "READINESS_SEMGREP"
    empty_result: MatchList = MatchList()  # never mutated: every reader only reads

    def __init__(self, rules: Path | None = None, per_file_timeout: int = 30) -> None:
        self.rules = rules or rules_root()
        self.per_file_timeout = per_file_timeout
        self._executable = process.find(self.program, self.program_variable)

    def detect_version(self) -> str | None:
        return process.tool_version(self._executable, self.name, _ENV, _VERSION)

    def inputs(self, repo: Repo) -> Sequence[str]:
        return [path for path in repo.paths if path.endswith(CODE_SUFFIXES)]

    def plan(self, repo: Repo, settings: ScanSettings) -> Plan:
        """Which code files semgrep reads, with which rules: production code with every rule;
        tests, fixtures and examples only with the rules a check reads there; vendored code and
        generated stubs not at all (the facts layer's one production-code rule decides, so what
        is scanned is exactly what is judged)."""
        everything: list[str] = []
        tests: list[str] = []
        skipped: dict[str, int] = {}
        for path in self.targets_of(repo, settings):
            if kind(path) is Kind.VENDORED:
                reason = "vendored code"
            elif not is_production(path, settings.test_paths):
                if settings.test_rules:
                    tests.append(path)
                    continue
                reason = "tests, fixtures and examples (no check reads them)"
            elif generated_name(path) and is_generated(path, repo.text(path)[:4096]):
                reason = "generated stubs"
            else:
                everything.append(path)
                continue
            skipped[reason] = skipped.get(reason, 0) + 1
        return Plan(everything, tests, frozenset(settings.test_rules), skipped)

    def targets_of(self, repo: Repo, settings: ScanSettings) -> list[str]:
        return super().targets(repo, settings)

    def targets(self, repo: Repo, settings: ScanSettings) -> list[str]:
        chosen = self.plan(repo, settings)
        return [*chosen.everything, *chosen.tests]

    def invocations(
        self, repo: Repo, settings: ScanSettings, rules_subset: Path | None = None
    ) -> list[list[str]]:
        """The semgrep command lines a cold scan runs (for benchmarks that time semgrep alone);
        ``rules_subset`` is where the test-rule subset file is written."""
        chosen = self.plan(repo, settings)
        scratch = rules_subset or Path(tempfile.mkdtemp(prefix="readiness-rules-"))
        fresh = {ALL_RULES: chosen.everything, TEST_RULES: chosen.tests}
        return [self._argv(config, batch) for config, batch in self._runs(fresh, chosen.test_rules, scratch)]

    def _runs(
        self, fresh: Mapping[str, list[str]], test_rules: frozenset[str], scratch: Path
    ) -> list[tuple[Path, list[str]]]:
        """(rule config, files) per semgrep run: each role's files in batches, with only the rules
        that can match them (a subset file in ``scratch`` when that is not every rule)."""
        runs: list[tuple[Path, list[str]]] = []
        for role, files in fresh.items():
            wanted = self.rules_for(files, test_rules if role == TEST_RULES else None)
            if not files or not wanted:
                continue
            config = self.rules
            if wanted != frozenset(rule_suffixes(self.rules)):
                config = write_rule_subset(self.rules, wanted, scratch / f"{role}.yaml")
            runs += [(config, batch) for batch in batches(files)]
        return runs

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[MatchList, str]:
        """Semgrep with every rule over ``files`` (no cache, no test split): for callers that
        choose the files themselves."""
        everything, summary, _state = self._scan_plan(
            repo, Plan(list(files), [], frozenset(), {}), timeout, None
        )
        return everything, summary

    def scan_with(
        self, repo: Repo, files: Sequence[str], timeout: float, settings: ScanSettings
    ) -> tuple[Any, str, Any]:
        chosen = self.plan(repo, settings)
        previous = settings.previous if isinstance(settings.previous, Cache) else None
        return self._scan_plan(repo, chosen, timeout, previous)

    def rules_for(self, files: Sequence[str], only: frozenset[str] | None) -> frozenset[str]:
        """The rules that can match any of ``files`` (a rule reads only its languages' files), of
        ``only`` when given. Semgrep spends seconds reading and validating every rule it is
        given before it reads one file: a rerun over five Go files need not load the Python and
        JavaScript rules."""
        suffixes = tuple({path[path.rfind(".") :] for path in files})
        return frozenset(
            rule
            for rule, reads in rule_suffixes(self.rules).items()
            if (only is None or rule in only) and any(suffix in reads for suffix in suffixes)
        )

    def cache_key(self, test_rules: frozenset[str]) -> str:
        """What a cached per-file result depends on besides the file: semgrep's version, every
        rule file, the flags this adapter passes, and which rules run over test files."""
        digest = hashlib.sha256(f"{self.version()}\0{_ADAPTER_REVISION}\0{self.per_file_timeout}\0".encode())
        for path in sorted(self.rules.rglob("*.yaml")):
            digest.update(path.relative_to(self.rules).as_posix().encode() + b"\0" + path.read_bytes())
        digest.update("\0".join(sorted(test_rules)).encode())
        return digest.hexdigest()

    def _scan_plan(
        self, repo: Repo, chosen: Plan, timeout: float, previous: Cache | None
    ) -> tuple[MatchList, str, Cache]:
        """Semgrep over a plan, in as many runs as the command line needs, all within ``timeout``.
        Files are named on the command line, never found by walking a folder: a `.semgrepignore`
        in the tree would otherwise decide what the gate reads. A file whose content, role and
        rule set match ``previous`` is not scanned again: its cached matches stand in."""
        assert self._executable is not None
        deadline = time.monotonic() + timeout
        templates = message_templates(self.rules)
        metadata = rule_metadata(self.rules)
        key = self.cache_key(chosen.test_rules)
        roles = {path: ALL_RULES for path in chosen.everything} | {path: TEST_RULES for path in chosen.tests}
        digests = {path: file_digest(repo, path) for path in roles}
        reused: list[Match] = []
        fresh: dict[str, list[str]] = {ALL_RULES: [], TEST_RULES: []}
        kept: dict[str, FileResult] = {}
        for path, role in roles.items():
            entry = previous.lookup(key, path, digests[path], role) if previous is not None else None
            if entry is None:
                fresh[role].append(path)
                continue
            kept[path] = entry
            reused += entry.matches(path, templates, metadata)
        matches: list[Match] = []
        errors: list[str] = []
        with tempfile.TemporaryDirectory(prefix="readiness-rules-") as scratch:
            for config, batch in self._runs(fresh, chosen.test_rules, Path(scratch)):
                found, lost = self._scan_batch(repo, config, batch, deadline, timeout, templates)
                matches += found
                errors += lost
        unanalysed = unanalysed_files(errors)
        by_path: dict[str, list[Match]] = {}
        for match in matches:
            by_path.setdefault(match.path, []).append(match)
        for role, files in fresh.items():
            for path in files:
                if path not in unanalysed:  # a lost file is tried again next time, never cached
                    kept[path] = FileResult.of(digests[path], role, by_path.get(path, []))
        every = matches + reused
        scanned = sum(len(files) for files in fresh.values())
        summary = f"{len(every)} match(es) in {len(roles)} file(s)"
        if len(chosen.tests):
            summary += f" ({len(chosen.tests)} of them tests, read only by the rules that judge tests)"
        if previous is not None:
            summary += f"; {len(roles) - scanned} unchanged file(s) taken from the cache"
        if chosen.skipped:
            summary += "; not read: " + ", ".join(f"{n} {why}" for why, n in sorted(chosen.skipped.items()))
        if errors:
            summary += f"; {len(unanalysed) or len(errors)} file(s) not analysed ({errors[0]})"
        found = MatchList(sorted(every, key=_order), unanalysed, chosen.skipped)
        return found, summary, Cache(key, kept)

    def _argv(self, config: Path, files: Sequence[str]) -> list[str]:
        assert self._executable is not None
        return [
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
            str(config),
            "--",
            *files,
        ]

    def _scan_batch(
        self,
        repo: Repo,
        config: Path,
        files: Sequence[str],
        deadline: float,
        total: float,
        templates: Mapping[str, str],
    ) -> tuple[list[Match], list[str]]:
        argv = self._argv(config, files)
        completed = process.run_until(
            argv, cwd=repo.root, deadline=deadline, total=total, env=_ENV, name=self.name
        )
        matches, errors = parse(completed.stdout, templates)
        if completed.returncode not in (0, 1):
            reason = errors[0] if errors else process.last_line(completed.stderr)
            raise ScannerError(f"semgrep exited with {completed.returncode}: {reason}")
        return matches, errors


ALL_RULES, TEST_RULES = "all", "tests"  # which rules a file is scanned with
# Bump when a change to this adapter changes what a file's matches are (its flags, the parsing).
_ADAPTER_REVISION = "1"


@dataclass(frozen=True)
class Plan:
    """What a scan reads: files for every rule, files for the test rules only, and what it leaves
    out (why → how many files), which the report's repository section counts."""

    everything: list[str]
    tests: list[str]
    test_rules: frozenset[str]
    skipped: dict[str, int] = field(default_factory=dict)


def _order(match: Match) -> tuple[str, int, str, int]:
    return (match.path, match.line, match.rule, match.end_line)


def file_digest(repo: Repo, path: str) -> str:
    """sha256 of the whole file as semgrep will read it (not truncated like the repo's index)."""
    try:
        return hashlib.sha256((repo.root / path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def write_rule_subset(rules: Path, wanted: frozenset[str], target: Path) -> Path:
    """A rule file holding only the ``wanted`` rules of the shipped ones (for the test-file run)."""
    chosen = []
    for path in sorted(rules.rglob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        chosen += [r for r in document.get("rules") or [] if isinstance(r, dict) and r.get("id") in wanted]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump({"rules": chosen}, sort_keys=False), encoding="utf-8")
    return target


@functools.cache
def rule_metadata(rules: Path) -> dict[str, dict[str, Any]]:
    """Each rule's metadata as written, by id: what semgrep reports with a match, rebuilt for a
    cached one."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(rules.rglob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in document.get("rules") or []:
            if isinstance(rule, dict) and "id" in rule:
                found[str(rule["id"])] = dict(rule.get("metadata") or {})
    return found


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
