"""Feature flags, kill switches and config reload: the three read the same semgrep facts, so each
tree is scanned once and the result handed to all three checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness import config as config_module
from readiness.model import Answer, Outcome, Severity
from tests.support import locations, run_check, semgrep_scan, write_tree

FLAGS = "operational-readiness/feature-flags"
KILL = "operational-readiness/kill-switches"
RELOAD = "operational-readiness/config-reload"

STATIC_BIDDER = """
package main

import "os"

type config struct {
	IDRURL     string
	IDREnabled bool
}

func loadConfig() config {
	return config{
		IDRURL:     os.Getenv("IDR_URL"),
		IDREnabled: os.Getenv("IDR_ENABLED") == "true",
	}
}
"""

STATIC_IDR = """
import os

REDIS_URL = os.getenv("REDIS_URL", "redis://redis:6379/0")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
"""

BIDDER_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  template:
    spec:
      containers:
        - name: bidder
          image: example/bidder:1.0
          env:
            - name: IDR_ENABLED
              value: "true"
"""

PRICING_FLAGS = """
package main

import (
	"context"
	"encoding/json"
	"os"
	"sync/atomic"
	"time"
)

type Flags struct {
	FloorModelEnabled bool `json:"floor_model_enabled"`
}

type flagStore struct {
	path    string
	current atomic.Pointer[Flags]
}

func (s *flagStore) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.reload()
		}
	}
}

func (s *flagStore) reload() error {
	raw, err := os.ReadFile(s.path)
	if err != nil {
		return err
	}
	var next Flags
	if err := json.Unmarshal(raw, &next); err != nil {
		return err
	}
	s.current.Store(&next)
	return nil
}
"""

PRICING_CONFIG = """
package main

import "os"

func flagsFile() string { return os.Getenv("PRICING_FLAGS_FILE") }
"""

FLOORS_PROJECT = '[project]\nname = "floors"\ndependencies = [\n  "openfeature-sdk>=0.7",\n]\n'

FLOORS_APP = """
from openfeature import api

client = api.get_client()


def use_idr(context) -> bool:
    return client.get_boolean_value("idr_enabled", False, context)
"""

API_INDEX = """
const port = process.env.PORT || 3000;
module.exports = { port };
"""

API_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    reloader.stakater.com/auto: "true"
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.0
"""


def configured(root: Path, *kill_switches: str) -> config_module.Config:
    return config_module.Config(project=root.name, kill_switches=kill_switches)


@pytest.mark.slow
def test_values_read_once_from_the_environment(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "bidder/config.go": STATIC_BIDDER,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/settings.py": STATIC_IDR,
            "deploy/bidder.yaml": BIDDER_DEPLOYMENT,
        },
    )
    results = semgrep_scan(tmp_path)
    config = configured(tmp_path, "idr_enabled", "partner_sync")

    flags = run_check(FLAGS, tmp_path, config, results)
    assert flags.outcome is Outcome.FAIL
    # IDR_ENABLED is named like a switch, but the environment is fixed for the life of the process.
    assert locations(flags) == [("bidder/config.go", 13)]
    assert flags.failures[0].evidence[-1].note and "no flag SDK" in flags.failures[0].evidence[-1].note

    kill = run_check(KILL, tmp_path, config, results)
    assert locations(kill) == [("bidder/config.go", 13), (None, None)]
    from_env, missing = kill.failures
    assert "'idr_enabled' is read from an environment variable" in from_env.message
    assert ("deploy/bidder.yaml", 13) in [(e.path, e.line) for e in from_env.evidence]
    assert "'partner_sync' does not exist in the code" in missing.message

    reload = run_check(RELOAD, tmp_path, config, results)
    assert reload.outcome is Outcome.FAIL
    assert reload.summary == "restart required: bidder, idr"
    assert reload.answer is None  # a core check failing: the answer is no
    assert locations(reload) == [("bidder/config.go", 12), ("idr/app/settings.py", 3)]
    assert all(f.severity is Severity.RECOMMENDATION for f in reload.failures)
    assert "(IDR_ENABLED, IDR_URL)" in reload.failures[0].message


@pytest.mark.slow
def test_flags_re_read_at_run_time(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/flags.go": PRICING_FLAGS,
            "pricing/config.go": PRICING_CONFIG,
            "floors/pyproject.toml": FLOORS_PROJECT,
            "floors/app.py": FLOORS_APP,
            "api/package.json": '{"name": "api", "dependencies": {"express": "4.21.0"}}\n',
            "api/index.js": API_INDEX,
            "deploy/api.yaml": API_DEPLOYMENT,
        },
    )
    results = semgrep_scan(tmp_path)
    config = configured(tmp_path, "floor_model_enabled", "IDR_ENABLED")

    flags = run_check(FLAGS, tmp_path, config, results)
    assert flags.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in flags.evidence] == [
        ("floors/pyproject.toml", 4),
        ("pricing/flags.go", 28),
        ("floors/app.py", 7),
    ]

    kill = run_check(KILL, tmp_path, config, results)
    assert kill.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in kill.evidence] == [("pricing/flags.go", 12), ("floors/app.py", 7)]

    reload = run_check(RELOAD, tmp_path, config, results)
    assert reload.outcome is Outcome.PASS
    assert reload.summary == (
        "hot reload: floors, pricing; restarted automatically on change (Reloader): api; "
        "pricing also read settings from the environment once, at start"
    )
    # pricing re-reads its flags but took other settings from the environment at start.
    assert reload.answer is Answer.PARTIAL
    assert [(e.path, e.line) for e in reload.evidence] == [
        ("deploy/api.yaml", 6),
        ("floors/pyproject.toml", 4),
        ("pricing/flags.go", 28),
    ]


def test_no_kill_switches_declared_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bidder/go.mod": "module x\n", "bidder/config.go": STATIC_BIDDER})
    result = run_check(KILL, tmp_path, scanner_results={"semgrep": []})
    assert result.outcome is Outcome.NOT_APPLICABLE
    assert "no kill_switches declared" in result.summary
