import json
from pathlib import Path

import jsonschema
import pytest

from readiness import cli, seed
from tests.support import write_tree

SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "readiness/schema/assessment.schema.json").read_text()
)

UNPROBED = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1.0
          ports: [{containerPort: 8080}]
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_scan_prints_scorecard_writes_report_and_exits_no_go(
    tmp_path: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "svc", {"deploy/web.yaml": UNPROBED})
    code = cli.main(["scan", str(root), "--checkpoint", str(workdir / "cp.md")])
    out = capsys.readouterr().out
    assert code == cli.EXIT_NO_GO
    assert "Reliability            RED" in out
    reports = list((workdir / "reports").glob("*-production-readiness.md"))
    assert len(reports) == 1
    assert out.rstrip().endswith(f"📄 Report saved to: reports/{reports[0].name}")
    report = reports[0].read_text()
    sections = [
        "## 1. Traffic-light scorecard",
        "## 2. Blockers",
        "## 3. Risks",
        "## 4. Recommendations",
        "## 5. Go/No-Go",
        "## Answers to the review",
        "## Appendix",
    ]
    positions = [report.index(section) for section in sections]
    assert positions == sorted(positions)
    assert "`deploy/web.yaml:8`" in report
    # One line per question, with its answer and the reason.
    assert (
        "- ❌ **no** — Startup probes: does it wait for dependencies before accepting traffic? "
        "Deployment 'web' container 'web' has no readinessProbe (deploy/web.yaml:8). (`deploy/web.yaml:8`)"
    ) in report


def test_fail_on_never_turns_the_exit_code_to_go(tmp_path: Path, workdir: Path) -> None:
    root = write_tree(tmp_path / "svc", {"deploy/web.yaml": UNPROBED})
    assert cli.main(["scan", str(root), "--fail-on", "never", "--no-checkpoint"]) == cli.EXIT_GO


def test_json_output_matches_the_published_schema(
    tmp_path: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "svc", {"deploy/web.yaml": UNPROBED})
    code = cli.main(["scan", str(root), "--format", "json", "--json", "out/a.json", "--no-checkpoint"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data == json.loads((workdir / "out/a.json").read_text())
    assert code == cli.EXIT_NO_GO and data["verdict"] == "no-go"
    assert [a["question"] for a in data["answers"]] == [q.key for q in seed.ALL]
    (startup,) = [a for a in data["answers"] if a["question"] == "reliability.startup-probes"]
    assert startup["answer"] == "no" and "reliability/readiness-probe" in startup["checks"]
    assert startup["evidence"][0]["path"] == "deploy/web.yaml"
    (finding,) = [f for f in data["findings"] if f["check_id"] == "reliability/readiness-probe"]
    assert finding["evidence"][0]["path"] == "deploy/web.yaml" and finding["evidence"][0]["line"] == 8
    assert "📄 Report saved to:" in captured.err


def test_configuration_errors_exit_2_with_file_line_and_key(
    tmp_path: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "svc", {".readiness.yml": "project: svc\nseverity:\n  nope/nope: risk\n"})
    assert cli.main(["scan", str(root), "--no-checkpoint"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{root}/.readiness.yml:3: severity.nope/nope: unknown check id 'nope/nope'" in err


def test_usage_errors_exit_2(tmp_path: Path, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scan", str(tmp_path / "missing")]) == cli.EXIT_USAGE
    assert cli.main(["scan", str(tmp_path), "--categories", "speed"]) == cli.EXIT_USAGE
    assert "unknown category 'speed'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        cli.main(["scan", "--fail-on", "sometimes"])
    assert exited.value.code == cli.EXIT_USAGE


def test_internal_errors_exit_3(
    tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli.pipeline, "assess", broken)
    assert cli.main(["scan", str(tmp_path), "--no-checkpoint"]) == cli.EXIT_INTERNAL
    assert "internal error: RuntimeError: disk on fire" in capsys.readouterr().err


def test_own_outputs_inside_the_scanned_tree_are_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "svc", {"deploy/web.yaml": UNPROBED})
    monkeypatch.chdir(root)
    assert cli.main(["scan", "--json", "out.json"]) == cli.EXIT_NO_GO
    assert cli.main(["scan", "--json", "out.json"]) == cli.EXIT_NO_GO  # the first run's outputs now exist
    data = json.loads((root / "out.json").read_text())
    assert data["repository"]["files_indexed"] == 1  # deploy/web.yaml; not out.json, reports/ or .claude/
    assert (root / ".claude/checkpoints/svc-production-readiness.md").exists()


def test_checks_explain_and_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["checks"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("ID")
    assert "reliability/readiness-probe" in listing and "startup-probes" in listing
    assert cli.main(["explain", "reliability/readiness-probe"]) == 0
    text = capsys.readouterr().out
    for heading in ("Why it matters", "What it looks at", "How to fix it", "Example"):
        assert heading in text
    assert cli.main(["explain", "nope/nope"]) == cli.EXIT_USAGE
    assert cli.main(["init", str(tmp_path)]) == 0
    written = (tmp_path / ".readiness.yml").read_text().splitlines()
    assert written[0] == f"# yaml-language-server: $schema={cli.CONFIG_SCHEMA_URL}"
    assert written[1].startswith("# .readiness.yml")
    assert cli.main(["init", str(tmp_path)]) == cli.EXIT_USAGE
