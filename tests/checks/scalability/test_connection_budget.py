"""Connection budgets. Each tree is scanned by semgrep once and judged by both checks."""

from pathlib import Path

import pytest

from readiness.model import Answer, CheckResult, Outcome, Severity
from tests.support import locations, run_check, semgrep_scan, write_tree

DB = "scalability/db-connection-budget"
REDIS = "scalability/redis-connection-budget"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    return [(e.path, e.line) for e in result.evidence]


def deployment(name: str, replicas: int = 1, env: str = "", extra: str = "") -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n"
        f"  selector:\n    matchLabels: {{app: {name}}}\n"
        f"  template:\n    metadata:\n      labels: {{app: {name}}}\n"
        f"    spec:\n      containers:\n        - name: {name}\n"
        f"          image: example/{name}:1.0\n{env}{extra}"
    )


def hpa(name: str, most: int) -> str:
    return (
        f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\nspec:\n"
        f"  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n"
        f"  minReplicas: 2\n  maxReplicas: {most}\n"
    )


def store(name: str, image: str, args: str = "") -> str:
    return (
        f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\nspec:\n  serviceName: {name}\n"
        f"  selector:\n    matchLabels: {{app: {name}}}\n"
        f"  template:\n    metadata:\n      labels: {{app: {name}}}\n"
        f"    spec:\n      containers:\n        - name: {name}\n          image: {image}\n{args}"
    )


# ---- an ad exchange over its budget -----------------------------------------------------------

BIDDER_STORE = """
package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

func open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 25
	return pgxpool.NewWithConfig(ctx, cfg)
}
"""

BIDDER_MAIN = """
package main

import "github.com/redis/go-redis/v9"

func connect(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr:     addr,
		PoolSize: 200,
	})
}
"""

IDR_SETTINGS = """
import os

DB_POOL_MAX = int(os.getenv("DB_POOL_MAX", "10"))
"""

IDR_MAIN = """
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from app import settings


async def start(url: str):
    redis = Redis.from_url("redis://redis:6379/1")
    pool = AsyncConnectionPool(url, max_size=settings.DB_POOL_MAX, open=False)
    return redis, pool
"""


@pytest.mark.slow
def test_exchange_over_budget(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "bidder/store.go": BIDDER_STORE,
            "bidder/main.go": BIDDER_MAIN,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/settings.py": IDR_SETTINGS,
            "idr/app/main.py": IDR_MAIN,
            "deploy/bidder.yaml": deployment("bidder", 3) + "---\n" + hpa("bidder", 40),
            "deploy/idr.yaml": deployment("idr", 2),
            "deploy/db.yaml": store("timescaledb", "timescale/timescaledb:2.14.2-pg16"),
            "deploy/redis.yaml": deployment("redis").replace("example/redis:1.0", "redis:7.2"),
        },
    )
    results = semgrep_scan(tmp_path)

    db = run_check(DB, tmp_path, scanner_results=results)
    assert db.outcome is Outcome.FAIL
    (over,) = db.failures
    assert over.severity is Severity.BLOCKER
    assert (
        "up to 1020 connections to StatefulSet 'timescaledb', above its max_connections of 100 "
        "(PostgreSQL's default max_connections, not overridden): "
        "bidder 25 (pgxpool MaxConns) × 40 replicas (HPA 'bidder' maxReplicas) = 1000; "
        "idr 10 (psycopg_pool max_size: DB_POOL_MAX unset, default 10) × 2 replicas "
        "(spec.replicas, no autoscaler) = 20"
    ) in over.message
    assert (
        "bidder runs as Deployment 'bidder', its image example/bidder:1.0 is named like the directory"
        in over.message
    )
    assert [(e.path, e.line) for e in over.evidence] == [
        ("bidder/store.go", 14),
        ("deploy/bidder.yaml", 24),
        ("idr/app/main.py", 9),
        ("idr/app/settings.py", 3),
        ("deploy/idr.yaml", 6),
        ("deploy/db.yaml", 15),
    ]

    redis = run_check(REDIS, tmp_path, scanner_results=results)
    assert locations(redis) == [("idr/app/main.py", 8), ("bidder/main.go", 8)]
    unbounded, fleet = redis.failures
    assert unbounded.severity is Severity.RISK and "has no limit (2**31)" in unbounded.message
    assert fleet.severity is Severity.RISK
    assert fleet.message.startswith(
        "At 100 instances per service the pools would need 20000 connections to Deployment 'redis', "
        "above its maxclients of 10000 (Redis's default maxclients, not overridden): "
        "bidder 200 (go-redis PoolSize) × 100 instances = 20000. Today's maximum is 8000"
    )


