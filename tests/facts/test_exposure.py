"""One exposure model: a Gateway API route publishes a service as an Ingress does, for every check."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.facts import exposure
from readiness.model import Severity
from readiness.repo import Repo
from tests.support import run_check, semgrep_scan, write_tree

MANIFESTS = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  template:
    metadata:
      labels: {app: bidder}
    spec:
      containers:
        - name: bidder
          image: registry.example/bidder:1.4
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: bidder
spec:
  selector: {app: bidder}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
spec:
  gatewayClassName: cloud
  listeners:
    - name: http
      protocol: HTTP
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bidder
spec:
  parentRefs: [{name: public}]
  rules:
    - backendRefs: [{name: bidder, port: 80}]
"""
SERVER = """
package main

import "net/http"

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/bid", bid)
	http.ListenAndServe(":8080", mux)
}

func bid(w http.ResponseWriter, r *http.Request) {}
"""


def test_a_gateway_route_reaches_the_workloads_behind_its_service(tmp_path: Path) -> None:
    repo = Repo(write_tree(tmp_path, {"k8s/bidder.yaml": MANIFESTS}))
    (workload,) = [w for w in repo.workloads() if w.name == "bidder"]
    assert [r.kind for r in exposure.routes_to(repo, [workload])] == ["HTTPRoute"]
    assert [(e.path, e.line, e.note) for e in exposure.external(repo, [workload])] == [
        ("k8s/bidder.yaml", 34, "HTTPRoute 'bidder'")
    ]
    (route,) = exposure.routes_to(repo, [workload])
    assert not exposure.route_tls(repo, route)
    https = MANIFESTS.replace(
        "protocol: HTTP\n", "protocol: HTTPS\n      tls: {certificateRefs: [{name: bidder-tls}]}\n"
    )
    secured = Repo(write_tree(tmp_path / "tls", {"k8s/bidder.yaml": https}))
    (route,) = [o for o in secured.k8s_objects() if o.kind == "HTTPRoute"]
    assert exposure.route_tls(secured, route)


@pytest.mark.slow
def test_rate_limiting_and_plaintext_endpoints_agree_the_routed_service_is_exposed(tmp_path: Path) -> None:
    """Regression: plaintext-endpoints called a service behind an HTTPRoute 'inside the cluster'
    while rate-limiting called it exposed."""
    root = write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "bidder/main.go": SERVER,
            "k8s/bidder.yaml": MANIFESTS,
        },
    )
    facts = semgrep_scan(root)
    limits = run_check("scalability/rate-limiting", root, scanner_results=facts)
    (unlimited,) = limits.failures
    assert unlimited.severity is None  # exposed: a risk, not the internal-only recommendation
    assert "reachable only inside the cluster" not in unlimited.message
    transport = run_check("security/plaintext-endpoints", root, scanner_results=facts)
    assert [(f.evidence[0].path, f.evidence[0].line) for f in transport.failures] == [("k8s/bidder.yaml", 34)]
    assert (
        "HTTPRoute 'bidder' publishes it through a Gateway that listens without TLS"
        in transport.failures[0].message
    )
    assert transport.failures[0].severity is not Severity.RECOMMENDATION
