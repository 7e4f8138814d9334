"""Every value the templates print is either ours or goes through an inert filter.

Autoescape is off (the templates are Markdown), so nothing stops a new ``{{ f.something }}`` from
printing the repository's text raw but this test: it reads each template's syntax tree and fails
on any printed expression that is neither filtered by one of readiness.render.markdown's inert
filters nor in the short list of values that come from readiness itself (the registry's titles,
questions and remediation, counts, icons, our own marker and footer).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import nodes

from readiness.render import markdown

TEMPLATES = Path(markdown.__file__).parent / "templates"

# Filters whose output is inert whatever their input (readiness.render.inert underneath).
INERT_FILTERS = {"md", "code", "cell", "where", "evidence_line"}
# Filters that compute something of ours from any input.
COUNTING_FILTERS = {"length"}

# Printed values that readiness writes itself: never the scanned repository's text.
TRUSTED = {
    "marker",  # our hidden tag
    "footer",  # commit sha and run URL, from the runner's environment
    "change",  # policy_changes.between: our sentences, every value in it inert code already
    "verdict_icon",
    "verdict_word",
    "verdict_text",
    "a.readiness_version",
    "a.fail_on",
    "a.repo.files_indexed",
    "count",  # a.repo.not_scanned: how many files we left unread, a number we counted
    "c.category.label",
    "category.label",
    "first.category.label",
    "c.not_assessed",
    "check.title",  # the registry's
    "check.question",
    "first.title",
    "f.title",
    "first.remediation",
    "q.text",  # the review's question
    "f.severity.value",
    "f.waived_by.expires",  # a date, parsed
    "f.expired_waiver.expires",
    "s.name",  # the scanner's name, ours
    "s.status",
    "loop.index",
    "max_items",
}
TRUSTED_TABLES = {"light_icon", "answer_icon", "outcome_icon"}
TRUSTED_CALLS = {"count", "strftime", "format"}


def dotted(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    return None


def untrusted(node: nodes.Node) -> Iterator[str]:
    """The parts of a printed expression that could carry the repository's text."""
    if isinstance(node, nodes.Const | nodes.TemplateData):
        return
    if isinstance(node, nodes.Filter):
        if node.name in INERT_FILTERS | COUNTING_FILTERS:
            return
        if node.name == "join" and isinstance(node.node, nodes.Filter) and node.node.name == "map":
            mapped = node.node.args[0] if node.node.args else None
            if isinstance(mapped, nodes.Const) and mapped.value == "evidence_location":
                return
        if node.name == "oneline" and node.node is not None:  # our prose on one line: input must be ours
            yield from untrusted(node.node)
            return
        if node.name == "format":  # "%.1f" | format(seconds): a number
            return
        yield f"filter {node.name}"
        return
    if isinstance(node, nodes.Getitem) and dotted(node.node) in TRUSTED_TABLES:
        return
    if (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Getattr)
        and node.node.attr in TRUSTED_CALLS
    ):
        return
    if isinstance(node, nodes.CondExpr):
        yield from untrusted(node.expr1)
        if node.expr2 is not None:
            yield from untrusted(node.expr2)
        return
    if isinstance(node, nodes.BinExpr):
        yield from untrusted(node.left)
        yield from untrusted(node.right)
        return
    name = dotted(node)
    if name in TRUSTED:
        return
    yield name or type(node).__name__


@pytest.mark.parametrize("template", ["comment.md.j2", "report.md.j2"])
def test_every_printed_value_is_ours_or_filtered(template: str) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    tree = markdown.environment.parse(source)
    raw = [
        f"line {node.lineno}: {part}"
        for output in tree.find_all(nodes.Output)
        for node in output.nodes
        for part in untrusted(node)
    ]
    assert raw == []


def test_the_guard_sees_a_raw_value() -> None:
    tree = markdown.environment.parse("{{ f.message }} {{ f.message | md }} {{ f.title | oneline }}")
    found = [
        part for output in tree.find_all(nodes.Output) for node in output.nodes for part in untrusted(node)
    ]
    assert found == ["f.message"]
