"""The last line of defence against secrets in what readiness writes.

Checks are supposed to redact secrets themselves, but one check quoting the wrong line would
leak a password into the report, the PR comment, SARIF and the checkpoint artifact. So every
snippet, note, message and summary passes through :func:`scrub` in the engine, before anything
is stored or rendered.
"""

from __future__ import annotations

import dataclasses
import re

from readiness.model import CheckResult, Evidence, Failure, QuestionAnswer

REDACTED = "<redacted>"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host → keep the user and host, drop the password
    (re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@'\"]*:)(?!\$\{?)([^@\s/'\"]+)(@)", re.I), rf"\1{REDACTED}\3"),
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
        REDACTED,
    ),
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), REDACTED),
    (re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{30,}\b"), REDACTED),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), REDACTED),
    (re.compile(r"\b(sk|rk)_live_[A-Za-z0-9]{16,}\b"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), REDACTED),
    (re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]{20,}", re.I), rf"\1{REDACTED}"),
    # NAME=value / name: "value" where the name says secret and the value is a literal
    (
        re.compile(
            r"""(\b[\w.-]*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential)"""
            r"""[\w.-]*["']?\s*(?:=|:|,)\s*["']?)(?!\$|<|\{|\[|os\.|env\b|secretKeyRef)([^\s"',)}]{4,})""",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
)


def scrub(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _evidence(evidence: Evidence) -> Evidence:
    return Evidence(
        path=evidence.path,
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
