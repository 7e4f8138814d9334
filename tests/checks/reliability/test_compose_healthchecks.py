from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome
from tests.support import locations, run_check, write_tree

CHECK = "reliability/compose-healthchecks"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


LIST_FORM = """
services:
  api:
    image: api:1.0
    depends_on:
      - redis
      - postgres
  redis:
    image: redis:7.2
  postgres:
    image: postgres:16
    healthcheck:
      test: ["CMD", "pg_isready"]
"""

LONG_FORM = """
services:
  api:
    image: api:1.0
    depends_on:
      redis:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
  migrate:
    image: api:1.0
  redis:
    image: redis:7.2
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
"""

HEALTHY_CONDITION_WITHOUT_HEALTHCHECK = """
services:
  api:
    depends_on:
      redis: {condition: service_healthy}
      cache: {condition: service_started}
  redis:
    image: redis:7.2
    healthcheck:
      disable: true
  cache:
    image: memcached:1.6
    healthcheck: {test: ["CMD", "nc", "-z", "localhost", "11211"]}
"""

CASES = [
    pytest.param(
        {"docker-compose.yml": LIST_FORM},
        Outcome.FAIL,
        [("docker-compose.yml", 5), ("docker-compose.yml", 6)],
        id="list-form",
    ),
    pytest.param(
        {"compose.yaml": LONG_FORM},
        Outcome.PASS,
        [("compose.yaml", 5), ("compose.yaml", 7)],
        id="long-form-with-healthchecks",
    ),
    pytest.param(
        {"deploy/docker-compose.prod.yml": HEALTHY_CONDITION_WITHOUT_HEALTHCHECK},
        Outcome.FAIL,
        [("deploy/docker-compose.prod.yml", 4), ("deploy/docker-compose.prod.yml", 5)],
        id="disabled-healthcheck-and-started-condition",
    ),
    pytest.param(
        {"docker-compose.yml": "services:\n  redis:\n    image: redis:7.2\n"},
        Outcome.NOT_APPLICABLE,
        [],
        id="no-depends-on",
    ),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), CASES)
def test_compose_healthchecks(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(CHECK, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_messages_say_which_half_is_missing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker-compose.yml": LIST_FORM})
    messages = [failure.message for failure in run_check(CHECK, tmp_path).failures]
    assert messages == [
        "service 'api' does not wait for 'redis' to be healthy: `service_started` only waits until the "
        "container has started; 'redis' has no healthcheck",
        "service 'api' does not wait for 'postgres' to be healthy: `service_started` only waits until the "
        "container has started",
    ]
