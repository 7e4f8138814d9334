import dataclasses
from pathlib import Path

import pytest

from readiness import config
from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

# ---- stateful-storage ------------------------------------------------------------------------

STORES = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
spec:
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:16
          env:
            - {name: PGDATA, value: /var/lib/postgresql/data/pgdata}
          volumeMounts:
            - {name: data, mountPath: /var/lib/postgresql/data}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mysql
spec:
  template:
    spec:
      containers:
        - name: mysql
          image: mysql:8.4
          volumeMounts:
            - {name: scratch, mountPath: /var/lib/mysql}
      volumes:
        - name: scratch
          emptyDir: {}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: mongo
spec:
  template:
    spec:
      containers:
        - name: mongo
          image: mongo:7
          volumeMounts:
            - {name: disk, mountPath: /data/db}
      volumes:
        - name: disk
          hostPath: {path: /mnt/mongo}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: caches
spec:
  template:
    spec:
      containers:
        - name: memcached
          image: memcached:1.6
        - name: redis-cache
          image: redis:7.2
          args: ["--maxmemory", "1gb", "--maxmemory-policy", "allkeys-lru"]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ledger
spec:
  template:
    spec:
      containers:
        - name: ledger
          image: example/ledger:1.0
"""

COMPOSE = """
services:
  redis:
    image: redis:7.2
  postgres:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
"""


def test_data_stores_without_persistent_volumes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/stores.yaml": STORES, "docker-compose.yml": COMPOSE})
    result = run_check("reliability/stateful-storage", tmp_path)
    assert result.outcome is Outcome.FAIL
    # redis: nothing mounted at /data; mysql: an emptyDir; mongo: a hostPath; ledger: a
    # StatefulSet without claims. The PVC-backed postgres and both caches pass; the compose
    # file is the dev stack next to Kubernetes manifests and is not judged.
    assert locations(result) == [
        ("deploy/stores.yaml", 27),
        ("deploy/stores.yaml", 44),
        ("deploy/stores.yaml", 60),
        ("deploy/stores.yaml", 76),
    ]
    assert [f.severity for f in result.failures] == [None, None, Severity.RISK, Severity.RISK]
    assert "emptyDir" in result.failures[1].message


def test_compose_stores_when_compose_is_the_deployment(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker-compose.yml": COMPOSE})
    result = run_check("reliability/stateful-storage", tmp_path)
    assert locations(result) == [("docker-compose.yml", 2)]
    write_tree(
        tmp_path / "none", {"deploy/app.yaml": STORES.split("---")[-1].replace("StatefulSet", "Deployment")}
    )
    assert run_check("reliability/stateful-storage", tmp_path / "none").outcome is Outcome.NOT_APPLICABLE


# ---- acknowledged-writes (semgrep) ------------------------------------------------------------

BIDDER_GO = """
package main

import (
	"context"
	"net/http"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

type exchange struct {
	pool *pgxpool.Pool
	rdb  *redis.Client
}

func (ex *exchange) handleAuction(w http.ResponseWriter, r *http.Request) {
	go func() {
		_ = ex.recordImpression(context.Background(), "imp-1")
	}()
	go func() {
		ex.rdb.Incr(context.Background(), "caps:user")
	}()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = ex.recordImpression(r.Context(), "imp-2")
	}()
	wg.Wait()
	go func() {
		trace(r.URL.Path)
	}()
	w.WriteHeader(http.StatusNoContent)
}

func (ex *exchange) recordImpression(ctx context.Context, id string) error {
	_, err := ex.pool.Exec(ctx, "INSERT INTO impressions (id) VALUES ($1)", id)
	return err
}

func main() {
	ex := &exchange{}
	http.HandleFunc("/auction", ex.handleAuction)
	_ = http.ListenAndServe(":8080", nil)
}
"""

PRICING_GO = """
package main

import (
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
)

type svc struct{ pool *pgxpool.Pool }

func (s *svc) handle(w http.ResponseWriter, r *http.Request) {
	if _, err := s.pool.Exec(r.Context(), "INSERT INTO events DEFAULT VALUES"); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func main() {
	s := &svc{}
	_ = http.ListenAndServe(":8080", http.HandlerFunc(s.handle))
}
"""


@pytest.mark.slow
def test_writes_from_goroutines_handlers_do_not_wait_for(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "bidder/main.go": BIDDER_GO,
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/main.go": PRICING_GO,
            "worker/go.mod": "module example.com/worker\n",
            "worker/main.go": "package main\n\nfunc main() {}\n",
        },
    )
    facts = scan(tmp_path)
    result = run_check("reliability/acknowledged-writes", tmp_path, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    # Through recordImpression (one call deep) and a direct Redis INCR; the goroutine the handler
    # waits for (wg.Done) and the one that writes nothing are not flagged.
    assert [[(e.path, e.line) for e in f.evidence] for f in result.failures] == [
        [("bidder/main.go", 18), ("bidder/main.go", 19)],
        [("bidder/main.go", 21), ("bidder/main.go", 22)],
    ]

    def keeping(*kept: str) -> config.Config:
        dropped = tuple(f"/{entry.name}" for entry in tmp_path.iterdir() if entry.name not in kept)
        return dataclasses.replace(config.default(tmp_path.name), exclude=dropped)

    passing = run_check(
        "reliability/acknowledged-writes", tmp_path, keeping("pricing"), scanner_results=facts
    )
    assert passing.outcome is Outcome.PASS
    idle = run_check("reliability/acknowledged-writes", tmp_path, keeping("worker"), scanner_results=facts)
    assert idle.outcome is Outcome.NOT_APPLICABLE
