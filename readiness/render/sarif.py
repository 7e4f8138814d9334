"""SARIF 2.1.0 for code scanning: the rule table comes from the check catalogue the assessment carries.

GitHub's limits are honoured here, not hoped for: at most 25,000 results per run and a file
well under 10 MB compressed. When trimming is needed the most severe findings are kept and a
notification says how many were left out, so nothing disappears silently.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from readiness.fingerprint import fingerprint
from readiness.model import Assessment, CheckInfo, Finding, Outcome, Severity
from readiness.render import inert

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000
MAX_GZIPPED_BYTES = 9 * 1024 * 1024  # GitHub's cap is 10 MB; keep a margin
INFORMATION_URI = "https://github.com/readiness-dev/readiness"

LEVEL = {Severity.BLOCKER: "error", Severity.RISK: "warning", Severity.RECOMMENDATION: "note"}


def _rule(index: int, spec: CheckInfo) -> dict[str, Any]:
    name = "".join(part.title() for part in spec.id.replace("/", "-").split("-"))
    return {
        "id": spec.id,
        "name": name,
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": " ".join(spec.rationale.split())},
        "help": {
            "text": " ".join(spec.remediation.split()),
            "markdown": f"**How to fix it.** {' '.join(spec.remediation.split())}\n\n"
            f"**What it looks at.** {' '.join(spec.looks_at.split())}",
        },
        "helpUri": f"{INFORMATION_URI}/blob/main/docs/checks.md#{spec.id.replace('/', '')}",
        "defaultConfiguration": {"level": LEVEL[spec.severity]},
        "properties": {
            "category": spec.category.value,
            "question": spec.question,
            "tags": ["production-readiness", spec.category.value],
        },
    }


def _location(finding: Finding, fallback_uri: str) -> list[dict[str, Any]]:
    located = [e for e in finding.evidence if e.path]
    if not located:
        # Absence has no line; GitHub needs a location, so the finding sits on the repo root file.
        return [{"physicalLocation": {"artifactLocation": {"uri": fallback_uri, "uriBaseId": "%SRCROOT%"}}}]
    locations = []
    for evidence in located[:1000]:
        uri = inert.relative_uri(evidence.path or "")
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
        if evidence.line:
            physical["region"] = {"startLine": evidence.line}
        locations.append({"physicalLocation": physical})
    return locations


def _result(finding: Finding, rule_index: int, fallback_uri: str) -> dict[str, Any]:
    # message.text is plain text, but it is the repository's: one line, no control characters, bounded.
    notes = [inert.plain(e.note, inert.SHORT_LIMIT) for e in finding.evidence if e.note]
    text = inert.plain(finding.message) + (f" ({'; '.join(notes[:5])})" if notes else "")
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": text},
        "locations": _location(finding, fallback_uri),
        "partialFingerprints": {"readinessFinding/v1": fingerprint(finding)},
        "properties": {"severity": finding.severity.value, "category": finding.category.value},
    }
    if finding.waived_by is not None:
        waiver = finding.waived_by
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{inert.plain(waiver.reason, inert.SHORT_LIMIT)} "
                f"(owner {inert.plain(waiver.owner, 200)}, expires {waiver.expires})",
            }
        ]
    return result


def to_dict(assessment: Assessment, fallback_uri: str = "README.md") -> dict[str, Any]:
    specs = list(assessment.catalogue)
    index = {spec.id: i for i, spec in enumerate(specs)}
    findings = sorted(assessment.findings(), key=lambda f: -f.severity.rank)
    kept = [f for f in findings if f.check_id in index]
    omitted = max(0, len(kept) - MAX_RESULTS)
    kept = kept[:MAX_RESULTS]
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"{check.check_id} was not assessed: {inert.plain(check.summary)}"},
            "descriptor": {"id": check.check_id},
        }
        for category in assessment.categories
        for check in category.checks
        if check.outcome is Outcome.NOT_ASSESSED
    ]
    document = _document(
        assessment, specs, [_result(f, index[f.check_id], fallback_uri) for f in kept], notifications, omitted
    )
    while len(gzip.compress(json.dumps(document).encode())) > MAX_GZIPPED_BYTES and kept:
        drop = max(1, len(kept) // 10)
        kept, omitted = kept[:-drop], omitted + drop
        document = _document(
            assessment,
            specs,
            [_result(f, index[f.check_id], fallback_uri) for f in kept],
            notifications,
            omitted,
        )
    return document


def _document(
    assessment: Assessment,
    specs: list[CheckInfo],
    results: list[dict[str, Any]],
    notifications: list[dict[str, Any]],
    omitted: int,
) -> dict[str, Any]:
    if omitted:
        notifications = [
            *notifications,
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted} less severe result(s) were left out to stay within GitHub's "
                    "SARIF limits; the Markdown and JSON reports list every finding."
                },
            },
        ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "readiness",
                        "version": assessment.readiness_version,
                        "semanticVersion": assessment.readiness_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(i, spec) for i, spec in enumerate(specs)],
                    }
                },
                "automationDetails": {"id": f"readiness/{assessment.project}/"},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
                "properties": {
                    "verdict": assessment.verdict.value,
                    "justification": inert.plain(assessment.justification, 2 * inert.TEXT_LIMIT),
                },
            }
        ],
    }


def render(assessment: Assessment, fallback_uri: str = "README.md") -> str:
    return inert.json_for_logs(json.dumps(to_dict(assessment, fallback_uri), indent=1)) + "\n"
