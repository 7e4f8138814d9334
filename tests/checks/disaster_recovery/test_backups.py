from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

BACKUPS = "disaster-recovery/database-backups"
RESTORE = "disaster-recovery/restore-tested"

TIMESCALE_STATEFULSET = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: timescale
spec:
  template:
    spec:
      containers:
        - name: db
          image: timescale/timescaledb-ha:pg16
"""

COMPOSE_POSTGRES = """
services:
  db:
    image: docker.io/bitnami/postgresql:16
"""

MIGRATION = """
-- 0001_init.sql
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE TABLE bids (ts timestamptz NOT NULL, price numeric);
"""

BACKUP_CRONJOB = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: pg-backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: dump
              image: postgres:16
              command: ["/bin/sh", "-c"]
              args:
                - |
                  set -eu
                  pg_dump --format=custom "$DATABASE_URL" > /backup/bids.dump
"""

BACKUP_ONE_OFF_JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: pg-backup-once
spec:
  template:
    spec:
      containers:
        - name: dump
          image: alpine:3
          command: ["pg_dump", "-f", "/backup/once.dump"]
"""

CNPG = """
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: timescale
spec:
  instances: 3
  backup:
    barmanObjectStore:
      destinationPath: s3://backups/timescale
"""

CNPG_WITHOUT_BACKUP = """
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: timescale
spec:
  instances: 3
"""

VELERO = """
apiVersion: velero.io/v1
kind: Schedule
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
"""

BACKUP_WORKFLOW = """
name: backup
on:
  schedule:
    - cron: "0 4 * * *"
jobs:
  dump:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo start
          pg_dumpall > all.sql
"""

RESTORE_RUNBOOK = """
# Restoring TimescaleDB from backup

1. Find the latest dump in s3://backups/timescale.
2. Scale the bidder to zero.
3. pg_restore --clean --dbname "$DATABASE_URL" bids.dump
4. Run the sanity query in the appendix.
"""

INCIDENT_GUIDE = """
# Incident guide

## Restore service

1. Page the on-call engineer.
2. Roll back the last deploy.
3. Tell the publishers.
"""

RESTORE_STUB = """
# Restore

TODO
"""

RESTORE_TEST_CRONJOB = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: restore-test
spec:
  schedule: "0 6 * * 0"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: restore
              image: postgres:16
              args: ["pg_restore", "--dbname", "scratch", "/backup/bids.dump"]
"""

SCRIPT_CRONJOB = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: db-backup
spec:
  schedule: "15 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: backup
              image: example/db-backup:1.2.0
              command: ["/usr/local/bin/backup.sh"]
