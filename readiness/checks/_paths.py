"""Which files are not the service itself: tests, fixtures, examples and vendored code.

They register routes, start servers, use loggers and write Redis keys too, without the service
doing so; code-level checks judge production code only. The rule itself is
:mod:`readiness.facts.production`; this name stays for the checks that ask it.
"""

from __future__ import annotations

from readiness.facts.production import Kind, kind


def is_test_or_vendored(path: str) -> bool:
    return kind(path) is not Kind.PRODUCTION
