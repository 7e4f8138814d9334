from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "operational-readiness/incident-playbook"

COMPLETE = """
# Incident response

Anyone can declare an incident in #incidents.

## Severity levels
| SEV1 | bidding stopped, overspend | page now |
| SEV2 | degraded fill rate | page in hours |

## After the incident
A blameless postmortem within five working days.
"""

NO_SEVERITY = """
# Incident process

Declare it in #incidents and pick a commander.
Update the status page every 30 minutes.
Write a postmortem afterwards.
"""

NO_POSTMORTEM = """
# Incidents

Declare it in #incidents and pick a commander.
P1: bidding down. P2: degraded.
Update the status page every 30 minutes.
"""

POSTMORTEM_TEMPLATE = """
# Postmortem template

## Summary
What happened, impact on publishers and spend.
## Timeline
UTC timestamps from first alert to resolution.
## Root cause
What failed, and why it was possible.
## Action items
Owner and due date for each.
"""

CASES = [
    (
        "complete",
        {"docs/incident-response.md": COMPLETE},
        Outcome.PASS,
        [
            ("docs/incident-response.md", 1),
            ("docs/incident-response.md", 5),
            ("docs/incident-response.md", 10),
        ],
        [],
    ),
    (
        "postmortem in its own template",
        {"docs/incidents.md": NO_POSTMORTEM, "docs/postmortem-template.md": POSTMORTEM_TEMPLATE},
        Outcome.PASS,
        [("docs/incidents.md", 1), ("docs/incidents.md", 4), ("docs/postmortem-template.md", 1)],
        [],
    ),
    (
        "no severity levels",
        {"docs/process/incident.md": NO_SEVERITY},
        Outcome.FAIL,
        [("docs/process/incident.md", 1)],
        ["defines no severity levels"],
    ),
    (
        "no postmortem",
        {"INCIDENTS.md": NO_POSTMORTEM},
        Outcome.FAIL,
        [("INCIDENTS.md", 1)],
        ["has no postmortem step"],
    ),
    (
        "absent",
        {"README.md": "# x\n\nsome\ntext\nhere\n"},
        Outcome.FAIL,
        [(None, None)],
        ["no incident response process"],
    ),
]


@pytest.mark.parametrize(
    ("files", "outcome", "expected", "messages"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_incident_playbook(
    tmp_path: Path,
    files: dict[str, str],
    outcome: Outcome,
    expected: list[tuple[str | None, int | None]],
    messages: list[str],
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is outcome
    if outcome is Outcome.PASS:
        assert [(e.path, e.line) for e in result.evidence] == expected
    else:
        assert locations(result) == expected
        assert [m in f.message for f, m in zip(result.failures, messages, strict=True)] == [True] * len(
            messages
        )