"""

BACKUP_SCRIPT = (
    "#!/bin/sh\nset -eu\n# nightly dump, copied to the DR region\npg_dump --format=custom -f /tmp/db.dump\n"
)
NOOP_SCRIPT = "#!/bin/sh\n# TODO: pg_dump once the bucket exists\necho skipped\n"

BACKUP_CASES = [
    (
        "cronjob runs pg_dump",
        {"k8s/db.yaml": TIMESCALE_STATEFULSET, "k8s/backup.yaml": BACKUP_CRONJOB},
        Outcome.PASS,
        [("k8s/backup.yaml", 18)],
    ),
    ("cnpg cluster with spec.backup", {"k8s/cnpg.yaml": CNPG}, Outcome.PASS, [("k8s/cnpg.yaml", 7)]),
    (
        "velero schedule",
        {"docker-compose.yml": COMPOSE_POSTGRES, "k8s/velero.yaml": VELERO},
        Outcome.PASS,
        [("k8s/velero.yaml", 1)],
    ),
    (
        "scheduled workflow runs pg_dumpall",
        {"db/0001.sql": MIGRATION, ".github/workflows/backup.yml": BACKUP_WORKFLOW},
        Outcome.PASS,
        [(".github/workflows/backup.yml", 11)],
    ),
    (
        "pgbackrest.conf",
        {"docker-compose.yml": COMPOSE_POSTGRES, "ops/pgbackrest.conf": "[main]\npg1-path=/data\n"},
        Outcome.PASS,
        [("ops/pgbackrest.conf", None)],
    ),
    (
        "cronjob runs a script kept in the repository",
        {
            "k8s/db.yaml": TIMESCALE_STATEFULSET,
            "k8s/backup.yaml": SCRIPT_CRONJOB,
            "db/backup/backup.sh": BACKUP_SCRIPT,
        },
        Outcome.PASS,
        [("db/backup/backup.sh", 4)],
    ),
]


@pytest.mark.parametrize(
    ("files", "outcome", "evidence"), [c[1:] for c in BACKUP_CASES], ids=[c[0] for c in BACKUP_CASES]
)
def test_backups_found(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, evidence: list[tuple[str, int | None]]
) -> None:
    result = run_check(BACKUPS, write_tree(tmp_path, files))
    assert result.outcome is outcome
    assert [(e.path, e.line) for e in result.evidence] == evidence


MISSING_CASES = [
    (
        "timescale statefulset, backup only as a one-off Job",
        {"k8s/db.yaml": TIMESCALE_STATEFULSET, "k8s/once.yaml": BACKUP_ONE_OFF_JOB},
        [("k8s/db.yaml", 10)],
    ),
    ("compose postgres", {"docker-compose.yml": COMPOSE_POSTGRES}, [("docker-compose.yml", 3)]),
    (
        "timescale extension in a migration",
        {"migrations/0001_init.sql": MIGRATION},
        [("migrations/0001_init.sql", 2)],
    ),
    ("cnpg cluster without backup", {"k8s/cnpg.yaml": CNPG_WITHOUT_BACKUP}, [("k8s/cnpg.yaml", 1)]),
    (
        "the script only mentions pg_dump in a comment",
        {
            "k8s/db.yaml": TIMESCALE_STATEFULSET,
            "k8s/backup.yaml": SCRIPT_CRONJOB,
            "db/backup/backup.sh": NOOP_SCRIPT,
        },
        [("k8s/db.yaml", 10)],
    ),
]


@pytest.mark.parametrize(
    ("files", "expected"), [c[1:] for c in MISSING_CASES], ids=[c[0] for c in MISSING_CASES]
)
def test_missing_backups_block(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int]]
) -> None:
    result = run_check(BACKUPS, write_tree(tmp_path, files))
    assert result.outcome is Outcome.FAIL
    assert locations(result) == expected
    failure = result.failures[0]
    assert failure.severity is None  # the check's default: blocker
    assert "has no backup mechanism" in failure.message
    assert failure.evidence[-1].path is None and "pg_dump" in (failure.evidence[-1].note or "")


def test_backups_not_applicable_without_database(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker-compose.yml": "services:\n  redis:\n    image: redis:7\n"})
    assert run_check(BACKUPS, tmp_path).outcome is Outcome.NOT_APPLICABLE


BASE = {"k8s/db.yaml": TIMESCALE_STATEFULSET, "k8s/backup.yaml": BACKUP_CRONJOB}

RESTORE_CASES = [
    (
        "restore runbook",
        {**BASE, "docs/runbooks/restore-timescaledb.md": RESTORE_RUNBOOK},
        Outcome.PASS,
        [("docs/runbooks/restore-timescaledb.md", 1)],
    ),
    (
        "restore test cronjob",
        {**BASE, "k8s/restore.yaml": RESTORE_TEST_CRONJOB},
        Outcome.PASS,
        [("k8s/restore.yaml", 14)],
    ),
    (
        "'restore service' in an incident guide is not a database restore",
        {**BASE, "docs/incident.md": INCIDENT_GUIDE},
        Outcome.FAIL,
        [(None, None)],
    ),
    (
        "a stub is not a procedure",
        {**BASE, "docs/restore.md": RESTORE_STUB},
        Outcome.FAIL,
        [("docs/restore.md", 1)],
    ),
    (
        "database without backups: nothing to restore yet",
        {"k8s/db.yaml": TIMESCALE_STATEFULSET},
        Outcome.NOT_APPLICABLE,
        [],
    ),
    ("no database", {"docs/runbooks/restore-timescaledb.md": RESTORE_RUNBOOK}, Outcome.NOT_APPLICABLE, []),
]


@pytest.mark.parametrize(
    ("files", "outcome", "expected"), [c[1:] for c in RESTORE_CASES], ids=[c[0] for c in RESTORE_CASES]
)
def test_restore_tested(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str | None, int | None]]
) -> None:
    result = run_check(RESTORE, write_tree(tmp_path, files))
    assert result.outcome is outcome
    if outcome is Outcome.PASS:
        assert [(e.path, e.line) for e in result.evidence] == expected
    else:
        assert locations(result) == expected
    if outcome is Outcome.FAIL:
        assert "no restore procedure" in result.failures[0].message
        assert result.failures[0].evidence[-1].note == "no job runs pg_restore or equivalent"
