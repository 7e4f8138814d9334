"""Database backups: is the Postgres/TimescaleDB data backed up, and has anyone restored it?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.documents import (
    containers,
    find_documents,
    job_commands,
    k8s_api_group,
    missing_document,
    sql_paths,
)
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import Repo

_TIMESCALE_EXTENSION = re.compile(r"create\s+extension\s+(if\s+not\s+exists\s+)?[\"']?timescaledb\b", re.I)
# Tools that take or restore Postgres backups, on a line that is not a shell comment (a job's
# script says what it runs line by line; `# TODO: pg_dump` runs nothing).
_NOT_COMMENT = r"^(?!\s*#).*"
_BACKUP_TOOL = re.compile(
    rf"{_NOT_COMMENT}\b(pg_dump|pg_dumpall|pg_basebackup|pgbackrest|wal-g|barman)\b", re.I | re.M
)
_RESTORE_TOOL = re.compile(
    # `pg_restore --list` only reads an archive's table of contents: a sanity check, not a restore.
    rf"{_NOT_COMMENT}(\bpg_restore\b(?!.*\s(--list|-l)\b)|\bpgbackrest\b.*\brestore\b|\bwal-g\s+backup-fetch\b"
    r"|\bbarman\s+recover\b|\bpsql\b.*(<|\s-f\s*|--file[= ])\s*\S*(dump|backup))",
    re.I | re.M,
)
# Operator objects that back a database up: (kind, API group, the spec key that turns backups on),
# where no key means the object itself is a backup schedule.
_BACKUP_OBJECTS: list[tuple[str, str, str | None]] = [
    ("ScheduledBackup", "postgresql.cnpg.io", None),
    ("Schedule", "velero.io", None),
    ("Cluster", "postgresql.cnpg.io", "backup"),
    ("postgresql", "acid.zalan.do", "enableLogicalBackup"),
    ("PostgresCluster", "postgres-operator.crunchydata.com", "backups"),
]
_ABOUT_BACKUPS = re.compile(r"backup|dump|snapshot|\bwal\b|pg_|postgres|timescale|database|barman", re.I)
_RESTORE_SUBJECT = re.compile(r"\b(restore|restoring|recovery from backup|point in time recovery|pitr)\b")


def _is_postgres(image: str) -> bool:
    last = image.rsplit("/", 1)[-1]
    return last in ("postgres", "postgresql", "postgis") or last.startswith("timescaledb")


def databases(repo: Repo) -> list[Evidence]:
    """Where a Postgres or TimescaleDB is run or required: images, operator clusters, extensions."""
    found = [
        repo.evidence(c.path, c.image_line, note=c.owner)
        for c in containers(repo)
        if _is_postgres(c.image_name)
    ]
    for obj in repo.k8s_objects():
        group = k8s_api_group(obj)
        if (obj.kind, group) in (("Cluster", "postgresql.cnpg.io"), ("postgresql", "acid.zalan.do")) or (
            obj.kind == "PostgresCluster" and group == "postgres-operator.crunchydata.com"
        ):
            found.append(repo.evidence(obj.path, obj.line, note=f"{obj.kind} {obj.name!r}"))
    found += [
        repo.evidence(m.path, m.line, note="TimescaleDB extension")
        for m in repo.search(_TIMESCALE_EXTENSION, sql_paths(repo))
    ]
    return found


def backups(repo: Repo) -> list[Evidence]:
    """Mechanisms that take backups on their own: scheduled jobs, backup tools' configs, operators."""
    found = [
        repo.evidence(
            command.path, command.line_of(repo, _BACKUP_TOOL), note=f"{command.origin} runs a backup"
        )
        for command in job_commands(repo)
        if command.scheduled and _BACKUP_TOOL.search(command.text)
    ]
    found += [
        repo.evidence(path, None, note="pgBackRest configuration") for path in repo.named("pgbackrest.conf")
    ]
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        for kind, group, key in _BACKUP_OBJECTS:
            if obj.kind != kind or k8s_api_group(obj) != group:
                continue
            if key is None:
                found.append(repo.evidence(obj.path, obj.line, note=f"{obj.kind} {obj.name!r}"))
            elif isinstance(spec, YMap) and spec.get(key) not in (None, False, {}):
                found.append(
                    repo.evidence(obj.path, spec.line_of(key), note=f"{obj.kind} {obj.name!r} backs up")
                )
    return found


