from pathlib import Path

import pytest

from readiness.checks.security.authentication import public_reason, route_path
from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

AUTH = "security/api-authentication"
BRUTE = "security/brute-force-protection"

GO_ROUTES = """
package main

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
)

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.health)
	mux.Handle("/metrics", metricsHandler())
	mux.HandleFunc("POST /v1/price", s.handlePrice)
	mux.HandleFunc("PUT /admin/floors", s.handleSetFloor)
	mux.Handle("DELETE /admin/floors", s.requireToken(http.HandlerFunc(s.handleDeleteFloor)))
	mux.HandleFunc("POST /login", s.handleLogin)
	return mux
}

func (s *server) api() http.Handler {
	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		r.Use(jwtAuth)
		r.Get("/accounts", s.accounts)
	})
	r.With(httprate.LimitByIP(5, time.Minute)).Post("/oauth/token", s.token)
	return r
}

func (s *server) handlePrice(w http.ResponseWriter, r *http.Request) {
	var req BidRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
}
"""

PY_ROUTES = """
from fastapi import APIRouter, Depends, FastAPI

app = FastAPI()
admin = APIRouter(dependencies=[Depends(require_admin)])


@app.get("/health")
async def health():
    return {}


@app.post("/resolve")
async def resolve(body: dict):
    return body


@app.get("/profile")
async def profile(user=Depends(get_current_user)):
    return user


@admin.post("/reindex")
async def reindex():
    return None


@app.post("/token")
async def token(form: dict):
    return {}
"""


@pytest.mark.slow
def test_routes_without_authentication_are_grouped_by_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/routes.go": GO_ROUTES,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/main.py": PY_ROUTES,
            "reports/package.json": '{"name": "reports"}\n',
            "reports/server.js": 'const app = require("express")();\napp.get("/reports", listReports);\n'
            'app.get("/orders", requireAuth, listOrders);\n',
        },
    )
    result = run_check(AUTH, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("idr/app/main.py", 12), ("pricing/routes.go", 16), ("reports/server.js", 2)]
    assert result.failures[0].message == "1 route(s) in idr/app/main.py require no authentication: /resolve"
    assert "/admin/floors" in result.failures[1].message
    # Probes, metrics, login endpoints and the bid endpoint (its handler decodes a BidRequest)
    # are public by design, and the summary says so.
    for public in (
        "/healthz (health probe)",
        "/metrics (metrics scrape)",
        "/v1/price (OpenRTB bid endpoint)",
        "/login (login endpoint)",
        "/token (login endpoint)",
    ):
        assert public in result.summary
    assert result.summary.startswith("5 authenticated route(s)")


@pytest.mark.slow
def test_a_mesh_authorization_policy_authenticates_an_internal_service(tmp_path: Path) -> None:
    floors = """
        from flask import Flask

        app = Flask(__name__)


        @app.get("/v1/floors/<publisher_id>")
        def floor(publisher_id):
            return ""
        """
    policy = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: floors
        spec:
          template:
            metadata:
              labels: {app.kubernetes.io/name: floors}
            spec:
              containers: [{name: floors, image: example/floors:1.0}]
        ---
        apiVersion: policy.linkerd.io/v1beta3
        kind: Server
        metadata:
          name: floors-http
        spec:
          podSelector:
            matchLabels: {app.kubernetes.io/name: floors}
          port: http
        ---
        apiVersion: policy.linkerd.io/v1alpha1
        kind: AuthorizationPolicy
        metadata:
          name: floors-callers
        spec:
          targetRef: {group: policy.linkerd.io, kind: Server, name: floors-http}
          requiredAuthenticationRefs:
            - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: pricing}
        """
    write_tree(
        tmp_path,
        {
            "floors/pyproject.toml": "[project]\nname = 'floors'\n",
            "floors/floors/app.py": floors,
            "deploy/floors.yaml": policy,
        },
    )
    result = run_check(AUTH, tmp_path)
    assert result.outcome is Outcome.PASS, result.failures
    assert [(e.path, e.line) for e in result.evidence] == [("deploy/floors.yaml", 21)]
    # Without the policy the same route is a finding.
    write_tree(
        tmp_path / "open",
        {
            "floors/pyproject.toml": "[project]\nname = 'floors'\n",
            "floors/floors/app.py": floors,
            "deploy/floors.yaml": policy.split("---")[0],
        },
    )
    assert locations(run_check(AUTH, tmp_path / "open")) == [("floors/floors/app.py", 6)]


@pytest.mark.slow
def test_login_endpoints_need_a_rate_limit(tmp_path: Path) -> None:
    limited_py = PY_ROUTES.replace('@app.post("/token")', '@app.post("/token")\n@limiter.limit("5/minute")')
    write_tree(
        tmp_path,
        {
            "pricing/go.mod": "module example.com/pricing\n",
            "pricing/routes.go": GO_ROUTES,
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/main.py": limited_py,
            "web/package.json": '{"name": "web"}\n',
            "web/server.js": 'const app = require("express")();\n'
            'app.post("/login", loginLimiter, login);\napp.post("/auth/otp", verifyOtp);\n',
        },
    )
    result = run_check(BRUTE, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("pricing/routes.go", 18), ("web/server.js", 3)]
    assert result.failures[0].message.startswith("/login takes credentials with no rate limit")
    write_tree(
        tmp_path / "none",
        {
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/main.py": PY_ROUTES.split('@app.post("/token")')[0],
        },
    )
    assert run_check(BRUTE, tmp_path / "none").outcome is Outcome.NOT_APPLICABLE


def test_route_paths_and_what_is_public_by_design() -> None:
    assert route_path("POST /v1/price") == "/v1/price"
    assert route_path("GET api.example.com/v1/x") == "/v1/x"
    assert public_reason("/healthz") == "health probe"
    assert public_reason("/readyz") == "health probe"
    assert public_reason("/openrtb2/auction") == "OpenRTB bid endpoint"
    assert public_reason("/metrics") == "metrics scrape"
    assert public_reason("/oauth/token") == "login endpoint"
    assert public_reason("/metrics/admin") is None
    assert public_reason("/admin/health") is None
    assert public_reason("/") is None
