from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

CHECK = "observability/slo-alerts"

BIDDER = """
package main

import (
    "net/http"

    "github.com/prometheus/client_golang/prometheus"
    "github.com/prometheus/client_golang/prometheus/promauto"
    "github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
    latency  = promauto.NewHistogram(prometheus.HistogramOpts{Name: "bidder_request_duration_seconds"})
    requests = promauto.NewCounterVec(prometheus.CounterOpts{Name: "bidder_requests_total"}, []string{"code"})
    inFlight = promauto.NewGauge(prometheus.GaugeOpts{Name: "bidder_in_flight_requests"})
)

func main() {
    http.Handle("/metrics", promhttp.Handler())
}
"""

IDR = """
from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator

app = FastAPI()
Instrumentator().instrument(app).expose(app)
"""

ALERTS = """
groups:
  - name: services
    rules:
      - alert: BidderSlow
        expr: histogram_quantile(0.99, sum by (le) (rate(bidder_request_duration_seconds_bucket[5m]))) > 0.1
        for: 10m
      - alert: BidderErrors
        expr: sum(rate(bidder_requests_total{code=~"5.."}[5m])) / sum(rate(bidder_requests_total[5m])) > 0.01
        for: 5m
      - alert: BidderBusy
        expr: max(bidder_in_flight_requests) > 400
        for: 10m
      - alert: IDRErrors
        expr: sum(rate(http_requests_total{handler="/resolve", status="5xx"}[5m])) > 1
        for: 5m
      - alert: APIDown
        expr: up{job="api"} == 0
        for: 2m
"""

TREE = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/main.go": BIDDER,
    # Instrumentator's own metric names match IDRErrors: errors only.
    "idr/pyproject.toml": "[project]\nname = 'idr'\n",
    "idr/app/main.py": IDR,
    # Selected by job, but `up == 0` is none of latency, errors or saturation.
    "api/go.mod": "module example.com/api\n",
    "api/main.go": BIDDER.replace("bidder_", "api_"),
    # No alert at all.
    "cart/go.mod": "module example.com/cart\n",
    "cart/main.go": BIDDER.replace("bidder_", "cart_"),
    # Exposes nothing: not judged.
    "tools/go.mod": "module example.com/tools\n",
    "tools/main.go": "package main\n\nfunc main() {}\n",
    "monitoring/alerts.yml": ALERTS,
}


@pytest.mark.slow
def test_slo_alerts(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "services", TREE)
    facts = scan(root)
    result = run_check(CHECK, root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("monitoring/alerts.yml", 16),
        ("cart/main.go", 8),
        ("monitoring/alerts.yml", 13),
    ]
    api, cart, idr = result.failures
    assert api.message == (
        "go service 'api' has no latency and no errors and no saturation alert (its alerts: APIDown)"
    )
    assert cart.message.startswith("go service 'cart' exposes metrics but no alert queries them (metrics: ")
    assert (
        idr.message == "python service 'idr' has no latency and no saturation alert (its alerts: IDRErrors)"
    )

    # Only the bidder left: its three alerts cover latency, errors and saturation.
    alone = write_tree(
        tmp_path / "alone", {k: v for k, v in TREE.items() if k.startswith(("bidder/", "monitoring/"))}
    )
    passed = run_check(CHECK, alone, scanner_results=facts)
    assert passed.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in passed.evidence] == [
        ("monitoring/alerts.yml", 4),
        ("monitoring/alerts.yml", 7),
        ("monitoring/alerts.yml", 10),
    ]
    # No alerting rules at all is observability/alert-rules' finding, not this one's.
    silent = write_tree(tmp_path / "silent", {k: v for k, v in TREE.items() if k.startswith("bidder/")})
    assert run_check(CHECK, silent, scanner_results=facts).outcome is Outcome.NOT_APPLICABLE