@check(
    id="disaster-recovery/database-backups",
    question=seed.DB_BACKUPS,
    title="Postgres/TimescaleDB is backed up on a schedule",
    severity=Severity.BLOCKER,
    rationale="""
        Without a scheduled backup a dropped table, a bad migration, a corrupted volume or a
        lost region is permanent: the bid, spend and reporting history cannot be rebuilt. A
        volume snapshot taken by hand once is not a strategy; the backup must run on its own.
    """,
    looks_at="""
        Databases: `postgres`, `timescale/timescaledb*`, `bitnami/postgresql` and `postgis/postgis`
        images in Kubernetes and compose files, CloudNativePG `Cluster`, Zalando `postgresql` and
        Crunchy `PostgresCluster` objects, and `CREATE EXTENSION timescaledb` in SQL migrations.
        Backups: CronJobs and scheduled GitHub workflows running pg_dump, pg_dumpall,
        pg_basebackup, pgBackRest, WAL-G or Barman; `pgbackrest.conf`; CloudNativePG
        `ScheduledBackup` or `Cluster.spec.backup`; Velero `Schedule`; Zalando
        `enableLogicalBackup`; Crunchy `spec.backups.pgbackrest`.
    """,
    remediation="""
        Run continuous WAL archiving plus scheduled base backups to object storage in another
        region (CloudNativePG `spec.backup.barmanObjectStore` with a `ScheduledBackup`, or
        pgBackRest/WAL-G), or at the very least a nightly `pg_dump` CronJob that uploads off-site.
        Managed databases: note the provider's backup settings in the repository.
    """,
    example="""
        apiVersion: postgresql.cnpg.io/v1
        kind: ScheduledBackup
        metadata: {name: timescale-nightly}
        spec:
          schedule: "0 0 3 * * *"
          cluster: {name: timescale}
    """,
    core=True,
)
def database_backups(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    found_databases = databases(repo)
    if not found_databases:
        return CheckResult.not_applicable("no Postgres or TimescaleDB found")
    found_backups = backups(repo)
    if found_backups:
        return CheckResult.passed(f"{len(found_backups)} backup mechanism(s) found", *found_backups)
    where = ", ".join(e.location() for e in found_databases[:3]) + (
        f" and {len(found_databases) - 3} more" if len(found_databases) > 3 else ""
    )
    absent = Evidence.absent(
        "no scheduled job running pg_dump/pg_basebackup/pgbackrest/wal-g/barman, no pgbackrest.conf, "
        "no CloudNativePG ScheduledBackup or Cluster.spec.backup, no Velero Schedule"
    )
    message = (
        f"the database at {where} has no backup mechanism: data lost to a bad migration or volume is gone"
    )
    return CheckResult.failed([Failure(message, (*found_databases, absent))])


@check(
    id="disaster-recovery/restore-tested",
    question=seed.DB_BACKUPS,
    title="Database restores are documented or exercised",
    severity=Severity.RISK,
    rationale="""
        A backup nobody has restored is a hope, not a backup: archives turn out to be empty,
        encrypted with a lost key, or take nine hours to load. Under incident pressure the
        restore steps must already be written down, or better, run regularly by a job.
    """,
    looks_at="""
        When a database and a backup mechanism exist: documents or sections whose path or heading
        names restore/recovery (with at least a few lines of content), and Jobs, CronJobs or
        workflow steps running pg_restore, `pgbackrest restore`, `wal-g backup-fetch`,
        `barman recover` or psql loading a dump.
    """,
    remediation="""
        Write a restore runbook (where backups live, the exact commands, how long it takes, how
        to verify the data) and schedule a job that restores the latest backup into a scratch
        database and runs a sanity query.
    """,
    example="""
        # docs/runbooks/restore-timescaledb.md
        ## Restore the latest base backup
        1. kubectl cnpg ... / pgbackrest --stanza=main restore
    """,
)
def restore_tested(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    if not databases(repo):
        return CheckResult.not_applicable("no Postgres or TimescaleDB found")
    documents = find_documents(repo, _RESTORE_SUBJECT, any_heading=True)
    # "Restore service" in an incident guide is not a database restore: the text must be about backups.
    found = [
        m.evidence(repo)
        for m in documents
        if m.substantial and any(_ABOUT_BACKUPS.search(text) for _, text in m.lines(repo))
    ]
    found += [
        repo.evidence(c.path, c.line_of(repo, _RESTORE_TOOL), note=f"{c.origin} restores a backup")
        for c in job_commands(repo)
        if _RESTORE_TOOL.search(c.text)
    ]
    if found:
        return CheckResult.passed("a restore procedure is written down or exercised", *found)
    if not backups(repo):
        return CheckResult.not_applicable(
            "no backup mechanism to restore from (see disaster-recovery/database-backups)"
        )
    evidence = missing_document(repo, "restore document or section about backups", documents)
    message = "backups are taken but no restore procedure is written down and no job runs a restore test"
    return CheckResult.failed(
        [Failure(message, (*evidence, Evidence.absent("no job runs pg_restore or equivalent")))]
    )
