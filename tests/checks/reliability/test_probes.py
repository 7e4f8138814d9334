from pathlib import Path

from readiness.model import Answer, Outcome
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
          ports:
            - containerPort: 8080
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
          ports:
            - containerPort: 8080
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
    assert [(e.path, e.line) for e in result.evidence] == [("deploy/bidder.yaml", 13)]


def test_jobs_are_not_flagged(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/migrate.yaml": JOB})
    assert run_check(CHECK, tmp_path).outcome is Outcome.NOT_APPLICABLE


CLIENT_AND_SIDECAR = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1.0
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
        - name: cloudsql-proxy
          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: loadgenerator
spec:
  template:
    spec:
      containers:
        - name: loadgenerator
          image: locust:2.20
"""


def test_clients_and_sidecars_are_not_serving_containers(tmp_path: Path) -> None:
    write_tree(tmp_path, {"k8s/app.yaml": CLIENT_AND_SIDECAR})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("k8s/app.yaml", 13)]


def test_copies_of_one_manifest_are_one_finding_naming_every_copy(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "kubernetes-manifests/bidder.yaml": DEPLOYMENT_WITHOUT_PROBE,
            "extras/variant/bidder.yaml": DEPLOYMENT_WITHOUT_PROBE,
            "src/bidder/k8s/tests/bidder.yaml": DEPLOYMENT_WITHOUT_PROBE,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert [f.message for f in result.failures] == [
        "Deployment 'bidder' container 'bidder' has no readinessProbe (2 copies of the manifest)"
    ]
    assert [(e.path, e.line) for e in result.failures[0].evidence] == [
        ("extras/variant/bidder.yaml", 12),
        ("kubernetes-manifests/bidder.yaml", 12),
    ]


def test_a_probe_on_some_workloads_is_a_partial_answer(tmp_path: Path) -> None:
    other = DEPLOYMENT_WITH_PROBE.replace("name: bidder", "name: api", 1)
    write_tree(tmp_path, {"k8s/bidder.yaml": DEPLOYMENT_WITHOUT_PROBE, "k8s/api.yaml": other})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert result.answer is Answer.PARTIAL
    assert locations(result) == [("k8s/bidder.yaml", 12)]


LIVENESS = "reliability/liveness-probe"


def test_liveness_probe_missing_on_a_serving_container(tmp_path: Path) -> None:
    write_tree(tmp_path, {"k8s/bidder.yaml": DEPLOYMENT_WITH_PROBE})
    result = run_check(LIVENESS, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("k8s/bidder.yaml", 9)]
    assert result.failures[0].message.startswith(
        "Deployment 'bidder' container 'bidder' has no livenessProbe"
    )


def test_liveness_probe_present(tmp_path: Path) -> None:
    live = (
        DEPLOYMENT_WITH_PROBE + "          livenessProbe:\n            httpGet: {path: /livez, port: 8080}\n"
    )
    write_tree(tmp_path, {"k8s/bidder.yaml": live})
    result = run_check(LIVENESS, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("k8s/bidder.yaml", 15)]


def test_liveness_probe_not_applicable_without_serving_workloads(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/migrate.yaml": JOB})
    assert run_check(LIVENESS, tmp_path).outcome is Outcome.NOT_APPLICABLE
