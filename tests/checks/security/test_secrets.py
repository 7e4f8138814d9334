import dataclasses
from pathlib import Path

import pytest

from readiness.model import Answer, CheckResult, Outcome, Severity
from tests.support import locations, run_check, write_tree

SECRETS = "security/no-secrets-in-images"
NON_ROOT = "security/non-root"

# Fake values that must never reach the report.
FAKE_VALUES = ("hunter2-fake-secret", "ak_live_fakefakefake", "s3cr3t-fake", "sk_fake_value", "pg-local-fake")


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


LEAKY_DOCKERFILE = """
FROM node:20 AS build
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
FROM node:20-slim
ENV NODE_ENV=production \\
    REDIS_PASSWORD=hunter2-fake-secret
ENV API_KEY ak_live_fakefakefake
ENV DB_PASSWORD_FILE=/run/secrets/db
ENV DATABASE_URL=postgres://bidder:s3cr3t-fake@db:5432/bids
ENV SESSION_SECRET=${SESSION_SECRET}
ARG GITHUB_TOKEN
ARG SENTRY_DSN=https://publickey@o0.ingest.sentry.io/1
ENV TOKEN_REQUIRED=true
"""

LEAKY_COMPOSE = """
services:
  api:
    image: api:1.0
    environment:
      REDIS_PASSWORD: hunter2-fake-secret
      REDIS_URL: redis://:${REDIS_PASSWORD}@redis:6379
      LOG_LEVEL: info
  worker:
    environment:
      - STRIPE_API_KEY=sk_fake_value
      - AWS_SECRET_ACCESS_KEY
      - DB_PASSWORD=${DB_PASSWORD}
"""

DEV_COMPOSE = """
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: pg-local-fake
"""

CLEAN_DOCKERFILE = """
FROM node:20 AS build
ARG NPM_TOKEN
RUN npm ci
FROM node:20-slim
ENV PORT=8080 DB_PASSWORD_FILE=/run/secrets/db
"""

SECRET_CASES = [
    pytest.param(
        {"Dockerfile": LEAKY_DOCKERFILE},
        Outcome.FAIL,
        [("Dockerfile", 11)],
        id="a-secret-build-argument-of-the-shipped-stage",
    ),
    pytest.param(
        {"docker-compose.yml": LEAKY_COMPOSE, "docker-compose.dev.yml": DEV_COMPOSE},
        Outcome.PASS,
        [("docker-compose.dev.yml", None), ("docker-compose.yml", None)],
        id="literals-in-compose-are-the-hardcoded-secrets-check-s",
    ),
    pytest.param(
        {
            "Dockerfile": CLEAN_DOCKERFILE,
            "docker-compose.yml": "services:\n  api:\n    environment:\n      API_KEY: ${API_KEY}\n",
        },
        Outcome.PASS,
        [("Dockerfile", None), ("docker-compose.yml", None)],
        id="references-file-paths-and-builder-stage-args",
    ),
    pytest.param({"README.md": "x\n"}, Outcome.NOT_APPLICABLE, [], id="nothing-to-read"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), SECRET_CASES)
