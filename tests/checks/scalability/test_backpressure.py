"""Backpressure: client timeouts, server timeouts and load shedding, judged on the same trees
(semgrep scans each tree once)."""

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, semgrep_scan, write_tree

CLIENTS = "scalability/client-timeouts"
SERVERS = "scalability/server-timeouts"
SHEDDING = "scalability/load-shedding"


OVERWHELMED_GO = """
package main

import (
	"bytes"
	"net/http"
	"time"
)

type exchange struct{ client *http.Client }

func (ex *exchange) handle(w http.ResponseWriter, r *http.Request) {
	go func() {
		ex.client.Post("http://dsp", "application/json", bytes.NewReader(nil))
	}()
	http.Post("http://idr/resolve", "application/json", bytes.NewReader(nil))
}

func main() {
	ex := &exchange{client: &http.Client{}}
	queue := make(chan []byte, 1000000)
	_ = queue
	admin := &http.Server{Addr: ":9090", ReadTimeout: 5 * time.Second}
	go admin.ListenAndServe()
	http.HandleFunc("/", ex.handle)
	http.ListenAndServe(":8080", nil)
}
"""

OVERWHELMED_PY = """
import requests
from fastapi import FastAPI

app = FastAPI()


@app.post("/resolve")
def resolve() -> dict:
    return requests.get("http://partner/sync").json()
"""

UVICORN = 'FROM python:3.12\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n'


@pytest.mark.slow
def test_an_overwhelmed_exchange(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "bidder/main.go": OVERWHELMED_GO,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app.py": OVERWHELMED_PY,
            "idr/Dockerfile": UVICORN,
        },
    )
    results = semgrep_scan(tmp_path)

    clients = run_check(CLIENTS, tmp_path, scanner_results=results)
    assert locations(clients) == [("bidder/main.go", 15), ("bidder/main.go", 19), ("idr/app.py", 9)]
    assert "http.DefaultClient" in clients.failures[0].message
    assert "an http.Client without a Timeout" in clients.failures[1].message

    servers = run_check(SERVERS, tmp_path, scanner_results=results)
    assert locations(servers) == [("bidder/main.go", 22), ("bidder/main.go", 25)]
    assert "http.Server without WriteTimeout:" in servers.failures[0].message
    assert "no timeouts at all" in servers.failures[1].message

    shedding = run_check(SHEDDING, tmp_path, scanner_results=results)
    assert locations(shedding) == [
        ("bidder/main.go", 12),  # a goroutine per request
        ("bidder/main.go", 20),  # a channel that is effectively unbounded
        ("bidder/main.go", 23),  # no bound on requests in flight
        ("idr/app.py", 4),  # uvicorn without --limit-concurrency
    ]
    assert "a channel buffer of 1000000" in shedding.failures[1].message


BOUNDED_GO = """
package main

import (
	"net/http"
	"time"
)

func limitInFlight(next http.Handler) http.Handler {
	slots := make(chan struct{}, 512)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		}
	})
}

func main() {
	client := &http.Client{Timeout: 40 * time.Millisecond}
	_ = client
	srv := &http.Server{
		Addr:              ":8080",
		Handler:           limitInFlight(http.NotFoundHandler()),
		ReadHeaderTimeout: 2 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	srv.IdleTimeout = 120 * time.Second
	srv.ListenAndServe()
}
"""

FLOORS = """
import requests
from flask import Flask

app = Flask(__name__)


@app.get("/floor")
def floor():
    return requests.get("http://model/floor", timeout=0.2).json()
"""

API_DEPLOYMENT = """
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
          args: ["uvicorn", "app:app", "--limit-concurrency", "200"]
"""


@pytest.mark.slow
def test_bounded_services_pass(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/main.go": BOUNDED_GO,
            "floors/pyproject.toml": "[project]\nname = 'floors'\n",
            "floors/app.py": FLOORS,
            "floors/gunicorn.conf.py": 'workers = 2\nworker_class = "gthread"\nthreads = 4\n',
            "floors/Dockerfile": 'FROM python:3.12\nCMD ["gunicorn", "app:app"]\n',
            "api/pyproject.toml": "[project]\nname = 'api'\n",
            "api/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "deploy/api.yaml": API_DEPLOYMENT,
        },
    )
    results = semgrep_scan(tmp_path)

    clients = run_check(CLIENTS, tmp_path, scanner_results=results)
    assert clients.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in clients.evidence] == [("floors/app.py", 9), ("pricing/main.go", 22)]

    servers = run_check(SERVERS, tmp_path, scanner_results=results)
    assert servers.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in servers.evidence] == [("pricing/main.go", 24)]

    shedding = run_check(SHEDDING, tmp_path, scanner_results=results)
    assert shedding.outcome is Outcome.PASS, shedding.failures
    assert [(e.path, e.line, e.note) for e in shedding.evidence] == [
        ("deploy/api.yaml", 11, "uvicorn --limit-concurrency"),
        (
            "floors/gunicorn.conf.py",
            2,
            "gunicorn gthread workers: at most workers × threads requests in flight",
        ),
        ("pricing/main.go", 11, None),
    ]


def test_nothing_to_judge_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"lib/pyproject.toml": "[project]\nname = 'lib'\n", "lib/x.py": "X = 1\n"})
    for check_id in (CLIENTS, SERVERS, SHEDDING):
        assert (
            run_check(check_id, tmp_path, scanner_results={"semgrep": []}).outcome is Outcome.NOT_APPLICABLE
        )
