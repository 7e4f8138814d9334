"""Views of the registry: the `readiness checks` table, `readiness explain`, and docs/checks.md.

All three are generated from the check declarations; a test fails when docs/checks.md is stale.
"""

from __future__ import annotations

import textwrap

from readiness import answers, registry, scoring, seed
from readiness.model import Category


def table() -> str:
    specs = registry.all_checks()
    header = ("ID", "Category", "Severity", "Question", "Title")
    rows = [
        (s.id, s.category.value, s.severity.value, s.question.key.split(".", 1)[1], s.title) for s in specs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        lines.append(
            "  ".join(value.ljust(width) for value, width in zip(row[:4], widths, strict=True))
            + "  "
            + row[4]
        )
    return "\n".join(lines) + "\n"


def rules() -> str:
    """`readiness explain lights`: how answers and lights are decided."""
    lines = ["How each review question is answered", ""]
    lines += [f"  {name:8} {meaning}" for name, meaning in answers.ANSWER_RULES]
    lines += ["", "How each category's light is decided", ""]
    lines += [f"  {name:8} {meaning}" for name, meaning in scoring.LIGHT_RULES]
    lines += ["", "The verdict is No-Go while an unwaived blocker remains (or per --fail-on)."]
    return "\n".join(lines) + "\n"


def explain(check_id: str) -> str:
    if check_id in ("lights", "answers"):
        return rules()
    spec = registry.get(check_id)
    parts = [
        f"{spec.id} — {spec.title}",
        "",
        f"Category:         {spec.category.label}",
        f"Default severity: {spec.severity.value}",
        f"Answers:          {spec.question.text}",
        "Counts as:        "
        + (
            "a core check: when it fails, the answer is no"
            if spec.core
            else "an aspect: when it fails, the answer is at most partial"
        )
        + " (readiness explain lights)",
        "",
        "Why it matters",
        textwrap.indent(spec.rationale, "  "),
        "",
        "What it looks at",
        textwrap.indent(spec.looks_at, "  "),
        "",
        "How to fix it",
        textwrap.indent(spec.remediation, "  "),
    ]
    if spec.example:
        parts += ["", "Example", textwrap.indent(spec.example, "    ")]
    if spec.scanners:
        parts += ["", "Needs scanners: " + ", ".join(spec.scanners)]
    return "\n".join(parts) + "\n"


def markdown() -> str:
    """docs/checks.md: the catalogue, by category and seed question."""
    specs = registry.all_checks()
    lines = [
        "# Check catalogue",
        "",
        "<!-- Generated from the check registry by `readiness docs`. Do not edit by hand. -->",
        "",
        f"{len(specs)} checks answer the questions of the production-readiness review.",
        "Severity is the default;",
        "`.readiness.yml` can override it per check (see docs/configuration.md).",
        "",
        "Each question is answered from its checks; a **core** check answers it by itself.",
        "",
        *(f"- **{name}**: {meaning}" for name, meaning in answers.ANSWER_RULES),
        "",
        "A category's light:",
        "",
        *(f"- **{name}**: {meaning}" for name, meaning in scoring.LIGHT_RULES),
        "",
        "| ID | Category | Default severity | Title |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| [`{s.id}`](#{_anchor(s.id)}) | {s.category.label} | {s.severity.value} | {s.title} |"
        for s in specs
    ]
    for category in Category:
        lines += ["", f"## {category.label}", ""]
        for question in (q for q in seed.ALL if q.category is category):
            answering = [s for s in specs if s.question == question]
            lines.append(
                f"**{question.text}** (`{question.key}`) — answered by "
                + (
                    ", ".join(f"`{s.id}`" + (" (core)" if s.core else "") for s in answering)
                    or "_no check yet_"
                )
            )
            lines.append("")
        for spec in (s for s in specs if s.category is category):
            lines += [
                f"### {spec.id}",
                "",
                f"{spec.title}. Default severity: **{spec.severity.value}**. Answers: _{spec.question.text}_",
                "",
                "**Why it matters.** " + " ".join(spec.rationale.split()),
                "",
                "**What it looks at.** " + " ".join(spec.looks_at.split()),
                "",
                "**How to fix it.** " + " ".join(spec.remediation.split()),
                "",
            ]
            if spec.example:
                lines += ["```", spec.example, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def _anchor(check_id: str) -> str:
    return check_id.replace("/", "").lower()
