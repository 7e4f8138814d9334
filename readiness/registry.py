"""The one place a check is declared.

A check is a pure function decorated with :func:`check`; its id, category, seed question,
title, default severity, rationale, remediation and example live in the decorator, next to
the code. The CLI's catalogue, ``docs/checks.md``, the report and the SARIF rule table all read
from here, so nothing is listed twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from readiness.model import Category, CheckResult, Severity
from readiness.seed import Question

if TYPE_CHECKING:
    from readiness.context import CheckContext

CheckFunction = Callable[["CheckContext"], CheckResult]

_ID_PATTERN = re.compile(r"^[a-z]+(?:-[a-z]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    question: Question
    title: str
    severity: Severity
    rationale: str
    looks_at: str
    remediation: str
    example: str
    function: CheckFunction
    scanners: tuple[str, ...] = ()
    # A core check answers its question by itself: when it fails, the control the question asks
    # about is absent, whatever the question's other checks say (readiness.answers).
    core: bool = False
    # The semgrep rule ids the check reads (its helpers' included); the registry validates them
    # against the rule files, and facts.code.matches refuses any other.
    rules: tuple[str, ...] = ()
    # Load tests, soak tests and chaos experiments live in test folders: for these checks a test
    # file is the subject, so findings there are neither downgraded nor set aside.
    tests_are_subject: bool = False
    # The rules whose matches in tests, fixtures and examples the check also reads (a leaked
    # secret in a fixture is still reported). Semgrep reads test files only for these rules and for
    # every rule of a check whose subject is tests; facts.code.matches refuses ``tests=True`` for
    # any other rule, so a check can't silently read test matches that were never scanned.
    rules_over_tests: tuple[str, ...] = ()

    @property
    def category(self) -> Category:
        return self.question.category

    @property
    def test_rules(self) -> frozenset[str]:
        """The rules semgrep must also run over test files for this check."""
        return frozenset(self.rules if self.tests_are_subject else self.rules_over_tests)


class RegistryError(Exception):
    pass


_REGISTRY: dict[str, CheckSpec] = {}


def check(
    *,
    id: str,
    question: Question,
    title: str,
    severity: Severity,
    rationale: str,
    looks_at: str,
    remediation: str,
    example: str = "",
    scanners: tuple[str, ...] = (),
    rules: tuple[str, ...] = (),
    core: bool = False,
    tests_are_subject: bool = False,
    rules_over_tests: tuple[str, ...] = (),
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check. Ids are stable (configs and waivers refer to them): ``category/what-is-true``."""

    def register(function: CheckFunction) -> CheckFunction:
        if not _ID_PATTERN.match(id):
            raise RegistryError(f"check id {id!r} is not of the form category/what-is-true")
        if id.split("/", 1)[0] != question.category.value:
            raise RegistryError(f"check id {id!r} must start with its category {question.category.value!r}")
        if not set(rules_over_tests) <= set(rules):
            raise RegistryError(f"check {id!r}: rules_over_tests must be among its rules")
        existing = _REGISTRY.get(id)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise RegistryError(f"check id {id!r} is declared twice")
        _REGISTRY[id] = CheckSpec(
            id=id,
            question=question,
            title=title,
            severity=severity,
            rationale=_dedent(rationale),
            looks_at=_dedent(looks_at),
            remediation=_dedent(remediation),
            example=_dedent(example),
            function=function,
            scanners=scanners,
            rules=tuple(rules),
            core=core,
            tests_are_subject=tests_are_subject,
            rules_over_tests=tuple(rules_over_tests),
        )
        return function

    return register


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip()


def all_checks() -> list[CheckSpec]:
    """Every registered check, in report order: by category (seed order), then by id. The engine
    loads the catalogue (readiness.engine.load_catalogue); the registry only keeps it."""
    order = {category: index for index, category in enumerate(Category)}
    return sorted(_REGISTRY.values(), key=lambda spec: (order[spec.category], spec.id))


def checks_for(category: Category) -> list[CheckSpec]:
    return [spec for spec in all_checks() if spec.category is category]


def get(check_id: str) -> CheckSpec:
    try:
        return _REGISTRY[check_id]
    except KeyError:
        raise RegistryError(f"unknown check id {check_id!r}") from None


def known_ids() -> set[str]:
    return set(_REGISTRY)


def validate_rules(rule_ids: set[str]) -> None:
    """Both directions between the checks' declared semgrep rules and the rule files: a declared id
    that no rule file defines (a typo would read an empty list and pass), and a rule no check reads."""
    declared = {rule: spec.id for spec in _REGISTRY.values() for rule in spec.rules}
    unknown = sorted(
        f"{check} declares unknown rule {rule!r}" for rule, check in declared.items() if rule not in rule_ids
    )
    unread = sorted(f"rule {rule!r} is read by no check" for rule in rule_ids - set(declared))
    undeclared = sorted(
        f"{spec.id} declares rules but not the semgrep scanner"
        for spec in _REGISTRY.values()
        if spec.rules and "semgrep" not in spec.scanners
    )
    if unknown or unread or undeclared:
        raise RegistryError("; ".join([*unknown, *unread, *undeclared]))
