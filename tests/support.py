"""Helpers for table-driven check tests over small fixture trees."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pathspec
import yaml

from readiness import config as config_module
from readiness import registry
from readiness.context import CheckContext
from readiness.engine import run_check as run_engine_check
from readiness.model import CheckResult
from readiness.repo import Repo
from readiness.results import Match
from readiness.scanners import default_scanners
from readiness.scanners import semgrep as semgrep_adapter
from readiness.scanners.base import NOT_ASSESSED, rules_root
from readiness.scanners.semgrep import Semgrep, captures_from, message_templates

# Semgrep's matches over the check tests' small trees, recorded from real runs. Each file is named
# by a digest of everything the matches depend on (semgrep's version, its adapter, every rule file,
# every file semgrep reads in the tree), so a recording can never be stale: change a rule or a
# fixture and the digest misses, semgrep runs for real, and the new recording is written
# (`rm -r tests/recorded` and a full run drop the ones no test reads any more). The rule tests and
# the fixture-tree tests (tests/test_check_fixtures.py) always run semgrep live.
RECORDINGS = Path(__file__).resolve().parent / "recorded" / "semgrep"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under root; text is dedented so tests can indent it."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_check(
    check_id: str,
    root: Path,
    config: config_module.Config | None = None,
    scanner_results: dict[str, object] | None = None,
) -> CheckResult:
    """Run one registered check over the tree at ``root``, with the real scanners it declares
    (semgrep runs for real over the fixture tree), exactly as the engine would."""
    spec = registry.get(check_id)
    effective = config or config_module.default(root.name)
    repo = Repo(root, exclude=effective.exclude)
    results: dict[str, object] = dict(scanner_results or {})
    outputs = {}
    if "semgrep" in spec.scanners and "semgrep" not in results:
        results["semgrep"] = recorded_semgrep(repo)
    sources = effective.vulnerabilities
    for scanner in default_scanners(osv_url=sources.osv_url, go_db=sources.go_db):
        if scanner.name in spec.scanners and scanner.name not in results:
            outputs[scanner.name] = output = scanner.run(repo, timeout=300)
            assert output.status != NOT_ASSESSED, f"{scanner.name} did not run: {output.detail}"
            if output.ok:
                results[scanner.name] = output.data
    context = CheckContext(repo, effective, results)
    with repo.recording() as recording:
        result = run_engine_check(spec, context, recording, outputs)
    if (target := os.environ.get("READINESS_RECORD_FIXTURES")) and _plain(effective, root, scanner_results):
        _record_fixture(Path(target), check_id, repo, effective, result)
    return result


def _plain(config: config_module.Config, root: Path, scanner_results: dict[str, object] | None) -> bool:
    """A run the fixture-tree test can repeat from the files alone: the default configuration
    (offline vulnerability sources and excluded files aside: the recording keeps only the files
    the check saw) and no scanner results handed in but semgrep's."""
    default = config_module.default(root.name)
    plain = dataclasses.replace(
        config,
        project=default.project,
        source=None,
        vulnerabilities=default.vulnerabilities,
        exclude=default.exclude,
        traffic=default.traffic,
        kill_switches=default.kill_switches,
        test_paths=default.test_paths,
    )
    return plain == default and set(scanner_results or {}) <= {"semgrep"}


def _settings(config: config_module.Config) -> dict[str, object]:
    """The settings of a recorded run that differ from the defaults, as .readiness.yml spells them."""
    default = config_module.default(config.project)
    settings: dict[str, object] = {}
    traffic = {k: v for k, v in dataclasses.asdict(config.traffic).items() if v is not None}
    if traffic:
        settings["traffic"] = traffic
    if config.kill_switches:
        settings["kill_switches"] = list(config.kill_switches)
    if config.test_paths != default.test_paths:
        settings["test_paths"] = list(config.test_paths)
    return settings


