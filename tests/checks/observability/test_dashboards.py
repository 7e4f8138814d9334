import json
from pathlib import Path

import pytest

from readiness.model import Answer, Outcome, Severity
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

CHECK = "observability/dashboards"

BIDDER = """
package main

import (
    "net/http"

    "github.com/prometheus/client_golang/prometheus"
    "github.com/prometheus/client_golang/prometheus/promauto"
    "github.com/prometheus/client_golang/prometheus/promhttp"
)

var latency = promauto.NewHistogram(prometheus.HistogramOpts{
    Namespace: "bidder", Name: "request_duration_seconds",
})

func main() {
    http.Handle("/metrics", promhttp.Handler())
}
"""

API = """
from prometheus_client import Counter, start_http_server

REQUESTS = Counter("api_requests_total", "Requests by code.", ["code"])
"""

IDR = """
from prometheus_client import Counter, start_http_server

LOOKUPS = Counter("lookups_total", "Graph lookups.", namespace="idr")
"""

# Grafana's current schema: a collapsed row holds its panels.
BIDDER_DASHBOARD = {
    "title": "Bidder",
    "panels": [
        {
            "type": "row",
            "title": "Golden signals",
            "panels": [
                {
                    "title": "p99",
                    "targets": [
                        {
                            "expr": "histogram_quantile(0.99, sum by (le) "
                            "(rate(bidder_request_duration_seconds_bucket[5m])))"
                        }
                    ],
                }
            ],
        }
    ],
}

API_DASHBOARD_CONFIGMAP = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-dashboard
  labels: {grafana_dashboard: "1"}
data:
  api.json: |
    {"title": "API", "panels": [
      {"title": "rate", "targets": [{"expr": "sum(rate(api_requests_total[1m]))"}]}
    ]}
"""

TREE = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/main.go": BIDDER,
    "api/pyproject.toml": "[project]\nname = 'api'\n",
    "api/api/metrics.py": API,
    "idr/pyproject.toml": "[project]\nname = 'idr'\n",
    "idr/app/metrics.py": IDR,
    "monitoring/grafana/bidder.json": json.dumps(BIDDER_DASHBOARD, indent=2),
    "deploy/dashboards.yaml": API_DASHBOARD_CONFIGMAP,
    # JSON that is not a dashboard.
    "deploy/config/flags.json": '{"panels": "not a list", "log_level": "info"}\n',
}


@pytest.mark.slow
def test_dashboards(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "full", TREE)
    facts = scan(root)
    result = run_check(CHECK, root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    # The bidder's metric is on a nested panel, the API's in a ConfigMap; idr's on none.
    assert locations(result) == [("idr/app/metrics.py", 1)]
    (idr,) = result.failures
    assert idr.severity is Severity.RECOMMENDATION
    assert idr.message == "no dashboard queries any metric python service 'idr' defines (idr_lookups_total)"

    covered = write_tree(tmp_path / "covered", {k: v for k, v in TREE.items() if not k.startswith("idr/")})
    passed = run_check(CHECK, covered, scanner_results=facts)
    assert passed.outcome is Outcome.PASS
    # Latency panels, but none on errors: dashboards exist, they don't yet diagnose an outage.
    assert passed.summary == "2 dashboard(s): Bidder, API; no panel shows errors"
    assert passed.answer is Answer.PARTIAL
    assert [(e.path, e.line) for e in passed.evidence] == [
        ("monitoring/grafana/bidder.json", None),
        ("deploy/dashboards.yaml", 7),
    ]

    bare = write_tree(
        tmp_path / "bare", {k: v for k, v in TREE.items() if not k.startswith(("monitoring/", "deploy/"))}
    )
    missing = run_check(CHECK, bare, scanner_results=facts)
    assert missing.outcome is Outcome.FAIL
    assert missing.failures[0].severity is None  # the check's default: a risk
    assert missing.failures[0].message.startswith("no Grafana dashboard in the repository for 3 service(s)")
    assert locations(missing) == [(None, None)]

    errors = json.loads(TREE["monitoring/grafana/bidder.json"])
    errors["panels"].append(
        {"title": "5xx", "targets": [{"expr": 'sum(rate(bidder_requests_total{code=~"5.."}[5m]))'}]}
    )
    golden = write_tree(
        tmp_path / "golden",
        {
            **{k: v for k, v in TREE.items() if not k.startswith("idr/")},
            "monitoring/grafana/bidder.json": json.dumps(errors),
        },
    )
    complete = run_check(CHECK, golden, scanner_results=facts)
    assert complete.outcome is Outcome.PASS and complete.answer is None
    assert complete.summary == "2 dashboard(s): Bidder, API"

    other_tool = write_tree(
        tmp_path / "other",
        {
            **{k: v for k, v in TREE.items() if not k.startswith(("monitoring/", "deploy/"))},
            "extras/dashboard.json": '{\n  "displayName": "API",\n  "mosaicLayout": {"tiles": []}\n}\n',
        },
    )
    unread = run_check(CHECK, other_tool, scanner_results=facts)
    assert unread.outcome is Outcome.FAIL and unread.answer is Answer.PARTIAL
    assert locations(unread) == [("extras/dashboard.json", 3)]
    assert unread.failures[0].severity is Severity.RECOMMENDATION

    nothing = write_tree(
        tmp_path / "nothing", {"monitoring/grafana/bidder.json": TREE["monitoring/grafana/bidder.json"]}
    )
    assert run_check(CHECK, nothing).outcome is Outcome.NOT_APPLICABLE
