from __future__ import annotations

from pathlib import Path

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "operational-readiness/deploy-pipeline"

PUSH_DEPLOY = """
name: deploy
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t bidder .
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: kubectl apply -k deploy/k8s
  rollback:
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: kubectl rollout undo deploy/bidder
"""

GATED = """
name: release
on:
  push:
    branches: [main]
  workflow_dispatch:
jobs:
  deploy-staging:
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: ./deploy/rollout.sh "$VERSION" staging
  deploy-production:
    needs: deploy-staging
    runs-on: ubuntu-latest
    environment:
      name: production
      url: https://bidder.example
    steps:
      - run: helm upgrade --install bidder chart/ --wait
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: kubectl kustomize deploy/k8s | kubeconform -strict
"""

MANUAL = """
name: ship
on: workflow_dispatch
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade bidder chart/
"""

ROLLOUT = """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: bidder
spec:
  strategy:
    canary:
      steps:
        - setWeight: 10
        - pause: {duration: 10m}
"""

GITLAB = """
stages: [deploy]
deploy-prod:
  stage: deploy
  script:
    - helm upgrade --install bidder chart/
  when: manual
deploy-dev:
  stage: deploy
  script:
    - kubectl apply -f k8s/
"""

ARGO_APP = """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: bidder
spec:
  destination: {namespace: bidder}
"""


def test_a_push_deploy_without_environment_is_a_risk(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/deploy.yml": PUSH_DEPLOY})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [(".github/workflows/deploy.yml", 10)]  # the rollback job is not judged
    (failure,) = result.failures
    assert [(e.path, e.line) for e in failure.evidence] == [
        (".github/workflows/deploy.yml", 10),
        (".github/workflows/deploy.yml", 3),
        (".github/workflows/deploy.yml", 15),
    ]
    assert failure.severity is None and "every push" in failure.message


def test_a_canary_softens_it_to_a_recommendation(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/deploy.yml": PUSH_DEPLOY, "k8s/rollout.yaml": ROLLOUT})
    result = run_check(CHECK, tmp_path)
    assert locations(result) == [(".github/workflows/deploy.yml", 10)]
    assert result.failures[0].severity is Severity.RECOMMENDATION
    assert (result.failures[0].evidence[2].path, result.failures[0].evidence[2].line) == (
        "k8s/rollout.yaml",
        7,
    )


def test_environments_and_manual_triggers_pass(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/release.yml": GATED, ".github/workflows/ship.yml": MANUAL})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [
        (".github/workflows/release.yml", 9),
        (".github/workflows/release.yml", 15),
        (".github/workflows/ship.yml", 4),
    ]


def test_gitlab_jobs_are_judged_too(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitlab-ci.yml": GITLAB})
    result = run_check(CHECK, tmp_path)
    assert locations(result) == [(".gitlab-ci.yml", 7)]  # deploy-dev; deploy-prod is manual


def test_gitops_passes_and_nothing_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path / "gitops", {"argo/app.yaml": ARGO_APP})
    result = run_check(CHECK, tmp_path / "gitops")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("argo/app.yaml", 1)]
    write_tree(tmp_path / "none", {"README.md": "# nothing deploys here\n"})
    assert run_check(CHECK, tmp_path / "none").outcome is Outcome.NOT_APPLICABLE
