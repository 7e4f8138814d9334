"""Odd but parseable input must never crash a check: the engine would report it as not assessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.config import Config
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
    "disaster-recovery/failover",
    "operational-readiness/deploy-pipeline",
    "load-validation/soak-test",
    "load-validation/results",
]
# Checks that also read semgrep facts: judged here on the odd manifests with no facts at all, so
# the test stays fast (their rules are tested by `semgrep --test`).
SEMGREP_CHECKS = [
    "disaster-recovery/redis-usage",
    "operational-readiness/feature-flags",
    "operational-readiness/kill-switches",
    "operational-readiness/config-reload",
    "load-validation/chaos-tests",
    "compliance/audit-logging",
    "compliance/redis-retention",
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
    ".github/workflows/odd.yml": "on: {push: null}\njobs:\n"
    "  deploy: {environment: 5, steps: [{run: kubectl apply}, {uses: 3}]}\n",
    ".gitlab-ci.yml": "deploy: {script: 5, rules: [null]}\nother: [1]\n",
    "loadtest/results/summary.json": '{"metrics": {"http_req_duration": {"values": [1], "thresholds": 3}}}\n',
    "loadtest/results/broken.json": "{not json\n",
    "k8s/chaos.yaml": "apiVersion: chaos-mesh.org/v1alpha1\nkind: Schedule\nmetadata: {name: s}\n"
    "spec: {type: PodChaos, podChaos: 3}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\n"
    "metadata: {name: p}\nspec: {selector: {matchLabels: null}}\n",
    "values.yaml": "redis: {sentinel: 3, architecture: 5}\n",
    "package.json": "[1, 2]\n",
}


@pytest.mark.parametrize("check_id", CHECKS + SEMGREP_CHECKS)
def test_odd_input_is_judged_without_crashing(tmp_path: Path, check_id: str) -> None:
    facts = {"semgrep": []} if check_id in SEMGREP_CHECKS else None
    config = Config(project="odd", kill_switches=("idr_enabled",))
    result = run_check(check_id, write_tree(tmp_path, ODD_TREE), config, facts)
    assert isinstance(result.outcome, Outcome)
    assert result.outcome is not Outcome.NOT_ASSESSED, result.summary  # a crash is reported as not assessed
    for failure in result.failures:
        assert failure.evidence and all(e.path or e.note for e in failure.evidence)
