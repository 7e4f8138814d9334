"""Semgrep: every code rule of every category, in one pass over the repository's source files.

Offline by construction: local rule files only, metrics and version checks off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from readiness.repo import Repo
from readiness.results import Match
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

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[list[Match], str]:
        assert self._executable is not None
        argv = [
            self._executable,
            "scan",
            "--metrics=off",
            "--disable-version-check",
            "--json",
            "--quiet",
            "--timeout",
            str(self.per_file_timeout),
            "--config",
            str(self.rules),
            "--",
            *files,
        ]
        completed = process.run(argv, cwd=repo.root, timeout=timeout, env=_ENV, name=self.name)
        matches, errors = parse(completed.stdout)
        if completed.returncode not in (0, 1):
            reason = errors[0] if errors else process.last_line(completed.stderr)
            raise ScannerError(f"semgrep exited with {completed.returncode}: {reason}")
        summary = f"{len(matches)} match(es) in {len(files)} file(s)"
        if errors:
            summary += f"; {len(errors)} file(s) could not be analysed ({errors[0]})"
        return matches, summary


def _captures(metavars: Any) -> dict[str, str]:
    """Each metavariable's source text as semgrep bound it (`$PATH` → `"/readyz"`)."""
    if not isinstance(metavars, dict):
        return {}
    return {
        str(name): str(value["abstract_content"])
        for name, value in metavars.items()
        if isinstance(value, dict) and isinstance(value.get("abstract_content"), str)
    }


def parse(stdout: str) -> tuple[list[Match], list[str]]:
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
                    captures=_captures(result.get("extra", {}).get("metavars")),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise ScannerError("semgrep output has a malformed result") from None
    return matches, errors
