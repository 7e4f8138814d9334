from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "scalability/stateless"

GO_MOD = "module example.com/{name}\n\ngo 1.22\n"

GO_STATEFUL = """
package main

import (
	"net/http"
	"os"

	"github.com/gorilla/sessions"
)

var store = sessions.NewFilesystemStore("/var/sessions", []byte("k"))

var (
	carts = map[string][]string{}
	limit = 10
)

func addToCart(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	carts[user] = append(carts[user], r.URL.Query().Get("item"))
	delete(carts, "expired")
	scratch := map[string]int{}
	scratch[user] = limit
	os.WriteFile("/data/"+user, []byte("x"), 0o600)
}
"""

PY_STATEFUL = """
from fastapi import FastAPI

app = FastAPI()
app.state.sessions = {}
SESSIONS = {}
SEEN: set[str] = set()


@app.post("/login")
async def login(user: str) -> dict:
    SESSIONS[user] = {"logged_in": True}
    SEEN.add(user)
    with open(f"/srv/{user}.json", "w") as handle:
        handle.write("{}")
    return {}
"""

DJANGO_SETTINGS = """
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
"""

JS_STATEFUL = """
const express = require('express');
const session = require('express-session');

const app = express();
app.use(session({ secret: process.env.SESSION_SECRET }));
"""

GO_STATELESS = """
package main

import (
	"net/http"

	"github.com/gorilla/sessions"
)

var store = sessions.NewCookieStore([]byte("k"))

var routes = map[string]string{"a": "b"}

func handle(w http.ResponseWriter, r *http.Request) {
	counts := map[string]int{}
	counts[r.URL.Path]++
	_ = routes[r.URL.Path]
}

func init() {
	routes["c"] = "d"
}
"""

PY_STATELESS = """
from flask import Flask, request

app = Flask(__name__)
app.config["SESSION_TYPE"] = "redis"
DEFAULTS = {"floor": 0.1}


@app.get("/floor")
def floor():
    result = dict(DEFAULTS)
    result["publisher"] = request.args["publisher"]
    return result
"""

DJANGO_SHARED_CACHE = """
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis"}}
"""


@pytest.mark.slow
def test_in_process_state_is_reported_at_each_line(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "cart/go.mod": GO_MOD.format(name="cart"),
            "cart/main.go": GO_STATEFUL,
            "login/pyproject.toml": "[project]\nname = 'login'\n",
            "login/app.py": PY_STATEFUL,
            "login/settings.py": DJANGO_SETTINGS,
            "login/tests/test_app.py": PY_STATEFUL,
            "web/package.json": '{"name": "web"}\n',
            "web/server.js": JS_STATEFUL,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("cart/main.go", 10),  # filesystem session store
        ("cart/main.go", 19),  # package-level map written by a handler (one finding per map)
        ("cart/main.go", 23),  # local disk write
        ("login/app.py", 11),  # module-level dict written by a route
        ("login/app.py", 12),  # module-level set
        ("login/app.py", 13),  # local disk write
        ("login/settings.py", 1),  # cache sessions on Django's default local-memory cache
        ("web/server.js", 5),  # express-session without a store
    ]
    carts = result.failures[1]
    assert [(e.path, e.line) for e in carts.evidence] == [
        ("cart/main.go", 19),
        ("cart/main.go", 20),
        ("cart/main.go", 13),
    ]
    assert "package-level map `carts` (declared at cart/main.go:13)" in carts.message


@pytest.mark.slow
def test_shared_state_passes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "api/go.mod": GO_MOD.format(name="api"),
            "api/main.go": GO_STATELESS,
            "floors/pyproject.toml": "[project]\nname = 'floors'\n",
            "floors/app.py": PY_STATELESS,
            "floors/settings.py": DJANGO_SHARED_CACHE,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS, result.failures
    assert (
        result.summary
        == "no in-process sessions, handler-written globals or local-disk writes in api, floors"
    )


def test_no_service_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/app.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"})
    assert run_check(CHECK, tmp_path, scanner_results={"semgrep": []}).outcome is Outcome.NOT_APPLICABLE
