"""Inline suppressions (`// nosemgrep`) in the code under review: waivers nobody approved.

Semgrep runs with ``--disable-nosem``, so a comment on the offending line silences nothing by
itself. This module finds those comments so the report can say where each one is, and so the
policy can honour one for a check the gating policy lists in ``inline_suppressions`` (and only
then). A comment covers its own line and, written on a line of its own, the line after it: the
placement semgrep itself accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from readiness.model import Evidence, Waiver
from readiness.repo import Repo

# `nosemgrep`, `nosem`, optionally `: rule-id, other-id`, after a comment marker of any language.
_COMMENT = re.compile(
    rb"(?:#|//|/\*|--|<!--|;)[ \t]*nosem(?:grep)?\b"
    rb"(?:[ \t]*:[ \t]*(?P<ids>[\w.\-/]+(?:[ \t]*,[ \t]*[\w.\-/]+)*))?",
    re.IGNORECASE,
)
_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class InlineSuppression:
    path: str
    line: int
    rules: tuple[str, ...]  # the rule ids it names; empty: every rule
    own_line: bool  # the comment is the whole line, so it covers the next line too

    def covers(self, evidence: Evidence, rule_ids: Sequence[str]) -> bool:
        if evidence.path != self.path or evidence.line is None:
            return False
        if evidence.line != self.line and not (self.own_line and evidence.line == self.line + 1):
            return False
        # Rule ids may be written bare or with semgrep's dotted prefix.
        return not self.rules or any(
            named == rule or named.endswith("." + rule) for named in self.rules for rule in rule_ids
        )

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def waiver(self, check_id: str) -> Waiver:
        """The waiver this comment amounts to where the gating policy allows it for the check."""
        return Waiver(
            check=check_id,
            reason=f"nosemgrep comment at {self.where}, allowed by inline_suppressions",
            owner="(inline comment)",
            expires=dt.date.max,
            paths=(self.path,),
        )


def find(repo: Repo, paths: Iterable[str] | None = None) -> list[InlineSuppression]:
    """Every inline suppression comment in the indexed files (read raw, not through the cache:
    most files have none, and the scan should not hold all of them in memory for this)."""
    found: list[InlineSuppression] = []
    for path in repo.paths if paths is None else paths:
        try:
            with open(repo.root / path, "rb") as handle:
                data = handle.read(_MAX_BYTES)
        except OSError:
            continue
        if b"nosem" not in data.lower():
            continue
        for number, raw in enumerate(data.splitlines(), start=1):
            match = _COMMENT.search(raw)
            if match is None:
                continue
            ids = match.group("ids")
            rules = tuple(r.strip() for r in ids.decode("ascii", "replace").split(",")) if ids else ()
            found.append(InlineSuppression(path, number, rules, own_line=not raw[: match.start()].strip()))
    return found
