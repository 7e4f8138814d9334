"""JUnit XML for CI systems that show test reports: one suite per category, one case per check.

A check that failed with a blocker or risk is a <failure>; one that could not be assessed is an
<error> (it is not a pass); not applicable, disabled and fully waived checks are <skipped>.
The repository's text is written as plain lines (readiness.render.inert.plain): control characters
are not allowed in XML 1.0, and one of them would make the whole report unreadable.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from readiness.model import Assessment, CheckOutcome, Outcome, Severity
from readiness.render.inert import SHORT_LIMIT, plain, xml_for_logs


def _case(suite: ElementTree.Element, check: CheckOutcome) -> tuple[bool, bool, bool]:
    case = ElementTree.SubElement(suite, "testcase", name=check.check_id, classname=check.category.value)
    active = [f for f in check.findings if not f.waived]
    gating = [f for f in active if f.severity in (Severity.BLOCKER, Severity.RISK)]
    if check.outcome is Outcome.NOT_ASSESSED:
        ElementTree.SubElement(case, "error", message=f"not assessed: {plain(check.summary)}")
        return False, True, False
    if gating:
        worst = max(gating, key=lambda f: f.severity.rank).severity.value
        failure = ElementTree.SubElement(case, "failure", message=f"{check.title} ({worst})", type=worst)
        failure.text = "\n".join(
            f"[{f.severity.value}] {plain(f.message)} — "
            + ", ".join(plain(e.location(), SHORT_LIMIT) for e in f.evidence)
            for f in active
        )
        return True, False, False
    if check.outcome is Outcome.NOT_APPLICABLE or (check.findings and not active):
        reason = plain(check.summary) or "all findings waived"
        ElementTree.SubElement(case, "skipped", message=reason)
        return False, False, True
    if active:
        out = ElementTree.SubElement(case, "system-out")
        out.text = "\n".join(f"[recommendation] {plain(f.message)}" for f in active)
    return False, False, False


def render(assessment: Assessment) -> str:
    root = ElementTree.Element("testsuites", name=f"production-readiness {plain(assessment.project, 200)}")
    totals = [0, 0, 0, 0]
    for category in assessment.categories:
        suite = ElementTree.SubElement(root, "testsuite", name=category.category.label)
        counts = [0, 0, 0, 0]
        for check in category.checks:
            failed, errored, skipped = _case(suite, check)
            counts = [counts[0] + 1, counts[1] + failed, counts[2] + errored, counts[3] + skipped]
        for key, value in zip(("tests", "failures", "errors", "skipped"), counts, strict=True):
            suite.set(key, str(value))
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    for key, value in zip(("tests", "failures", "errors", "skipped"), totals, strict=True):
        root.set(key, str(value))
    ElementTree.indent(root)
    return xml_for_logs(ElementTree.tostring(root, encoding="unicode", xml_declaration=True)) + "\n"
