import dataclasses
from pathlib import Path

import pytest

from readiness import config
from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

BIDDER_GO = """
package main

import (
	"log"
	"net/http"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	log.Fatal(http.ListenAndServe(":8080", mux))
}
"""

# /readyz reaches Redis through a helper, one call deep; /livez is constant, as it should be.
PRICING_GO = """
package main

import (
	"context"
	"net/http"

	"github.com/redis/go-redis/v9"
)

type service struct{ rdb *redis.Client }

func (s *service) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", handleLive)
	mux.HandleFunc("GET /readyz", s.handleReady)
	return mux
}

func handleLive(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
}

func (s *service) handleReady(w http.ResponseWriter, r *http.Request) {
	if err := s.ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *service) ping(ctx context.Context) error {
	return s.rdb.Ping(ctx).Err()
}

func main() {
	s := &service{}
	_ = http.ListenAndServe(":8080", s.routes())
}
"""

API_GO = """
package main

import "net/http"

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/things", func(w http.ResponseWriter, r *http.Request) {})
	_ = http.ListenAndServe(":9000", mux)
}
"""

# The handler literal is wrapped in http.HandlerFunc: still followed.
EDGE_GO = """
package main

import (
	"database/sql"
	"net/http"

	_ "github.com/lib/pq"
)

func main() {
	db, _ := sql.Open("postgres", "")
	mux := http.NewServeMux()
	mux.Handle("/readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if db.PingContext(r.Context()) != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	_ = http.ListenAndServe(":8080", mux)
}
"""

IDR_PY = """
from fastapi import FastAPI
from redis.asyncio import Redis

app = FastAPI()
redis = Redis.from_url("redis://redis:6379/0")


@app.get("/health")
async def health() -> dict[str, str]:
    await redis.ping()
    return {"status": "ok"}
"""

FLOORS_PY = """
from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/livez")
    def livez() -> str:
        return "ok"

    return app
"""

WEB_JS = """
const express = require("express");
const { Pool } = require("pg");

const pool = new Pool();
const app = express();

app.get("/readyz", async (req, res) => {
  await pool.query("SELECT 1");
  res.send("ok");
});

app.listen(3000);
"""

PRICING_K8S = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pricing
spec:
  template:
    spec:
      containers:
        - name: pricing
          image: example/pricing:1.0
          startupProbe:
            httpGet:
              path: /ready
              port: http
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
          livenessProbe:
            httpGet:
              path: /livez
              port: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pricing-canary
spec:
  template:
    spec:
      containers:
        - name: pricing
          image: example/pricing:1.1
          readinessProbe:
            httpGet:
              path: /livez
              port: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
spec:
  template:
    spec:
      containers:
        - name: gateway
          image: example/gateway:1.0
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
"""

# Routes come from a constructor the rules cannot follow; a probe says a health route exists.
GATEWAY_GO = """
package main

import "net/http"

func main() {
	_ = http.ListenAndServe(":8080", newRouter())
}
"""

COMPOSE = """
services:
  idr:
    build: ./idr
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
  floors:
    build: ./floors
    healthcheck:
      test: wget -qO- http://127.0.0.1:8000/healthz || exit 1
