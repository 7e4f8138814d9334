from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "disaster-recovery/redis-persistence"

STATEFULSET_AOF = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: docker.io/library/redis:7.2@sha256:abc
          args: ["--appendonly", "yes"]
          volumeMounts:
            - name: data
              mountPath: /data
  volumeClaimTemplates:
    - metadata:
        name: data
"""

DEPLOYMENT_PERSISTENCE_OFF = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7
          args:
            - --save
            - ""
            - --appendonly
            - "no"
"""

DEPLOYMENT_AOF_EMPTYDIR = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis/redis-stack-server:7.2.0-v9
          env:
            - name: REDIS_ARGS
              value: "--appendonly yes"
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          emptyDir: {}
"""

COMPOSE_OFF = """
services:
  cache:
    image: redis:7-alpine
    command: redis-server --save '' --appendonly no
"""

COMPOSE_DEFAULTS_NO_VOLUME = """
services:
  app:
    image: ghcr.io/acme/app:1
  redis:
    image: redis:7-alpine
"""

COMPOSE_NAMED_VOLUME = """
services:
  redis:
    image: redis:7-alpine
    volumes:
      - redis-data:/data
volumes:
  redis-data: {}
"""

COMPOSE_WITH_CONF = """
services:
  redis:
    image: redis:7-alpine
    command: ["redis-server", "/usr/local/etc/redis/redis.conf"]
    volumes:
      - ./redis/redis.conf:/usr/local/etc/redis/redis.conf:ro
"""

CACHE_CONF = """
# cache only: the bidder rebuilds it from the database
maxmemory 2gb
maxmemory-policy allkeys-lru
save ""
"""

CACHE_CONF_NO_LIMIT = """
maxmemory-policy allkeys-lfu
appendonly no
"""

STORE_CONF_OFF = """
save 900 1
save ""
appendonly no
"""

CONFIGMAP_OFF = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: redis-config
data:
  redis.conf: |
    appendonly no
    save ""
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7
          command: ["redis-server", "/etc/redis/redis.conf"]
"""

BITNAMI_OFF = """
services:
  redis:
    image: bitnami/redis:7.2
    environment:
      - REDIS_AOF_ENABLED=no
      - REDIS_RDB_POLICY_DISABLED=yes
"""

BITNAMI_DEFAULT = """
services:
  redis:
    image: bitnami/redis:7.2
    volumes:
      - redis:/bitnami/redis/data
"""

ONLY_EXPORTER = """
services:
  exporter:
    image: oliver006/redis_exporter:v1.55.0
  db:
    image: postgres:16
"""

CASES = [
    ("statefulset with AOF and a claim", {"k8s/redis.yaml": STATEFULSET_AOF}, Outcome.PASS, []),
    (
        "args turn both AOF and RDB off",
        {"k8s/redis.yaml": DEPLOYMENT_PERSISTENCE_OFF},
        Outcome.FAIL,
        [("k8s/redis.yaml", 12, Severity.BLOCKER, "persistence off")],
    ),
    (
        "AOF through REDIS_ARGS but only an emptyDir",
        {"k8s/redis.yaml": DEPLOYMENT_AOF_EMPTYDIR},
        Outcome.FAIL,
        [("k8s/redis.yaml", 9, Severity.RISK, "no persistent volume is mounted there")],
    ),
    (
        "compose command turns persistence off",
        {"docker-compose.yml": COMPOSE_OFF},
        Outcome.FAIL,
        [
            (
                "docker-compose.yml",
                4,
                Severity.BLOCKER,
                "compose service 'cache' stores data with persistence off",
            )
        ],
    ),
    (
        "compose defaults keep RDB but nothing keeps the files",
        {"docker-compose.yml": COMPOSE_DEFAULTS_NO_VOLUME},
        Outcome.FAIL,
        [("docker-compose.yml", 4, Severity.RISK, "persists to /data but no persistent volume")],
    ),
    ("compose named volume over /data", {"compose.yaml": COMPOSE_NAMED_VOLUME}, Outcome.PASS, []),
    (
        "referenced redis.conf makes it a bounded cache",
        {"docker-compose.yml": COMPOSE_WITH_CONF, "redis/redis.conf": CACHE_CONF},
        Outcome.PASS,
        [],
    ),
    (
        "allkeys eviction without maxmemory",
        {"docker-compose.yml": COMPOSE_WITH_CONF, "redis/redis.conf": CACHE_CONF_NO_LIMIT},
        Outcome.FAIL,
        [("redis/redis.conf", 1, Severity.RISK, "sets no maxmemory")],
    ),
    (
        "standalone redis.conf: the last save line wins",
        {"ops/redis.conf": STORE_CONF_OFF},
        Outcome.FAIL,
        [("ops/redis.conf", 2, Severity.BLOCKER, "ops/redis.conf stores data with persistence off")],
    ),
    (
        "redis.conf in a ConfigMap loaded by the command line",
        {"k8s/redis.yaml": CONFIGMAP_OFF},
        Outcome.FAIL,
        [("k8s/redis.yaml", 8, Severity.BLOCKER, "StatefulSet 'redis' container 'redis' stores data")],
    ),
    (
        "bitnami switches turn both off",
        {"docker-compose.yml": BITNAMI_OFF},
        Outcome.FAIL,
        [("docker-compose.yml", 6, Severity.BLOCKER, "persistence off")],
    ),
    ("bitnami enables AOF by default", {"docker-compose.yml": BITNAMI_DEFAULT}, Outcome.PASS, []),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_redis_persistence(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int, Severity, str]]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is outcome, result
    assert locations(result) == [(path, line) for path, line, _, _ in expected]
    for failure, (_, _, severity, text) in zip(result.failures, expected, strict=True):
        assert (failure.severity or Severity.BLOCKER) is severity
        assert text in failure.message
    if outcome is Outcome.PASS:
        assert result.evidence and all(e.path and e.line for e in result.evidence)


def test_pass_evidence_points_at_aof_flag_and_mount(tmp_path: Path) -> None:
    result = run_check(CHECK, write_tree(tmp_path, {"k8s/redis.yaml": STATEFULSET_AOF}))
    assert [(e.path, e.line) for e in result.evidence] == [("k8s/redis.yaml", 11), ("k8s/redis.yaml", 14)]


def test_not_applicable_without_redis(tmp_path: Path) -> None:
    result = run_check(CHECK, write_tree(tmp_path, {"docker-compose.yml": ONLY_EXPORTER}))
    assert result.outcome is Outcome.NOT_APPLICABLE
