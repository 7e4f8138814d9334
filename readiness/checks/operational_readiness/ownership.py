"""On-call and ownership: who gets paged, who escalates, who owns each part of the code?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.documents import find_documents, missing_document
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check

_ON_CALL = re.compile(r"\b(on ?call|escalations?|escalation policy|paging|pager ?duty|opsgenie)\b")
_CODEOWNERS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
# A rule is a pattern followed by at least one owner: @user, @org/team or an e-mail address.
_OWNER_RULE = re.compile(r"^\s*[^#\s]\S*\s+(@[\w.-]+(/[\w.-]+)?|[\w.+-]+@[\w-]+\.[\w.-]+)")


@check(
    id="operational-readiness/on-call",
    question=seed.ON_CALL,
    title="On-call and escalation are documented",
    severity=Severity.RISK,
    rationale="""
        When the bidder is down the person who notices must know, within a minute, who to page
        and who to escalate to if that person doesn't answer. Knowledge held in one person's
        head fails on holidays, at night and during the incident nobody expected.
    """,
    looks_at="""
        Markdown, reStructuredText and text documents (or sections of them) whose path or
        heading names on-call, escalation or paging, with at least a few lines of content.
    """,
    remediation="""
        Add `docs/on-call.md`: the rotation and where it lives (PagerDuty/Opsgenie schedule),
        how to page, response times per severity, the escalation path (secondary, team lead,
        engineering manager), and contacts for the upstream bidders and the database provider.
    """,
    example="""
        # On-call
        Primary: PagerDuty schedule "adtech-primary" (5 min ack).
        Escalation: secondary after 15 min, then @eng-lead.
    """,
    core=True,
)
def on_call(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    matches = find_documents(repo, _ON_CALL, any_heading=True)
    found = [m.evidence(repo) for m in matches if m.substantial]
    if found:
        return CheckResult.passed("on-call and escalation are documented", *found)
    absent = missing_document(repo, "on-call/escalation document or section", matches)
    return CheckResult.failed(
        [Failure("nobody knows from the repository who to page or escalate to", absent)]
    )


@check(
    id="operational-readiness/codeowners",
    question=seed.ON_CALL,
    title="Code ownership is declared (CODEOWNERS or a Backstage catalog entry)",
    severity=Severity.RECOMMENDATION,
    rationale="""
        During an incident, and when reviewing a risky change, you need to know which team owns
        the failing component. CODEOWNERS also routes pull requests to people who can judge them.
    """,
    looks_at="""
        `CODEOWNERS` at the root, in `.github/` or in `docs/` with at least one rule assigning an
        owner; Backstage `catalog-info.yaml` with `spec.owner`.
    """,
    remediation="""
        Add `.github/CODEOWNERS` with a default owner (`* @org/adtech-platform`) and owners for
        each service directory, or register the service in Backstage with `spec.owner`.
    """,
    example="""
        # .github/CODEOWNERS
        *               @acme/adtech-platform
        /bidder/        @acme/bidding
    """,
)
def codeowners(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    failures: list[Failure] = []
    found: list[Evidence] = []
    for path in [p for p in _CODEOWNERS if repo.exists(p)]:
        rules = repo.search(_OWNER_RULE, [path])
        if rules:
            found.append(repo.evidence(path, rules[0].line, note=f"{len(rules)} ownership rule(s)"))
        else:
            message = f"{path} assigns no owner: every line is a comment, blank or a pattern without owners"
            failures.append(Failure(message, (repo.evidence(path, 1),)))
    for path in repo.named("catalog-info.yaml", "catalog-info.yml"):
        for document in repo.yaml(path):
            spec = document.get("spec") if isinstance(document, YMap) else None
            if isinstance(spec, YMap) and spec.get("owner"):
                found.append(repo.evidence(path, spec.line_of("owner")))
    if found:
        return CheckResult.passed("code ownership is declared", *found)
    if not failures:
        note = "no CODEOWNERS (root, .github/, docs/) and no catalog-info.yaml with spec.owner"
        failures.append(Failure("no code ownership is declared", (Evidence.absent(note),)))
    return CheckResult.failed(failures)
