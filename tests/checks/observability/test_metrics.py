from pathlib import Path

import pytest

from readiness.model import Answer, CheckResult, Outcome
from tests.support import locations, run_check, write_tree

CHECK = "observability/metrics-endpoint"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


GO_SERVER = """
package main

import (
\t"net/http"

\t"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
\thttp.Handle("/metrics", promhttp.Handler())
}
"""

GO_REGISTERS_ONLY = """
package main

import "github.com/prometheus/client_golang/prometheus"

var bids = prometheus.NewCounter(prometheus.CounterOpts{Name: "bids_total"})
"""

PY_APP = """
from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator

app = FastAPI()
Instrumentator().instrument(app).expose(app)
"""

NODE_APP = """
const express = require('express');
const client = require('prom-client');
"""

CASES = [
    pytest.param(
        {
            "bidder/go.mod": "module x\n",
            "bidder/main.go": GO_SERVER,
            "api/pyproject.toml": "[project]\nname='api'\n",
            "api/api/app.py": PY_APP,
            "dashboard/package.json": "{}\n",
            "dashboard/src/server.js": NODE_APP,
        },
        Outcome.PASS,
        [("api/api/app.py", 2), ("bidder/main.go", 6), ("dashboard/src/server.js", 2)],
        id="go-python-node-all-expose",
    ),
    pytest.param(
        {
            "bidder/go.mod": "module x\n",
            "bidder/metrics.go": GO_REGISTERS_ONLY,
            "api/pyproject.toml": "[project]\nname='api'\n",
            "api/api/app.py": PY_APP,
        },
        Outcome.FAIL,
        [(None, None)],
        id="go-counters-without-handler",
    ),
    pytest.param(
        {
            "pyproject.toml": "[project]\nname='platform'\n",
            "platform/app.py": "import flask\n",
            "tests/test_metrics.py": "import prometheus_client\n",
            "bidder/go.mod": "module x\n",
            "bidder/main.go": GO_SERVER,
        },
        Outcome.FAIL,
        [(None, None)],
        id="root-project-not-credited-with-nested-service-or-tests",
    ),
    pytest.param({"deploy/app.yaml": "kind: ConfigMap\n"}, Outcome.NOT_APPLICABLE, [], id="no-services"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), CASES)
def test_metrics_endpoint(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str | None, int | None]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(CHECK, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_failure_names_the_service(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname='platform'\n",
            "platform/app.py": "import flask\n",
            "tests/test_metrics.py": "import prometheus_client\n",
            "bidder/go.mod": "module x\n",
            "bidder/main.go": GO_SERVER,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert [f.message for f in result.failures] == [
        f"python service {tmp_path.name!r} (.) exposes no Prometheus metrics"
    ]
    note = result.failures[0].evidence[0].note
    assert note == "no Prometheus client or exporter import under the repository root"


def test_metrics_from_a_language_judged_nowhere_else_make_the_answer_partial(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "api/pyproject.toml": "[project]\nname='api'\n",
            "api/app.py": "import flask\n",
            "ledger/pom.xml": (
                "<dependency><artifactId>micrometer-registry-stackdriver</artifactId></dependency>\n"
            ),
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert result.answer is Answer.PARTIAL
    assert ("ledger/pom.xml", 1) in [(e.path, e.line) for e in result.evidence]
