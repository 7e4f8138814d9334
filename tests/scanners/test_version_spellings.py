"""A pin is audited as the version pip installs, whatever its spelling: findings are mapped back
by the normalised version, and a version that is not one is a problem on its line, never text
handed to pip-audit's requirements file."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.parsers.python_manifests import parse_requirements, parse_toml_lock
from readiness.repo import Repo
from readiness.scanners.base import OK
from readiness.scanners.pip_audit import PipAudit
from tests.scanners.osv_server import OsvServer
from tests.support import write_tree

SPELLINGS = [
    "urllib3==1.24.1",
    "urllib3==01.24.1",
    "urllib3==1.24.01",
    "urllib3==v1.24.1",
    "urllib3===1.24.1",
]


@pytest.mark.parametrize("pin", SPELLINGS)
def test_every_spelling_normalises_to_the_installed_version(pin: str) -> None:
    (requirement,) = parse_requirements("requirements.txt", pin + "\n").pinned
    assert requirement.version == "1.24.1"


@pytest.mark.parametrize(
    ("version", "shown"),
    [("1.24.1 ", "'1.24.1 '"), ("1.24.1\\n-e .", "'1.24.1\\n-e .'"), ("1.24.1\\n-r /etc/passwd", None)],
)
def test_a_lock_version_that_is_not_a_version_is_a_problem(version: str, shown: str | None) -> None:
    manifest = parse_toml_lock("poetry.lock", f'[[package]]\nname = "urllib3"\nversion = "{version}"\n')
    assert manifest.pinned == []
    ((line, message),) = manifest.problems
    assert line == 2 and message.startswith("urllib3: ") and message.endswith("is not a valid version")
    if shown:
        assert shown in message


@pytest.mark.slow
def test_pip_audit_finds_the_vulnerable_version_under_every_spelling(tmp_path: Path, osv: OsvServer) -> None:
    files = {f"svc{i}/requirements.txt": f"{pin}\n" for i, pin in enumerate(SPELLINGS)}
    output = PipAudit(osv.url).run(Repo(write_tree(tmp_path, files)), timeout=300)
    assert output.status == OK, output.detail
    found = sorted((v.path, v.line, v.package, v.version) for v in output.data.vulnerabilities)
    assert found == [(path, 1, "urllib3", "1.24.1") for path in sorted(files)]
