"""Incident response: is there a process with severity levels and a postmortem afterwards?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.documents import DocMatch, find_documents, missing_document
from readiness.model import CheckResult, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

_INCIDENT = re.compile(r"\bincidents?\b")
_POSTMORTEM_SUBJECT = re.compile(r"\b(post ?mortems?|post incident|retrospectives?)\b")
# Severity levels as teams write them: SEV1, SEV-2, P0..P4, or a "severity" table/definition.
_SEVERITY_LEVELS = re.compile(r"\bsev[- ]?[0-5]\b|\bP[0-4]\b|\bseverit(y|ies)\b", re.I)
_POSTMORTEM = re.compile(
    r"\bpost[- ]?mortems?\b|\bpost[- ]incident\b|\bretrospectives?\b|\broot cause\b", re.I
)


def _first(repo: Repo, matches: list[DocMatch], pattern: re.Pattern[str]) -> tuple[str, int] | None:
    for match in matches:
        for number, text in match.lines(repo):
            if pattern.search(text):
                return match.path, number
    return None


@check(
    id="operational-readiness/incident-playbook",
    question=seed.INCIDENT_RESPONSE,
    title="An incident response process defines severity levels and postmortems",
    severity=Severity.RISK,
    rationale="""
        Without an agreed process every incident is improvised: nobody is sure who leads, when
        to tell publishers, or whether a half-hour outage is worth waking people for. Severity
        levels make those decisions in advance; postmortems make sure the same outage does not
        happen twice.
    """,
    looks_at="""
        Documents (or sections) whose path or heading names incidents, with content; within
        them, severity levels (SEV1/SEV-2, P0-P4, "severity") and a postmortem/post-incident
        review step. A separate postmortem template or document counts for the second part.
    """,
    remediation="""
        Write `docs/incident-response.md`: how an incident is declared, roles (incident
        commander, communications), a severity table (SEV1: bidding down or spend lost, ...),
        communication channels and cadence, and a blameless postmortem within five working days
        for SEV1/SEV2, with a template.
    """,
    example="""
        # Incident response
        ## Severity levels
        | SEV1 | bidding stopped or overspend | page immediately |
        ## Postmortem
        Blameless review within 5 working days, template in docs/postmortem-template.md.
    """,
    core=True,
)
def incident_playbook(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    matches = find_documents(repo, _INCIDENT)
    playbooks = [m for m in matches if m.substantial]
    if not playbooks:
        absent = missing_document(repo, "incident response document", matches)
        return CheckResult.failed([Failure("no incident response process is written down", absent)])
    postmortem_docs = [
        m for m in find_documents(repo, _POSTMORTEM_SUBJECT, any_heading=True) if m.substantial
    ]
    severity = _first(repo, playbooks, _SEVERITY_LEVELS)
    postmortem = _first(repo, playbooks, _POSTMORTEM) or next(
        ((m.path, m.line) for m in postmortem_docs), None
    )
    main = playbooks[0]
    failures: list[Failure] = []
    if severity is None:
        message = f"{main.path} defines no severity levels (SEV1/P1/severity): nobody knows when to page whom"
        failures.append(Failure(message, (repo.evidence(main.path, main.line),)))
    if postmortem is None:
        message = f"{main.path} has no postmortem step: incidents end without learning why they happened"
        failures.append(Failure(message, (repo.evidence(main.path, main.line),)))
    evidence = [repo.evidence(*found) for found in (severity, postmortem) if found is not None]
    return CheckResult.from_failures(
        failures, "incident process with severity levels and postmortems", main.evidence(repo), *evidence
    )
