"""Data retention: is old data, personal data above all, actually deleted?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.checks.compliance._personal_data import table_name, tables
from readiness.context import CheckContext
from readiness.facts.documents import balanced, job_commands, line_at, sql_paths
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

_RELATION = r"\(\s*(?:relation\s*=>\s*)?['\"]?([\w.\"]+)"
_CREATE_HYPERTABLE = re.compile(rf"create_hypertable{_RELATION}", re.I)
_RETENTION_POLICY = re.compile(rf"add_retention_policy{_RELATION}", re.I)
_CRON_SCHEDULE = re.compile(r"cron\.schedule\s*\(", re.I)
_DELETE = re.compile(r"delete\s+from\s+(?:only\s+)?([\w.\"]+)", re.I)
_DROP_CHUNKS = re.compile(r"drop_chunks\s*\(", re.I)


def _pruning(repo: Repo, hypertables: set[str]) -> dict[str, Evidence]:
    """Tables something deletes old data from -> evidence: retention policies, pg_cron and CronJobs.

    A `drop_chunks` job that names no hypertable (it loops over all of them) covers every one.
    """
    covered: dict[str, Evidence] = {}
    jobs: list[tuple[str, int, str]] = []  # (path, line, text) of scheduled statements and commands
    for path in sql_paths(repo):
        text = repo.text(path)
        for policy in _RETENTION_POLICY.finditer(text):
            covered.setdefault(
                table_name(policy.group(1)), repo.evidence(path, line_at(text, policy.start()))
            )
        for cron in _CRON_SCHEDULE.finditer(text):
            jobs.append((path, line_at(text, cron.start()), balanced(text, cron.end() - 1)))
    jobs += [(c.path, c.line, c.text) for c in job_commands(repo) if c.scheduled]
    for path, line, text in jobs:
        for delete in _DELETE.finditer(text):
            covered.setdefault(
                table_name(delete.group(1)), repo.evidence(path, line, note="scheduled DELETE")
            )
        if _DROP_CHUNKS.search(text):
            named = {name for name in hypertables if re.search(rf"\b{re.escape(name)}\b", text)}
            for name in named or hypertables:
                covered.setdefault(name, repo.evidence(path, line, note="scheduled drop_chunks"))
    return covered


@check(
    id="compliance/retention",
    question=seed.RETENTION,
    title="Hypertables and tables with personal data have a retention policy",
    severity=Severity.BLOCKER,
    rationale="""
        Bid and event data grows by gigabytes a day: without retention a TimescaleDB hypertable
        fills its disk and takes the database down. Tables holding personal data (IPs,
        advertising IDs, user IDs, e-mail addresses) must also be deleted on schedule: GDPR's
        storage limitation forbids keeping them longer than their purpose needs, and a policy
        only written in a document deletes nothing.
    """,
    looks_at="""
        SQL files and Go/Python migrations: `create_hypertable(...)` and `CREATE TABLE`s with
        personal-data columns; `add_retention_policy(...)` for the same table; `cron.schedule`
        statements, CronJobs and scheduled workflows that `DELETE FROM` the table or run
        `drop_chunks`.
    """,
    remediation="""
        For each hypertable add `SELECT add_retention_policy('bid_events', INTERVAL '90 days');`
        in a migration. For plain tables with personal data, schedule the deletion (pg_cron
        `cron.schedule('purge-users', '0 3 * * *', $$DELETE FROM users WHERE ...$$)` or a
        CronJob) and write the retention period down.
    """,
    example="""
        SELECT create_hypertable('bid_events', 'ts');
        SELECT add_retention_policy('bid_events', INTERVAL '30 days');
    """,
)
def retention(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    hypertables: dict[str, tuple[str, int]] = {}
    for path in sql_paths(repo):
        text = repo.text(path)
        for create in _CREATE_HYPERTABLE.finditer(text):
            hypertables.setdefault(table_name(create.group(1)), (path, line_at(text, create.start())))
    personal = [t for t in tables(repo) if t.personal and t.name not in hypertables]
    if not hypertables and not personal:
        return CheckResult.not_applicable("no hypertables and no tables with personal data in SQL migrations")
    covered = _pruning(repo, set(hypertables))
    failures: list[Failure] = []
    for name, (path, line) in hypertables.items():
        if name not in covered:
            message = (
                f"hypertable {name} has no add_retention_policy and no job drops its old chunks: "
                "it grows until the disk is full"
            )
            absent = Evidence.absent(f"no add_retention_policy('{name}', ...) and no scheduled drop_chunks")
            failures.append(Failure(message, (repo.evidence(path, line), absent)))
    for table in personal:
        if table.name not in covered:
            columns = ", ".join(c.name for c in table.personal)
            message = (
                f"table {table.name} holds personal data ({columns}) but nothing deletes old rows: "
                "they are kept forever"
            )
            absent = Evidence.absent(f"no scheduled DELETE FROM {table.name} (pg_cron, CronJob or workflow)")
            failures.append(Failure(message, (repo.evidence(table.path, table.line), absent)))
    relevant = [covered[name] for name in [*hypertables, *(t.name for t in personal)] if name in covered]
    return CheckResult.from_failures(
        failures, "every hypertable and personal-data table is pruned", *relevant
    )
