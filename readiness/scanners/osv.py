"""OSV advisories: what every dependency scanner reports, and how we read them.

The shared vocabulary of the dependency scanners (:class:`Vulnerability`, :class:`Manifest`,
:class:`DependencyReport`), severity from an advisory's CVSS vector, version ordering for the
OSV ``SEMVER`` ranges (Go modules, npm), and a small client for an OSV-compatible API
(``/v1/querybatch`` and ``/v1/vulns/<id>``) that is only ever pointed at the URL the user
configured: nothing here picks a host on its own.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from readiness.parsers.versions import normalise
from readiness.results import CRITICAL, HIGH, LOW, MEDIUM, Advisory, band
from readiness.scanners.base import ScannerError

# ---- severity -------------------------------------------------------------------------------
_BAND_WORDS = {"critical": CRITICAL, "high": HIGH, "moderate": MEDIUM, "medium": MEDIUM, "low": LOW}


def severity_of(entry: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """(band, score) from an OSV entry: the highest CVSS v3/v2 base score computed from its
    vectors, else a GHSA-style word in ``database_specific.severity``; (None, None) if neither."""
    best: float | None = None
    for item in entry.get("severity") or ():
        if not isinstance(item, Mapping):
            continue
        vector = str(item.get("score", ""))
        kind = str(item.get("type", ""))
        score = (
            cvss3_score(vector) if kind == "CVSS_V3" else cvss2_score(vector) if kind == "CVSS_V2" else None
        )
        if score is not None and (best is None or score > best):
            best = score
    if best is not None:
        return band(best), best
    specific = entry.get("database_specific")
    word = specific.get("severity") if isinstance(specific, Mapping) else None
    if isinstance(word, str) and word.lower() in _BAND_WORDS:
        return _BAND_WORDS[word.lower()], None
    return None, None


_V3_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
# Privileges required weigh more when the scope changes.
_V3_PR = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}


def _metrics(vector: str) -> dict[str, str]:
    pairs = (part.split(":", 1) for part in vector.split("/") if ":" in part)
    return {key: value for key, value in pairs}


def cvss3_score(vector: str) -> float | None:
    """The CVSS 3.0/3.1 base score of a vector (the specification's formula), None if malformed."""
    if not vector.startswith("CVSS:3."):
        return None
    metrics = _metrics(vector)
    try:
        scope = metrics["S"]
        weights = {key: table[metrics[key]] for key, table in _V3_WEIGHTS.items()}
        privileges = _V3_PR[scope][metrics["PR"]]
    except KeyError:
        return None
    iss = 1 - (1 - weights["C"]) * (1 - weights["I"]) * (1 - weights["A"])
    # A changed scope weighs impact on other components more (the specification's formula).
    impact = 6.42 * iss if scope == "U" else 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    exploitability = 8.22 * weights["AV"] * weights["AC"] * privileges * weights["UI"]
    if impact <= 0:
        return 0.0
    total = impact + exploitability if scope == "U" else 1.08 * (impact + exploitability)
    return _round_up(min(total, 10.0))


def _round_up(value: float) -> float:
    # CVSS 3.1's Roundup: the smallest one-decimal number >= value, immune to float noise.
    integer = round(value * 100000)
    if integer % 10000 == 0:
        return integer / 100000.0
    return (math.floor(integer / 10000) + 1) / 10.0


_V2_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"L": 0.395, "A": 0.646, "N": 1.0},
    "AC": {"H": 0.35, "M": 0.61, "L": 0.71},
    "Au": {"M": 0.45, "S": 0.56, "N": 0.704},
    "C": {"N": 0.0, "P": 0.275, "C": 0.660},
    "I": {"N": 0.0, "P": 0.275, "C": 0.660},
    "A": {"N": 0.0, "P": 0.275, "C": 0.660},
}


def cvss2_score(vector: str) -> float | None:
    """The CVSS v2 base score of a vector such as ``AV:N/AC:L/Au:N/C:P/I:P/A:P``."""
    metrics = _metrics(vector.removeprefix("(").removesuffix(")"))
    try:
        weights = {key: table[metrics[key]] for key, table in _V2_WEIGHTS.items()}
    except KeyError:
        return None
    impact = 10.41 * (1 - (1 - weights["C"]) * (1 - weights["I"]) * (1 - weights["A"]))
    exploitability = 20 * weights["AV"] * weights["AC"] * weights["Au"]
    factor = 0.0 if impact == 0 else 1.176
    return round(((0.6 * impact) + (0.4 * exploitability) - 1.5) * factor, 1)


