from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "disaster-recovery/runbooks"


def page(title: str) -> str:
    return (
        f"# {title}\n\n## Symptoms\nAlert fires.\n\n## Mitigation\n1. Check the dashboard.\n2. Fail over.\n"
    )


FULL_SET = {
    "docs/runbooks/database-down.md": page("TimescaleDB unavailable"),
    "docs/runbooks/redis-down.md": page("Redis unavailable"),
    "docs/runbooks/bidder-timeouts.md": page("Bidders timing out"),
    "docs/runbooks/rollback.md": page("Rolling back a deploy"),
}

ONE_FILE = """
# Runbook

## Postgres is down
Check the primary; promote the replica with `kubectl cnpg promote`.

## Redis is down
The bidder degrades to no frequency capping; restart the StatefulSet.

## Bidder timeouts
Lower `bidder.timeout_ms` via the feature flag.
"""

STUB = "# Runbook\n\nTODO\n"


def test_full_set_covers_every_failure_mode(tmp_path: Path) -> None:
    result = run_check(CHECK, write_tree(tmp_path, FULL_SET))
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [
        ("docs/runbooks/database-down.md", 1),
        ("docs/runbooks/redis-down.md", 1),
        ("docs/runbooks/bidder-timeouts.md", 1),
        ("docs/runbooks/rollback.md", 1),
    ]


CASES = [
    (
        "a single RUNBOOK.md without a rollback section",
        {"RUNBOOK.md": ONE_FILE},
        [(None, None)],
        ["no runbook covers deploy rollback"],
    ),
    (
        "only a Redis page",
        {"ops/runbooks/redis.md": page("Redis")},
        [(None, None)] * 3,
        [
            "no runbook covers database down",
            "no runbook covers upstream/bidder timeouts",
            "no runbook covers deploy rollback",
        ],
    ),
    (
        "no runbooks at all",
        {"README.md": "# Service\n\nRun it with make.\n"},
        [(None, None)],
        ["no runbooks found"],
    ),
    (
        "a stub runbook is reported but does not count",
        {"RUNBOOK.md": STUB},
        [("RUNBOOK.md", 1)],
        ["no runbooks found"],
    ),
]


@pytest.mark.parametrize(("files", "expected", "messages"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_coverage(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[None, None]], messages: list[str]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is Outcome.FAIL
    assert locations(result) == expected
    assert [f.message.split(":")[0] for f in result.failures] == messages
    assert all(f.evidence[-1].note for f in result.failures)


def test_coverage_is_found_by_heading(tmp_path: Path) -> None:
    text = ONE_FILE + "\n## Rolling back\nkubectl rollout undo deployment/bidder\n"
    result = run_check(CHECK, write_tree(tmp_path, {"RUNBOOK.md": text}))
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line, e.note) for e in result.evidence] == [
        ("RUNBOOK.md", 3, "covers database down"),
        ("RUNBOOK.md", 6, "covers Redis down"),
        ("RUNBOOK.md", 9, "covers upstream/bidder timeouts"),
        ("RUNBOOK.md", 12, "covers deploy rollback"),
    ]
