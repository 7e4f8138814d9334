"""The one production-code rule, by each language's conventions."""

from __future__ import annotations

import pytest

from readiness.facts.production import Kind, is_production, kind

CASES = [
    ("cmd/server/main.go", Kind.PRODUCTION),
    ("internal/api/handler.go", Kind.PRODUCTION),
    ("pkg/latest/version.go", Kind.PRODUCTION),  # ends in "test", is not a test package
    ("internal/api/handler_test.go", Kind.TEST),
    ("internal/storagetest/fake.go", Kind.TEST),  # Go's <pkg>test helper packages
    ("config/configtest/sample.yaml", Kind.TEST),
    ("pkg/api/testdata/request.json", Kind.TEST),
    ("tests/conftest.py", Kind.TEST),
    ("app/conftest.py", Kind.TEST),
    ("app/test_views.py", Kind.TEST),
    ("web/src/__tests__/App.js", Kind.TEST),
    ("web/src/App.spec.ts", Kind.TEST),
    ("web/cypress/integration/create_spec.js", Kind.TEST),
    (".github/workflows/ui-tests/cypress.config.js", Kind.TEST),
    ("internal/mocks/store.go", Kind.TEST),
    ("vendor/github.com/lib/pq/conn.go", Kind.VENDORED),
    ("web/node_modules/left-pad/index.js", Kind.VENDORED),
    ("examples/basic/main.go", Kind.EXAMPLE),
    (".devcontainer/docker-compose.yml", Kind.DEVELOPMENT),
    ("compose.override.yml", Kind.DEVELOPMENT),
    ("docker-compose.dev.yml", Kind.DEVELOPMENT),
    (".env.example", Kind.DEVELOPMENT),
    ("docker-compose.yml", Kind.PRODUCTION),
    (".env", Kind.PRODUCTION),
]


@pytest.mark.parametrize(("path", "expected"), CASES, ids=[c[0] for c in CASES])
def test_kind_by_convention(path: str, expected: Kind) -> None:
    assert kind(path) is expected


def test_the_policy_test_paths_add_to_the_conventions() -> None:
    assert is_production("qa/load.go")
    assert not is_production("qa/load.go", ("qa/",))
    assert not is_production("internal/api/handler_test.go", ())
