"""The scorecard printed to the terminal: a plain table, readable in any CI log."""

from __future__ import annotations

from readiness.model import Assessment, Light, Severity, Verdict

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
        f"! {run.name} did not run: {run.detail}"
        for run in assessment.scanners
        if run.status == "not-assessed"
    ]
    lines = [
        f"Production readiness: {assessment.project}",
        *gaps,
        "",
        line(header),
        rule,
        *(line(row) for row in rows),
        "",
        f"Verdict: {verdict}. {assessment.justification}",
    ]
    return "\n".join(lines) + "\n"
