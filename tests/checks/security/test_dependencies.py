from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome
from tests.support import locations, run_check, write_tree

CHECK = "security/pinned-images"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


DOCKERFILE = """
ARG BASE=python:3.12-slim
FROM golang:1.22 AS build
FROM build AS test
FROM ${BASE}
FROM scratch
FROM --platform=$BUILDPLATFORM alpine AS tools
FROM redis:latest
FROM gcr.io/distroless/static@sha256:0000000000000000000000000000000000000000000000000000000000000000
FROM localhost:5000/app:1.2
FROM $UNKNOWN
"""

WORKLOADS = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  template:
    spec:
      initContainers:
        - name: wait
          image: busybox
      containers:
        - name: bidder
          image: registry.example.com:443/bidder:1.4.2
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: report:latest
"""

COMPOSE = """
services:
  api:
    build: .
    image: acme/api
  redis:
    image: redis
  db:
    image: postgres:16.3
"""

CASES = [
    pytest.param(
        {"Dockerfile": DOCKERFILE},
        Outcome.FAIL,
        [("Dockerfile", 6), ("Dockerfile", 7)],
        id="dockerfile-untagged-and-latest-stages-scratch-args-skipped",
    ),
    pytest.param(
        {"deploy/app.yaml": WORKLOADS},
        Outcome.FAIL,
        [("deploy/app.yaml", 10), ("deploy/app.yaml", 26)],
        id="init-containers-and-cronjobs-pull-images-too",
    ),
    pytest.param(
        {"docker-compose.yml": COMPOSE},
        Outcome.FAIL,
        [("docker-compose.yml", 6)],
        id="compose-build-image-is-not-pulled",
    ),
    pytest.param(
        {
            "Dockerfile": "FROM python:3.12.4-slim AS base\nFROM base\n",
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16.3\n",
        },
        Outcome.PASS,
        [("Dockerfile", 1), ("docker-compose.yml", 3)],
        id="all-pinned",
    ),
    pytest.param({"README.md": "no images\n"}, Outcome.NOT_APPLICABLE, [], id="no-images"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), CASES)
def test_pinned_images(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(CHECK, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_messages_name_the_image_and_the_problem(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/app.yaml": WORKLOADS})
    assert [f.message for f in run_check(CHECK, tmp_path).failures] == [
        "Deployment 'bidder' container 'wait' image 'busybox' has no tag, so it runs whatever `latest` "
        "points to when it is pulled",
        "CronJob 'report' container 'report' image 'report:latest' uses the moving tag 'latest'",
    ]