# ---- a service sized from its budget ------------------------------------------------------------

PRICING = """
package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

func connect(ctx context.Context, url, addr string) {
	cfg, _ := pgxpool.ParseConfig(url)
	cfg.MaxConns = 10
	db, _ := pgxpool.NewWithConfig(ctx, cfg)
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 20})
	_, _ = db, rdb
}
"""

FLOORS_SETTINGS = """
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    db_pool_max: int = 4


def from_env() -> Settings:
    return Settings(db_pool_max=int(os.getenv("FLOORS_DB_POOL_MAX", "4")))
"""

FLOORS_APP = """
from psycopg_pool import ConnectionPool

from floors import settings


def create_app():
    cfg = settings.from_env()
    return ConnectionPool("postgresql://floors@timescaledb/pricing", max_size=cfg.db_pool_max)
"""

FLOORS_ENV = """          env:
            - name: FLOORS_DB_POOL_MAX
              value: "6"
            - name: GUNICORN_WORKERS
              value: "3"
"""

DB_ARGS = '          args: ["-c", "config_file=/etc/postgresql/postgresql.conf"]\n'
REDIS_ARGS = '          command: ["redis-server", "/etc/redis/redis.conf"]\n'


@pytest.mark.slow
def test_pools_sized_from_the_budget_pass(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/deps.go": PRICING,
            "floors/pyproject.toml": "[project]\nname = 'floors'\n",
            "floors/floors/settings.py": FLOORS_SETTINGS,
            "floors/floors/app.py": FLOORS_APP,
            "floors/gunicorn.conf.py": 'import os\n\nworkers = int(os.getenv("GUNICORN_WORKERS", "2"))\n',
            "floors/Dockerfile": 'FROM python:3.12\nENTRYPOINT ["gunicorn", "-c", "gunicorn.conf.py"]\n',
            "deploy/pricing.yaml": deployment("pricing", 3) + "---\n" + hpa("pricing", 12),
            "deploy/floors.yaml": deployment("floors", 2, FLOORS_ENV) + "---\n" + hpa("floors", 6),
            "deploy/db.yaml": store("timescaledb", "timescale/timescaledb:2.14.2-pg16", DB_ARGS),
            "deploy/redis.yaml": store("redis", "redis:7.2.5", REDIS_ARGS),
            "deploy/config/postgresql.conf": "listen_addresses = '*'\nmax_connections = 250\n",
            "deploy/config/redis.conf": "port 6379\nmaxclients 2000\n",
            "docker-compose.yml": "services:\n  pricing:\n    build: ./pricing\n",
        },
    )
    results = semgrep_scan(tmp_path)

    db = run_check(DB, tmp_path, scanner_results=results)
    assert db.outcome is Outcome.PASS, db.failures
    assert db.summary == (
        "up to 228 connections to StatefulSet 'timescaledb' at maximum scale, "
        "within its max_connections of 250 "
        "(max_connections in deploy/config/postgresql.conf): "
        "pricing 10 (pgxpool MaxConns) × 12 replicas (HPA 'pricing' maxReplicas) = 120; "
        "floors 6 (psycopg_pool max_size: FLOORS_DB_POOL_MAX=6 in Deployment 'floors') "
        "× 3 processes (gunicorn workers: GUNICORN_WORKERS=3 in Deployment 'floors') "
        "× 6 replicas (HPA 'floors' maxReplicas) = 108"
    )
    assert where(db) == [
        ("pricing/deps.go", 12),
        ("deploy/pricing.yaml", 24),
        ("floors/floors/app.py", 8),
        ("floors/floors/settings.py", 11),
        ("deploy/floors.yaml", 18),
        ("floors/gunicorn.conf.py", 3),
        ("deploy/floors.yaml", 20),
        ("deploy/floors.yaml", 29),
        ("deploy/config/postgresql.conf", 2),
    ]

    redis = run_check(REDIS, tmp_path, scanner_results=results)
    assert redis.outcome is Outcome.PASS, redis.failures
    assert (
        "240 connections to StatefulSet 'redis' at maximum scale and 2000 at 100 instances" in redis.summary
    )
    assert where(redis)[-1] == ("deploy/config/redis.conf", 2)


