"""Python manifests (readiness.parsers.python_manifests): a PythonManifest whose unreadable
entries are ``problems`` (line, why), never an exception; and no pin reaches a scanner's input
unless it is one ``name==version`` line."""

from __future__ import annotations

from hypothesis import given

from readiness.parsers import python_manifests as pm
from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_pipfile_lock, run_pyproject, run_requirements, run_toml_lock


@fuzz_settings(150)
@given(s.requirements_text())
def test_requirements_parse_into_pins_and_problems(text: str) -> None:
    run_requirements(text)


@fuzz_settings(100)
@given(s.pyproject_text())
def test_pyproject_parses_into_pins_and_problems(text: str) -> None:
    run_pyproject(text)


@fuzz_settings(100)
@given(s.toml_lock_text())
def test_toml_locks_parse_into_pins_and_problems(text: str) -> None:
    run_toml_lock(text)


@fuzz_settings(100)
@given(s.pipfile_lock_text())
def test_pipfile_lock_parses_into_pins_and_problems(text: str) -> None:
    run_pipfile_lock(text)


# ---- what the fuzzer found ---------------------------------------------------------------------
def test_pyproject_members_of_the_wrong_type_are_skipped() -> None:
    # TypeError ('float' object is not iterable) and AttributeError ('list' has no 'items').
    text = (
        "dependency-groups = 5\n"
        '[project]\ndependencies = 3600.0\noptional-dependencies = ["x"]\n'
        '[tool.poetry]\ngroup = "no"\n[tool.poetry.dependencies]\nredis = "5.0.1"\n'
    )
    manifest = pm.parse_pyproject("pyproject.toml", text)
    assert manifest.problems == ()
    assert [(r.name, r.line, r.version) for r in manifest.pinned] == [("redis", 8, "5.0.1")]


def test_lock_package_tables_of_the_wrong_type_are_skipped() -> None:
    # TypeError: 'float' object is not iterable (package = 0.27), unhashable list in groups.
    assert pm.parse_toml_lock("poetry.lock", "package = 0.27\n").requirements == ()
    text = '[[package]]\nname = "redis"\nversion = "5.0.1"\ngroups = [["dev"], "main"]\n'
    (requirement,) = pm.parse_toml_lock("uv.lock", text).requirements
    assert (requirement.name, requirement.version, requirement.dev) == ("redis", "5.0.1", True)


def test_a_string_group_is_one_group_not_its_letters() -> None:
    text = '[[package]]\nname = "redis"\nversion = "5.0.1"\ngroups = "main"\n'
    (requirement,) = pm.parse_toml_lock("pdm.lock", text).requirements
    assert requirement.dev is False


def test_nesting_too_deep_for_the_toml_and_json_readers_is_a_problem() -> None:
    deep = "[" * 5000 + "]" * 5000
    assert pm.parse_pyproject("pyproject.toml", f"a = {deep}\n").problems == (
        (1, "invalid TOML: nested too deeply to read"),
    )
    assert pm.parse_toml_lock("poetry.lock", f"a = {deep}\n").problems == (
        (1, "invalid TOML: nested too deeply to read"),
    )
    assert pm.parse_pipfile_lock("Pipfile.lock", "[" * 100_000).problems == (
        (1, "invalid JSON: nested too deeply to read"),
    )


def test_a_package_name_that_is_not_a_name_is_a_problem_and_no_audit_input() -> None:
    # A newline in a lock file's name wrote "-e -==1.0" into the audit's requirements file; an
    # empty name wrote "==5.0.1".
    poetry = '[[package]]\nname = """x\n-e ."""\nversion = "1.0"\n[[package]]\nname = ""\nversion = "5.0.1"\n'
    manifest = pm.parse_toml_lock("poetry.lock", poetry)
    assert manifest.pinned_lines() == ""
    assert manifest.problems == (
        (2, "'x\\n-e .' is not a valid package name"),
        (6, "'' is not a valid package name"),
    )
    pipfile = pm.parse_pipfile_lock("Pipfile.lock", '{"default": {"x\\n-e .": {"version": "==1.0"}}}')
    assert pipfile.pinned_lines() == ""
    assert pipfile.problems == ((1, "'x\\n-e .' is not a valid package name"),)
    poetry_deps = pm.parse_pyproject("pyproject.toml", '[tool.poetry.dependencies]\n"x y" = "1.0"\n')
    assert poetry_deps.pinned_lines() == ""
    assert poetry_deps.problems == ((2, "'x y' is not a valid package name"),)
