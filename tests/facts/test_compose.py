"""Compose stacks: production overlays merged onto their base, as `docker compose -f … -f …` does."""

from __future__ import annotations

from pathlib import Path

from readiness.facts import compose
from readiness.repo import Repo
from tests.support import run_check, write_tree

BASE = """
services:
  db:
    image: postgres:16
  backend:
    build: ./backend
    ports: ["8000:8000"]
    environment:
      - LOG_LEVEL=info
"""
DEPLOY = """
services:
  db:
    restart: always
  backend:
    restart: always
    ports: ["8001:8001"]
    environment:
      - WORKERS=4
  adminer:
    image: adminer:4
    restart: always
"""
OVERRIDE = """
services:
  backend:
    restart: "no"
    command: ["fastapi", "dev"]
"""


def stack(tmp_path: Path) -> Repo:
    return Repo(
        write_tree(
            tmp_path, {"compose.yml": BASE, "compose.deploy.yml": DEPLOY, "compose.override.yml": OVERRIDE}
        )
    )


def test_a_production_overlay_is_merged_and_a_development_one_is_not(tmp_path: Path) -> None:
    repo = stack(tmp_path)
    assert compose.overlays(repo) == {"compose.yml": ["compose.deploy.yml"]}
    (base,) = [c for c in repo.compose_files() if c.path == "compose.yml"]
    merged = compose.services(repo, base)
    backend = merged["backend"]
    assert backend.spec["restart"] == "always"
    assert (backend.origin("restart"), backend.spec.line_of("restart")) == ("compose.deploy.yml", 5)
    assert (backend.origin("build"), backend.spec.line_of("build")) == ("compose.yml", 5)
    assert list(backend.spec["ports"]) == ["8000:8000", "8001:8001"]
    assert list(backend.spec["environment"]) == ["LOG_LEVEL=info", "WORKERS=4"]
    assert merged["adminer"].base == "compose.deploy.yml"


def test_the_restart_policy_an_overlay_sets_counts_where_it_is_written(tmp_path: Path) -> None:
    stack(tmp_path)
    result = run_check("reliability/restart-policy", tmp_path)
    assert result.outcome.value == "pass"
    assert [(e.path, e.line) for e in result.evidence] == [
        ("compose.deploy.yml", 3),
        ("compose.deploy.yml", 5),
        ("compose.deploy.yml", 11),
    ]


def test_memory_limits_of_a_compose_deployment(tmp_path: Path) -> None:
    limited = DEPLOY.replace("  adminer:\n", "    mem_limit: 1g\n  adminer:\n", 1)
    write_tree(tmp_path, {"compose.yml": BASE, "compose.deploy.yml": limited})
    result = run_check("reliability/resource-limits", tmp_path)
    assert result.outcome.value == "fail"
    assert result.answer is not None and result.answer.value == "partial"
    assert [(f.evidence[0].path, f.evidence[0].line) for f in result.failures] == [
        ("compose.yml", 2),
        ("compose.deploy.yml", 10),
    ]
    assert result.failures[0].message.startswith("compose service 'db' sets no memory limit")
