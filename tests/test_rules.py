"""The semgrep rules: valid against semgrep's own rule schema, tested with `semgrep --test`,
each tied to a registered check that declares it needs semgrep."""

from __future__ import annotations

import os
import re
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


def test_rule_ids_are_unique_and_every_one_is_read_by_a_check_that_declares_it() -> None:
    ids = [rule["id"] for rule in rules()]
    assert len(ids) == len(set(ids))
    registry.validate_rules(set(ids))  # both directions; raises with every mismatch named
    declared = {rule for spec in registry.all_checks() for rule in spec.rules}
    assert declared == set(ids)


def test_a_typo_in_a_declared_rule_fails_instead_of_passing_the_check() -> None:
    import dataclasses

    import pytest as _pytest

    spec = registry.get("reliability/graceful-shutdown")
    typo = dataclasses.replace(spec, rules=(*spec.rules, "go-server-shutdwon"))
    registry._REGISTRY[spec.id] = typo
    try:
        with _pytest.raises(registry.RegistryError, match="declares unknown rule 'go-server-shutdwon'"):
            registry.validate_rules({rule["id"] for rule in rules()})
    finally:
        registry._REGISTRY[spec.id] = spec


def test_reading_a_rule_the_check_did_not_declare_is_not_a_pass(tmp_path: Path) -> None:
    from readiness import config as config_module
    from readiness.context import CheckContext
    from readiness.engine import run_check
    from readiness.facts.code import matches
    from readiness.model import CheckResult, Outcome
    from readiness.repo import Repo

    spec = registry.get("reliability/graceful-shutdown")
    sneaky = dataclasses_replace(
        spec, function=lambda ctx: CheckResult.passed(str(matches(ctx, "go-http-route")))
    )
    context = CheckContext(Repo(tmp_path), config_module.default("p"), {"semgrep": []})
    with Repo(tmp_path).recording() as recording:
        result = run_check(sneaky, context, recording, {})
    assert result.outcome is Outcome.NOT_ASSESSED
    assert "reads undeclared rule(s) ['go-http-route']" in result.summary


def dataclasses_replace(spec: registry.CheckSpec, **changes: object) -> registry.CheckSpec:
    import dataclasses

    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


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


@pytest.mark.slow
def test_every_metavariable_in_a_message_is_captured_on_the_rules_own_fixtures(tmp_path: Path) -> None:
    """The checks read captures by name; a message whose template no longer decodes (an edited
    rule, a metavariable semgrep leaves unbound) would hand them nothing, silently."""
    from readiness.repo import Repo
    from readiness.scanners.semgrep import Semgrep, message_templates

    fixtures = tmp_path / "fixtures"
    shutil.copytree(rules_root(), fixtures, ignore=shutil.ignore_patterns("*.yaml"))
    output = Semgrep().run(Repo(fixtures), timeout=600)
    assert output.ok, output.detail
    templates = message_templates(rules_root())
    templated = {rule for rule, template in templates.items() if "$" in template}
    seen: set[str] = set()
    for match in output.data:
        if match.rule not in templated:
            continue
        seen.add(match.rule)
        wanted = set(re.findall(r"\$[A-Z_][A-Z0-9_]*", templates[match.rule]))
        assert set(match.captures) == wanted, f"{match.rule} at {match.path}:{match.line}: {match.message!r}"
        assert all(value and not value.startswith("$") for value in match.captures.values()), match
    assert seen == templated, f"templated rules with no match on their fixtures: {sorted(templated - seen)}"
