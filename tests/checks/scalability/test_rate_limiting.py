from pathlib import Path

import pytest

from readiness.model import Answer, Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "scalability/rate-limiting"

BOTH = """
package main

import (
	"net/http"
	"sync"

	"golang.org/x/time/rate"
)

type limiter struct {
	mu         sync.Mutex
	global     *rate.Limiter
	publishers map[string]*rate.Limiter
}

func newLimiter() *limiter {
	return &limiter{global: rate.NewLimiter(2000, 200), publishers: map[string]*rate.Limiter{}}
}

func (l *limiter) publisher(id string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.publishers[id]
	if !ok {
		lim = rate.NewLimiter(300, 30)
		l.publishers[id] = lim
	}
	return lim
}

func serve(srv *http.Server) error {
	return srv.ListenAndServe()
}
"""

GLOBAL_ONLY = """
package main

import (
	"net/http"

	"golang.org/x/time/rate"
)

var limit = rate.NewLimiter(1000, 100)

func main() {
	http.ListenAndServe(":8080", nil)
}
"""

NO_LIMIT = """
package main

import "net/http"

func main() {
	http.ListenAndServe(":8080", nil)
}
"""

SLOWAPI = """
from fastapi import FastAPI
from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
app = FastAPI()
"""

FLASK = """
from flask import Flask

app = Flask(__name__)
"""

EXPRESS = """
const express = require('express');
const rateLimit = require('express-rate-limit');

const app = express();
app.use(rateLimit({ windowMs: 1000, max: 50 }));
"""


def workload(name: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n"
        f"  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n"
        f"        - name: {name}\n          image: example/{name}:1.0\n---\n"
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {{app: {name}}}\n"
        "  ports: [{port: 80}]\n"
    )


INGRESS = """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: edge
  annotations:
    nginx.ingress.kubernetes.io/limit-rps: "50"
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: edge, port: {number: 80}}
"""


@pytest.mark.slow
def test_per_client_global_or_neither(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/limits.go": BOTH,
            "api/go.mod": "module example.com/api\n",
            "api/main.go": GLOBAL_ONLY,
            "bare/go.mod": "module example.com/bare\n",
            "bare/main.go": NO_LIMIT,
            "bare/main_test.go": GLOBAL_ONLY.replace("func main()", "func testMain()"),
            "edge/go.mod": "module example.com/edge\n",
            "edge/main.go": NO_LIMIT,
            "internal/pyproject.toml": "[project]\nname = 'internal'\n",
            "internal/app.py": FLASK,
            "web/pyproject.toml": "[project]\nname = 'web'\n",
            "web/app.py": SLOWAPI,
            "node/package.json": '{"name": "node"}\n',
            "node/server.js": EXPRESS,
            "deploy/edge.yaml": workload("edge") + INGRESS,
            "deploy/internal.yaml": workload("internal"),
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("api/main.go", 9),  # a single limiter: global only
        ("bare/main.go", 6),  # no limit at all (the one in a test file does not count)
        ("deploy/edge.yaml", 29),  # ingress-nginx limit-rps: per client only
        ("internal/app.py", 3),  # no limit, reachable only inside the cluster
        ("node/server.js", 2),  # express-rate-limit: per client only
        ("web/app.py", 5),  # slowapi key_func: per client only
    ]
    assert [f.severity for f in result.failures] == [
        Severity.RECOMMENDATION,
        None,
        Severity.RECOMMENDATION,
        Severity.RECOMMENDATION,
        Severity.RECOMMENDATION,
        Severity.RECOMMENDATION,
    ]
    assert "one publisher can use the whole budget" in result.failures[0].message
    assert "no global ceiling" in result.failures[2].message
    assert "reachable only inside the cluster" in result.failures[3].message
    assert "pricing: per-client limit (pricing/limits.go:25) and global limit (pricing/limits.go:17)" in (
        result.summary
    )
    # Several services limit their traffic in some way: the control exists, incompletely.
    assert result.answer is Answer.PARTIAL


@pytest.mark.slow
def test_both_limits_pass(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pricing/go.mod": "module example.com/pricing\n", "pricing/limits.go": BOTH})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [
        ("pricing/limits.go", 25),
        ("pricing/limits.go", 17),
    ]


def test_no_server_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"lib/go.mod": "module example.com/lib\n", "lib/lib.go": "package lib\n"})
    assert run_check(CHECK, tmp_path, scanner_results={"semgrep": []}).outcome is Outcome.NOT_APPLICABLE
