from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "compliance/retention"

HYPERTABLE = """
CREATE TABLE bid_events (
    ts timestamptz NOT NULL,
    price numeric
);
SELECT create_hypertable('bid_events', 'ts');
"""

RETENTION_POLICY = "SELECT add_retention_policy('public.bid_events', INTERVAL '30 days');\n"

USERS = """
CREATE TABLE IF NOT EXISTS "users" (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    created_at timestamptz
);
"""

PG_CRON = """
SELECT cron.schedule('purge-users', '0 3 * * *', $$
    DELETE FROM users WHERE created_at < now() - interval '1 year'
$$);
"""

ALTER_ADDS_IP = "ALTER TABLE publishers ADD COLUMN client_ip inet;\n"
PUBLISHERS = "CREATE TABLE publishers (\n    id bigint PRIMARY KEY,\n    name text\n);\n"

DROP_CHUNKS_CRONJOB = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: drop-chunks
spec:
  schedule: "0 4 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: psql
              image: postgres:16
              args: ["psql", "-c", "SELECT drop_chunks('bid_events', INTERVAL '30 days')"]
"""

CASES = [
    (
        "hypertable with a retention policy",
        {"db/001.sql": HYPERTABLE, "db/002.sql": RETENTION_POLICY},
        Outcome.PASS,
        [("db/002.sql", 1)],
    ),
    ("hypertable without one", {"db/001.sql": HYPERTABLE}, Outcome.FAIL, [("db/001.sql", 5)]),
    (
        "hypertable pruned by a drop_chunks CronJob",
        {"db/001.sql": HYPERTABLE, "k8s/prune.yaml": DROP_CHUNKS_CRONJOB},
        Outcome.PASS,
        [("k8s/prune.yaml", 14)],
    ),
    (
        "personal data without deletion",
        {"migrations/001_users.sql": USERS},
        Outcome.FAIL,
        [("migrations/001_users.sql", 1)],
    ),
    (
        "personal data deleted by pg_cron",
        {"migrations/001_users.sql": USERS, "migrations/002_cron.sql": PG_CRON},
        Outcome.PASS,
        [("migrations/002_cron.sql", 1)],
    ),
    (
        "personal column added by ALTER TABLE",
        {"sql/001.sql": PUBLISHERS, "sql/002.sql": ALTER_ADDS_IP},
        Outcome.FAIL,
        [("sql/001.sql", 1)],
    ),
    ("nothing to retain", {"sql/001.sql": PUBLISHERS}, Outcome.NOT_APPLICABLE, []),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_retention(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is outcome
    if outcome is Outcome.FAIL:
        assert locations(result) == expected
        assert all(
            f.severity is None and f.evidence[-1].note for f in result.failures
        )  # blocker, with absence
    else:
        assert [(e.path, e.line) for e in result.evidence] == expected


def test_messages_name_the_table_and_columns(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/001.sql": HYPERTABLE, "sql/001.sql": PUBLISHERS, "sql/002.sql": ALTER_ADDS_IP})
    result = run_check(CHECK, tmp_path)
    assert [f.message.split(":")[0] for f in result.failures] == [
        "hypertable bid_events has no add_retention_policy and no job drops its old chunks",
        "table publishers holds personal data (client_ip) but nothing deletes old rows",
    ]
