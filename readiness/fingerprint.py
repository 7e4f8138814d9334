"""Stable identities for findings, so a finding is recognised across commits.

A fingerprint ignores line numbers (code moves) and depends on the check, the file and the
normalised text of the evidence: the same problem in the same file keeps its identity when
lines are added above it.
"""

from __future__ import annotations

import hashlib
import re

from readiness.model import Finding

_SPACE = re.compile(r"\s+")
_DIGITS_IN_MESSAGE = re.compile(r"\b\d+\b")


def fingerprint(finding: Finding) -> str:
    parts = [finding.check_id]
    for evidence in finding.evidence:
        parts.append(evidence.path or "")
        parts.append(_SPACE.sub(" ", evidence.snippet or evidence.note or "").strip())
    if not any(e.snippet or e.note for e in finding.evidence):
        # Without a snippet the message is the identity; line numbers quoted in it must not count.
        parts.append(_DIGITS_IN_MESSAGE.sub("#", finding.message))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
