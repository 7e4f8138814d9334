from pathlib import Path

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "reliability/readiness-probe"

DEPLOYMENT_WITHOUT_PROBE = """
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
"""

DEPLOYMENT_WITH_PROBE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  template:
    spec:
      containers:
        - name: bidder
          image: bidder:1.0
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
"""

JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: bidder:1.0
"""


def test_fails_on_container_without_probe_and_ignores_init_containers(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/bidder.yaml": DEPLOYMENT_WITHOUT_PROBE})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("deploy/bidder.yaml", 12)]
    assert "'bidder' has no readinessProbe" in result.failures[0].message


def test_passes_with_probe(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/bidder.yaml": DEPLOYMENT_WITH_PROBE})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("deploy/bidder.yaml", 11)]


def test_jobs_are_not_flagged(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/migrate.yaml": JOB})
    assert run_check(CHECK, tmp_path).outcome is Outcome.NOT_APPLICABLE
