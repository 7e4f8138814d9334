from pathlib import Path

import pytest

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

TLS = "security/tls-verification"
PLAINTEXT = "security/plaintext-endpoints"

INSECURE = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/client.go": """
        package main

        import (
            "crypto/tls"
            "net/http"
        )

        var partners = &http.Client{Transport: &http.Transport{
            TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
        }}
        """,
    "idr/pyproject.toml": "[project]\nname = 'idr'\n",
    "idr/sync.py": """
        import requests


        def sync(url):
            return requests.post(url, json={}, timeout=2, verify=False)
        """,
    "web/package.json": '{"name": "web"}\n',
    "web/agent.js": 'const https = require("https");\n'
    "module.exports = new https.Agent({ rejectUnauthorized: false });\n",
    "Dockerfile": """
        FROM node:20-slim
        ENV NODE_TLS_REJECT_UNAUTHORIZED=0
        RUN curl -fsSLk https://downloads.example.com/tool.tgz | tar xz
        """,
    "deploy/web.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: web
                  image: web:1.0
                  env:
                    - name: NODE_TLS_REJECT_UNAUTHORIZED
                      value: "0"
        """,
    ".env": "PYTHONHTTPSVERIFY=0\n",
}

VERIFIED = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/client.go": """
        package main

        import (
            "crypto/tls"
            "crypto/x509"
            "net/http"
        )

        func client(pool *x509.CertPool) *http.Client {
            return &http.Client{Transport: &http.Transport{
                TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
            }}
        }
        """,
    "idr/sync.py": 'import requests\n\nrequests.post("https://x", verify="/etc/ssl/internal-ca.pem")\n',
    "Dockerfile": "FROM node:20-slim\nENV NODE_EXTRA_CA_CERTS=/etc/ssl/internal-ca.pem\n",
}


@pytest.mark.slow
def test_turned_off_verification_in_code_images_manifests_and_env_files(tmp_path: Path) -> None:
    write_tree(tmp_path, INSECURE)
    result = run_check(TLS, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("bidder/client.go", 9),
        ("idr/sync.py", 5),
        ("web/agent.js", 2),
        ("deploy/web.yaml", 13),
        (".env", 1),
        ("Dockerfile", 2),
        ("Dockerfile", 3),
    ]
    assert [f.severity for f in result.failures] == [None] * 6 + [Severity.RISK]
    assert "NODE_TLS_REJECT_UNAUTHORIZED" in result.failures[5].message


@pytest.mark.slow
def test_verified_clients_pass_and_an_empty_tree_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path / "ok", VERIFIED)
    result = run_check(TLS, tmp_path / "ok")
    assert result.outcome is Outcome.PASS, result.failures
    write_tree(tmp_path / "none", {"README.md": "docs only\n"})
    assert run_check(TLS, tmp_path / "none").outcome is Outcome.NOT_APPLICABLE


GO_SERVER = """
package main

import "net/http"

func main() {
	_ = http.ListenAndServe(":8080", http.NewServeMux())
}
"""

BIDDER = """
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
          image: example/bidder:1.0
          env:
            - name: DEMAND_ENDPOINTS
              value: http://dsp.partner.example.com/bid,https://secure.partner.example.com/bid
            - name: IDR_URL
              value: http://idr:8000
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector.observability:4318
            - name: LOCAL
              value: http://localhost:9000
---
apiVersion: v1
kind: Service
metadata:
  name: bidder
spec:
  type: LoadBalancer
  selector: {app: bidder}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bidder-config
data:
  partners.yaml: |
    partners:
      - name: alpha
        url: http://alpha.partner.io/openrtb
"""

IDR = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: idr
spec:
  template:
    metadata:
      labels: {app: idr}
    spec:
      containers:
        - name: idr
          image: example/idr:1.0
---
apiVersion: v1
kind: Service
metadata:
  name: idr
spec:
  selector: {app: idr}
  ports: [{port: 8000}]
"""

COMPOSE = """
services:
  bidder:
    build: ./bidder
    environment:
      IDR_URL: http://idr:8000
      PARTNER_URL: http://partner.example.net/bid
  idr:
    build: ./idr
"""

PLAIN = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/main.go": GO_SERVER,
    "idr/pyproject.toml": "[project]\nname = 'idr'\n",
    "idr/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
    "deploy/bidder.yaml": BIDDER,
    "deploy/idr.yaml": IDR,
    "docker-compose.yml": COMPOSE,
    ".env": "WEBHOOK_URL=http://hooks.partner.io/x\nLOCAL_URL=http://127.0.0.1:8080\n",
    "config/app.yaml": "upstream_url: http://10.0.0.5:8080\nschema: http://json-schema.org/draft-07/schema\n",
}

