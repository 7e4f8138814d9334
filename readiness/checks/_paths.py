"""Which files are not the service itself: tests, fixtures and vendored code.

They register routes, start servers, use loggers and write Redis keys too, without the service
doing so; code-level checks judge production code only.
"""

from __future__ import annotations

from pathlib import PurePosixPath

_NOT_PRODUCTION_DIRS = {"test", "tests", "__tests__", "testdata", "vendor", "third_party", "e2e", "fixtures"}


def is_test_or_vendored(path: str) -> bool:
    pure = PurePosixPath(path)
    name = pure.name
    return (
        bool(_NOT_PRODUCTION_DIRS.intersection(pure.parts[:-1]))
        or name.endswith(("_test.go", "_test.py"))
        or name.startswith("test_")
        or name == "conftest.py"
        or ".test." in name
        or ".spec." in name
    )
