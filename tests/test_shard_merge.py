"""`readiness scan --shard K/N` and `readiness merge`: N partial results merged give the
assessment one scan gives, and parts that don't belong together are refused by name."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness import cli
from tests.scanners.osv_server import OsvServer

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "adtech-exchange"


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The assessment without what differs between any two runs (times, scanner run records)."""
    document = dict(document)
    for volatile in ("generated_at", "scanners", "root"):
        document.pop(volatile, None)
    return document


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shards") / "adtech-exchange"
    shutil.copytree(EXAMPLE, root)
    return root


def offline(osv_server: OsvServer, go_db: Path) -> list[str]:
    return ["--osv-url", osv_server.url, "--go-vulndb", str(go_db)]


@pytest.mark.slow
def test_three_shards_merged_give_the_assessment_of_one_scan(
    example: Path, tmp_path: Path, osv_server: OsvServer, go_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scanners = offline(osv_server, go_db)
    whole = tmp_path / "whole.json"
    one = cli.main(
        [
            "scan",
            str(example),
            "--no-checkpoint",
            "--output-dir",
            str(tmp_path / "r1"),
            "--json",
            str(whole),
            *scanners,
        ]
    )
    assert one == cli.EXIT_NO_GO
    parts = []
    for index in (1, 2, 3):
        part = tmp_path / "parts" / f"partial-{index}-of-3.json"
        code = cli.main(["scan", str(example), "--shard", f"{index}/3", "--partial", str(part), *scanners])
        assert code == cli.EXIT_GO
        assert f"shard {index}/3: partial result written to" in capsys.readouterr().out
        parts.append(part)
    # Every code file went to exactly one shard, and more than one shard got some.
    owned = [
        {m["path"] for m in json.loads(p.read_text())["outputs"]["semgrep"]["data"]["matches"]} for p in parts
    ]
    assert sum(1 for files in owned if files) >= 2
    assert not (owned[0] & owned[1] or owned[1] & owned[2] or owned[0] & owned[2])

    merged = tmp_path / "merged.json"
    code = cli.main(
        ["merge", *map(str, reversed(parts)), "--path", str(example), "--no-checkpoint",
         "--output-dir", str(tmp_path / "r2"), "--json", str(merged), *scanners]
    )  # fmt: skip

    assert code == cli.EXIT_NO_GO
    assert comparable(json.loads(merged.read_text())) == comparable(json.loads(whole.read_text()))
    report = next((tmp_path / "r2").glob("*-production-readiness.md")).read_text()
    assert "## 5. Go/No-Go" in report


def test_merge_refuses_parts_that_are_not_one_scans_shards(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "p1.json"
    assert (
        cli.main(
            ["scan", str(example), "--shard", "1/2", "--partial", str(first), "--categories", "compliance"]
        )
        == 0
    )
    capsys.readouterr()

    code = cli.main(
        ["merge", str(first), "--path", str(example), "--no-checkpoint", "--output-dir", str(tmp_path)]
    )
    assert code == cli.EXIT_USAGE
    assert "the parts are not the 2 shards of one scan: missing 2/2" in capsys.readouterr().err

    code = cli.main(
        [
            "merge",
            str(first),
            str(first),
            "--path",
            str(example),
            "--no-checkpoint",
            "--output-dir",
            str(tmp_path),
        ]
    )
    assert code == cli.EXIT_USAGE
    assert "given twice 1/2" in capsys.readouterr().err

    # The tree changed since the shard scanned it: a file was added.
    changed = tmp_path / "changed"
    shutil.copytree(example, changed)
    (changed / "NEW.md").write_text("new\n")
    second = tmp_path / "p2.json"
    cli.main(["scan", str(example), "--shard", "2/2", "--partial", str(second), "--categories", "compliance"])
    capsys.readouterr()
    code = cli.main(
        [
            "merge",
            str(first),
            str(second),
            "--path",
            str(changed),
            "--no-checkpoint",
            "--output-dir",
            str(tmp_path),
        ]
    )
    assert code == cli.EXIT_USAGE
    assert "its file listing differs from the merge's" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a readiness partial result"),
        ('{"format": "readiness-partial", "version": 9}', "partial format version 9 is not 1"),
    ],
)
def test_a_malformed_part_is_a_usage_error_naming_it(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, error: str
) -> None:
    part = tmp_path / "bad.json"
    part.write_text(text)
    code = cli.main(
        ["merge", str(part), "--path", str(example), "--no-checkpoint", "--output-dir", str(tmp_path)]
    )
    assert code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert str(part) in err and error in err


def test_a_bad_shard_argument_is_a_usage_error(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scan", str(example), "--shard", "4/3"]) == cli.EXIT_USAGE
    assert "--shard: shard '4/3': K must be between 1 and N" in capsys.readouterr().err


def test_the_readmes_matrix_workflow_runs_commands_the_cli_accepts() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Large trees") :]
    block = section[
        section.index("```yaml") + len("```yaml") : section.index("```", section.index("```yaml") + 7)
    ]
    workflow = yaml.safe_load(block)
    assert workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"] == [1, 2, 3]
    assert workflow["jobs"]["merge"]["needs"] == "shard"
    commands = [
        step["run"].replace("${{ matrix.shard }}", "2").replace("reports/partial-*-of-3.json", "p1 p2 p3")
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("run", "")).startswith("readiness ")
    ]
    assert len(commands) == 2
    parsed = [cli.build_parser().parse_args(shlex.split(command)[1:]) for command in commands]
    assert (parsed[0].command, parsed[0].shard) == ("scan", "2/3")
    assert (parsed[1].command, [str(p) for p in parsed[1].parts]) == ("merge", ["p1", "p2", "p3"])
