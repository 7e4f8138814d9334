import dataclasses
from pathlib import Path

import pytest

from readiness import config
from readiness.model import Outcome
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

IDR_MAIN = """
from contextlib import asynccontextmanager

from fastapi import FastAPI
from psycopg_pool import AsyncConnectionPool


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = AsyncConnectionPool("postgresql://db/idr", open=False)
    await app.state.pool.open()
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)
"""

API_MAIN = """
from fastapi import FastAPI
from redis.asyncio import Redis

app = FastAPI()
cache = Redis.from_url("redis://redis:6379/0")
"""

FLOORS_APP = """
from flask import Flask


def create_app() -> Flask:
    return Flask(__name__)
"""

GUNICORN_CONF = """
import os

bind = "0.0.0.0:8000"
timeout = 10
graceful_timeout = int(os.getenv("GRACEFUL_TIMEOUT", "20"))
"""


def go_server(drain: str, const: str = "") -> str:
    return f"""
package main

import (
	"context"
	"net/http"
	"time"
)
{const}
func main() {{
	srv := &http.Server{{Addr: ":8080"}}
	go srv.ListenAndServe()
	ctx, cancel := context.WithTimeout(context.Background(), {drain})
	defer cancel()
	_ = srv.Shutdown(ctx)
}}
"""


def workload(name: str, spec: str, container: str = "") -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    metadata:
      labels: {{app: {name}}}
    spec:{spec}
      containers:
        - name: {name}
          image: example/{name}:1.0{container}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: 8080}}]
---"""


APPS = (
    workload(
        "bidder",
        "",
        "\n          lifecycle:\n            preStop:\n              exec:\n"
        "                command: [sleep, '10']",
    )
    + workload("floors", "\n      terminationGracePeriodSeconds: 15")
    + workload(
        "pricing",
        "\n      terminationGracePeriodSeconds: 40",
        "\n          lifecycle:\n            preStop:\n              sleep: {seconds: 5}",
    )
    + workload("redis", "").replace("example/redis:1.0", "redis:7.2")
    + """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: idr
spec:
  template:
    spec:
      containers:
        - name: idr
          image: example/idr:1.0
"""
)

TREE = {
    "idr/pyproject.toml": '[project]\nname = "idr"\n',
    "idr/app/main.py": IDR_MAIN,
    "idr/Dockerfile": (
        'FROM python:3.12-slim\nCOPY app ./app\nCMD ["uvicorn", "app.main:app", "--port", "8000"]\n'
    ),
    "api/pyproject.toml": '[project]\nname = "api"\n',
    "api/api/main.py": API_MAIN,
    "api/Dockerfile": "FROM python:3.12-slim\nCMD exec uvicorn api.main:app --timeout-graceful-shutdown 20\n",
    "floors/pyproject.toml": '[project]\nname = "floors"\n',
    "floors/floors/app.py": FLOORS_APP,
    "floors/gunicorn.conf.py": GUNICORN_CONF,
    "floors/Dockerfile": (
        "FROM python:3.12-slim\n"
        'ENTRYPOINT ["gunicorn", "--config", "gunicorn.conf.py", "floors.app:create_app()"]\n'
    ),
    "reports/Procfile": "web: gunicorn -w 2 reports.wsgi\n",
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/main.go": go_server("45*time.Second"),
    "pricing/go.mod": "module example.com/pricing\n",
    "pricing/main.go": go_server("shutdownTimeout", "\nconst shutdownTimeout = 25 * time.Second\n"),
    "deploy/k8s/apps.yaml": APPS,
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = write_tree(tmp_path_factory.mktemp("termination"), TREE)
    return root, scan(root)


def only(root: Path, *kept: str) -> config.Config:
    dropped = [f"/{entry.name}" for entry in root.iterdir() if entry.name not in kept]
    return dataclasses.replace(config.default(root.name), exclude=tuple(dropped))


@pytest.mark.slow
def test_python_servers_without_drain_deadline_or_pool_hooks(tree: tuple[Path, dict[str, object]]) -> None:
    root, facts = tree
    result = run_check("reliability/python-graceful-shutdown", root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("idr/Dockerfile", 3),  # uvicorn without --timeout-graceful-shutdown
        ("reports/Procfile", 1),  # gunicorn without graceful_timeout
        ("api/api/main.py", 5),  # an async app that creates a Redis client and never closes it
    ]
    assert "waits for requests without a deadline" in result.failures[0].message
    passing = run_check(
        "reliability/python-graceful-shutdown", root, only(root, "floors"), scanner_results=facts
    )
    assert passing.outcome is Outcome.PASS
    # graceful_timeout read from gunicorn.conf.py, through int(os.getenv(..., "20")).
    assert [(e.path, e.line) for e in passing.evidence] == [("floors/gunicorn.conf.py", 5)]


@pytest.mark.slow
def test_grace_period_must_cover_prestop_and_drain(tree: tuple[Path, dict[str, object]]) -> None:
    root, facts = tree
    result = run_check("reliability/termination-grace", root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    # bidder: 30 s default < 10 s preStop + 45 s drain; floors: 15 s < 20 s gunicorn graceful_timeout.
    assert locations(result) == [("deploy/k8s/apps.yaml", 11), ("deploy/k8s/apps.yaml", 35)]
    assert "30 s" in result.failures[0].message and "55 s" in result.failures[0].message
    assert result.failures[0].evidence[1].path == "bidder/main.go"
    assert result.failures[1].evidence[1].path == "floors/gunicorn.conf.py"
    passing = run_check(
        "reliability/termination-grace", root, only(root, "pricing", "deploy"), scanner_results=facts
    )
    assert passing.outcome is Outcome.PASS
    # 40 s >= 5 s preStop + 25 s read from the shutdownTimeout constant.
    assert [(e.path, e.line) for e in passing.evidence] == [
        ("deploy/k8s/apps.yaml", 57),
        ("pricing/main.go", 16),
    ]


def test_containers_behind_a_service_pause_before_stopping(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/k8s/apps.yaml": APPS})
    result = run_check("reliability/prestop-pause", tmp_path)
    assert result.outcome is Outcome.FAIL
    # floors has no preStop; bidder (exec sleep) and pricing (sleep action) do; redis is a data
    # store and idr has no Service.
    assert locations(result) == [("deploy/k8s/apps.yaml", 37)]
    assert "Service 'floors'" in result.failures[0].message
    write_tree(tmp_path / "none", {"deploy.yaml": APPS.split("---")[-1]})
    assert run_check("reliability/prestop-pause", tmp_path / "none").outcome is Outcome.NOT_APPLICABLE
