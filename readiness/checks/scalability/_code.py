"""Code facts for the scalability checks: semgrep matches grouped by the service that owns them.

Matches in test files and fixtures are left out: a rate limiter in a unit test protects nothing,
and a Flask app built by a test is not a server.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from readiness.context import CheckContext
from readiness.facts import documents
from readiness.facts.code import matches
from readiness.model import Evidence
from readiness.repo import Repo, Service
from readiness.results import Match

# Rules that say "this service accepts network traffic" (one per language).
SERVER_RULES = ("go-network-server", "py-network-server", "js-network-server")


def is_test_path(ctx: CheckContext, path: str) -> bool:
    return documents.is_test_path(ctx.config, path)


@dataclass(frozen=True)
class Fact:
    """One semgrep match, placed: which service owns it and the evidence to cite."""

    service: Service
    match: Match
    evidence: Evidence

    @property
    def path(self) -> str:
        return self.match.path

    @property
    def line(self) -> int:
        return self.match.line

    def capture(self, name: str) -> str:
        """What the rule's metavariable captured (``$N`` of ``pgxpool MaxConns: $N``)."""
        return self.match.capture(name)


def facts(ctx: CheckContext, *rules: str) -> list[Fact]:
    """Matches of the rules in services' own non-test files, in path and line order."""
    found: list[Fact] = []
    for match in matches(ctx, *rules):
        if is_test_path(ctx, match.path):
            continue
        owner = ctx.repo.owner(match.path)
        if owner is not None:
            found.append(Fact(owner, match, ctx.repo.evidence(match.path, match.line)))
    return found


def by_service(found: list[Fact]) -> dict[Service, list[Fact]]:
    grouped: dict[Service, list[Fact]] = {}
    for fact in found:
        grouped.setdefault(fact.service, []).append(fact)
    return grouped


def network_services(ctx: CheckContext) -> dict[Service, Fact]:
    """Services that accept network traffic, with where their (first) server starts."""
    return {service: found[0] for service, found in by_service(facts(ctx, *SERVER_RULES)).items()}


# ---- Python calls --------------------------------------------------------------------------


def python_tree(repo: Repo, path: str) -> ast.Module | None:
    try:
        return ast.parse(repo.text(path))
    except (SyntaxError, ValueError):
        return None


def call_at(repo: Repo, path: str, line: int, end_line: int) -> ast.Call | None:
    """The outermost call starting on ``line`` within the match's lines (semgrep already
    decided it is the right kind of call)."""
    tree = python_tree(repo, path)
    if tree is None:
        return None
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.lineno == line and (node.end_lineno or line) <= end_line
    ]
    return max(calls, key=lambda node: ((node.end_lineno or 0), node.end_col_offset or 0), default=None)


def dotted(node: ast.expr) -> str:
    """`redis.asyncio.Redis.from_url` for the callee of a call; '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)
