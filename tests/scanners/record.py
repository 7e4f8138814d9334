"""Re-record the real scanner outputs under tests/scanners/recorded/ (run by hand, not by pytest).

    PATH=.tools/bin:$PATH .venv/bin/python -m tests.scanners.record

Each case runs the real tool over a fixture copied to /tmp/readiness-recording/ (so recorded
paths are stable), against the local OSV server and a Go database built from ../shared/vulndb,
and writes ``<tool>/<case>.out`` (stdout), ``<tool>/<case>.err`` (stderr) and an entry in
``cases.json`` (command, exit code, how it was made). The host names of the package registries
the machine is configured with are replaced by ``registry.invalid`` and the local server's port
by 8999, so recordings name no registry and don't change from run to run. The parse tests in
test_parsers.py read these files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from readiness.scanners import go_vulndb
from tests import shared_data
from tests.scanners.osv_server import OsvIndex, OsvServer

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "recorded"
FIXTURES = HERE / "fixtures"
SHARED = shared_data.shared("vulndb")  # the real snapshots: recordings are made from them only
WORK = Path("/tmp/readiness-recording")
TOOLS = HERE.parent.parent / ".tools"


def _registry_hosts() -> list[str]:
    """The package registries this machine is configured with (npm's, pip's index), as the tools
    would name them in an error: asked, not written down here."""
    urls = [os.environ.get("PIP_INDEX_URL", "")]
    try:
        urls.append(
            subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True).stdout
        )
        pip = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True)
        urls += re.findall(r"index-url='([^']+)'", pip.stdout)
    except OSError:
        pass
    return sorted({host for url in urls if (host := urlparse(url.strip()).hostname)}, key=len, reverse=True)


_HOSTS = _registry_hosts()


def _clean(text: str, port: int) -> str:
    for host in _HOSTS:
        text = text.replace(host, "registry.invalid")
    return text.replace(f"127.0.0.1:{port}", "127.0.0.1:8999")


def main() -> int:
    # Cases made another way (documented in recorded/README.md) keep their entries.
    existing = RECORDED / "cases.json"
    cases: dict[str, dict[str, object]] = json.loads(existing.read_text()) if existing.exists() else {}
    if WORK.exists():
        shutil.rmtree(WORK)
    for fixture in FIXTURES.iterdir():
        if fixture.is_dir():
            shutil.copytree(fixture, WORK / fixture.name)
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch)
        for archive in ("pypa-advisory-database.tar.gz", "go-vulndb-osv.tar.gz"):
            with tarfile.open(SHARED / archive) as tar:
                tar.extractall(data, filter="data")
        go_db = WORK / "go-db"
        go_vulndb.build_from_directory(data / "osv", go_db)
        index = OsvIndex.load(data / "vulns", FIXTURES / "osv-npm")
        with OsvServer(index) as server:
            port = int(server.base.rsplit(":", 1)[1])

            def record(tool: str, case: str, argv: list[str], cwd: Path, how: str, **env: str) -> None:
                completed = subprocess.run(
                    argv, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=600
                )
                folder = RECORDED / tool
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{case}.out").write_text(_clean(completed.stdout, port), encoding="utf-8")
                (folder / f"{case}.err").write_text(_clean(completed.stderr, port), encoding="utf-8")
                shown = [_clean(a, port).replace(str(WORK), "$WORK") for a in argv]
                cases[f"{tool}/{case}"] = {"command": shown, "exit": completed.returncode, "how": how}
                print(f"{tool}/{case}: exit {completed.returncode}")

            pip_audit = [str(TOOLS / "bin" / "pip-audit"), "--disable-pip", "--no-deps", "-f", "json"]
            pip_audit += ["--progress-spinner", "off"]
            osv = ["-s", "osv", "--osv-url", server.url]
            real = "real pip-audit 2.10.1 against the local OSV server (PyPA snapshot)"
            record(
                "pip-audit",
                "vulnerable",
                [*pip_audit, *osv, "-r", "requirements.txt"],
                WORK / "python-vulnerable",
                real,
            )
            record(
                "pip-audit",
                "clean",
                [*pip_audit, *osv, "-r", "requirements.txt"],
                WORK / "python-clean",
                real,
            )
            (WORK / "python-duplicate.txt").write_text("requests==2.19.0\nrequests==2.20.0\n")
            record(
                "pip-audit",
                "duplicate-requirements",
                [*pip_audit, *osv, "-r", str(WORK / "python-duplicate.txt")],
                WORK,
                real,
            )
            refused = ["-s", "osv", "--osv-url", "http://127.0.0.1:9/v1/query"]
            record(
                "pip-audit",
                "connection-refused",
                [*pip_audit, *refused, "-r", "requirements.txt"],
                WORK / "python-clean",
                "real pip-audit 2.10.1 against a closed port",
            )
            record(
                "pip-audit",
                "default-service-offline",
                [*pip_audit, "-r", "requirements.txt"],
                WORK / "python-clean",
                "real pip-audit 2.10.1, default service, no network",
            )
            server.mode = "error"
            record(
                "pip-audit",
                "osv-http-500",
                [*pip_audit, *osv, "-r", "requirements.txt"],
                WORK / "python-vulnerable",
                "real pip-audit 2.10.1 against the local server answering 500",
            )
            server.mode = "ok"

            safety = [str(TOOLS / "bin" / "safety"), "check", "-r", "requirements.txt", "--output", "json"]
            record(
                "safety",
                "offline-no-key",
                safety,
                WORK / "python-vulnerable",
                "real safety 3.8.1 without network or key",
                SAFETY_API_KEY="",
            )
            record(
                "safety",
                "offline-with-key",
                safety,
                WORK / "python-vulnerable",
                "real safety 3.8.1 without network, with a (dummy) key",
                SAFETY_API_KEY="dummy-key-for-recording",
            )

            go_env = {
                "GOPROXY": "off",
                "GOTOOLCHAIN": "local",
                "GOFLAGS": "-mod=readonly",
                "CGO_ENABLED": "0",
                "GOWORK": "off",
                "GOSUMDB": "off",
            }
            legacy = "real govulncheck 0.0~git20230201 (Debian 12) with go 1.19"
            record(
                "govulncheck",
                "legacy-stdlib",
                ["govulncheck", "-json", "./..."],
                WORK / "go-stdlib",
                legacy,
                GOVULNDB=f"file://{go_db}",
                **go_env,
            )
            record(
                "govulncheck",
                "legacy-packages-not-loaded",
                ["govulncheck", "-json", "./..."],
                WORK / "go-missing-module",
                legacy,
                GOVULNDB=f"file://{go_db}",
                **go_env,
            )
            newer = WORK / "go-newer"
            newer.mkdir()
            (newer / "go.mod").write_text("module example.com/newer\n\ngo 1.25.0\n\ntoolchain go1.26.8\n")
            (newer / "main.go").write_text("package main\n\nfunc main() {}\n")
            record(
                "govulncheck",
                "legacy-newer-go-mod",
                ["govulncheck", "-json", "./..."],
                newer,
                legacy,
                GOVULNDB=f"file://{go_db}",
                **go_env,
            )
            record(
                "govulncheck",
                "legacy-db-unreachable",
                ["govulncheck", "-json", "./..."],
                WORK / "go-stdlib",
                legacy + ", default database, no network",
                **go_env,
            )

            npm_argv = ["npm", "audit", "--json", "--package-lock-only", "--ignore-scripts"]
            record(
                "npm",
                "audit-report",
                npm_argv,
                WORK / "npm-lock",
                "real npm audit with the local server as its registry (bulk advisory endpoint)",
                npm_config_registry=server.base + "/",
                npm_config_update_notifier="false",
            )
            record(
                "npm",
                "registry-refuses-audit",
                npm_argv,
                WORK / "npm-lock",
                "real npm audit against the machine's registry proxy, which refuses the audit endpoint",
                npm_config_update_notifier="false",
            )
    (RECORDED / "cases.json").write_text(json.dumps(dict(sorted(cases.items())), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
