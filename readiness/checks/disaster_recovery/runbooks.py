"""Runbooks: when the database, Redis or a bidder fails at 3am, is the fix written down?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.documents import DocMatch, find_documents, missing_document, normalise, read_document
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check

_RUNBOOK = re.compile(r"\brun ?books?\b")

# The failures the review names, and the words a runbook's file name or heading would use for them.
FAILURE_MODES: list[tuple[str, re.Pattern[str]]] = [
    (
        "database down",
        re.compile(r"\b(database|databases|db|postgres|postgresql|timescale|timescaledb|pg)\b"),
    ),
    ("Redis down", re.compile(r"\b(redis|valkey)\b")),
    ("upstream/bidder timeouts", re.compile(r"\b(timeouts?|timing out|bidders?|upstreams?|dsps?)\b")),
    ("deploy rollback", re.compile(r"\b(roll ?backs?|rolling back|revert|rollout undo|bad deploy)\b")),
]


def runbooks(ctx: CheckContext) -> list[DocMatch]:
    """Runbook documents with content: in a runbook folder, named RUNBOOK, or titled as one."""
    return [m for m in find_documents(ctx.repo, _RUNBOOK) if m.substantial]


@check(
    id="disaster-recovery/runbooks",
    question=seed.RUNBOOKS,
    title="Runbooks cover the common failures (database, Redis, bidder timeouts, rollback)",
    severity=Severity.RISK,
    rationale="""
        At 3am the on-call engineer should follow steps, not invent them. The failures an
        ad-tech service meets first are known: the database is down or slow, Redis is gone,
        bidders time out, a deploy has to be rolled back. Each needs a page that says how to
        confirm it, how to mitigate it and when to escalate.
    """,
    looks_at="""
        Markdown, reStructuredText and text documents whose path names a runbook (`runbooks/`,
        `RUNBOOK.md`, `docs/runbook-redis.md`) or whose title does, with at least a few lines of
        content; their file names and headings are matched against each failure mode.
    """,
    remediation="""
        Add `docs/runbooks/` with one page per failure: symptoms and the alert that fires, how
        to confirm, mitigation steps with exact commands, how to verify recovery, escalation.
        Start with database-down, redis-down, bidder-timeouts and rollback.
    """,
    example="""
        docs/runbooks/database-down.md
        docs/runbooks/redis-down.md
        docs/runbooks/bidder-timeouts.md
        docs/runbooks/rollback.md
    """,
    core=True,
)
def runbook_coverage(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    found = runbooks(ctx)
    if not found:
        candidates = find_documents(repo, _RUNBOOK)
        absent = missing_document(repo, "runbook (runbooks/**, RUNBOOK.md, *runbook*)", candidates)
        return CheckResult.failed([Failure("no runbooks found: on-call has no written procedures", absent)])
    # Where each failure mode is covered: a runbook's file name is the strongest signal (one page per
    # failure), then its title, then any heading inside it.
    documents = [read_document(repo, m.path) for m in found]
    names = [(m.path, m.line, normalise(m.path)) for m in found]
    names += [(d.path, d.title.line, normalise(d.title.text)) for d in documents if d.title]
    names += [(d.path, h.line, normalise(h.text)) for d in documents for h in d.headings[1:]]
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    for mode, pattern in FAILURE_MODES:
        covering = next(((path, line) for path, line, text in names if pattern.search(text)), None)
        if covering:
            evidence.append(repo.evidence(*covering, note=f"covers {mode}"))
            continue
        where = ", ".join(sorted({m.path for m in found})[:5])
        note = f"no runbook file name or heading about {mode} (looked in {where})"
        failures.append(Failure(f"no runbook covers {mode}", (Evidence.absent(note),)))
    return CheckResult.from_failures(
        failures, f"{len(found)} runbook(s) cover {len(FAILURE_MODES)} common failures", *evidence
    )
