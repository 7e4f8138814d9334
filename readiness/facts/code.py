"""Reading semgrep matches inside checks (the scan itself runs once, in the engine)."""

from __future__ import annotations

from collections.abc import Iterable

from readiness.context import CheckContext
from readiness.facts.production import is_production
from readiness.results import Match

SEMGREP = "semgrep"


class UndeclaredRule(Exception):
    pass


def matches(ctx: CheckContext, *rules: str, tests: bool = False) -> list[Match]:
    """Matches of the given rule ids in production code (``tests=True``: in tests, fixtures and
    examples too), in path and line order. Only call from checks that declare
    ``scanners=("semgrep",)``: the engine guarantees the scan succeeded for them."""
    found: Iterable[Match] = ctx.scanner_results.get(SEMGREP) or []
    wanted = set(rules)
    if ctx.rules is not None and not wanted <= ctx.rules:
        # A check reading a rule it did not declare: the registry could not validate the id, so a
        # typo would read an empty list and pass. Fail loudly instead (the engine reports it).
        raise UndeclaredRule(f"{ctx.check_id} reads undeclared rule(s) {sorted(wanted - ctx.rules)}")
    if tests and ctx.rules is not None and not wanted <= ctx.test_rules:
        # Semgrep reads test files only for the rules declared to want them: reading another
        # rule's test matches would read a list that was never filled, and look clean.
        raise UndeclaredRule(
            f"{ctx.check_id} reads test matches of rule(s) {sorted(wanted - ctx.test_rules)} "
            "not declared in rules_over_tests"
        )
    test_paths = tuple(ctx.config.test_paths)
    return sorted(
        (m for m in found if m.rule in wanted and (tests or is_production(m.path, test_paths))),
        key=lambda m: (m.path, m.line),
    )


def by_path(found: Iterable[Match]) -> dict[str, list[Match]]:
    grouped: dict[str, list[Match]] = {}
    for match in found:
        grouped.setdefault(match.path, []).append(match)
    return grouped
