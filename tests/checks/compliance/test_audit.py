from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "compliance/audit-logging"

PRICING = """
package main

import (
	"context"
	"log/slog"
	"net/http"
)

type service struct{}

func (s *service) opsRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("PUT /admin/v1/publishers/{id}/floor", http.HandlerFunc(s.handleSetFloor))
	mux.HandleFunc("POST /internal/cache/flush", s.handleFlush)
	mux.HandleFunc("POST /v1/price", s.handlePrice)
	return mux
}

func (s *service) handleSetFloor(w http.ResponseWriter, r *http.Request) {
	s.recordAudit(r.Context(), "floor_override.set", r.PathValue("id"))
}

func (s *service) handleFlush(w http.ResponseWriter, r *http.Request) {
	slog.Info("cache flushed")
}

func (s *service) handlePrice(w http.ResponseWriter, r *http.Request) {}

func (s *service) recordAudit(ctx context.Context, action, target string) {
	slog.InfoContext(ctx, "audit", "action", action, "target", target)
}
"""

IDR = """
import structlog
from fastapi import FastAPI

app = FastAPI()
log = structlog.get_logger("idr")
audit = structlog.get_logger("audit")


@app.post("/resolve")
async def resolve(body: dict) -> dict:
    return body


@app.delete("/admin/identities/{identity_id}")
async def forget_identity(identity_id: str) -> None:
    log.info("identity_forgotten", identity_id=identity_id)


@app.post("/admin/partners/resync")
async def resync(actor: str) -> None:
    audit.info("partners.resync", actor=actor)
"""

NO_ADMIN = """
from fastapi import FastAPI

app = FastAPI()


@app.post("/resolve")
async def resolve(body: dict) -> dict:
    return body
"""


@pytest.mark.slow
def test_admin_routes_without_audit_events_are_risks(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/service.go": PRICING,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/main.py": IDR,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("idr/app/main.py", 14), ("pricing/service.go", 14)]
    forget, flush = result.failures
    assert "route /admin/identities/{identity_id} (forget_identity)" in forget.message
    assert "route POST /internal/cache/flush (handleFlush)" in flush.message


@pytest.mark.slow
def test_audited_routes_pass_and_no_admin_surface_is_not_applicable(tmp_path: Path) -> None:
    audited = PRICING.replace('slog.Info("cache flushed")', 's.recordAudit(r.Context(), "cache.flush", "")')
    write_tree(
        tmp_path / "ok", {"pricing/go.mod": "module example.com/pricing\n", "pricing/service.go": audited}
    )
    result = run_check(CHECK, tmp_path / "ok")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [
        ("pricing/service.go", 13),
        ("pricing/service.go", 14),
    ]
    write_tree(
        tmp_path / "none", {"idr/pyproject.toml": "[project]\nname = 'idr'\n", "idr/main.py": NO_ADMIN}
    )
    assert run_check(CHECK, tmp_path / "none").outcome is Outcome.NOT_APPLICABLE
