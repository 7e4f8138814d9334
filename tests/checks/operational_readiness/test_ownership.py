from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

ON_CALL = "operational-readiness/on-call"
CODEOWNERS = "operational-readiness/codeowners"

ON_CALL_DOC = """
# On-call

Primary: PagerDuty schedule "adtech-primary", acknowledge within 5 minutes.
Secondary: paged automatically after 15 minutes.
Escalate to @eng-lead, then the CTO, for SEV1.
"""

README_WITH_SECTION = """
# Bidder

Build with make.

## Escalation path

1. Page the primary through Opsgenie.
2. After 15 minutes, the secondary.
3. After 30 minutes, the engineering manager.

## Development
Run tests.
"""

STUB = "# Oncall\n\nTBD\n"

ON_CALL_CASES = [
    ("dedicated document", {"docs/on-call.md": ON_CALL_DOC}, Outcome.PASS, [("docs/on-call.md", 1)]),
    ("section of the README", {"README.md": README_WITH_SECTION}, Outcome.PASS, [("README.md", 5)]),
    ("stub", {"docs/ONCALL.md": STUB}, Outcome.FAIL, [("docs/ONCALL.md", 1)]),
    ("nothing", {"README.md": "# Bidder\n\nBuild with make.\n"}, Outcome.FAIL, [(None, None)]),
]


@pytest.mark.parametrize(
    ("files", "outcome", "expected"), [c[1:] for c in ON_CALL_CASES], ids=[c[0] for c in ON_CALL_CASES]
)
def test_on_call(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    result = run_check(ON_CALL, write_tree(tmp_path, files))
    assert result.outcome is outcome
    if outcome is Outcome.PASS:
        assert [(e.path, e.line) for e in result.evidence] == expected
    else:
        assert locations(result) == expected
        assert "who to page" in result.failures[0].message
        assert "on-call/escalation" in (result.failures[0].evidence[-1].note or "")


CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bidder
spec:
  type: service
  owner: group:adtech-platform
"""

CODEOWNERS_CASES = [
    (
        ".github/CODEOWNERS",
        {".github/CODEOWNERS": "# owners\n\n* @acme/adtech\n/bidder/ @acme/bidding\n"},
        Outcome.PASS,
        [(".github/CODEOWNERS", 3)],
    ),
    ("e-mail owner at the root", {"CODEOWNERS": "*.go dev@acme.io\n"}, Outcome.PASS, [("CODEOWNERS", 1)]),
    ("backstage catalog", {"catalog-info.yaml": CATALOG}, Outcome.PASS, [("catalog-info.yaml", 7)]),
    (
        "only comments and ownerless patterns",
        {"docs/CODEOWNERS": "# TODO: owners\n/vendor/\n"},
        Outcome.FAIL,
        [("docs/CODEOWNERS", 1)],
    ),
    ("nothing", {"README.md": "# x\n"}, Outcome.FAIL, [(None, None)]),
]


@pytest.mark.parametrize(
    ("files", "outcome", "expected"), [c[1:] for c in CODEOWNERS_CASES], ids=[c[0] for c in CODEOWNERS_CASES]
)
def test_codeowners(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    result = run_check(CODEOWNERS, write_tree(tmp_path, files))
    assert result.outcome is outcome
    if outcome is Outcome.PASS:
        assert [(e.path, e.line) for e in result.evidence] == expected
    else:
        assert locations(result) == expected
        assert all(f.severity in (None, Severity.RECOMMENDATION) for f in result.failures)
