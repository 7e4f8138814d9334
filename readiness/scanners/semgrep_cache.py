"""Semgrep's results per file, kept between runs so a rerun scans only the files that changed.

An entry is valid for one file content (sha256 of its bytes), one role (every rule, or only the
rules that read tests) and one cache key (semgrep's version, every rule file, the adapter's flags
and the test-rule set): open-source semgrep matches within a file, so a file's matches depend on
nothing else. The cache travels inside the checkpoint's JSON, under the same signature, so it obeys
the checkpoint's trust rules: a cache that isn't signed by this machine's key (or restored from an
artifact whose provenance the Action checked) is never read. Only what can be rebuilt is stored —
rule id, lines, message — and a message holding anything secret-looking is not cached at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from readiness import redact
from readiness.results import Match

FORMAT = "semgrep-files-1"


class CacheError(ValueError):
    """A cache document that can't be what this module wrote."""


@dataclass(frozen=True)
class FileResult:
    digest: str
    role: str
    rows: tuple[tuple[str, int, int, str], ...]  # (rule, line, end line, message)

    @classmethod
    def of(cls, digest: str, role: str, matches: Sequence[Match]) -> FileResult:
        rows = tuple(sorted((m.rule, m.line, m.end_line, m.message) for m in matches))
        return cls(digest, role, rows)

    def matches(
        self, path: str, templates: Mapping[str, str], metadata: Mapping[str, Mapping[str, Any]]
    ) -> list[Match]:
        from readiness.scanners.semgrep import captures_from  # the adapter owns message decoding

        return [
            Match(
                rule,
                path,
                line,
                end,
                message,
                dict(metadata.get(rule, {})),
                captures_from(templates.get(rule), message),
            )
            for rule, line, end, message in self.rows
        ]


@dataclass(frozen=True)
class Cache:
    key: str
    files: Mapping[str, FileResult]

    def lookup(self, key: str, path: str, digest: str, role: str) -> FileResult | None:
        entry = self.files.get(path) if key == self.key else None
        return entry if entry is not None and entry.digest == digest and entry.role == role else None

    def to_dict(self) -> dict[str, Any]:
        """The cache as JSON, leaving out every file whose name or messages redaction would
        change: a checkpoint artifact must not carry a secret, and a redacted entry could never
        be found again anyway."""
        files = {
            path: [entry.digest, entry.role, [list(row) for row in entry.rows]]
            for path, entry in sorted(self.files.items())
            if redact.path(path) == path and all(redact.scrub(row[3]) == row[3] for row in entry.rows)
        }
        return {"format": FORMAT, "key": self.key, "files": files}

    @classmethod
    def from_dict(cls, data: Any) -> Cache:
        """Strictly parsed: anything off raises CacheError (the caller then scans everything)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("key"), str):
            raise CacheError("not a semgrep file cache")
        files = data.get("files")
        if not isinstance(files, dict):
            raise CacheError("semgrep cache: files is not an object")
        parsed: dict[str, FileResult] = {}
        for path, entry in files.items():
            if not (
                isinstance(entry, list) and len(entry) == 3 and all(isinstance(v, str) for v in entry[:2])
            ):
                raise CacheError(f"semgrep cache: entry {path!r} is malformed")
            rows = entry[2]
            if not isinstance(rows, list) or not all(_row(row) for row in rows):
                raise CacheError(f"semgrep cache: matches of {path!r} are malformed")
            parsed[path] = FileResult(entry[0], entry[1], tuple((r[0], r[1], r[2], r[3]) for r in rows))
        return cls(data["key"], parsed)


def _row(row: Any) -> bool:
    return (
        isinstance(row, list)
        and len(row) == 4
        and isinstance(row[0], str)
        and all(type(v) is int and v > 0 for v in row[1:3])
        and isinstance(row[3], str)
    )
