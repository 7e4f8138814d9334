"""Workloads once per identity, and which of their containers serve."""

from __future__ import annotations

from pathlib import Path

from readiness.facts import deploy
from readiness.repo import Repo
from tests.support import write_tree


def manifest(name: str, containers: str, labels: str = "app: api") -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    metadata:
      labels:
        {labels}
    spec:
      containers:
{containers}
"""


SERVER = (
    "        - name: api\n          image: api:1.0\n          ports:\n            - containerPort: 8080\n"
)
SIDECAR = "        - name: proxy\n          image: cloud-sql-proxy:2.8\n"
CLIENT = "        - name: load\n          image: locust:2.0\n"


def test_copies_of_a_manifest_are_one_workload(tmp_path: Path) -> None:
    repo = Repo(
        write_tree(
            tmp_path,
            {
                "kubernetes-manifests/api.yaml": manifest("api", SERVER),
                "extras/variant/api.yaml": manifest("api", SERVER),
                "tests/e2e/api.yaml": manifest("api", SERVER),
                "k8s/other.yaml": manifest("other", SERVER),
            },
        )
    )
    found = deploy.workloads(repo)
    assert [(w.name, [c.path for c in w.copies]) for w in found] == [
        ("api", ["extras/variant/api.yaml", "kubernetes-manifests/api.yaml"]),
        ("other", ["k8s/other.yaml"]),
    ]


def test_serving_containers(tmp_path: Path) -> None:
    service = (
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector:\n    app: selected\n"
    )
    repo = Repo(
        write_tree(
            tmp_path,
            {
                "k8s/api.yaml": manifest("api", SERVER + SIDECAR),
                "k8s/load.yaml": manifest("load", CLIENT, labels="app: load"),
                "k8s/worker.yaml": manifest("worker", CLIENT, labels="app: selected") + service,
            },
        )
    )
    serving = {
        w.name: [c.get("name") for c in deploy.serving_containers(repo, w.first)]
        for w in deploy.workloads(repo)
    }
    assert serving == {"api": ["api"], "load": [], "worker": ["load"]}
