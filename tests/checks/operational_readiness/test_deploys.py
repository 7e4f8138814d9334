from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Answer, Outcome
from tests.support import locations, run_check, write_tree

CHECK = "operational-readiness/rolling-deploys"


def deployment(spec: str) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bidder\nspec:\n"
        + spec
        + "  template:\n    spec:\n      containers:\n        - name: bidder\n          image: bidder:1\n"
    )


RECREATE = deployment("  replicas: 3\n  strategy:\n    type: Recreate\n")
ALL_AT_ONCE = deployment(
    "  replicas: 3\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 3\n"
)
HUNDRED_PERCENT_AUTOSCALED = deployment(
    "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 100%\n"
)
SAFE = deployment(
    "  replicas: 6\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 50%\n"
)
DEFAULT = deployment("  replicas: 2\n")
ONE_OF_AUTOSCALED = deployment("  strategy:\n    rollingUpdate:\n      maxUnavailable: 1\n")
ROLLOUT = """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: bidder
spec:
  strategy:
    canary:
      steps: [{setWeight: 10}, {pause: {duration: 5m}}]
"""

CASES = [
    ("Recreate", {"k8s/d.yaml": RECREATE}, Outcome.FAIL, [("k8s/d.yaml", 8)]),
    ("maxUnavailable equals replicas", {"k8s/d.yaml": ALL_AT_ONCE}, Outcome.FAIL, [("k8s/d.yaml", 10)]),
    ("100% without replicas", {"k8s/d.yaml": HUNDRED_PERCENT_AUTOSCALED}, Outcome.FAIL, [("k8s/d.yaml", 9)]),
    ("50% of 6", {"k8s/d.yaml": SAFE}, Outcome.PASS, [("k8s/d.yaml", 8)]),
    ("default strategy", {"k8s/d.yaml": DEFAULT}, Outcome.PASS, [("k8s/d.yaml", 1)]),
    ("1 pod of an autoscaled count", {"k8s/d.yaml": ONE_OF_AUTOSCALED}, Outcome.PASS, [("k8s/d.yaml", 7)]),
    ("argo rollout", {"k8s/r.yaml": ROLLOUT}, Outcome.PASS, [("k8s/r.yaml", 1)]),
    ("nothing deployed", {"README.md": "# x\n"}, Outcome.NOT_APPLICABLE, []),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rolling_deploys(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is outcome
    if outcome is Outcome.FAIL:
        assert locations(result) == expected
    else:
        assert [(e.path, e.line) for e in result.evidence] == expected


def test_messages_explain_the_downtime(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/d.yaml": RECREATE, "b/d.yaml": ALL_AT_ONCE})
    result = run_check(CHECK, tmp_path)
    assert [f.message for f in result.failures] == [
        "Deployment 'bidder' uses the Recreate strategy: "
        "every deploy stops all pods before starting new ones",
        "Deployment 'bidder' rolls out with maxUnavailable 3 of 3 replica(s): every pod may be down at once",
    ]


SERVING = DEFAULT.replace(
    "          image: bidder:1\n", "          image: bidder:1\n          ports: [{containerPort: 8080}]\n"
)


def test_a_rollout_without_a_readiness_probe_is_not_health_gated(tmp_path: Path) -> None:
    probed = SERVING.replace("name: bidder\nspec", "name: api\nspec").replace(
        "ports: [{containerPort: 8080}]\n",
        "ports: [{containerPort: 8080}]\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n",
    )
    write_tree(tmp_path, {"k8s/bidder.yaml": SERVING, "k8s/api.yaml": probed})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert result.answer is Answer.PARTIAL  # the api's rollout is gated
    assert locations(result) == [("k8s/bidder.yaml", 10)]
    assert "rolls out without a readiness probe" in result.failures[0].message


def test_a_compose_deployment_recreates_in_place(tmp_path: Path) -> None:
    workflow = (
        "on: {push: {branches: [main]}}\njobs:\n  deploy:\n    runs-on: self-hosted\n    steps:\n"
        "      - run: docker compose -f compose.yml up -d --build\n"
    )
    write_tree(
        tmp_path,
        {".github/workflows/deploy.yml": workflow, "compose.yml": "services:\n  app:\n    build: .\n"},
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [(".github/workflows/deploy.yml", 6)]
    assert result.failures[0].message.startswith("the service is deployed with docker compose")
