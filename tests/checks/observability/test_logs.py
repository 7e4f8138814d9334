from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome, Severity
from tests.support import locations, run_check, write_tree
from tests.support import semgrep_scan as scan

STRUCTURED = "observability/structured-logging"
REQUEST_IDS = "observability/request-ids"
LEVELS = "observability/log-levels"

# Free text everywhere, no request id, no level.
BIDDER = """
package main

import (
    "fmt"
    "log"
    "net/http"
)

func main() {
    mux := http.NewServeMux()
    mux.HandleFunc("/bid", handleBid)
    log.Printf("listening on %s", ":8080")
    log.Fatal(http.ListenAndServe(":8080", mux))
}

func handleBid(w http.ResponseWriter, r *http.Request) {
    log.Printf("bid from %s", r.RemoteAddr)
    fmt.Println("auction done")
    log.Println("no bids")
    log.Print("done")
}
"""

# slog JSON made the default (so log.Printf goes through it), but fmt.Println in a handler.
PRICING = """
package main

import (
    "fmt"
    "log"
    "log/slog"
    "net/http"
    "os"
)

const requestIDHeader = "X-Request-ID"

func main() {
    slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
    mux := http.NewServeMux()
    mux.Handle("/price", withRequestID(http.HandlerFunc(handlePrice)))
    slog.Info("pricing started", "addr", ":8080")
    _ = http.ListenAndServe(":8080", mux)
}

func withRequestID(next http.Handler) http.Handler {
    return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        id := r.Header.Get(requestIDHeader)
        logger := slog.Default().With("request_id", id)
        logger.Debug("request received")
        next.ServeHTTP(w, r)
    })
}

func handlePrice(w http.ResponseWriter, r *http.Request) {
    log.Printf("pricing %s", r.URL.Path)
    fmt.Println("priced")
    slog.Warn("slow upstream")
    slog.Error("no floor")
}
"""

# zerolog's global logger is imported as `log`: its Printf writes JSON. The request id is read but
# never logged.
ZEROLOG = """
package main

import (
    "net/http"

    "github.com/rs/zerolog/log"
)

func main() {
    http.HandleFunc("/", handle)
    _ = http.ListenAndServe(":8080", nil)
}

func handle(w http.ResponseWriter, r *http.Request) {
    id := r.Header.Get("X-Request-ID")
    log.Printf("handled %s", id)
    log.Info().Msg("ok")
}
"""

IDR = """
import uuid

import structlog
from fastapi import FastAPI, Request

structlog.configure(processors=[structlog.processors.JSONRenderer()])
log = structlog.get_logger()
app = FastAPI()


@app.middleware("http")
async def bind_request_id(request: Request, call_next):
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    structlog.contextvars.bind_contextvars(request_id=request_id)
    log.info("request")
    return await call_next(request)


@app.get("/resolve")
async def resolve() -> dict[str, str]:
    log.info("resolving")
    log.info("resolved")
    log.info("cached")
    log.info("done")
    return {}
"""

API = """
import logging

from flask import Flask

logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
app = Flask(__name__)


@app.route("/items")
def items() -> str:
    print("listing items")
    return "ok"
"""

WEB = """
const express = require('express');
const pinoHttp = require('pino-http');

const app = express();
app.use(pinoHttp({ genReqId: (req) => req.headers['x-request-id'] || crypto.randomUUID() }));

app.get('/health', (req, res) => {
  console.log('health checked');
  res.send('ok');
});
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
          env:
            - name: LOG_LEVEL
              value: debug
"""

CONFIGMAP = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  REGION: eu-west-1
  APP_LOG_LEVEL: DEBUG
