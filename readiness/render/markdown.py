"""The Markdown report: the review's five parts in order, then the appendix of every check."""

from __future__ import annotations

from collections.abc import Iterable

import jinja2

from readiness.model import Answer, Assessment, Evidence, Finding, Light, Outcome, Severity, Verdict

LIGHT_ICON = {
    Light.GREEN: "🟢 Green",
    Light.AMBER: "🟡 Amber",
    Light.RED: "🔴 Red",
    Light.NOT_APPLICABLE: "⚪ n/a",
}
OUTCOME_ICON = {
    Outcome.PASS: "✅ pass",
    Outcome.FAIL: "❌ fail",
    Outcome.NOT_APPLICABLE: "➖ not applicable",
    Outcome.NOT_ASSESSED: "⚠️ not assessed",
}
VERDICT_TEXT = {Verdict.GO: "✅ GO", Verdict.NO_GO: "⛔ NO-GO"}
ANSWER_ICON = {
    Answer.YES: "✅ **yes**",
    Answer.PARTIAL: "🟡 **partial**",
    Answer.NO: "❌ **no**",
    Answer.NOT_APPLICABLE: "➖ **n/a**",
    Answer.UNKNOWN: "❔ **unknown**",
}

environment = jinja2.Environment(
    loader=jinja2.PackageLoader("readiness.render", "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # Markdown, not HTML; table cells are escaped by the `cell` filter
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def location(evidence: Evidence) -> str:
    if evidence.path is None:
        return evidence.note or "(repository)"
    return f"`{evidence.location()}`"


def evidence_line(evidence: Evidence) -> str:
    text = location(evidence)
    if evidence.path is not None and evidence.note:
        text += f" ({evidence.note})"
    if evidence.snippet:
        quoted = evidence.snippet.replace("`", "'")
        text += f": `{quoted}`"
    return text


def where(finding: Finding) -> str:
    return ", ".join(location(e) for e in finding.evidence[:3]) or "(repository)"


environment.filters["cell"] = cell
environment.filters["oneline"] = lambda text: " ".join(str(text).split())
environment.filters["evidence_line"] = evidence_line
environment.filters["where"] = where
environment.filters["evidence_location"] = location


def grouped(findings: Iterable[Finding]) -> list[list[Finding]]:
    """Findings of the same check together, in first-seen order: one fix, several places."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.check_id, []).append(finding)
    return list(groups.values())


def render(assessment: Assessment) -> str:
    template = environment.get_template("report.md.j2")
    return template.render(
        a=assessment,
        light_icon=LIGHT_ICON,
        answer_icon=ANSWER_ICON,
        outcome_icon=OUTCOME_ICON,
        verdict_text=VERDICT_TEXT[assessment.verdict],
        blockers=grouped(assessment.active(Severity.BLOCKER)),
        risks=grouped(assessment.active(Severity.RISK)),
        recommendations=grouped(assessment.active(Severity.RECOMMENDATION)),
        waived=assessment.waived(),
        expired=[f for f in assessment.findings() if f.expired_waiver is not None],
        Severity=Severity,
        Outcome=Outcome,
    )
