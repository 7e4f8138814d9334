from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome
from tests.support import locations, run_check, write_tree

AUTOSCALING = "scalability/autoscaling"
STICKY = "scalability/no-sticky-sessions"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


def workload(kind: str, name: str, replicas: int | None = None) -> str:
    spec = f"  replicas: {replicas}\n" if replicas is not None else ""
    return (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}"
        f"  template:\n    spec:\n      containers:\n        - name: {name}\n          image: {name}:1.0\n"
    )


HPA = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: bidder
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: bidder}
  minReplicas: 2
  maxReplicas: 20
"""

KEDA = """
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef:
    name: worker
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
          image: migrate:1.0
"""

KUSTOMIZATION = """
resources: [../../base]
replicas:
  - name: other
    count: 1
  - name: web
    count: 4
"""

AUTOSCALING_CASES = [
    pytest.param(
        {
            "deploy/bidder.yaml": workload("Deployment", "bidder") + "---\n" + HPA,
            "deploy/worker.yaml": workload("Deployment", "worker") + "---\n" + KEDA,
            "deploy/api.yaml": workload("Rollout", "api", replicas=3),
            "deploy/exporter.yaml": workload("DaemonSet", "node-exporter"),
            "deploy/migrate.yaml": JOB,
        },
        Outcome.PASS,
        [("deploy/api.yaml", 6), ("deploy/bidder.yaml", 13), ("deploy/worker.yaml", 13)],
        id="hpa-keda-replicas-daemonset-and-job-ignored",
    ),
    pytest.param(
        {
            "deploy/cache.yaml": workload("StatefulSet", "cache"),
            "deploy/bidder.yaml": workload("Deployment", "bidder", replicas=1),
            "deploy/hpa.yaml": HPA.replace("name: bidder}", "name: bidder-v2}"),
            "deploy/migrate.yaml": JOB,
        },
        Outcome.FAIL,
        [("deploy/bidder.yaml", 1), ("deploy/cache.yaml", 1)],
        id="single-replica-and-hpa-for-another-workload",
    ),
    pytest.param(
        {"base/web.yaml": workload("Deployment", "web"), "overlays/prod/kustomization.yaml": KUSTOMIZATION},
        Outcome.PASS,
        [("overlays/prod/kustomization.yaml", 5)],
        id="kustomize-replicas-override",
    ),
    pytest.param(
        {
            "base/web.yaml": workload("Deployment", "web"),
            "overlays/prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
            "spec:\n  replicas: 3\n",
        },
        Outcome.PASS,
        [("overlays/prod/replicas.yaml", 6)],
        id="overlay-patch-raises-replicas",
    ),
    pytest.param({"deploy/migrate.yaml": JOB}, Outcome.NOT_APPLICABLE, [], id="jobs-only"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), AUTOSCALING_CASES)
def test_autoscaling(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(AUTOSCALING, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_autoscaling_messages(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/cache.yaml": workload("StatefulSet", "cache", replicas=0)})
    assert [f.message for f in run_check(AUTOSCALING, tmp_path).failures] == [
        "StatefulSet 'cache' runs 0 replicas and no HorizontalPodAutoscaler targets it"
    ]


STICKY_SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  sessionAffinity: ClientIP
  ports: [{port: 80}]
"""

STICKY_INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/affinity: cookie
    alb.ingress.kubernetes.io/target-group-attributes: stickiness.enabled=true,stickiness.type=lb_cookie
spec:
  rules: []
"""

PLAIN = """
apiVersion: v1
kind: Service
metadata:
  name: api
  annotations:
    traefik.ingress.kubernetes.io/service.sticky.cookie: "false"
spec:
  sessionAffinity: None
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
spec:
  rules: []
"""

STICKY_CASES = [
    pytest.param(
        {"deploy/svc.yaml": STICKY_SERVICE, "deploy/ingress.yaml": STICKY_INGRESS},
        Outcome.FAIL,
        [("deploy/ingress.yaml", 7), ("deploy/ingress.yaml", 8), ("deploy/svc.yaml", 7)],
        id="client-ip-affinity-and-cookie-annotations",
    ),
    pytest.param(
        {"deploy/routing.yaml": PLAIN},
        Outcome.PASS,
        [("deploy/routing.yaml", 1), ("deploy/routing.yaml", 10)],
        id="no-affinity-and-disabled-sticky-cookie",
    ),
    pytest.param(
        {"deploy/app.yaml": workload("Deployment", "api")},
        Outcome.NOT_APPLICABLE,
        [],
        id="no-service",
    ),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), STICKY_CASES)
def test_no_sticky_sessions(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(STICKY, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_sticky_message_names_the_setting(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/svc.yaml": STICKY_SERVICE})
    assert [f.message for f in run_check(STICKY, tmp_path).failures] == [
        "Service 'api' pins clients to one pod (spec.sessionAffinity: ClientIP)"
    ]


def test_data_stores_are_left_to_failover(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "redis.yaml": """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: redis}
        spec:
          replicas: 1
          template:
            spec:
              containers:
                - name: redis
                  image: docker.io/bitnami/redis:7.2.4
        """
        },
    )
    assert run_check("scalability/autoscaling", tmp_path).outcome is Outcome.NOT_APPLICABLE