def _record_fixture(
    target: Path, check_id: str, repo: Repo, config: config_module.Config, result: CheckResult
) -> None:
    """Keep the files a check test's run saw and what the check said about them, for
    tests/fixtures (README, "Adding a check")."""
    excluded = pathspec.GitIgnoreSpec.from_lines(list(config.exclude))
    files = sorted(
        relative
        for path in repo.root.rglob("*")
        if path.is_file() and not excluded.match_file(relative := path.relative_to(repo.root).as_posix())
    )
    digest = hashlib.sha256(json.dumps(_settings(config), sort_keys=True).encode())
    for relative in files:
        digest.update(relative.encode() + b"\0" + (repo.root / relative).read_bytes())
    case = target / check_id / f"{result.outcome.value}_{digest.hexdigest()[:12]}"
    if case.exists():
        return
    for relative in files:
        (case / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo.root / relative, case / relative)
    expected = {
        "outcome": result.outcome.value,
        "findings": [list(at) for at in locations(result)],
        "settings": _settings(config),
        "recorded_from": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0],
    }
    case.with_suffix(".json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")


def locations(result: CheckResult) -> list[tuple[str | None, int | None]]:
    """(path, line) of the first evidence of each failure, in order."""
    return [
        (failure.evidence[0].path, failure.evidence[0].line) if failure.evidence else (None, None)
        for failure in result.failures
    ]


def semgrep_scan(root: Path) -> dict[str, object]:
    """Semgrep's matches over a fixture tree once, for tests that hand the same matches to several
    checks through ``run_check(..., scanner_results=...)``."""
    return {"semgrep": recorded_semgrep(Repo(root))}


@functools.cache
def _rules() -> tuple[str, dict[str, str], dict[str, dict[str, object]]]:
    """(digest of semgrep's version, the adapter that runs it and every rule file, templates,
    metadata by rule id)."""
    semgrep = Semgrep()
    digest = hashlib.sha256(str(semgrep.version()).encode())
    digest.update(Path(semgrep_adapter.__file__).read_bytes())  # its flags change what matches
    metadata: dict[str, dict[str, object]] = {}
    for path in sorted(rules_root().rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(rules_root()).as_posix().encode() + b"\0" + path.read_bytes())
        if path.suffix == ".yaml":
            for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
                metadata[str(rule["id"])] = dict(rule.get("metadata") or {})
    return digest.hexdigest(), message_templates(rules_root()), metadata


def recorded_semgrep(repo: Repo) -> tuple[Match, ...]:
    """Semgrep's matches over ``repo``: from the recording for exactly these inputs, else from a
    real run, which is then recorded."""
    rules_digest, templates, metadata = _rules()
    files = Semgrep().inputs(repo)
    if not files:
        return ()
    digest = hashlib.sha256(rules_digest.encode())
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + (repo.root / path).read_bytes() + b"\0")
    recording = RECORDINGS / f"{digest.hexdigest()[:24]}.json"
    if recording.is_file():
        rows = json.loads(recording.read_text(encoding="utf-8"))
        return tuple(
            Match(
                rule,
                path,
                line,
                end,
                message,
                metadata.get(rule, {}),
                captures_from(templates.get(rule), message),
            )
            for rule, path, line, end, message in rows
        )
    # Every rule over every code file (a superset of what a scan reads): the checks choose.
    found, _summary = Semgrep().scan(repo, files, timeout=300)
    RECORDINGS.mkdir(parents=True, exist_ok=True)
    rows = [[m.rule, m.path, m.line, m.end_line, m.message] for m in found]
    recording.write_text(json.dumps(rows, indent=0) + "\n", encoding="utf-8")
    return tuple(found)


GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "author",
    "GIT_COMMITTER_EMAIL": "author@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> None:
    """Git in ``root`` with a fixed identity and none of the machine's configuration."""
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=GIT_ENV)


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A", "-f")
    git(root, "commit", "-q", "-m", message)


def forged_all_green(checkpoint_json: bytes) -> dict[str, object]:
    """A checkpoint's JSON with every result a pass and every answer a yes: what an attacker
    with the honest checkpoint (right digests, right fingerprints) would hand back."""
    data = json.loads(checkpoint_json)
    for state in data["categories"].values():
        state["light"] = "green"
        state["results"] = {
            check: {"outcome": "pass", "summary": "fine", "failures": [], "evidence": [], "answer": None}
            for check in state["results"]
        }
        for answer in state.get("answers") or []:
            answer["answer"] = "yes"
    return data
