"""The last line of defence against secrets in what readiness writes.

Checks are supposed to redact secrets themselves, but one check quoting the wrong line would
leak a password into the report, the PR comment, SARIF and the checkpoint artifact. So every
snippet, note, message and summary passes through :func:`scrub` in the engine, before anything
is stored or rendered, and every evidence path through :func:`path` (a token can be a file's name).
"""

from __future__ import annotations

import dataclasses
import re

from readiness import secret_formats
from readiness.model import CheckResult, Evidence, Failure, QuestionAnswer

REDACTED = secret_formats.REDACTED

# The rules are the secret-format table's (readiness/secret_formats.py), shared with the detector:
# a format one knows, the other knows. (id, pattern) for each entry, in the order they are applied.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((f.id, f.pattern) for f in secret_formats.FORMATS)


def scrub(text: str) -> str:
    return secret_formats.redact(text)


def path(value: str) -> str:
    """A repository path with any token-shaped part of it cut: a file's name can be the secret."""
    return secret_formats.redact_path(value)


def _evidence(evidence: Evidence) -> Evidence:
    return Evidence(
        path=path(evidence.path) if evidence.path else evidence.path,
        line=evidence.line,
        snippet=scrub(evidence.snippet) if evidence.snippet else evidence.snippet,
        note=scrub(evidence.note) if evidence.note else evidence.note,
    )


def result(raw: CheckResult) -> CheckResult:
    """A check result with every piece of text scrubbed."""
    return dataclasses.replace(
        raw,
        failures=tuple(
            Failure(scrub(f.message), tuple(_evidence(e) for e in f.evidence), f.severity)
            for f in raw.failures
        ),
        evidence=tuple(_evidence(e) for e in raw.evidence),
        summary=scrub(raw.summary),
    )


def answer(raw: QuestionAnswer) -> QuestionAnswer:
    """An answer with its reasoning and evidence scrubbed (they quote the checks' text)."""
    return dataclasses.replace(
        raw, reasoning=scrub(raw.reasoning), evidence=tuple(_evidence(e) for e in raw.evidence)
    )
