from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

TRACING = "observability/tracing"
PROPAGATION = "observability/trace-propagation"

PRICING = """
package main

import (
    "context"
    "net/http"

    "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
    "go.opentelemetry.io/otel"
    "go.opentelemetry.io/otel/propagation"
    sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
    tp := sdktrace.NewTracerProvider()
    otel.SetTracerProvider(tp)
    otel.SetTextMapPropagator(propagation.TraceContext{})
    mux := http.NewServeMux()
    _ = http.ListenAndServe(":8080", otelhttp.NewHandler(mux, "pricing"))
    _ = context.Background()
}
"""

FLOORS = """
from flask import Flask
from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.sdk.trace import TracerProvider

trace.set_tracer_provider(TracerProvider())
app = Flask(__name__)
FlaskInstrumentor().instrument_app(app)
"""

# A tracer, but no server or client wrapped, and Go's default propagator (a no-op).
WORKER = """
package main

import (
    "net/http"

    sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
    tp := sdktrace.NewTracerProvider()
    defer tp.Shutdown(nil)
    _ = http.ListenAndServe(":9090", nil)
}
"""

WEB_PACKAGE = """
{
  "name": "web",
  "scripts": {
    "start": "node --require @opentelemetry/auto-instrumentations-node/register src/server.js"
  }
}
"""

FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n"

TRACED = {
    "pricing/go.mod": "module example.com/pricing\n",
    "pricing/main.go": PRICING,
    "floors/pyproject.toml": "[project]\nname = 'floors'\n",
    "floors/floors/app.py": FLOORS,
    # No tracer at all.
    "idr/pyproject.toml": "[project]\nname = 'idr'\n",
    "idr/app/main.py": FASTAPI,
    "worker/go.mod": "module example.com/worker\n",
    "worker/main.go": WORKER,
    # Traced by the start command: Node's auto-instrumentation, Datadog's ddtrace-run.
    "web/package.json": WEB_PACKAGE,
    "web/src/server.js": "const express = require('express');\nconst app = express();\napp.listen(3000);\n",
    "api/pyproject.toml": "[project]\nname = 'api'\n",
    "api/api/main.py": FASTAPI,
    "api/Dockerfile": 'FROM python:3.12-slim\nCOPY . /srv\nCMD ["ddtrace-run", "uvicorn", "api.main:app"]\n',
}


@pytest.mark.slow
def test_tracing_and_propagation_across_services(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TRACED)
    facts = scan(root)
    result = run_check(TRACING, root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("idr/app/main.py", 3), ("worker/main.go", 10)]
    assert "python service 'idr' serves requests but initialises no tracer" in result.failures[0].message
    assert (
        "go service 'worker' initialises a tracer but wraps no server or client" in result.failures[1].message
    )

    propagation = run_check(PROPAGATION, root, scanner_results=facts)
    assert propagation.outcome is Outcome.FAIL
    # W3C in pricing (set in code), floors and web (SDK defaults) and api (Datadog's default
    # includes it): they agree. The worker propagates nothing.
    assert locations(propagation) == [("worker/main.go", 10)]
    assert propagation.failures[0].message == (
        "go service 'worker' propagates no trace context (never set: Go's global propagator is a no-op): "
        "traces stop at it and its downstream calls start new ones"
    )


FLOORS_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: floors
spec:
  template:
    spec:
      containers:
        - name: floors
          image: example/floors:2.0
          env:
            - name: OTEL_PROPAGATORS
              value: b3multi
"""


@pytest.mark.slow
def test_b3_against_w3c_breaks_traces_until_both_agree(tmp_path: Path) -> None:
    b3 = PRICING.replace("propagation.TraceContext{}", "b3.New()").replace(
        '"go.opentelemetry.io/otel/propagation"', '"go.opentelemetry.io/contrib/propagators/b3"'
    )
    files = {
        "pricing/go.mod": "module example.com/pricing\n",
        "pricing/main.go": b3,
        "floors/pyproject.toml": "[project]\nname = 'floors'\n",
        "floors/floors/app.py": FLOORS,
    }
    root = write_tree(tmp_path / "mismatch", files)
    facts = scan(root)
    result = run_check(PROPAGATION, root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    assert [(e.path, e.line) for e in result.failures[0].evidence] == [
        ("floors/floors/app.py", 6),
        ("pricing/main.go", 16),
    ]
    assert "floors: tracecontext (the OpenTelemetry SDK default" in result.failures[0].message
    assert "pricing: b3 (set in code)" in result.failures[0].message

    # The same code, with floors told to speak B3 by its deployment: the formats agree. The
    # manifests are not read by semgrep, so its facts still hold.
    fixed = write_tree(tmp_path / "fixed", {**files, "deploy/floors.yaml": FLOORS_DEPLOYMENT})
    result = run_check(PROPAGATION, fixed, scanner_results=facts)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line, e.note) for e in result.evidence] == [
        ("deploy/floors.yaml", 12, "floors: OTEL_PROPAGATORS=b3multi"),
        ("pricing/main.go", 16, "pricing: set in code"),
    ]
    traced = run_check(TRACING, fixed, scanner_results=facts)
    assert traced.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in traced.evidence] == [
        ("floors/floors/app.py", 6),
        ("floors/floors/app.py", 8),
        ("pricing/main.go", 14),
        ("pricing/main.go", 18),
    ]

    # One traced service has no boundary to cross; no service at all has nothing to trace.
    alone = write_tree(tmp_path / "alone", {k: v for k, v in files.items() if k.startswith("pricing/")})
    assert run_check(PROPAGATION, alone, scanner_results=facts).outcome is Outcome.NOT_APPLICABLE
    empty = write_tree(tmp_path / "empty", {"README.md": "# docs\n"})
    assert run_check(TRACING, empty).outcome is Outcome.NOT_APPLICABLE