"""

FLAGS = """
{
  "log_level": "debug",
  "shading": true
}
"""

TREE = {
    "bidder/go.mod": "module example.com/bidder\n",
    "bidder/main.go": BIDDER,
    "pricing/go.mod": "module example.com/pricing\n",
    "pricing/main.go": PRICING,
    "zl/go.mod": "module example.com/zl\n",
    "zl/main.go": ZEROLOG,
    "idr/pyproject.toml": "[project]\nname = 'idr'\n",
    "idr/app/main.py": IDR,
    "idr/tests/test_main.py": "def test_it():\n    print('tests may print')\n",
    "api/pyproject.toml": "[project]\nname = 'api'\n",
    "api/api/app.py": API,
    "web/package.json": "{}\n",
    "web/server.js": WEB,
    "deploy/k8s/api.yaml": API_DEPLOYMENT,
    "deploy/k8s/config.yaml": CONFIGMAP,
    "deploy/config/flags.json": FLAGS,
    # Debug logging on a developer's machine is fine.
    "docker-compose.dev.yml": "services:\n  api:\n    environment:\n      - LOG_LEVEL=debug\n",
    "docker-compose.yml": "services:\n  api:\n    environment:\n      - LOG_LEVEL=info\n",
}

Facts = tuple[Path, dict[str, object]]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    root = write_tree(tmp_path_factory.mktemp("logs"), TREE)
    return root, scan(root)


def evidence(result: CheckResult, index: int) -> list[tuple[str | None, int | None]]:
    return [(e.path, e.line) for e in result.failures[index].evidence]


@pytest.mark.slow
def test_structured_logging(logs: Facts) -> None:
    root, facts = logs
    result = run_check(STRUCTURED, root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    # idr (structlog JSONRenderer) and zl (zerolog, whose `log.Printf` is structured) pass.
    assert locations(result) == [
        ("api/api/app.py", 5),
        ("bidder/main.go", 12),
        ("pricing/main.go", 32),
        ("web/server.js", 8),
    ]
    api, bidder, pricing, web = result.failures
    assert "python service 'api' sets up no structured logger" in api.message
    # Every free-text line of the bidder, in handlers or not; log.Fatal is not counted.
    assert evidence(result, 1) == [("bidder/main.go", line) for line in (12, 17, 18, 19, 20)]
    assert "5 log.Print*/fmt.Print* call(s)" in bidder.message
    # log.Printf after slog.SetDefault goes through the JSON handler: only fmt.Println is flagged.
    assert evidence(result, 2) == [("pricing/main.go", 32)]
    assert "request handler line(s) print free text" in pricing.message
    assert "node service 'web'" in web.message


@pytest.mark.slow
def test_request_ids(logs: Facts) -> None:
    root, facts = logs
    result = run_check(REQUEST_IDS, root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    # idr binds the header into structlog's context; web uses pino-http with genReqId.
    assert locations(result) == [("api/api/app.py", 6), ("bidder/main.go", 10), ("zl/main.go", 15)]
    assert "neither reads X-Request-ID nor generates" in result.failures[1].message
    assert "never puts it on its log lines" in result.failures[2].message


@pytest.mark.slow
def test_log_levels(logs: Facts) -> None:
    root, facts = logs
    result = run_check(LEVELS, root, scanner_results=facts)
    assert result.outcome is Outcome.FAIL
    # The dev compose file is left alone; the production one says info.
    assert locations(result) == [
        ("deploy/config/flags.json", 2),
        ("deploy/k8s/api.yaml", 13),
        ("deploy/k8s/config.yaml", 7),
        ("api/api/app.py", 5),
        ("bidder/main.go", 12),
        ("idr/app/main.py", 15),
    ]
    severities = [failure.severity for failure in result.failures]
    assert severities == [None, None, None, None, Severity.RECOMMENDATION, Severity.RECOMMENDATION]
    assert "Deployment/api sets LOG_LEVEL" in result.failures[1].message
    assert "logs 5 lines with no level at all" in result.failures[4].message
    assert "logs all 5 calls at info" in result.failures[5].message


CLEAN_PRICING = """
package main

import (
    "log/slog"
    "net/http"
    "os"
)

func main() {
    slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo})))
    mux := http.NewServeMux()
    mux.HandleFunc("/price", handlePrice)
    slog.Info("started")
    _ = http.ListenAndServe(":8080", mux)
}

func handlePrice(w http.ResponseWriter, r *http.Request) {
    logger := slog.Default().With("request_id", r.Header.Get("X-Request-ID"))
    logger.Debug("pricing")
    logger.Warn("floor model slow")
    logger.Error("no floor")
    logger.Info("priced")
}
"""

CLEAN_FLOORS = """
import logging
import os

from flask import Flask, g, request
from pythonjsonlogger import jsonlogger

handler = logging.StreamHandler()
handler.setFormatter(jsonlogger.JsonFormatter())
logging.getLogger().setLevel(os.getenv("LOG_LEVEL", "INFO"))
app = Flask(__name__)
log = logging.getLogger("floors")


@app.before_request
def start() -> None:
    g.request_id = request.headers.get("X-Request-ID", "")
"""

LEDGER = """
import logging.config

import yaml

with open("logging.yaml") as config:
    logging.config.dictConfig(yaml.safe_load(config))
"""

LEDGER_LOGGING = """
version: 1
formatters:
  json:
    (): pythonjsonlogger.jsonlogger.JsonFormatter
handlers:
  stdout: {class: logging.StreamHandler, formatter: json}
root: {level: INFO, handlers: [stdout]}
"""


@pytest.mark.slow
def test_clean_services_pass_and_nothing_to_judge(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "clean",
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/main.go": CLEAN_PRICING,
            "floors/pyproject.toml": "[project]\nname = 'floors'\n",
            "floors/floors/app.py": CLEAN_FLOORS,
            "deploy/pricing.yaml": API_DEPLOYMENT.replace("debug", "info"),
            # A worker whose JSON formatter is named in a dictConfig file.
            "ledger/pyproject.toml": "[project]\nname = 'ledger'\n",
            "ledger/ledger/main.py": LEDGER,
            "ledger/logging.yaml": LEDGER_LOGGING,
        },
    )
    facts = scan(root)
    structured = run_check(STRUCTURED, root, scanner_results=facts)
    assert structured.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in structured.evidence] == [
        ("floors/floors/app.py", 8),
        ("ledger/logging.yaml", None),
        ("pricing/main.go", 10),
    ]
    request_ids = run_check(REQUEST_IDS, root, scanner_results=facts)
    assert request_ids.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in request_ids.evidence] == [
        ("floors/floors/app.py", 16),
        ("floors/floors/app.py", 16),
        ("pricing/main.go", 18),
        ("pricing/main.go", 18),
    ]
    assert run_check(LEVELS, root, scanner_results=facts).outcome is Outcome.PASS
    empty = write_tree(tmp_path / "empty", {"README.md": "# docs\n"})
    for check_id in (STRUCTURED, REQUEST_IDS, LEVELS):
        assert run_check(check_id, empty).outcome is Outcome.NOT_APPLICABLE
