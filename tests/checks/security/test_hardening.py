from pathlib import Path

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "security/no-privileged-containers"

PRIVILEGED = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: api
          image: api:1.0
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
            capabilities:
              add: ["NET_BIND_SERVICE", "SYS_ADMIN"]
      volumes:
        - name: docker
          hostPath:
            path: /var/run/docker.sock
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  template:
    spec:
      hostPID: true
      containers:
        - name: agent
          image: agent:1.0
          securityContext:
            privileged: true
"""

COMPOSE = """
services:
  builder:
    image: docker:27
    privileged: true
    network_mode: host
    cap_add: [NET_ADMIN]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
  app:
    image: app:1.0
"""

HARDENED = """
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
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
              add: ["NET_BIND_SERVICE"]
"""


def test_privileged_containers_host_namespaces_capabilities_and_docker_socket(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/k8s.yaml": PRIVILEGED, "docker-compose.yml": COMPOSE})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("deploy/k8s.yaml", 8),  # hostNetwork
        ("deploy/k8s.yaml", 20),  # docker socket
        ("deploy/k8s.yaml", 13),  # privileged
        ("deploy/k8s.yaml", 14),  # allowPrivilegeEscalation: true
        ("deploy/k8s.yaml", 15),  # SYS_ADMIN
        ("deploy/k8s.yaml", 29),  # hostPID on the DaemonSet
        ("deploy/k8s.yaml", 34),  # privileged DaemonSet
        ("docker-compose.yml", 4),
        ("docker-compose.yml", 5),
        ("docker-compose.yml", 6),
        ("docker-compose.yml", 8),
    ]
    severities = [f.severity for f in result.failures]
    # privileged: true is a blocker on a serving Deployment, a risk on a node agent.
    assert severities[2] is Severity.BLOCKER
    assert severities[6] is None
    assert "SYS_ADMIN" in result.failures[4].message and "NET_BIND_SERVICE" not in result.failures[4].message


def test_hardened_containers_pass_and_nothing_to_judge(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"deploy/api.yaml": HARDENED, "docker-compose.yml": "services:\n  app:\n    image: app:1.0\n"},
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("deploy/api.yaml", 12)]
    write_tree(tmp_path / "empty", {"README.md": "nothing\n"})
    assert run_check(CHECK, tmp_path / "empty").outcome is Outcome.NOT_APPLICABLE
