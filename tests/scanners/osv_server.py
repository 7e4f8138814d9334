"""A local OSV-compatible API for offline tests: ``POST /v1/query``, ``POST /v1/querybatch``,
``GET /v1/vulns/<id>``, served from OSV entries on disk (the PyPA advisory database's YAML, or
JSON files), on 127.0.0.1 in a thread. It also answers npm's bulk advisory endpoint
(``POST /-/npm/v1/security/advisories/bulk``) from the npm entries, so the real ``npm audit``
can run against it as its registry.

It answers the way the public service does, as far as pip-audit and our own client read it:
``/v1/query`` gives full entries (``{}`` when nothing matches), ``/v1/querybatch`` gives ids only.
Timestamps are written as ``%Y-%m-%dT%H:%M:%SZ``: pip-audit parses ``published`` with exactly
that format, and the YAML loader turns unquoted timestamps into datetimes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
import zlib
from collections import defaultdict
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

from readiness.parsers import versions
from readiness.scanners import osv

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _pep440(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


class OsvIndex:
    def __init__(self, entries: Iterable[dict[str, Any]]) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        self.by_package: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for entry in entries:
            self.by_id[entry["id"]] = entry
            seen = set()
            for affected in entry.get("affected") or ():
                package = affected.get("package") or {}
                key = (
                    package.get("ecosystem", ""),
                    versions.normalise(package.get("name", ""), package.get("ecosystem", "")),
                )
                if key not in seen:
                    seen.add(key)
                    self.by_package[key].append(entry)

    @staticmethod
    def load(*directories: Path) -> OsvIndex:
        def entries() -> Iterable[dict[str, Any]]:
            for directory in directories:
                for path in sorted(directory.rglob("*")):
                    if path.suffix in (".yaml", ".yml"):
                        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
                    elif path.suffix == ".json":
                        data = json.loads(path.read_text(encoding="utf-8"))
                    else:
                        continue
                    if isinstance(data, dict) and "id" in data:
                        yield _plain(data)

        return OsvIndex(entries())

    def query(self, ecosystem: str, name: str, version: str) -> list[dict[str, Any]]:
        found = []
        for entry in self.by_package.get((ecosystem, versions.normalise(name, ecosystem)), ()):
            if "withdrawn" in entry:
                continue
            for affected in entry.get("affected") or ():
                package = affected.get("package") or {}
                if package.get("ecosystem") != ecosystem:
                    continue
                if versions.normalise(package.get("name", ""), ecosystem) != versions.normalise(
                    name, ecosystem
                ):
                    continue
                if version in (affected.get("versions") or ()) or self._in_ranges(
                    ecosystem, version, affected.get("ranges") or ()
                ):
                    found.append(entry)
                    break
        return found

    @staticmethod
    def _in_ranges(ecosystem: str, version: str, ranges: list[dict[str, Any]]) -> bool:
        key: Any = _pep440 if ecosystem == "PyPI" else versions.semver_key
        return versions.affected(
            version, [r for r in ranges if r.get("type") in ("ECOSYSTEM", "SEMVER")], key
        )


def _npm_advisory(entry: dict[str, Any], name: str) -> dict[str, Any]:
    ranges = []
    for affected in entry.get("affected") or ():
        if (affected.get("package") or {}).get("name") != name:
            continue
        for event_range in affected.get("ranges") or ():
            start = None
            for event in event_range.get("events") or ():
                if "introduced" in event:
                    start = event["introduced"]
                elif "fixed" in event:
                    low = f">={start} " if start and start != "0" else ""
                    ranges.append(f"{low}<{event['fixed']}")
    specific = entry.get("database_specific") or {}
    vector = next((s["score"] for s in entry.get("severity") or () if s.get("type") == "CVSS_V3"), None)
    return {
        "id": 1000000 + zlib.crc32(entry["id"].encode()) % 1000000,  # npm wants a number
        "url": f"https://github.com/advisories/{entry['id']}",
        "title": entry.get("summary", ""),
        "severity": str(specific.get("severity", "moderate")).lower().replace("medium", "moderate"),
        "vulnerable_versions": " || ".join(ranges) or "*",
        "cwe": specific.get("cwe_ids", []),
        "cvss": {"score": osv.cvss3_score(vector) if vector else 0, "vectorString": vector},
    }


class OsvServer:
    """``with OsvServer(index) as server: server.url`` (the ``/v1/query`` URL pip-audit wants)."""

    def __init__(self, index: OsvIndex) -> None:
        self.index = index
        self.requests: list[str] = []
        self.mode = "ok"  # "ok", "error" (HTTP 500) or "garbage" (not JSON): failure-mode tests
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _failing(self) -> bool:
                if outer.mode == "error":
                    self._answer(500, {"code": 13, "message": "internal error"})
                    return True
                if outer.mode == "garbage":
                    self._answer(200, b"<html>proxy login</html>")
                    return True
                return False

            def do_POST(self) -> None:
                outer.requests.append(f"POST {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    self._answer(400, {"code": 3, "message": "invalid JSON"})
                    return
                if self._failing():
                    return
                if self.path == "/v1/query":
                    vulns = outer._query(payload)
                    self._answer(200, {"vulns": vulns} if vulns else {})
                elif self.path == "/v1/querybatch":
                    results = [
                        {"vulns": [{"id": v["id"], "modified": v.get("modified")} for v in outer._query(q)]}
                        for q in payload.get("queries") or ()
                    ]
                    self._answer(200, {"results": [r if r["vulns"] else {} for r in results]})
                elif self.path.endswith("/-/npm/v1/security/advisories/bulk"):
                    self._answer(200, outer._npm_bulk(payload))
                else:
                    self._answer(404, {"code": 5, "message": "not found"})

            def do_GET(self) -> None:
                outer.requests.append(f"GET {self.path}")
                if self._failing():
                    return
                prefix = "/v1/vulns/"
                entry = (
                    outer.index.by_id.get(self.path[len(prefix) :]) if self.path.startswith(prefix) else None
                )
                if entry is None:
                    self._answer(404, {"code": 5, "message": "Bug not found."})
                else:
                    self._answer(200, entry)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _query(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        package = payload.get("package") or {}
        return self.index.query(
            str(package.get("ecosystem", "")), str(package.get("name", "")), str(payload.get("version", ""))
        )

    def _npm_bulk(self, payload: dict[str, Any]) -> dict[str, Any]:
        """npm's bulk advisory answer: per package name, the advisories any asked version has."""
        answer: dict[str, Any] = {}
        for name, asked in payload.items():
            advisories: dict[str, dict[str, Any]] = {}
            for version in asked if isinstance(asked, list) else ():
                for entry in self.index.query("npm", name, str(version)):
                    advisories[entry["id"]] = entry
            if advisories:
                answer[name] = [_npm_advisory(entry, name) for entry in advisories.values()]
        return answer

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        return self.base + "/v1/query"

    def start(self) -> OsvServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OsvServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
