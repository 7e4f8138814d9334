from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Answer, Outcome
from tests.support import locations, run_check, write_tree

CHECK = "disaster-recovery/rollback"


def deployment(extra: str = "") -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  replicas: 3{extra}
  template:
    spec:
      containers:
        - name: bidder
          image: bidder:1.0
"""


ROLLBACK_DOC = """
# Deploying the bidder

## Deploy
Merge to main; the pipeline applies the manifests.

## Rollback
1. kubectl -n bidder rollout undo deployment/bidder
2. kubectl -n bidder rollout status deployment/bidder --timeout=5m
3. Post in #incidents which version is live.
"""

ROLLBACK_WORKFLOW = """
name: rollback
on: workflow_dispatch
jobs:
  undo:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          # undo the last release
          helm rollback bidder --wait
"""

DEPLOY_WORKFLOW = """
name: release
on:
  push:
    branches: [main]
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: |
          helm upgrade --install bidder ./chart
"""

SCRIPT = "#!/bin/sh\nset -eu\n# helm rollback is not used\nkubectl rollout undo deployment/bidder\n"

CASES = [
    (
        "runbook section",
        {"k8s/bidder.yaml": deployment(), "docs/deploy.md": ROLLBACK_DOC},
        Outcome.PASS,
        [("docs/deploy.md", 6)],
    ),
    (
        "rollback workflow",
        {"k8s/bidder.yaml": deployment(), ".github/workflows/rollback.yml": ROLLBACK_WORKFLOW},
        Outcome.PASS,
        [(".github/workflows/rollback.yml", 10)],
    ),
    (
        "rollback script",
        {"chart/Chart.yaml": "name: bidder\nversion: 1.0.0\n", "scripts/rollback.sh": SCRIPT},
        Outcome.PASS,
        [("scripts/rollback.sh", 4)],
    ),
    (
        "no procedure, a version to go back to",
        {"k8s/bidder.yaml": deployment()},
        Outcome.FAIL,
        [("k8s/bidder.yaml", 11)],
    ),
    (
        "no procedure, only moving tags",
        {"k8s/bidder.yaml": deployment().replace("bidder:1.0", "bidder:latest")},
        Outcome.FAIL,
        [(None, None)],
    ),
    (
        "deploy workflow without procedure",
        {".github/workflows/release.yml": DEPLOY_WORKFLOW},
        Outcome.FAIL,
        [(None, None)],
    ),
    (
        "revision history thrown away",
        {"k8s/bidder.yaml": deployment("\n  revisionHistoryLimit: 0"), "docs/deploy.md": ROLLBACK_DOC},
        Outcome.FAIL,
        [("k8s/bidder.yaml", 7)],
    ),
    ("nothing deployed", {"docs/deploy.md": ROLLBACK_DOC}, Outcome.NOT_APPLICABLE, []),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rollback(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str | None, int | None]]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is outcome
    if outcome is Outcome.PASS:
        assert [(e.path, e.line) for e in result.evidence] == expected
    else:
        assert locations(result) == expected


def test_messages_say_what_is_missing(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"k8s/bidder.yaml": deployment("\n  revisionHistoryLimit: 0").replace(":1.0", ":latest")}
    )
    result = run_check(CHECK, tmp_path)
    assert [f.message.split(":")[0] for f in result.failures] == [
        "Deployment 'bidder' keeps no old revisions (revisionHistoryLimit",
        "no rollback procedure",
    ]
    assert result.failures[1].evidence[-1].note == "no workflow job or script running a rollback command"


def test_a_redeployable_version_without_a_procedure_is_a_partial_answer(tmp_path: Path) -> None:
    release = """
name: release
on: {push: {tags: ["v*"]}}
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/metadata-action@v5
        with:
          tags: type=semver,pattern={{version}}
      - uses: docker/build-push-action@v6
"""
    write_tree(tmp_path, {".github/workflows/release.yml": release, "Dockerfile": "FROM scratch\n"})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert result.answer is Answer.PARTIAL
    assert locations(result) == [(".github/workflows/release.yml", 9)]
    assert result.failures[0].message.startswith("a previous version can be redeployed")
