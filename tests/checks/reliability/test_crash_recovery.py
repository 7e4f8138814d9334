from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome
from tests.support import locations, run_check, write_tree

CHECK = "reliability/resource-limits"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


MIXED = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: bidder:1.0
      containers:
        - name: bidder
          image: bidder:1.0
          resources:
            requests: {cpu: 500m, memory: 512Mi}
            limits: {memory: 512Mi}
        - name: sidecar
          image: envoy:1.30
          resources:
            requests: {cpu: 100m}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.2
"""

BOUNDED = """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: bidder
spec:
  template:
    spec:
      containers:
        - name: bidder
          image: bidder:1.0
          resources:
            limits: {cpu: "1", memory: 1Gi}
"""

JOB = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: report:1.0
"""

CASES = [
    pytest.param(
        {"deploy/app.yaml": MIXED},
        Outcome.FAIL,
        [("deploy/app.yaml", 17), ("deploy/app.yaml", 30)],
        id="unbounded-containers-flagged-init-container-ignored",
    ),
    pytest.param(
        {"deploy/rollout.yaml": BOUNDED},
        Outcome.PASS,
        [("deploy/rollout.yaml", 11)],
        id="limits-imply-requests",
    ),
    pytest.param({"deploy/cron.yaml": JOB}, Outcome.NOT_APPLICABLE, [], id="cronjobs-not-judged"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), CASES)
def test_resource_limits(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(CHECK, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_message_names_what_is_missing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/app.yaml": MIXED})
    messages = [failure.message for failure in run_check(CHECK, tmp_path).failures]
    assert messages == [
        "Deployment 'bidder' container 'sidecar' sets no memory limit, no memory request",
        "StatefulSet 'cache' container 'redis' sets no memory limit, no memory request, no cpu request",
    ]
