import dataclasses
from pathlib import Path

import pytest

from readiness import config
from readiness.model import Outcome
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan


def deployment(name: str, image: str, probes: str) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    spec:
      containers:
        - name: {name}
          image: {image}{probes}
---"""


LIVENESS = "\n          livenessProbe:\n            httpGet: {path: /livez, port: http}"
SLOW_LIVENESS = LIVENESS + "\n            initialDelaySeconds: 90"
STARTUP = "\n          startupProbe:\n            httpGet: {path: /readyz, port: http}"

MANIFESTS = (
    deployment("search", "example/search:3.1", LIVENESS)  # built FROM a JVM image
    + deployment("ranker", "example/ranker:1.0", LIVENESS)  # a Python service that loads torch
    + deployment("legacy", "example/legacy:1.0", SLOW_LIVENESS)  # liveness held off for 90 s
    + deployment("api", "example/api:1.0", LIVENESS)  # a Go service: starts fast
    + deployment("model", "example/model:1.0", LIVENESS + STARTUP)  # protected
    + deployment("batch", "eclipse-temurin:21-jre", "")  # no liveness probe: cannot be killed early
)


def test_slow_starters_with_liveness_but_no_startup_probe(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "deploy/apps.yaml": MANIFESTS,
            "search/Dockerfile": "FROM gradle:8 AS build\nRUN gradle build\nFROM eclipse-temurin:21-jre\n",
            "ranker/pyproject.toml": (
                '[project]\nname = "ranker"\ndependencies = ["fastapi", "torch==2.3.0"]\n'
            ),
            "model/pyproject.toml": '[project]\nname = "model"\ndependencies = ["transformers"]\n',
            "api/go.mod": "module example.com/api\n",
        },
    )
    result = run_check("reliability/startup-probe", tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("deploy/apps.yaml", 11),
        ("deploy/apps.yaml", 24),
        ("deploy/apps.yaml", 37),
    ]
    assert [(f.evidence[1].path, f.evidence[1].line) for f in result.failures] == [
        ("search/Dockerfile", 3),
        ("ranker/pyproject.toml", 3),
        ("deploy/apps.yaml", 39),
    ]
    assert "JVM" in result.failures[0].message and "90s" in result.failures[2].message


def test_no_liveness_probe_nothing_to_protect(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/apps.yaml": deployment("batch", "eclipse-temurin:21-jre", "")})
    assert run_check("reliability/startup-probe", tmp_path).outcome is Outcome.NOT_APPLICABLE


BIDDER_GO = """
package main

import (
	"context"
	"log"
	"os"

	"github.com/jackc/pgx/v5"
)

func main() {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("connect to postgres: %v", err)
	}
	defer conn.Close(ctx)
}
"""

PRICING_GO = """
package main

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

func connect(ctx context.Context, rdb *redis.Client) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = rdb.Ping(ctx).Err(); err == nil {
			return nil
		}
		time.Sleep(time.Duration(attempt) * time.Second)
	}
	return err
}
"""

IDR_PY = """
import sys

import psycopg


def connect(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url)
    except psycopg.OperationalError:
        sys.exit(1)
"""

FLOORS_PY = """
import psycopg
from tenacity import retry, stop_after_delay, wait_exponential


@retry(stop=stop_after_delay(120), wait=wait_exponential(max=10))
def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url)
"""

SERVICES = {
    "bidder/go.mod": "module example.com/bidder\n\nrequire github.com/jackc/pgx/v5 v5.5.5\n",
    "bidder/main.go": BIDDER_GO,
    "pricing/go.mod": (
        "module example.com/pricing\n\nrequire (\n\tgithub.com/cenkalti/backoff/v5 v5.0.3 // indirect\n"
        "\tgithub.com/redis/go-redis/v9 v9.7.0\n)\n"
    ),
    "pricing/deps.go": PRICING_GO,
    "idr/pyproject.toml": '[project]\nname = "idr"\ndependencies = ["psycopg[binary]>=3.1"]\n',
    "idr/app/db.py": IDR_PY,
    "floors/pyproject.toml": '[project]\nname = "floors"\n',
    "floors/requirements.txt": "psycopg==3.1.18\ntenacity==8.2.3\n",
    "floors/floors/db.py": FLOORS_PY,
    "worker/go.mod": "module example.com/worker\n",
    "worker/main.go": 'package main\n\nimport "log"\n\nfunc main() {\n\tlog.Fatal(run())\n}\n',
}


@pytest.mark.slow
def test_exiting_on_the_first_failed_connect(tmp_path: Path) -> None:
    write_tree(tmp_path, SERVICES)
    facts = scan(tmp_path)
    result = run_check("reliability/dependency-retry", tmp_path, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("bidder/main.go", 15), ("idr/app/db.py", 10)]
    assert "crash-loops" in result.failures[0].message

    def keeping(*kept: str) -> config.Config:
        dropped = tuple(f"/{entry.name}" for entry in tmp_path.iterdir() if entry.name not in kept)
        return dataclasses.replace(config.default(tmp_path.name), exclude=dropped)

    passing = run_check(
        "reliability/dependency-retry", tmp_path, keeping("pricing", "floors"), scanner_results=facts
    )
    assert passing.outcome is Outcome.PASS
    # A loop around the Ping and a tenacity decorator are retries; only a direct retry library
    # counts as evidence (pricing's backoff is an indirect dependency).
    assert [(e.path, e.line) for e in passing.evidence] == [("floors/requirements.txt", 2)]
    unrelated = run_check("reliability/dependency-retry", tmp_path, keeping("worker"), scanner_results=facts)
    assert unrelated.outcome is Outcome.NOT_APPLICABLE