# ---- compose only: unbounded and unknown pools, a limit on the command line --------------------

API = """
package main

import "database/sql"

func open(dsn string) *sql.DB {
	db, _ := sql.Open("pgx", dsn)
	return db
}
"""

WORKER = """
package main

import "database/sql"

func open(dsn string) *sql.DB {
	db, _ := sql.Open("postgres", dsn)
	db.SetMaxOpenConns(30)
	local, _ := sql.Open("sqlite3", "file:cache.db")
	_ = local
	return db
}
"""

REPORTS = """
import asyncpg
from sqlalchemy import create_engine

engine = create_engine("postgresql+psycopg://reports@db/reports")


async def start(dsn):
    return await asyncpg.create_pool(dsn, max_size=compute_pool_size())
"""

COMPOSE = """
services:
  api:
    build: ./api
    deploy:
      replicas: 4
  worker:
    build: {context: ./worker}
    deploy:
      replicas: 2
  reports:
    build: ./reports
  db:
    image: postgres:16
    command: ["postgres", "-c", "max_connections=50"]
"""


@pytest.mark.slow
def test_compose_stack_with_unbounded_and_unknown_pools(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "api/go.mod": "module example.com/api\n",
            "api/main.go": API,
            "worker/go.mod": "module example.com/worker\n",
            "worker/main.go": WORKER,
            "reports/pyproject.toml": "[project]\nname = 'reports'\n",
            "reports/app.py": REPORTS,
            "docker-compose.yml": COMPOSE,
        },
    )
    results = semgrep_scan(tmp_path)
    db = run_check(DB, tmp_path, scanner_results=results)
    assert db.outcome is Outcome.FAIL
    assert locations(db) == [("api/main.go", 6), ("reports/app.py", 8), ("worker/main.go", 7)]
    unbounded, unknown, over = db.failures
    assert "database/sql without SetMaxOpenConns has no limit" in unbounded.message
    assert (
        unknown.severity is Severity.RISK
        and "`compute_pool_size()` could not be evaluated" in unknown.message
    )
    assert over.severity is Severity.BLOCKER
    assert "up to 75 connections to compose service 'db' (in docker-compose.yml)" in over.message
    assert (
        "worker 30 (database/sql SetMaxOpenConns) × 2 replicas (compose deploy.replicas) = 60" in over.message
    )
    assert "reports 15 (SQLAlchemy pool_size default 5 + max_overflow default 10)" in over.message
    assert "not counting the pools of api, reports whose size is unbounded or unknown" in over.message
    assert [(e.path, e.line) for e in over.evidence][-1] == ("docker-compose.yml", 14)
    assert run_check(REDIS, tmp_path, scanner_results=results).outcome is Outcome.NOT_APPLICABLE


# ---- no server in the repository; PgBouncer in front ------------------------------------------

DEFAULT_POOLS = """
package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

func connect(ctx context.Context) {
	db, _ := pgxpool.New(ctx, "postgres://app@pgbouncer:6432/app")
	rdb := redis.NewClient(&redis.Options{Addr: "cache:6379"})
	_, _ = db, rdb
}
"""

PGBOUNCER_ENV = """          env:
            - name: MAX_CLIENT_CONN
              value: "500"
            - name: DEFAULT_POOL_SIZE
              value: "40"
"""


