"""The files a project has: its licence, changelog, security policy, contributing guide and
pre-commit hook say what is true of this repository."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness import checkpoint, cli

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION: str = PYPROJECT["project"]["version"]


def text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


# The licence


APACHE_SECTIONS = [
    "1. Definitions.",
    "2. Grant of Copyright License.",
    "3. Grant of Patent License.",
    "4. Redistribution.",
    "5. Submission of Contributions.",
    "6. Trademarks.",
    "7. Disclaimer of Warranty.",
    "8. Limitation of Liability.",
    "9. Accepting Warranty or Additional Liability.",
    "END OF TERMS AND CONDITIONS",
    "APPENDIX: How to apply the Apache License to your work.",
]


def test_the_licence_is_the_apache_2_0_text_the_metadata_names() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    licence = " ".join(text("LICENSE").split())  # the words, whatever the wrapping
    assert licence.startswith("Apache License Version 2.0, January 2004 http://www.apache.org/licenses/")
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in licence
    positions = [licence.find(heading) for heading in APACHE_SECTIONS]
    assert -1 not in positions and positions == sorted(positions), "every section, in order"
    assert 'on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND' in licence
    last = (
        "See the License for the specific language governing permissions and limitations under the License."
    )
    assert licence.endswith(last)


# The changelog

_RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$", re.MULTILINE)


def test_the_changelog_opens_with_unreleased_and_has_the_packaged_version() -> None:
    changelog = text("CHANGELOG.md")
    assert changelog.startswith("# Changelog\n")
    assert "keepachangelog.com" in changelog
    releases = [(m["version"], m["date"]) for m in _RELEASE.finditer(changelog)]
    assert releases[0] == ("Unreleased", None)
    assert releases[-1][0] == "0.1.0", "the history starts at 0.1.0"
    dated = dict(releases[1:])
    assert dated.get(VERSION), f"a dated section for pyproject's version {VERSION}"
    for version, date in releases[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version) and date, version
    headings = set(re.findall(r"^### (.+)$", changelog, re.MULTILINE))
    assert headings <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


# The security policy


def test_the_security_policy_says_how_to_report_and_what_is_trusted() -> None:
    policy = text("SECURITY.md")
    for needed in (
        "private security advisory",
        "Supported versions",
        ".readiness.yml",
        ".gitignore",
        "never executed",
        "HMAC-SHA256",
        "checkpoint.key",
    ):
        assert needed in policy, needed
    minor = ".".join(VERSION.split(".")[:2])
    assert f"{minor}.x" in policy, "the supported versions name the packaged one"
    # What it describes is what the code does: the names it cites exist.
    assert (ROOT / "readiness/render/inert.py").is_file()
    assert checkpoint.KEY_FILE_ENV in policy


# The contributing guide

_FILES_NAMED = re.compile(r"(?<![\w/.])((?:scripts|benchmarks|tests|docs|readiness)/[\w./-]+\.(?:sh|py|md))")


def test_contributing_names_the_commands_the_repository_has() -> None:
    guide = text("CONTRIBUTING.md")
    for command in (
        "bash scripts/demo.sh",
        "bash scripts/test.sh",
        ".venv/bin/ruff check readiness tests benchmarks",
        ".venv/bin/ruff format --check",
        ".venv/bin/mypy readiness",
        ".venv/bin/python benchmarks/accuracy.py",
        "benchmarks/speed_targets.py",
        "benchmarks/rule_cost.py",
        ".venv/bin/readiness docs",
    ):
        assert command in guide, command
    named = set(_FILES_NAMED.findall(guide))
    assert {"scripts/test.sh", "scripts/demo.sh", "benchmarks/accuracy.py"} <= named
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert missing == [], "CONTRIBUTING.md names files the repository does not have"
    # The README's two commands are the guide's too.
    readme = text("README.md")
    assert "bash scripts/demo.sh" in readme and "bash scripts/test.sh" in readme
    # The tools it runs from .venv/bin are the ones the package and its dev extra install.
    dev = " ".join(PYPROJECT["project"]["optional-dependencies"]["dev"])
    for tool in set(re.findall(r"\.venv/bin/(\w+)", guide)) - {"python"}:
        assert tool in PYPROJECT["project"]["scripts"] or tool in dev, tool


def test_the_readiness_commands_in_contributing_parse() -> None:
    guide = text("CONTRIBUTING.md")
    commands = re.findall(r"`(?:\.venv/bin/)?readiness ((?:docs|checks|scan|init)\b[^`]*)`", guide)
    assert commands, "the guide runs readiness"
    parser = cli.build_parser()
    for command in commands:
        parser.parse_args(shlex.split(command))


# The pre-commit hook

# The keys pre-commit reads from a hook in .pre-commit-hooks.yaml.
_HOOK_KEYS = {
    "id",
    "name",
    "entry",
    "language",
    "alias",
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "additional_dependencies",
    "args",
    "always_run",
    "fail_fast",
    "pass_filenames",
    "description",
    "language_version",
    "log_file",
    "minimum_pre_commit_version",
    "require_serial",
    "stages",
    "verbose",
}


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(text(".pre-commit-hooks.yaml"))
    assert isinstance(hooks, list) and len(hooks) == 1
    found = hooks[0]
    assert isinstance(found, dict)
    return found


def test_the_pre_commit_hook_is_readiness_in_python() -> None:
    found = hook()
    assert set(found) <= _HOOK_KEYS
    assert {"id", "name", "entry", "language"} <= set(found)
    assert found["id"] == "readiness"
    assert found["language"] == "python"  # pre-commit installs this repository's package
    assert all(isinstance(arg, str) for arg in found.get("args", []))


def test_the_hook_entry_parses_with_the_cli_parser() -> None:
    found = hook()
    argv = shlex.split(found["entry"]) + list(found.get("args", []))
    assert argv[0] == "readiness" and argv[0] in PYPROJECT["project"]["scripts"]
    args = cli.build_parser().parse_args(argv[1:])
    assert args.command == "scan"
    assert args.path == "."  # pre-commit runs hooks at the repository root
    assert args.shard is None


def test_the_hook_is_not_handed_file_names_because_scan_takes_one_path() -> None:
    """`readiness scan` judges a tree: PATH is one directory, so the changed files pre-commit
    would append cannot be passed (argparse refuses a second positional argument)."""
    found = hook()
    assert found["pass_filenames"] is False
    argv = shlex.split(found["entry"]) + list(found.get("args", []))
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args([*argv[1:], "readiness/cli.py", "README.md"])