def test_no_secrets_in_images(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int | None]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(SECRETS, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


LEAKY_TREE = {
    "Dockerfile": LEAKY_DOCKERFILE,
    "docker-compose.yml": LEAKY_COMPOSE,
    "docker-compose.dev.yml": DEV_COMPOSE,
}


def test_literals_in_env_lines_and_compose_are_hardcoded_secrets_once_each(tmp_path: Path) -> None:
    write_tree(tmp_path, LEAKY_TREE)
    result = run_check("security/no-hardcoded-secrets", tmp_path)
    placed = [[(e.path, e.line) for e in f.evidence] for f in result.failures]
    assert placed == [
        [("Dockerfile", 6), ("docker-compose.yml", 5)],  # one value, written twice
        [("Dockerfile", 7)],
        [("Dockerfile", 9)],
        [("docker-compose.dev.yml", 5)],
        [("docker-compose.yml", 10)],
    ]
    assert result.failures[0].message.endswith("hardcoded as ENV REDIS_PASSWORD and in 1 more place(s)")
    assert result.failures[4].message.endswith("hardcoded as compose service 'worker': STRIPE_API_KEY")
    snippets = [e.snippet or "" for f in result.failures for e in f.evidence]
    assert snippets[0].startswith("REDIS_PASSWORD=<redacted password (sha256:")


def test_secret_values_never_reach_the_result(tmp_path: Path) -> None:
    write_tree(tmp_path, LEAKY_TREE)
    for check_id in (SECRETS, "security/no-hardcoded-secrets"):
        rendered = repr(run_check(check_id, tmp_path))
        for value in FAKE_VALUES:
            assert value not in rendered, (check_id, value)


def test_secret_messages_and_severities(tmp_path: Path) -> None:
    write_tree(tmp_path, LEAKY_TREE)
    failures = run_check(SECRETS, tmp_path).failures
    graded = [(f.message.split(",")[0], f.severity) for f in failures]
    assert graded == [
        ("ARG GITHUB_TOKEN takes a secret as a build argument of the shipped stage", Severity.RISK)
    ]


def pod(kind: str, name: str, pod_context: str = "", containers: str = "") -> str:
    return (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n"
        f"{pod_context}      containers:\n{containers}"
    )


POD_NON_ROOT = "      securityContext:\n        runAsNonRoot: true\n"
PLAIN_CONTAINER = "        - name: {name}\n          image: {name}:1.0\n"
ROOT_CONTAINER = (
    "        - name: {name}\n          image: {name}:1.0\n"
    "          securityContext:\n            runAsUser: 0\n"
)
INIT_AND_CONTAINER = (
    "        - name: app\n          image: app:1.0\n"
    "          securityContext: {runAsUser: 10001}\n"
    "      initContainers:\n        - name: chown\n          image: busybox:1.36\n"
)
JOB = (
    "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n"
    "      containers:\n        - name: migrate\n          image: migrate:1.0\n"
)

NON_ROOT_CASES = [
    pytest.param(
        {
            "api/Dockerfile": 'FROM python:3.12-slim\nRUN useradd app\nUSER app\nCMD ["app"]\n',
            "bidder/Dockerfile": (
                "FROM golang:1.22 AS build\nFROM gcr.io/distroless/static-debian12:nonroot\n"
            ),
            "jobs/Dockerfile": "FROM python:3.12-slim AS base\nUSER 10001:10001\nFROM base AS final\n",
        },
        Outcome.PASS,
        [("api/Dockerfile", 3), ("bidder/Dockerfile", 2), ("jobs/Dockerfile", 2)],
        id="user-distroless-nonroot-and-inherited-user",
    ),
    pytest.param(
        {
            "worker/Dockerfile": "FROM golang:1.22 AS build\nUSER 1000\nFROM python:3.12-slim\nCOPY . .\n",
            "admin/Dockerfile": "FROM node:20\nUSER node\nRUN npm ci\nUSER root\n",
            "static/Dockerfile": "FROM scratch\nCOPY app /app\n",
        },
        Outcome.FAIL,
        [("admin/Dockerfile", 4), ("static/Dockerfile", 1), ("worker/Dockerfile", 3)],
        id="no-user-explicit-root-and-scratch",
    ),
    pytest.param(
        {
            "deploy/api.yaml": pod(
                "Deployment",
                "api",
                POD_NON_ROOT,
                PLAIN_CONTAINER.format(name="api") + PLAIN_CONTAINER.format(name="envoy"),
            ),
            "deploy/worker.yaml": pod("Deployment", "worker", "", INIT_AND_CONTAINER),
            "deploy/migrate.yaml": JOB,
        },
        Outcome.PASS,
        [("deploy/api.yaml", 9), ("deploy/api.yaml", 9), ("deploy/worker.yaml", 11)],
        id="pod-wide-non-root-covers-containers-init-containers-and-jobs-ignored",
    ),
    pytest.param(
        {
            "deploy/api.yaml": pod(
                "Deployment",
                "api",
                POD_NON_ROOT,
                PLAIN_CONTAINER.format(name="api") + ROOT_CONTAINER.format(name="debug"),
            ),
            "deploy/cache.yaml": pod("StatefulSet", "cache", "", PLAIN_CONTAINER.format(name="redis")),
        },
        Outcome.FAIL,
        [("deploy/api.yaml", 13), ("deploy/cache.yaml", 9)],
        id="container-overrides-to-root-and-no-context",
    ),
    pytest.param({"deploy/migrate.yaml": JOB}, Outcome.NOT_APPLICABLE, [], id="jobs-only"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), NON_ROOT_CASES)
def test_non_root(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(NON_ROOT, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_non_root_messages(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "admin/Dockerfile": "FROM node:20\nUSER node\nRUN npm ci\nUSER root\n",
            "deploy/api.yaml": pod("Deployment", "api", POD_NON_ROOT, ROOT_CONTAINER.format(name="debug")),
            "deploy/cache.yaml": pod("StatefulSet", "cache", "", PLAIN_CONTAINER.format(name="redis")),
        },
    )
    assert [f.message for f in run_check(NON_ROOT, tmp_path).failures] == [
        "admin/Dockerfile: the final stage runs as root (USER root)",
        "Deployment 'api' container 'debug' runs as root (runAsUser: 0 or runAsNonRoot: false)",
        "StatefulSet 'cache' container 'redis' may run as root: neither it nor its pod sets runAsNonRoot "
        "or runAsUser",
    ]


def test_a_well_known_default_reaching_the_deployment_is_a_default_credential(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "compose.yml": """
                services:
                  db:
                    image: postgres:16
                    environment:
                      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD?Variable not set}
                  cache:
                    image: redis:7
                    environment:
                      REDIS_PASSWORD: ${REDIS_PASSWORD:-changeme}
                  api:
                    build: .
                    environment:
                      API_TOKEN: ${API_TOKEN?Variable not set}
            """,
            ".env": "POSTGRES_PASSWORD=changethis\nAPI_TOKEN=\n",
        },
    )
    result = run_check("security/no-secrets-in-images", tmp_path)
    assert result.outcome is Outcome.FAIL
    assert result.answer is Answer.PARTIAL
    assert [(f.evidence[0].path, f.evidence[0].line, f.severity) for f in result.failures] == [
        ("compose.yml", 5, Severity.RISK),
        ("compose.yml", 9, Severity.RISK),
    ]
    assert "(POSTGRES_PASSWORD in the committed .env, line 1)" in result.failures[0].message
    assert "(the fallback of ${REDIS_PASSWORD})" in result.failures[1].message
    assert "changethis" not in repr(result) and "changeme" not in repr(result)


def test_the_same_literal_in_several_compose_files_is_one_finding(tmp_path: Path) -> None:
    stack = (
        "services:\n  search:\n    image: opensearch:2\n    environment:\n      ADMIN_PASSWORD: s3cr3t-fake\n"
    )
    write_tree(tmp_path, {"stacks/a/docker-compose.yml": stack, "stacks/b/docker-compose.yml": stack})
    result = run_check("security/no-hardcoded-secrets", tmp_path)
    assert [f.message.split(" (sha256")[0] for f in result.failures] == ["password"]
    assert result.failures[0].message.endswith(
        "as compose service 'search': ADMIN_PASSWORD and in 1 more place(s)"
    )
    assert [(e.path, e.line) for e in result.failures[0].evidence] == [
        ("stacks/a/docker-compose.yml", 5),
        ("stacks/b/docker-compose.yml", 5),
    ]
    assert "s3cr3t-fake" not in repr(result)
    assert run_check(SECRETS, tmp_path).outcome is Outcome.PASS


def test_disabling_the_image_check_hides_no_secret_from_the_hardcoded_secrets_check(tmp_path: Path) -> None:
    """Regression: no-hardcoded-secrets used to skip the lines no-secrets-in-images reported, by
    calling it; disabling the image check made an ENV DB_PASSWORD vanish and the verdict Go."""
    import datetime as dt

    from readiness import config as config_module
    from readiness.engine import ScanRequest, assess
    from readiness.model import Category
    from readiness.scanners import default_scanners

    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nENV DB_PASSWORD=Zq8vR2mXw9LkT4pB\n"})
    for disabled in ((), ("security/no-secrets-in-images",)):
        config = dataclasses.replace(config_module.default("p"), disabled_checks=frozenset(disabled))
        assessment = assess(
            ScanRequest(
                root=tmp_path,
                config=config,
                categories=frozenset({Category.SECURITY}),
                scanners=default_scanners(),
                today=dt.date(2026, 12, 1),
            )
        )
        blockers = [
            (f.check_id, f.evidence[0].path, f.evidence[0].line)
            for f in assessment.findings()
            if f.severity is Severity.BLOCKER
        ]
        assert blockers == [("security/no-hardcoded-secrets", "Dockerfile", 2)], disabled
        assert assessment.verdict.value == "no-go"
