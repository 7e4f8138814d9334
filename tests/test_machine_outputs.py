"""SARIF and JUnit: valid documents, stable identities, GitHub's limits respected."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from readiness import cli
from readiness.render import sarif
from tests.support import write_tree

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = REPO / ".tools" / "sarif" / "sarif-2.1.0-rtm.5.json"

UNPROBED = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: web:latest
          ports: [{containerPort: 8080}]
"""
WAIVER = """
project: svc
waivers:
  - check: security/pinned-images
    reason: base image tracked by the platform team
    owner: "@platform"
    expires: 2999-01-01
"""


def scan(root: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.chdir(workdir)
    return cli.main(
        ["scan", str(root), "--no-checkpoint", "--sarif", "out.sarif", "--junit", "out.xml", *extra]
    )


@pytest.fixture
def scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], ElementTree.Element]:
    root = write_tree(tmp_path / "svc", {"deploy/web.yaml": UNPROBED, ".readiness.yml": WAIVER})
    (tmp_path / "work").mkdir()
    assert scan(root, tmp_path / "work", monkeypatch) == cli.EXIT_NO_GO
    document = json.loads((tmp_path / "work/out.sarif").read_text())
    junit = ElementTree.parse(tmp_path / "work/out.xml").getroot()
    return document, junit


def test_sarif_is_valid_against_the_2_1_0_schema(scanned: tuple[dict[str, Any], ElementTree.Element]) -> None:
    assert SARIF_SCHEMA.exists(), "run scripts/setup.sh: it fetches the SARIF schema"
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(scanned[0])


def test_sarif_results_rules_and_suppressions(scanned: tuple[dict[str, Any], ElementTree.Element]) -> None:
    (run,) = scanned[0]["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(
        {r["id"] for r in rules}, key=[r["id"] for r in rules].index
    )
    by_rule = {result["ruleId"]: result for result in run["results"]}
    probe = by_rule["reliability/readiness-probe"]
    assert probe["level"] == "error"
    assert rules[probe["ruleIndex"]]["id"] == "reliability/readiness-probe"
    location = probe["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "deploy/web.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 9},
    }
    pinned = by_rule["security/pinned-images"]
    assert pinned["suppressions"][0]["justification"].startswith("base image tracked by the platform team")


def test_fingerprints_survive_line_shifts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fingerprints(manifest: str, name: str) -> dict[str, str]:
        root = write_tree(tmp_path / name, {"deploy/web.yaml": manifest})
        (tmp_path / f"work-{name}").mkdir()
        scan(root, tmp_path / f"work-{name}", monkeypatch)
        run = json.loads((tmp_path / f"work-{name}/out.sarif").read_text())["runs"][0]
        return {r["ruleId"]: r["partialFingerprints"]["readinessFinding/v1"] for r in run["results"]}

    before = fingerprints(UNPROBED, "a")
    after = fingerprints("# a comment added on top\n\n" + UNPROBED, "b")
    assert before["reliability/readiness-probe"] == after["reliability/readiness-probe"]


def test_sarif_stays_within_result_limits(
    scanned: tuple[dict[str, Any], ElementTree.Element], monkeypatch: pytest.MonkeyPatch
) -> None:
    from readiness.config import Config
    from readiness.engine import ScanRequest, assess

    monkeypatch.setattr(sarif, "MAX_RESULTS", 1)
    assessment = assess(ScanRequest(root=REPO / "examples" / "adtech-exchange", config=Config(project="x")))
    run = sarif.to_dict(assessment)["runs"][0]
    assert len(run["results"]) == 1 and run["results"][0]["level"] == "error"
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("were left out to stay within GitHub's SARIF limits" in note for note in notes)


def test_junit_reports_failures_and_skips(scanned: tuple[dict[str, Any], ElementTree.Element]) -> None:
    junit = scanned[1]
    cases = {case.get("name"): case for case in junit.iter("testcase")}
    assert cases["reliability/readiness-probe"].find("failure") is not None
    assert cases["reliability/readiness-probe"].find("failure").get("type") == "blocker"  # type: ignore[union-attr]
    skipped = cases["security/pinned-images"].find("skipped")
    assert skipped is not None and skipped.get("message") == "all findings waived"
    assert int(junit.get("tests", "0")) == len(cases)
    assert int(junit.get("failures", "0")) == sum(1 for c in cases.values() if c.find("failure") is not None)
