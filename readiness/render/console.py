"""The scorecard printed to the terminal: a plain table, readable in any CI log.

The project name, the scanners' details and the justification can carry the repository's text;
they are printed as log lines (readiness.render.inert.log_line): no escape sequences for the
terminal, no line a CI runner would read as a workflow command."""

from __future__ import annotations

from readiness.model import Assessment, Light, Severity, Verdict
from readiness.render.inert import log_line

_LIGHT = {Light.GREEN: "GREEN", Light.AMBER: "AMBER", Light.RED: "RED", Light.NOT_APPLICABLE: "N/A"}


def scorecard(assessment: Assessment) -> str:
    header = ("Category", "Light", "Blockers", "Risks", "Recs", "Not assessed")
    rows = [
        (
            c.category.label + (" (reused)" if c.reused else ""),
            _LIGHT[c.light],
            str(c.count(Severity.BLOCKER)),
            str(c.count(Severity.RISK)),
            str(c.count(Severity.RECOMMENDATION)),
            str(c.not_assessed),
        )
        for c in assessment.categories
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [value.rjust(width) for value, width in zip(row[2:], widths[2:], strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    verdict = "GO" if assessment.verdict is Verdict.GO else "NO-GO"
    # What could not look comes first: a reader who stops at the top must not take a gap for a pass.
    gaps = [
        f"! {log_line(run.name, 100)} did not run: {log_line(run.detail)}"
        for run in assessment.scanners
        if run.status == "not-assessed"
    ]
    lines = [
        f"Production readiness: {log_line(assessment.project, 200)}",
        *gaps,
        "",
        line(header),
        rule,
        *(line(row) for row in rows),
        "",
        f"Verdict: {verdict}. {log_line(assessment.justification, 4000)}",
    ]
    return "\n".join(lines) + "\n"