def advisory_from_osv(entry: Mapping[str, Any], package: str, ecosystem: str) -> Advisory:
    """An Advisory from a full OSV entry, with the fixed versions of ``package`` only."""
    fixed: list[str] = []
    for affected in entry.get("affected") or ():
        details = affected.get("package") if isinstance(affected, Mapping) else None
        if not isinstance(details, Mapping) or details.get("ecosystem") != ecosystem:
            continue
        if normalise(str(details.get("name", "")), ecosystem) != normalise(package, ecosystem):
            continue
        for event_range in affected.get("ranges") or ():
            if isinstance(event_range, Mapping) and event_range.get("type") in ("ECOSYSTEM", "SEMVER"):
                fixed += [str(e["fixed"]) for e in event_range.get("events") or () if "fixed" in e]
    level, score = severity_of(entry)
    summary = str(entry.get("summary") or entry.get("details") or "").strip().splitlines()
    return Advisory(
        id=str(entry.get("id", "?")),
        aliases=tuple(sorted(str(alias) for alias in entry.get("aliases") or ())),
        summary=summary[0][:200] if summary else "",
        fixed=tuple(dict.fromkeys(fixed)),
        band=level,
        score=score,
    )


def api_base(osv_url: str) -> str:
    """``http://host/v1`` from the configured query URL (pip-audit's ``--osv-url`` is the full
    ``.../v1/query``; a bare ``.../v1`` is accepted too)."""
    url = osv_url.rstrip("/")
    return url.removesuffix("/query").removesuffix("/querybatch")


def post_json(url: str, payload: Any, timeout: float, name: str) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    return _fetch(request, timeout, name)


def get_json(url: str, timeout: float, name: str) -> Any:
    return _fetch(urllib.request.Request(url, method="GET"), timeout, name)


def _fetch(request: urllib.request.Request, timeout: float, name: str) -> Any:
    if not request.full_url.startswith(("http://", "https://")):
        raise ScannerError(f"{name}: OSV URL must be http(s): {request.full_url}")
    try:
        with urllib.request.urlopen(request, timeout=max(timeout, 1.0)) as response:
            body = response.read(64 * 1024 * 1024)
    except urllib.error.HTTPError as error:
        raise ScannerError(f"{name}: OSV service answered HTTP {error.code} for {request.full_url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ScannerError(f"{name}: OSV service unreachable at {request.full_url}: {reason}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise ScannerError(f"{name}: OSV service at {request.full_url} answered with no JSON") from None


def query(
    osv_url: str, ecosystem: str, package: str, version: str, timeout: float, name: str
) -> list[dict[str, Any]]:
    """Full OSV entries for one package version, through ``/v1/query`` (the endpoint every
    OSV-compatible service has, and the one pip-audit uses)."""
    if timeout <= 0:
        raise ScannerError(f"{name} timed out")
    payload = {"package": {"ecosystem": ecosystem, "name": package}, "version": version}
    answer = post_json(api_base(osv_url) + "/query", payload, timeout, name)
    vulns = answer.get("vulns", []) if isinstance(answer, dict) else None
    if not isinstance(vulns, list):
        raise ScannerError(f"{name}: OSV query answer has no vulns list")
    return [v for v in vulns if isinstance(v, dict) and "withdrawn" not in v]


def query_batch(
    osv_url: str, packages: Sequence[tuple[str, str, str]], timeout: float, name: str
) -> list[list[dict[str, Any]]]:
    """Full OSV entries for each (ecosystem, name, version), through ``/v1/querybatch`` (which
    answers ids only) and ``/v1/vulns/<id>`` for the details, each id fetched once."""
    base = api_base(osv_url)
    deadline = time.monotonic() + timeout

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ScannerError(f"{name} timed out after {timeout:g} s")
        return left

    results: list[list[str]] = []
    for start in range(0, len(packages), 1000):  # OSV's batch limit
        chunk = packages[start : start + 1000]
        payload = {
            "queries": [
                {"package": {"ecosystem": eco, "name": pkg}, "version": version}
                for eco, pkg, version in chunk
            ]
        }
        answer = post_json(base + "/querybatch", payload, remaining(), name)
        batch = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(batch, list) or len(batch) != len(chunk):
            raise ScannerError(f"{name}: OSV querybatch answer does not match the {len(chunk)} queries")
        for item in batch:
            vulns = item.get("vulns") if isinstance(item, dict) else None
            results.append([str(v["id"]) for v in vulns or () if isinstance(v, dict) and "id" in v])
    entries: dict[str, dict[str, Any]] = {}
    for vuln_id in sorted({vuln_id for ids in results for vuln_id in ids}):
        entry = get_json(f"{base}/vulns/{urllib.parse.quote(vuln_id)}", remaining(), name)
        if not isinstance(entry, dict):
            raise ScannerError(f"{name}: OSV entry {vuln_id} is not an object")
        entries[vuln_id] = entry
    return [[entries[vuln_id] for vuln_id in ids if "withdrawn" not in entries[vuln_id]] for ids in results]
