"""The semgrep rules: valid against semgrep's own rule schema, tested with `semgrep --test`,
each tied to a registered check that declares it needs semgrep."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from readiness import registry
from readiness.scanners.base import rules_root

RULE_FILES = sorted(rules_root().rglob("*.yaml"))


def semgrep() -> str:
    executable = shutil.which("semgrep")
    assert executable, "semgrep is not on PATH: run the tests through scripts/test.sh"
    return executable


def rules() -> list[dict[str, Any]]:
    return [rule for path in RULE_FILES for rule in yaml.safe_load(path.read_text())["rules"]]


def test_there_are_rules() -> None:
    assert len(RULE_FILES) >= 2


def test_rule_ids_are_unique_and_tied_to_semgrep_checks() -> None:
    ids = [rule["id"] for rule in rules()]
    assert len(ids) == len(set(ids))
    for rule in rules():
        spec = registry.get(rule["metadata"]["check"])
        assert "semgrep" in spec.scanners, f"{spec.id} reads rule {rule['id']} but does not declare semgrep"


def test_every_rule_file_has_a_fixture() -> None:
    for path in RULE_FILES:
        fixtures = [p for p in path.parent.glob(path.stem + ".*") if p.suffix != ".yaml"]
        assert fixtures, f"{path.name} has no fixture beside it"


def test_rules_match_semgreps_rule_schema() -> None:
    venv = Path(os.path.realpath(semgrep())).parent.parent
    (schema_file,) = venv.glob("lib/python*/site-packages/semgrep/semgrep_interfaces/rule_schema_v1.yaml")
    schema = yaml.safe_load(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    for path in RULE_FILES:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, f"{path.name}: {errors[0].message}"


@pytest.mark.slow
def test_semgrep_test_passes_on_every_fixture() -> None:
    completed = subprocess.run(
        [semgrep(), "--test", "--metrics=off", str(rules_root())],
        env={**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "All tests passed" in completed.stdout + completed.stderr
