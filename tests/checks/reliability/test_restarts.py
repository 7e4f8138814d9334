from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

# ---- restart-policy -------------------------------------------------------------------------

COMPOSE = """
services:
  api:
    image: example/api:1.0
  worker:
    image: example/worker:1.0
    restart: "no"
  web:
    image: example/web:1.0
    restart: unless-stopped
    depends_on:
      migrate: {condition: service_completed_successfully}
  queue:
    image: example/queue:1.0
    deploy:
      restart_policy: {condition: on-failure}
  migrate:
    image: example/migrations:1.0
  db-init:
    image: postgres:16
"""

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: debug-api
spec:
  restartPolicy: Never
  containers:
    - name: api
      image: example/api:1.0
      ports: [{containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.0
"""


def test_compose_deployment_services_without_restart_policy(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker-compose.yml": COMPOSE})
    result = run_check("reliability/restart-policy", tmp_path)
    assert result.outcome is Outcome.FAIL
    # migrate and db-init run once; web and queue restart.
    assert locations(result) == [("docker-compose.yml", 2), ("docker-compose.yml", 6)]
    assert 'restart: "no"' in result.failures[1].message


def test_compose_next_to_kubernetes_is_the_dev_stack_and_bare_pods_fail(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker-compose.yml": COMPOSE, "deploy/pod.yaml": POD})
    result = run_check("reliability/restart-policy", tmp_path)
    assert locations(result) == [("deploy/pod.yaml", 6)]
    assert "not even restarted" in result.failures[0].message
    write_tree(tmp_path / "ok", {"deploy/api.yaml": POD.split("---")[1]})
    assert run_check("reliability/restart-policy", tmp_path / "ok").outcome is Outcome.PASS
    write_tree(tmp_path / "none", {"README.md": "# nothing deployed\n"})
    assert run_check("reliability/restart-policy", tmp_path / "none").outcome is Outcome.NOT_APPLICABLE


def test_systemd_units_and_a_service_nothing_restarts(tmp_path: Path) -> None:
    unit = "[Unit]\nDescription=api\n\n[Service]\nExecStart=/usr/bin/api\nRestart=always\n"
    write_tree(tmp_path / "unit", {"packaging/systemd/api.service": unit, "go.mod": "module api\n"})
    result = run_check("reliability/restart-policy", tmp_path / "unit")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("packaging/systemd/api.service", 6)]

    write_tree(tmp_path / "bare", {"go.mod": "module api\n", "Dockerfile": "FROM scratch\n"})
    bare = run_check("reliability/restart-policy", tmp_path / "bare")
    assert bare.outcome is Outcome.FAIL
    assert locations(bare) == [(None, None)]
    assert bare.failures[0].message.startswith("nothing in the repository restarts the service")

    write_tree(tmp_path / "dev", {"go.mod": "module api\n", "compose.override.yml": COMPOSE})
    dev = run_check("reliability/restart-policy", tmp_path / "dev")
    assert dev.outcome is Outcome.FAIL  # a development override is not how it is deployed
    assert locations(dev) == [(None, None)]


# ---- python-worker-limits -------------------------------------------------------------------


def test_gunicorn_without_max_requests(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "floors/pyproject.toml": '[project]\nname = "floors"\n',
            "floors/gunicorn.conf.py": "timeout = 10\nmax_requests = 20000\nmax_requests_jitter = 2000\n",
            "floors/Dockerfile": (
                'FROM python:3.12\nCMD ["gunicorn", "-c", "gunicorn.conf.py", "floors.app:app"]\n'
            ),
            "reports/Procfile": "web: gunicorn --timeout 30 reports.wsgi\n",
        },
    )
    result = run_check("reliability/python-worker-limits", tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("reports/Procfile", 1)]
    assert result.failures[0].message.endswith("without max_requests")
    assert result.failures[0].severity is None  # the check's default: a recommendation
    write_tree(tmp_path / "none", {"api/Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "api:app"]\n'})
    assert run_check("reliability/python-worker-limits", tmp_path / "none").outcome is Outcome.NOT_APPLICABLE


# ---- goroutine-recover and liveness-independent (semgrep) ------------------------------------

BIDDER_GO = """
package main

import (
	"context"
	"database/sql"
	"log"
	"net/http"
)

type server struct{ db *sql.DB }

func (s *server) handleAuction(w http.ResponseWriter, r *http.Request) {
	go func() {
		record(context.Background())
	}()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				log.Printf("panic: %v", p)
			}
		}()
		record(context.Background())
	}()
	go s.audit(r.URL.Path)
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) audit(path string) {
	defer recoverPanic()
	log.Print(path)
}

func main() {
	s := &server{}
	mux := http.NewServeMux()
	mux.HandleFunc("/auction", s.handleAuction)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.db.PingContext(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		go notify()
	})
	mux.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {})
	go warmCaches()
	log.Fatal(http.ListenAndServe(":8080", mux))
}
"""

LIVENESS = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  template:
    spec:
      containers:
        - name: bidder
          image: example/bidder:2.0
          livenessProbe:
            httpGet: {path: /healthz, port: http}
        - name: bidder-admin
          image: example/bidder:2.0
          livenessProbe:
            httpGet:
              path: /livez
              port: http
---
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
          livenessProbe:
            httpGet:
              path: /readyz
              port: http
"""


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = write_tree(
        tmp_path_factory.mktemp("crash"),
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "bidder/main.go": BIDDER_GO,
            "deploy/apps.yaml": LIVENESS,
        },
    )
    return root, scan(root)


@pytest.mark.slow
def test_goroutines_from_handlers_without_recover(crash: tuple[Path, dict[str, object]]) -> None:
    root, facts = crash
    result = run_check("reliability/goroutine-recover", root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    # Unguarded in a method handler and in a handler literal; guarded by a deferred recover in the
    # literal and in the function `go s.audit(...)` starts; main's goroutine is not a handler's.
    assert locations(result) == [("bidder/main.go", 13), ("bidder/main.go", 42)]
    assert result.failures[0].severity is None  # the check's default: a risk


@pytest.mark.slow
def test_liveness_probes_on_dependency_checks(crash: tuple[Path, dict[str, object]]) -> None:
    root, facts = crash
    result = run_check("reliability/liveness-independent", root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("deploy/apps.yaml", 12), ("deploy/apps.yaml", 32)]
    # /healthz pings the database; idr's /readyz is not in the code but readiness by name.
    assert [(e.path, e.line) for e in result.failures[0].evidence] == [
        ("deploy/apps.yaml", 12),
        ("bidder/main.go", 38),
    ]
    assert "readiness endpoint /readyz" in result.failures[1].message
