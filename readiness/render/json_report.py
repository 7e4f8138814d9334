"""The JSON form of an assessment: versioned, documented by `schema/assessment.schema.json`.

Consumers should check `schema_version`; fields are only ever added within a major version.
"""

from __future__ import annotations

import json
from typing import Any

from readiness.model import Assessment, CheckOutcome, Finding, Severity, Waiver
from readiness.render import inert

SCHEMA_VERSION = "1.1"  # 1.1: answers per review question; the "n/a" light
SCHEMA_ID = "https://readiness.dev/schema/assessment-1.json"


def to_dict(assessment: Assessment) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "readiness", "version": assessment.readiness_version},
        "project": assessment.project,
        "root": assessment.root,
        "generated_at": assessment.generated_at.isoformat(),
        "fail_on": assessment.fail_on,
        "verdict": assessment.verdict.value,
        "justification": assessment.justification,
        "scorecard": [
            {
                "category": c.category.value,
                "title": c.category.label,
                "light": c.light.value,
                "blockers": c.count(Severity.BLOCKER),
                "risks": c.count(Severity.RISK),
                "recommendations": c.count(Severity.RECOMMENDATION),
                "not_assessed": c.not_assessed,
                "reused_from_checkpoint": c.reused,
            }
            for c in assessment.categories
        ],
        "answers": [
            {"category": c.category.value, "text": a.text, **a.to_dict()}
            for c in assessment.categories
            for a in c.answers
        ],
        "checks": [_check(check) for c in assessment.categories for check in c.checks],
        "findings": [_finding(f) for f in assessment.findings()],
        "scanners": [
            {
                "name": s.name,
                "version": s.version,
                "status": s.status,
                "detail": s.detail,
                "seconds": s.seconds,
            }
            for s in assessment.scanners
        ],
        "repository": {
            "files_indexed": assessment.repo.files_indexed,
            "listing": assessment.repo.listing,
            "excluded": assessment.repo.excluded,
            "not_scanned": [{"reason": r, "files": n} for r, n in assessment.repo.not_scanned],
            "scope_problem": assessment.scope_problem or None,
            "skipped": [{"path": p, "reason": r} for p, r in assessment.repo.skipped],
            "services": [{"name": n, "path": p, "language": lang} for n, p, lang in assessment.repo.services],
            "parse_problems": list(assessment.parse_problems),
        },
        "warnings": list(assessment.warnings),
        "policy_notes": list(assessment.policy_notes),
    }


def render(assessment: Assessment) -> str:
    # Printed to a CI log by --format json: no line the runner takes for a command (the values stay
    # exact; json.dumps already escapes control characters).
    return inert.json_for_logs(json.dumps(to_dict(assessment), indent=2)) + "\n"


def _check(check: CheckOutcome) -> dict[str, Any]:
    return {
        "id": check.check_id,
        "category": check.category.value,
        "title": check.title,
        "question": check.question,
        "outcome": check.outcome.value,
        "summary": check.summary,
        "disabled": check.disabled,
        "evidence": [e.to_dict() for e in check.evidence],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "question": finding.question,
        "title": finding.title,
        "message": finding.message,
        "evidence": [e.to_dict() for e in finding.evidence],
        "remediation": finding.remediation,
        "waived": finding.waived,
        "waiver": _waiver(finding.waived_by),
        "expired_waiver": _waiver(finding.expired_waiver),
    }


def _waiver(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    return {
        "check": waiver.check,
        "reason": waiver.reason,
        "owner": waiver.owner,
        "expires": waiver.expires.isoformat(),
        "paths": list(waiver.paths),
    }