@pytest.mark.slow
def test_defaults_without_a_server_and_behind_pgbouncer(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/go.mod": "module example.com/app\n",
            "app/main.go": DEFAULT_POOLS,
            "deploy/app.yaml": deployment("app", 2) + "---\n" + hpa("app", 30),
        },
    )
    results = semgrep_scan(tmp_path)
    db = run_check(DB, tmp_path, scanner_results=results)
    (over,) = db.failures
    assert over.severity is Severity.RISK  # no server here: only PostgreSQL's default can be assumed
    assert over.message.startswith(
        "At maximum scale the services open up to 120 connections to PostgreSQL (no server is defined in the "
        "repository), above its max_connections of 100 (PostgreSQL's default max_connections): "
        "app 4 (pgxpool MaxConns default max(4, NumCPU), 4 CPUs assumed) × 30 replicas"
    )
    assert locations(db) == [("app/main.go", 11)]
    redis = run_check(REDIS, tmp_path, scanner_results=results)
    assert redis.outcome is Outcome.PASS
    assert "1200 connections" in redis.summary and "4000 at 100 instances" in redis.summary
    assert "default 10 × GOMAXPROCS, 4 CPUs assumed" in redis.summary

    write_tree(tmp_path, {"charts/db/values.yaml": "postgresql:\n  parameters:\n    max_connections: 150\n"})
    db = run_check(DB, tmp_path, scanner_results=results)
    assert db.outcome is Outcome.PASS, db.failures
    assert db.summary.startswith(
        "up to 120 connections to PostgreSQL from Helm values charts/db/values.yaml at maximum scale, "
        "within its max_connections of 150"
    )
    (tmp_path / "charts/db/values.yaml").unlink()

    bouncer = deployment("pgbouncer", 2, PGBOUNCER_ENV).replace(
        "example/pgbouncer:1.0", "edoburu/pgbouncer:1.22"
    )
    write_tree(
        tmp_path,
        {
            "deploy/pgbouncer.yaml": bouncer,
            "deploy/db.yaml": store(
                "postgres", "postgres:16", '          args: ["-c", "max_connections=100"]\n'
            ),
        },
    )
    db = run_check(DB, tmp_path, scanner_results=results)
    assert db.outcome is Outcome.PASS, db.failures
    assert (
        "up to 120 connections to Deployment 'pgbouncer' at maximum scale, within its max_client_conn of 500"
        in (db.summary)
    )
    assert (
        "up to 80 connections to StatefulSet 'postgres' at maximum scale, within its max_connections of 100 "
        "(max_connections on its command line): "
        "Deployment 'pgbouncer' 40 (DEFAULT_POOL_SIZE) × 2 replicas = 80"
    ) in db.summary


def test_without_pools_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"lib/pyproject.toml": "[project]\nname = 'lib'\n", "lib/x.py": "X = 1\n"})
    assert run_check(DB, tmp_path, scanner_results={"semgrep": []}).outcome is Outcome.NOT_APPLICABLE
    assert run_check(REDIS, tmp_path, scanner_results={"semgrep": []}).outcome is Outcome.NOT_APPLICABLE


def test_a_data_store_readiness_cannot_size_is_a_partial_answer(tmp_path: Path) -> None:
    gomod = "module cache\n\nrequire github.com/gocql/gocql v1.0.0\n"
    tuned = "cassandra:\n  hosts: [db]\n  num_conns: 4\n"
    write_tree(tmp_path / "tuned", {"go.mod": gomod, "config.yaml": tuned})
    result = run_check(DB, tmp_path / "tuned", scanner_results={"semgrep": []})
    assert result.outcome is Outcome.FAIL and result.answer is Answer.PARTIAL
    assert [(e.path, e.line) for e in result.failures[0].evidence] == [("config.yaml", 3), ("go.mod", 3)]
    assert "has pool limits set" in result.failures[0].message

    write_tree(
        tmp_path / "defaults", {"package.json": '{\n  "dependencies": {\n    "redis": "^4.6.0"\n  }\n}\n'}
    )
    defaults = run_check(REDIS, tmp_path / "defaults", scanner_results={"semgrep": []})
    assert defaults.outcome is Outcome.FAIL and defaults.answer is Answer.PARTIAL
    assert [(e.path, e.line) for e in defaults.failures[0].evidence] == [("package.json", 3)]
    assert "runs with its library's default pool" in defaults.failures[0].message
