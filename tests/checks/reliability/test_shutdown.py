from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome
from tests.support import locations, run_check, write_tree

CHECK = "reliability/exec-form-entrypoint"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    """Failure locations of a failed result, evidence locations of a passed one."""
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


CASES = [
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            COPY . /app
            CMD python -m bidder
        """
        },
        Outcome.FAIL,
        [("Dockerfile", 3)],
        id="shell-form-cmd",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            CMD ["python", "-m", "bidder"]
        """
        },
        Outcome.PASS,
        [("Dockerfile", 2)],
        id="exec-form-cmd",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            ENTRYPOINT python -m bidder
        """
        },
        Outcome.FAIL,
        [("Dockerfile", 2)],
        id="shell-form-entrypoint",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            ENTRYPOINT ["/usr/bin/tini", "--"]
            CMD python -m bidder
        """
        },
        Outcome.PASS,
        [("Dockerfile", 2)],
        id="init-entrypoint-makes-cmd-irrelevant",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            ENTRYPOINT tini -- python -m bidder
        """
        },
        Outcome.FAIL,
        [("Dockerfile", 2)],
        id="init-in-shell-form-is-still-sh",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            CMD ["sh", "-c", "python -m bidder --port $PORT"]
        """
        },
        Outcome.FAIL,
        [("Dockerfile", 2)],
        id="exec-form-sh-c-wrapper",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim
            CMD exec python -m bidder --port $PORT
        """
        },
        Outcome.PASS,
        [("Dockerfile", 2)],
        id="shell-form-with-exec",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM golang:1.22 AS build
            CMD go run ./cmd/bidder
            FROM gcr.io/distroless/static:nonroot
            COPY --from=build /out/bidder /bidder
            CMD ["/bidder"]
        """
        },
        Outcome.PASS,
        [("Dockerfile", 5)],
        id="only-the-final-stage-counts",
    ),
    pytest.param(
        {
            "Dockerfile": """
            FROM python:3.12-slim AS base
            CMD python -m bidder

            FROM base AS runtime
            COPY . /app
        """
        },
        Outcome.FAIL,
        [("Dockerfile", 2)],
        id="final-stage-inherits-cmd-from-earlier-stage",
    ),
    pytest.param(
        {
            "api/Dockerfile": 'FROM node:20\nCMD ["node", "server.js"]\n',
            "worker/Dockerfile": "FROM node:20\nCMD npm start\n",
            "base/Dockerfile": "FROM node:20\nRUN npm ci\n",
        },
        Outcome.FAIL,
        [("worker/Dockerfile", 2)],
        id="one-of-several-dockerfiles",
    ),
    pytest.param(
        {"Dockerfile": "FROM python:3.12-slim\nRUN pip install bidder\n"},
        Outcome.NOT_APPLICABLE,
        [],
        id="no-cmd-keeps-base-image-default",
    ),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), CASES)
def test_exec_form_entrypoint(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(CHECK, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_failure_explains_signal_forwarding(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": "FROM alpine:3.20\nCMD ./server\n"})
    result = run_check(CHECK, tmp_path)
    assert "shell form" in result.failures[0].message
    assert "SIGTERM" in result.failures[0].message
    assert result.failures[0].evidence[0].snippet == "CMD ./server"
