"""Odd but parseable input must never crash a check: the engine would report it as not assessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import run_check, write_tree

CHECKS = [
    "disaster-recovery/redis-persistence",
    "disaster-recovery/database-backups",
    "disaster-recovery/restore-tested",
    "disaster-recovery/runbooks",
    "disaster-recovery/rollback",
    "operational-readiness/rolling-deploys",
    "operational-readiness/on-call",
    "operational-readiness/codeowners",
    "operational-readiness/incident-playbook",
    "load-validation/load-tests",
    "load-validation/peak-2x",
    "load-validation/p99-threshold",
    "compliance/gdpr-data-flows",
    "compliance/retention",
    "compliance/legal-docs",
]

ODD_TREE = {
    "k8s/odd.yaml": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: odd}
spec: just-a-string
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  volumeClaimTemplates: [oops, {metadata: null}]
  strategy: 3
  template:
    spec:
      volumes: [null, {name: data}]
      containers:
        - name: redis
          image: redis:7
          args: ["--save", null, 42]
          env: [{name: REDIS_ARGS}, "not-a-map"]
          volumeMounts: [null, {mountPath: 5}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: empty}
spec: {jobTemplate: null}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: scalar}
spec: {jobTemplate: not-a-mapping}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {redis.conf: 12}
""",
    "docker-compose.yml": "services:\n  redis:\n    image: redis\n    volumes: [':', {target: null}]\n"
    "    environment: {REDIS_ARGS: null}\n",
    ".github/workflows/x.yml": "on: [push]\njobs:\n  a: 3\n  b: {steps: [null, {run: 5}]}\n",
    "loadtest/open.js": "import http from 'k6/http';\nexport const options = "
    "{ scenarios: { a: { executor: 'x' ",
    "db/open.sql": "CREATE TABLE t (\n  email text\nSELECT create_hypertable(\n",
    "docs/empty.md": "",
    "docs/only-fences.md": "```\n# not a heading\n",
    "CODEOWNERS": "",
    "catalog-info.yaml": "- a list\n",
}


@pytest.mark.parametrize("check_id", CHECKS)
def test_odd_input_is_judged_without_crashing(tmp_path: Path, check_id: str) -> None:
    result = run_check(check_id, write_tree(tmp_path, ODD_TREE))
    assert isinstance(result.outcome, Outcome)
    for failure in result.failures:
        assert failure.evidence and all(e.path or e.note for e in failure.evidence)