"""

FLEET = {
    "api/go.mod": "module example.com/api\n\ngo 1.22\n",
    "api/main.go": API_GO,
    # A semgrep rule's fixture registers a health route, but it is an example, not the service's code.
    "api/lint/healthz.yaml": "rules: []\n",
    "api/lint/healthz.go": (
        'package lint\n\nimport "net/http"\n\nfunc f(mux *http.ServeMux) {\n\t// ruleid: healthz\n'
        '\tmux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})\n}\n'
    ),
    "bidder/go.mod": "module example.com/bidder\n\ngo 1.22\n\nrequire github.com/jackc/pgx/v5 v5.5.5\n",
    "bidder/main.go": BIDDER_GO,
    "pricing/go.mod": (
        "module example.com/pricing\n\ngo 1.22\n\nrequire (\n\tgithub.com/redis/go-redis/v9 v9.7.0\n)\n"
    ),
    "pricing/service.go": PRICING_GO,
    "idr/pyproject.toml": '[project]\nname = "idr"\ndependencies = ["fastapi>=0.110", "redis>=5"]\n',
    "idr/app/main.py": IDR_PY,
    "floors/pyproject.toml": '[project]\nname = "floors"\n',
    "floors/requirements.txt": "flask==3.0.0\npsycopg[binary]==3.1.18\n",
    "floors/floors/app.py": FLOORS_PY,
    "web/package.json": '{"name": "web", "dependencies": {"express": "^4.19.0", "pg": "^8.11.0"}}\n',
    "web/server.js": WEB_JS,
    "edge/go.mod": "module example.com/edge\n\nrequire github.com/lib/pq v1.10.9\n",
    "edge/main.go": EDGE_GO,
    "gateway/go.mod": "module example.com/gateway\n",
    "gateway/main.go": GATEWAY_GO,
    "worker/go.mod": "module example.com/worker\n",
    "worker/main.go": "package main\n\nfunc main() {\n\tfor {\n\t}\n}\n",
    "deploy/k8s/pricing.yaml": PRICING_K8S,
    "docker-compose.yml": COMPOSE,
}


FLEET_SERVICES = ("bidder", "floors", "idr", "pricing", "web", "worker")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = write_tree(tmp_path_factory.mktemp("fleet"), FLEET)
    return root, scan(root)


def only(root: Path, *kept: str) -> config.Config:
    """The fleet with every other top-level entry excluded: one semgrep run serves every case."""
    dropped = [f"/{entry.name}" for entry in root.iterdir() if entry.name not in kept]
    return dataclasses.replace(config.default(root.name), exclude=tuple(dropped))


@pytest.mark.slow
def test_a_network_service_without_health_route_is_a_blocker(fleet: tuple[Path, dict[str, object]]) -> None:
    root, facts = fleet
    result = run_check("reliability/health-endpoint", root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("api/main.go", 8), ("gateway/main.go", 6)]
    assert "'api'" in result.failures[0].message
    assert result.failures[0].severity is None  # the check's default: a blocker
    assert result.failures[1].severity is Severity.RISK
    assert "probes /healthz" in result.failures[1].message
    passing = run_check(
        "reliability/health-endpoint", root, only(root, *FLEET_SERVICES), scanner_results=facts
    )
    assert passing.outcome is Outcome.PASS
    # Go (inline and named handlers), FastAPI, Flask inside a factory, Express: all seen.
    assert sorted((e.path, e.line) for e in passing.evidence) == [
        ("bidder/main.go", 10),
        ("floors/floors/app.py", 7),
        ("idr/app/main.py", 8),
        ("pricing/service.go", 14),
        ("web/server.js", 7),
    ]


@pytest.mark.slow
def test_constant_health_handlers_of_services_with_data_stores(fleet: tuple[Path, dict[str, object]]) -> None:
    root, facts = fleet
    result = run_check("reliability/health-checks-dependencies", root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("bidder/main.go", 10),  # the inline /healthz handler, in a service that requires pgx
        ("floors/floors/app.py", 7),  # only a liveness endpoint, no readiness one
        ("deploy/k8s/pricing.yaml", 36),  # a readiness probe on the constant /livez
    ]
    assert "/healthz answers without touching" in result.failures[0].message
    assert "none of its health endpoints (/livez) touches a dependency" in result.failures[1].message
    assert result.failures[2].evidence[1].path == "pricing/service.go"


@pytest.mark.slow
def test_health_handlers_that_reach_dependencies_pass(fleet: tuple[Path, dict[str, object]]) -> None:
    root, facts = fleet
    policy = only(root, "edge", "idr", "pricing", "web")
    result = run_check("reliability/health-checks-dependencies", root, policy, scanner_results=facts)
    assert result.outcome is Outcome.PASS
    # pricing's /readyz reaches Redis through s.ping(), the FastAPI and Express handlers directly.
    assert [(e.path, e.line) for e in result.evidence] == [
        ("edge/main.go", 14),
        ("idr/app/main.py", 10),
        ("pricing/service.go", 32),
        ("web/server.js", 8),
    ]


@pytest.mark.slow
def test_probes_must_call_routes_the_service_serves(fleet: tuple[Path, dict[str, object]]) -> None:
    root, facts = fleet
    result = run_check("reliability/probe-paths-exist", root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("deploy/k8s/pricing.yaml", 13), ("docker-compose.yml", 9)]
    assert "startupProbe calls /ready" in result.failures[0].message
    assert "'floors'" in result.failures[1].message
    # With floors' code left out its compose service maps to no service: any service's routes
    # count, and bidder serves /healthz.
    policy = only(root, "bidder", "idr", "docker-compose.yml")
    passing = run_check("reliability/probe-paths-exist", root, policy, scanner_results=facts)
    assert passing.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in passing.evidence] == [("idr/app/main.py", 8), ("bidder/main.go", 10)]


@pytest.mark.slow
def test_services_that_serve_nothing_are_not_judged(fleet: tuple[Path, dict[str, object]]) -> None:
    root, facts = fleet
    policy = only(root, "worker")
    for check_id in (
        "reliability/health-endpoint",
        "reliability/health-checks-dependencies",
        "reliability/probe-paths-exist",
    ):
        result = run_check(check_id, root, policy, scanner_results=facts)
        assert result.outcome is Outcome.NOT_APPLICABLE, check_id


FACTORY_GOMOD = "module example.com/cache\n\nrequire github.com/redis/go-redis/v9 v9.5.0\n"
SETTINGS_FACTORY = """
package main

import "net/http"

func NewStatusEndpoint(response string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(response)) }
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/status", NewStatusEndpoint("ok"))
	http.ListenAndServe(":8080", mux)
}
"""
STORE_FACTORY = """
package main

import "net/http"

func main() {
	store := openStore()
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", newReadinessProbe(store))
	http.ListenAndServe(":8080", mux)
}
"""


@pytest.mark.slow
def test_health_handlers_built_by_factories(tmp_path: Path) -> None:
    write_tree(tmp_path / "settings", {"go.mod": FACTORY_GOMOD, "main.go": SETTINGS_FACTORY})
    constant = run_check("reliability/health-checks-dependencies", tmp_path / "settings")
    assert constant.outcome is Outcome.FAIL  # built from a string: it can't test Redis
    assert locations(constant) == [("main.go", 11)]

    write_tree(tmp_path / "store", {"go.mod": FACTORY_GOMOD, "main.go": STORE_FACTORY})
    handed = run_check("reliability/health-checks-dependencies", tmp_path / "store")
    assert handed.outcome is Outcome.PASS  # handed the store: taken to test it
    assert [(e.path, e.line) for e in handed.evidence] == [("main.go", 8)]
