"""One end-to-end test per check, over fixture trees kept as files.

``tests/fixtures/<check-id>/<case>/`` is a small repository and ``<case>.json`` beside it what the
check must conclude there: the outcome and the (path, line) of each finding, in order. Every
registered check has at least one tree where it passes and one where it fails. Semgrep runs for
real, once over all the trees together (its rules read one file at a time, so one run over the
union gives each tree exactly the matches a run of its own would), and the dependency scanners
run for real against the offline vulnerability data.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from readiness import config as config_module
from readiness import registry
from readiness.repo import Repo
from readiness.results import Match
from readiness.scanners.semgrep import Semgrep
from tests.scanners.osv_server import OsvServer
from tests.support import locations, run_check

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _cases() -> list[tuple[str, Path]]:
    found = []
    for expected in sorted(FIXTURES.rglob("*.json")):
        case = expected.with_suffix("")
        if case.is_dir():
            found.append((case.parent.relative_to(FIXTURES).as_posix(), case))
    return found


CASES = _cases()

# Checks whose real scanner cannot reach a verdict on this machine, with where their verdicts are
# tested instead. Each still has a fixture tree, for what it does here.
NO_OFFLINE_VERDICT = {
    "security/python-vulnerabilities-safety": (
        "safety 3 probes its platform over the network before it reads any database, so offline it "
        "is skipped; its pass and fail are tested on recorded safety output in "
        "tests/checks/security/test_vulnerabilities.py"
    ),
}


@pytest.fixture(scope="module")
def semgrep_matches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, tuple[Match, ...]]]:
    """Semgrep over every fixture tree in one run, the matches handed back to each tree."""
    union = tmp_path_factory.mktemp("fixtures")
    semgrep = Semgrep()
    files: list[str] = []
    prefixes: dict[str, Path] = {}
    for index, (_check, case) in enumerate(CASES):
        prefix = f"case{index}"
        shutil.copytree(case, union / prefix, symlinks=True)
        prefixes[prefix] = case
        files += [f"{prefix}/{path}" for path in semgrep.inputs(Repo(case))]
    grouped: dict[Path, list[Match]] = {case: [] for _check, case in CASES}
    if files:
        matches, _summary = semgrep.scan(Repo(union), files, timeout=900)
        for match in matches:
            prefix, _, path = match.path.partition("/")
            grouped[prefixes[prefix]].append(dataclasses.replace(match, path=path))
    yield {case: tuple(found) for case, found in grouped.items()}


def test_every_check_has_a_passing_and_a_failing_tree() -> None:
    outcomes: dict[str, set[str]] = {}
    for check, case in CASES:
        outcome = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))["outcome"]
        outcomes.setdefault(check, set()).add(outcome)
    missing = {
        check: sorted({"pass", "fail"} - outcomes.get(check, set()))
        for check in registry.known_ids()
        if not {"pass", "fail"} <= outcomes.get(check, set()) and check not in NO_OFFLINE_VERDICT
    }
    assert set(NO_OFFLINE_VERDICT) <= set(outcomes), "every check has at least one fixture tree"
    assert missing == {}
    assert set(outcomes) <= set(registry.known_ids()), "a fixture folder names no registered check"


@pytest.mark.parametrize(("check_id", "case"), CASES, ids=[f"{check}/{case.name}" for check, case in CASES])
def test_check_concludes_what_its_fixture_says(
    check_id: str,
    case: Path,
    semgrep_matches: dict[Path, tuple[Match, ...]],
    osv_server: OsvServer,
    go_db: Path,
    tmp_path: Path,
) -> None:
    expected = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    policy = config_module.default(case.name)
    if expected.get("settings"):  # read as a user's .readiness.yml would be, kept outside the tree
        settings = tmp_path / config_module.DEFAULT_FILE
        settings.write_text(yaml.safe_dump(expected["settings"]), encoding="utf-8")
        policy = config_module.load(case, settings, known_checks=registry.known_ids())
    sources = dataclasses.replace(policy.vulnerabilities, osv_url=osv_server.url, go_db=str(go_db))
    offline = dataclasses.replace(policy, vulnerabilities=sources)
    result = run_check(check_id, case, config=offline, scanner_results={"semgrep": semgrep_matches[case]})
    assert result.outcome.value == expected["outcome"], result.summary
    assert [list(at) for at in locations(result)] == expected["findings"]
