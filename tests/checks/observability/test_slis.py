from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

SLIS = "observability/sli-metrics"
SCRAPED = "observability/metrics-scraped"

# Two counters, one labelled by status: errors are covered, latency and saturation are not.
BIDDER = """
package main

import (
    "net/http"

    "github.com/prometheus/client_golang/prometheus"
    "github.com/prometheus/client_golang/prometheus/promauto"
    "github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
    bidRequests = promauto.NewCounterVec(prometheus.CounterOpts{
        Name: "bidder_bid_requests_total",
    }, []string{"status"})
    upstreamErrors = promauto.NewCounterVec(prometheus.CounterOpts{
        Name: "bidder_upstream_errors_total",
    }, []string{"bidder"})
)

func main() {
    http.Handle("/metrics", promhttp.Handler())
}
"""

# A latency histogram, a counter by code and a pool collector (saturation through a library).
PRICING = """
package main

import (
    "database/sql"
    "net/http"

    "github.com/prometheus/client_golang/prometheus"
    "github.com/prometheus/client_golang/prometheus/collectors"
    "github.com/prometheus/client_golang/prometheus/promhttp"
)

var latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
    Namespace: "pricing",
    Name:      "request_duration_seconds",
}, []string{"route"})

var requests = prometheus.NewCounterVec(prometheus.CounterOpts{
    Name: "pricing_requests_total",
}, []string{"route", "code"})

func main() {
    var db *sql.DB
    prometheus.MustRegister(latency, requests, collectors.NewDBStatsCollector(db, "pricing"))
    http.Handle("/metrics", promhttp.Handler())
}
"""

# The instrumentator records latency and status; in-progress requests give saturation.
FLOORS = """
from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator

app = FastAPI()
Instrumentator(should_instrument_requests_inprogress=True).instrument(app).expose(app)
"""

# A histogram of sizes is not latency; a gauge of build info is not saturation.
API = """
from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("api_requests_total", "Requests by code.", ["code"])
SIZES = Histogram("api_response_size_bytes", "Response sizes.")
BUILD = Gauge("api_build_info", "Build information.", ["version"])
"""

NODE = """
const client = require('prom-client');

const latency = new client.Histogram({ name: 'web_request_duration_seconds', help: 'Latency' });
const requests = new client.Counter({ name: 'web_requests_total', help: 'Requests', labelNames: ['code'] });
const inFlight = new client.Gauge({ name: 'web_in_flight_requests', help: 'In flight' });
"""


def deployment(name: str, labels: str = "", annotations: str = "") -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}{labels}}}{annotations}
    spec:
      containers:
        - name: {name}
          image: registry.example.com/team/{name}:1.0
"""


def service(name: str, port: str) -> str:
    return f"""
apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  selector: {{app: {name}}}
  ports:
    - name: {port}
      port: 80
"""


def service_monitor(name: str, port: str) -> str:
    return f"""
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  endpoints:
    - port: {port}
"""


POD_ANNOTATIONS = """
      annotations:
        prometheus.io/scrape: "true\""""

POD_MONITOR = """
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web, tier: front}
  podMetricsEndpoints:
    - port: http
"""

PROMETHEUS = """
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: worker
    static_configs:
      - targets: ["worker:9090"]
"""

TREE = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/main.go": BIDDER,
    "pricing/go.mod": "module example.com/pricing\n",
    "pricing/main.go": PRICING,
    "floors/pyproject.toml": "[project]\nname = 'floors'\n",
    "floors/floors/app.py": FLOORS,
    "api/pyproject.toml": "[project]\nname = 'api'\n",
    "api/api/metrics.py": API,
    "web/package.json": "{}\n",
    "web/src/metrics.js": NODE,
    "worker/go.mod": "module example.com/worker\n",
    "worker/main.go": BIDDER.replace("bidder_", "worker_"),
    "tools/go.mod": "module example.com/tools\n",
    "tools/main.go": "package main\n\nfunc main() {}\n",
    # bidder: nothing scrapes it. pricing: a ServiceMonitor on its Service. floors: pod annotations.
    # api: a ServiceMonitor naming a port its Service does not have. web: a PodMonitor.
    # worker: a static scrape job.
    "deploy/bidder.yaml": deployment("bidder") + "---" + service("bidder", "http"),
    "deploy/pricing.yaml": deployment("pricing")
    + "---"
    + service("pricing", "metrics")
    + "---"
    + service_monitor("pricing", "metrics"),
    "deploy/floors.yaml": deployment("floors", annotations=POD_ANNOTATIONS),
    "deploy/api.yaml": deployment("api")
    + "---"
    + service("api", "http")
    + "---"
    + service_monitor("api", "ops"),
    "deploy/web.yaml": deployment("web", labels=", tier: front") + "---" + POD_MONITOR,
    "deploy/worker.yaml": deployment("worker"),
    "monitoring/prometheus.yml": PROMETHEUS,
}


@pytest.mark.slow
def test_sli_metrics(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    result = run_check(SLIS, root, scanner_results=scan(root))
    assert result.outcome is Outcome.FAIL
    # pricing, floors and web cover all three; tools exposes nothing and is not judged.
    assert locations(result) == [("api/api/metrics.py", 3), ("bidder/main.go", 12), ("worker/main.go", 12)]
    api, bidder, _ = result.failures
    assert "instruments no latency and no saturation SLI; it has errors (api/api/metrics.py:3)" in api.message
    assert [(e.path, e.line) for e in api.evidence] == [
        ("api/api/metrics.py", 3),
        ("api/api/metrics.py", 4),
        ("api/api/metrics.py", 5),
    ]
    assert [(e.path, e.line) for e in bidder.evidence] == [("bidder/main.go", 12), ("bidder/main.go", 15)]
    assert (
        "go service 'bidder' exposes metrics but instruments no latency and no saturation SLI"
        in bidder.message
    )


def test_metrics_scraped(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    result = run_check(SCRAPED, root)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("deploy/api.yaml", 27), ("deploy/bidder.yaml", 1)]
    broken, unscraped = result.failures
    assert "ServiceMonitor 'api' scrapes port(s) ops that Service 'api' does not name" in broken.message
    assert "nothing scrapes Deployment 'bidder'" in unscraped.message


def test_metrics_scraped_passes_and_needs_kubernetes(tmp_path: Path) -> None:
    files = {
        path: text for path, text in TREE.items() if not path.startswith(("deploy/api", "deploy/bidder"))
    }
    root = write_tree(tmp_path / "ok", files)
    result = run_check(SCRAPED, root)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [
        ("deploy/floors.yaml", 12),
        ("deploy/pricing.yaml", 27),
        ("deploy/web.yaml", 16),
        ("monitoring/prometheus.yml", 4),
    ]
    bare = write_tree(tmp_path / "bare", {"bidder/go.mod": "module x\n", "bidder/main.go": BIDDER})
    assert run_check(SCRAPED, bare).outcome is Outcome.NOT_APPLICABLE


@pytest.mark.slow
def test_sli_metrics_not_applicable_without_exposition(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"tools/go.mod": "module x\n", "tools/main.go": "package main\n\nfunc main() {}\n"}
    )
    assert run_check(SLIS, root).outcome is Outcome.NOT_APPLICABLE
