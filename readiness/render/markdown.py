"""The Markdown report: the review's five parts in order, then the appendix of every check."""

from __future__ import annotations

from collections.abc import Iterable

import jinja2

from readiness.model import Answer, Assessment, Evidence, Finding, Light, Outcome, Severity, Verdict
from readiness.render import inert

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
    # Markdown, not HTML: HTML autoescaping would be wrong (and not enough). Every value from the
    # repository under review goes through one of the filters below instead (readiness.render.inert
    # says what each makes inert); tests/test_untrusted_templates.py keeps the templates honest.
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def cell(text: object, limit: int = inert.SHORT_LIMIT) -> str:
    """Untrusted text as one Markdown table cell."""
    return inert.table_cell(text, limit)


def md(text: object, limit: int = inert.TEXT_LIMIT) -> str:
    """Untrusted free text (a message, summary, reason) as inert Markdown on one line."""
    return inert.markdown_text(text, limit)


def code(text: object, limit: int = inert.SHORT_LIMIT, table: bool = False) -> str:
    """An untrusted value (a path, name, id) as inline code it cannot break out of."""
    return inert.inline_code(text, limit, table=table)


def location(evidence: Evidence, table: bool = False) -> str:
    """Where the evidence is: its path and line as code, or its note as text."""
    if evidence.path is None:
        return inert.markdown_text(evidence.note or "(repository)", inert.SHORT_LIMIT, table=table)
    return inert.inline_code(evidence.location(), inert.SHORT_LIMIT, table=table)


def evidence_line(evidence: Evidence) -> str:
    text = location(evidence)
    if evidence.path is not None and evidence.note:
        text += f" ({inert.markdown_text(evidence.note, inert.SHORT_LIMIT)})"
    if evidence.snippet:
        text += f": {inert.inline_code(evidence.snippet, inert.SNIPPET_LIMIT)}"
    return text


def where(finding: Finding, table: bool = False) -> str:
    return ", ".join(location(e, table) for e in finding.evidence[:3]) or "(repository)"


def oneline(text: object) -> str:
    """Our own prose (remediation from the registry) on one line. Not for repository text."""
    return " ".join(str(text).split())


# md: free text (messages, summaries, reasons); code: a value shown as code (paths, ids, names);
# cell: free text in a table cell; where / evidence_line / evidence_location: evidence, made inert.
environment.filters["md"] = md
environment.filters["code"] = code
environment.filters["cell"] = cell
environment.filters["oneline"] = oneline
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