MESHED = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/main.go": GO_SERVER,
    "idr/pyproject.toml": "[project]\nname = 'idr'\n",
    "idr/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
    "deploy/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: rtb\n  annotations:\n"
    "    linkerd.io/inject: enabled\n",
    "deploy/bidder.yaml": BIDDER.replace("http://dsp.partner.example.com", "https://dsp.partner.example.com")
    .replace("type: LoadBalancer", "type: ClusterIP")
    .replace("http://alpha.partner.io", "https://alpha.partner.io"),
    "deploy/ingress.yaml": """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: bidder
          annotations:
            cert-manager.io/cluster-issuer: letsencrypt
        spec:
          tls:
            - hosts: [rtb.example.com]
              secretName: rtb-tls
          rules:
            - host: rtb.example.com
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: bidder, port: {number: 80}}
        """,
    "deploy/idr.yaml": IDR,
}


@pytest.mark.slow
def test_plain_http_to_partners_inside_the_cluster_and_servers_without_tls(tmp_path: Path) -> None:
    write_tree(tmp_path, PLAIN)
    result = run_check(PLAINTEXT, tmp_path)
    assert result.outcome is Outcome.FAIL
    graded = [(f.evidence[0].path, f.evidence[0].line, f.severity) for f in result.failures]
    assert graded == [
        (".env", 1, None),
        ("config/app.yaml", 1, Severity.RECOMMENDATION),
        ("deploy/bidder.yaml", 15, None),
        ("deploy/bidder.yaml", 17, Severity.RECOMMENDATION),
        ("deploy/bidder.yaml", 19, Severity.RECOMMENDATION),
        ("deploy/bidder.yaml", 40, None),
        ("docker-compose.yml", 6, None),
        # The Go server behind a LoadBalancer without a certificate; the Python one only in-cluster.
        ("deploy/bidder.yaml", 23, None),
        ("idr/Dockerfile", 2, Severity.RECOMMENDATION),
    ]
    assert "dsp.partner.example.com" in result.failures[2].message
    assert "secure.partner.example.com" not in result.failures[2].message
    assert result.failures[7].evidence[1].path == "bidder/main.go"


@pytest.mark.slow
def test_a_mesh_and_a_tls_ingress_cover_plain_http_inside_the_cluster(tmp_path: Path) -> None:
    write_tree(tmp_path, MESHED)
    result = run_check(PLAINTEXT, tmp_path)
    assert result.outcome is Outcome.PASS, result.failures
    assert [(e.path, e.line) for e in result.evidence] == [
        ("deploy/namespace.yaml", 6),
        ("deploy/ingress.yaml", 1),
    ]
    assert "service mesh" in result.summary
    # Without the mesh, an Ingress without TLS is left to security/ingress-tls.
    tree = dict(MESHED)
    del tree["deploy/namespace.yaml"]
    tree["deploy/ingress.yaml"] = tree["deploy/ingress.yaml"].replace("tls:", "notls:")
    write_tree(tmp_path / "plain", tree)
    graded = [
        (f.evidence[0].path, f.evidence[0].line) for f in run_check(PLAINTEXT, tmp_path / "plain").failures
    ]
    assert graded == [
        ("deploy/bidder.yaml", 17),
        ("deploy/bidder.yaml", 19),
        ("idr/Dockerfile", 2),
    ]


OPT_IN = """
package fetch

import (
	"crypto/tls"
	"net/http"
)

type settings struct {
	IgnoreTLSErrors bool
	VerifyCert      bool
}

func client(s settings) *http.Client {
	transport := &http.Transport{}
	if s.IgnoreTLSErrors {
		transport.TLSClientConfig = &tls.Config{
			InsecureSkipVerify: true,
		}
	}
	return &http.Client{Transport: transport}
}

func backend(s settings) *http.Client {
	if s.VerifyCert {
		return http.DefaultClient
	} else {
		return &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		}}
	}
}
"""


def test_verification_off_behind_an_opt_in_is_a_risk_and_off_by_default_a_blocker(tmp_path: Path) -> None:
    write_tree(tmp_path, {"go.mod": "module fetch\n", "fetch/client.go": OPT_IN})
    result = run_check("security/tls-verification", tmp_path)
    assert result.outcome is Outcome.FAIL
    assert [(f.evidence[0].path, f.evidence[0].line, f.severity) for f in result.failures] == [
        ("fetch/client.go", 17, Severity.RISK),
        ("fetch/client.go", 28, None),
    ]
    assert "when a setting turns it on" in result.failures[0].message
