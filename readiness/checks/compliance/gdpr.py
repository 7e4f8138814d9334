"""GDPR data flows: when the service handles personal data, is its flow documented?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.checks.compliance._personal_data import consent_handling, personal_data
from readiness.context import CheckContext
from readiness.facts.documents import DocMatch, find_documents, is_test_path, missing_document
from readiness.model import CheckResult, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

_PRIVACY = re.compile(r"\b(privacy|gdpr|dsgvo|data ?flows?|dpia|data protection|records of processing)\b")
_MAX_SIGHTINGS = 10
# What a data-flow record talks about. A "Privacy" section listing a product's anti-tracking
# features names none of these: it describes features, not where personal data goes.
_PROCESSING = re.compile(
    r"(?i)personal (data|information)|\bpii\b|data subjects?|\bprocess(ing|or|ors)\b|controller|retention|"
    r"retain|lawful basis|legal basis|consent|erasure|right to be forgotten|sub-?processors?|\bgdpr\b|"
    r"data flows?|stored (in|for)|shared with|third part(y|ies)"
)


def _about_personal_data(repo: Repo, match: DocMatch) -> bool:
    return sum(1 for _, text in match.lines(repo) if _PROCESSING.search(text)) >= 2


@check(
    id="compliance/gdpr-data-flows",
    question=seed.GDPR_FLOWS,
    title="Personal data handled by the service has a documented data flow",
    severity=Severity.RISK,
    rationale="""
        Bid requests carry personal data: IP addresses, advertising IDs, buyer IDs, precise
        location and consent strings. GDPR (Art. 30, 35) requires knowing what is collected,
        where it flows (bidders, storage, logs), on which legal basis and for how long; a DPIA
        is expected for large-scale profiling. Publishers ask for this before they sign.
    """,
    looks_at="""
        Personal data in code and schemas: OpenRTB struct tags and field access (`device.ip`,
        `ifa`, `user.id`/`buyeruid`, `geo.lat`/`lon`, `consent`, `gdpr`) in Go, Python, JS/TS,
        Java/Kotlin, protobuf fields, and SQL columns such as `ip`, `device_ip`, `ifa`, `email`,
        `user_id`. Then documents or sections whose path or heading names privacy, GDPR, data
        flows or a DPIA, with at least a few lines of content. Consent handling in service code
        (reading `regs.gdpr`/`regs.ext.gdpr`, `user.ext.consent`, `us_privacy`, GPP, or a TCF/GPP
        decoding library) is evidence too: without a document it makes the gap a recommendation.
    """,
    remediation="""
        Write `docs/privacy/data-flows.md`: each personal-data field, where it enters, which
        systems and third parties (bidders) receive it, where it is stored and for how long,
        the legal basis and how TCF consent is enforced; link the DPIA.
    """,
    example="""
        # Personal data flows
        | field     | source      | sent to          | stored           | retention |
        | device.ip | bid request | bidders (masked) | bid_events table | 30 days   |
    """,
    core=True,
)
def gdpr_data_flows(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    sightings = personal_data(repo)
    if not sightings:
        return CheckResult.not_applicable("no personal data found in code, schemas or SQL")
    production = [
        p
        for p in repo.with_suffix(".go", ".py", ".js", ".ts", ".mjs")
        if repo.owner(p) is not None and not is_test_path(ctx.config, p)
    ]
    consent = [repo.evidence(s.path, s.line, note=s.what) for s in consent_handling(repo, production)]
    matches = find_documents(repo, _PRIVACY, any_heading=True)
    documents = [m.evidence(repo) for m in matches if m.substantial and _about_personal_data(repo, m)]
    if documents:
        return CheckResult.passed(
            f"personal data in {len(sightings)} file(s); data flows documented"
            + ("; consent signals are read in code" if consent else ""),
            *documents,
            *consent[:3],
        )
    seen = [repo.evidence(s.path, s.line, note=s.what) for s in sightings[:_MAX_SIGHTINGS]]
    where = ", ".join(f"{s.path}:{s.line}" for s in sightings[:3])
    where += f" and {len(sightings) - 3} more file(s)" if len(sightings) > 3 else ""
    message = f"personal data is handled ({where}) but no privacy/data-flow document describes where it goes"
    absent = missing_document(repo, "privacy, GDPR, data-flow or DPIA document", matches)
    if consent:
        # Consent is enforced in code: the processing has a legal basis, only its record is missing.
        message += "; consent signals are honoured in code, so only the written record is missing"
        return CheckResult.failed([Failure(message, (*seen, *consent[:3], *absent), Severity.RECOMMENDATION)])
    message += (
        ", and no service code reads the consent signals (regs.gdpr, user.ext.consent, us_privacy, GPP)"
    )
    return CheckResult.failed([Failure(message, (*seen, *absent))])
