from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "load-validation/chaos-tests"

REDIS = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.2
"""

# Chaos against the database only: tooling exists, neither scenario is covered.
DB_POD_KILL = """
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata:
  name: db-kill
spec:
  action: pod-kill
  mode: one
  selector:
    labelSelectors: {app: timescaledb}
"""

REDIS_KILL_SCHEDULE = """
apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata:
  name: redis-kill-nightly
spec:
  schedule: "0 3 * * *"
  type: PodChaos
  podChaos:
    action: pod-kill
    mode: one
    selector:
      labelSelectors: {app.kubernetes.io/name: redis}
"""

ISTIO_DELAY = """
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: dsp-alpha
spec:
  hosts: [dsp-alpha.partners.svc]
  http:
    - fault:
        delay:
          percentage: {value: 50}
          fixedDelay: 300ms
      route:
        - destination: {host: dsp-alpha.partners.svc}
"""

MAIN = "package main\n\nfunc main() {}\n"

GO_TESTS = """
package bidder

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

func TestDegradesWithoutRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	ex := newExchange(mr.Addr())
	mr.Close()
	_ = ex
}

func TestSlowBidder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	}))
	defer srv.Close()
}
"""


@pytest.mark.slow
def test_missing_scenarios_are_risks_and_manifests_or_tests_cover_them(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "gaps",
        {
            "bidder/go.mod": "module x\n",
            "bidder/main.go": MAIN,
            "k8s/redis.yaml": REDIS,
            "chaos/db-kill.yaml": DB_POD_KILL,
        },
    )
    result = run_check(CHECK, tmp_path / "gaps")
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("k8s/redis.yaml", 10), ("chaos/db-kill.yaml", 1)]
    redis, upstream = result.failures
    assert "when Redis dies" in redis.message
    assert "when a bidder/upstream times out" in upstream.message
    assert redis.evidence[-1].note and "nothing kills" in redis.evidence[-1].note

    write_tree(
        tmp_path / "manifests",
        {
            "bidder/go.mod": "module x\n",
            "bidder/main.go": MAIN,
            "k8s/redis.yaml": REDIS,
            "chaos/redis.yaml": REDIS_KILL_SCHEDULE,
            "mesh/dsp.yaml": ISTIO_DELAY,
        },
    )
    result = run_check(CHECK, tmp_path / "manifests")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("chaos/redis.yaml", 1), ("mesh/dsp.yaml", 8)]


@pytest.mark.slow
def test_go_tests_that_break_redis_and_slow_a_bidder_count(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"bidder/go.mod": "module x\n", "bidder/auction_test.go": GO_TESTS, "k8s/redis.yaml": REDIS},
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [
        ("bidder/auction_test.go", 15),
        ("bidder/auction_test.go", 21),
    ]
