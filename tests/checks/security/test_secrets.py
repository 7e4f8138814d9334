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
        [("Dockerfile", 5), ("Dockerfile", 7), ("Dockerfile", 9), ("Dockerfile", 11)],
        id="dockerfile-env-arg-url-and-final-stage-build-arg",
    ),
    pytest.param(
        {"docker-compose.yml": LEAKY_COMPOSE, "docker-compose.dev.yml": DEV_COMPOSE},
        Outcome.FAIL,
        [("docker-compose.dev.yml", 5), ("docker-compose.yml", 5), ("docker-compose.yml", 10)],
        id="compose-map-and-list-environment",
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


def test_secret_values_never_reach_the_result(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "Dockerfile": LEAKY_DOCKERFILE,
            "docker-compose.yml": LEAKY_COMPOSE,
            "docker-compose.dev.yml": DEV_COMPOSE,
        },
    )
    result = run_check(SECRETS, tmp_path)
    assert len(result.failures) == 7
    rendered = repr(result)
    for value in FAKE_VALUES:
        assert value not in rendered
    snippets = [e.snippet for f in result.failures for e in f.evidence]
    assert snippets[:4] == [
        "ENV REDIS_PASSWORD=<redacted>",
        "ENV API_KEY=<redacted>",
        "ENV DATABASE_URL=<redacted>",
        "ARG GITHUB_TOKEN",
    ]


def test_secret_messages_and_severities(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "Dockerfile": LEAKY_DOCKERFILE,
            "docker-compose.yml": LEAKY_COMPOSE,
            "docker-compose.dev.yml": DEV_COMPOSE,
        },
    )
    failures = run_check(SECRETS, tmp_path).failures
    graded = [(f.message.split(" (")[0].split(",")[0], f.severity) for f in failures]
    assert graded == [
        ("ENV REDIS_PASSWORD is set to a literal value", None),
        ("ENV API_KEY is set to a literal value", None),
        ("ENV DATABASE_URL contains a URL with an embedded password", None),
        ("ARG GITHUB_TOKEN takes a secret as a build argument of the shipped stage", Severity.RISK),
        ("compose service 'db': POSTGRES_PASSWORD is set to a literal value", Severity.RECOMMENDATION),
        ("compose service 'api': REDIS_PASSWORD is set to a literal value", None),
        ("compose service 'worker': STRIPE_API_KEY is set to a literal value", None),
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
    result = run_check("security/no-secrets-in-images", tmp_path)
    assert [f.message for f in result.failures] == [
        "compose service 'search': ADMIN_PASSWORD is set to a literal value in 2 compose files (redacted)"
    ]
    assert [(e.path, e.line) for e in result.failures[0].evidence] == [
        ("stacks/a/docker-compose.yml", 5),
        ("stacks/b/docker-compose.yml", 5),
    ]
    assert "s3cr3t-fake" not in repr(result)
