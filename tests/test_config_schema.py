"""readiness/schema/config.schema.json: the JSON Schema editors read for `.readiness.yml`, equal
to the one readiness/config.py validates with, and shipped with the package."""

from __future__ import annotations

import ast
import fnmatch
import importlib.resources
import inspect
import json
import re
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from readiness import cli, config, engine, registry
from readiness.parsers.yaml_lines import load_all

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "readiness" / "schema" / "config.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def known_checks() -> set[str]:
    engine.load_catalogue()
    return registry.known_ids()


def schema_errors(text: str) -> list[str] | None:
    """What the schema file says about ``text``, read as config.py reads it (its YAML loader keeps
    dates as text, as the YAML language server does); None when ``text`` is not one YAML document."""
    documents, error = load_all(text)
    if error is not None or len(documents) > 1:
        return None
    data = config._plain(documents[0] if documents and documents[0] is not None else {})
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def shape_accepted(text: str) -> bool:
    """Whether config.py's own schema stage (before check ids, patterns and paths) takes ``text``."""
    try:
        config.validated(text, ".readiness.yml", config.SCHEMA)
    except config.ConfigError:
        return False
    return True


def accepted(text: str) -> bool:
    try:
        config.parse(text, ".readiness.yml", project_default="svc", known_checks=known_checks())
    except config.ConfigError:
        return False
    return True


def _without_annotations(value: Any) -> Any:
    """The schema's constraints: its ``$id`` and ``description`` annotations left out."""
    if isinstance(value, dict):
        return {k: _without_annotations(v) for k, v in value.items() if k not in ("$id", "description")}
    if isinstance(value, list):
        return [_without_annotations(v) for v in value]
    return value


def test_the_file_is_a_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_file_is_the_schema_config_py_validates_with() -> None:
    """One set of rules: the file adds only annotations (its $id, descriptions for editors)."""
    assert _without_annotations(SCHEMA) == _without_annotations(json.loads(json.dumps(config.SCHEMA)))


def _document_keys(source: str) -> set[str]:
    """The constant keys ``source`` reads from the mapping named ``data``."""

    def is_data(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id == "data"

    def key_of(node: ast.expr) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    read: set[str] = set()
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        key = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr == "get" and is_data(node.func.value):
                key = key_of(node.args[0])
        elif isinstance(node, ast.Subscript) and is_data(node.value):
            key = key_of(node.slice)
        elif isinstance(node, ast.Compare) and any(is_data(c) for c in node.comparators):
            key = key_of(node.left)
        if key is not None:
            read.add(key)
    return read


def test_every_key_config_py_knows_is_in_the_schema() -> None:
    top_level = set(SCHEMA["properties"])
    assert top_level == set(config.SCHEMA["properties"])
    assert SCHEMA["additionalProperties"] is False
    # The keys config.parse reads from the document (data.get("k"), data["k"], "k" in data).
    read = _document_keys(inspect.getsource(config.parse))
    assert {"project", "waivers", "traffic", "checkpoint"} <= read, "the walk finds what parse reads"
    assert read <= top_level, f"config.parse reads keys the schema lacks: {sorted(read - top_level)}"


def test_nested_objects_reject_unknown_keys_as_config_py_does() -> None:
    properties = SCHEMA["properties"]
    for key in ("disable", "traffic", "vulnerabilities", "checkpoint"):
        assert properties[key]["additionalProperties"] is False, key
    assert properties["waivers"]["items"]["additionalProperties"] is False
    assert set(properties["waivers"]["items"]["required"]) == {"check", "reason", "owner", "expires"}


def test_the_schema_ships_with_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["readiness"]
    assert any(fnmatch.fnmatch("schema/config.schema.json", pattern) for pattern in patterns)
    shipped = importlib.resources.files("readiness").joinpath("schema", "config.schema.json")
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def test_the_url_init_names_is_the_schema_files_id_and_its_path_in_the_repository() -> None:
    assert SCHEMA["$id"] == cli.CONFIG_SCHEMA_URL
    assert re.fullmatch(
        r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[\w.-]+/\S+", cli.CONFIG_SCHEMA_URL
    )
    assert cli.CONFIG_SCHEMA_URL.endswith("/" + SCHEMA_FILE.relative_to(ROOT).as_posix())


def test_the_config_init_writes_validates(tmp_path: Path) -> None:
    assert cli.main(["init", str(tmp_path)]) == cli.EXIT_GO
    written = (tmp_path / config.DEFAULT_FILE).read_text(encoding="utf-8")
    assert written.splitlines()[0] == f"# yaml-language-server: $schema={cli.CONFIG_SCHEMA_URL}"
    assert schema_errors(written) == []
    assert accepted(written)
    # The starter with every commented example switched on validates too.
    uncommented = re.sub(r"^# (?=[a-z_]+:|  )", "", config.STARTER, flags=re.MULTILINE)
    uncommented = uncommented.replace("\nallow_waivers: false\n", "\n")  # it lists a waiver
    assert uncommented != config.STARTER
    assert accepted(uncommented) and schema_errors(uncommented) == []


def _example_configs() -> list[tuple[str, str]]:
    """Every .readiness.yml in the repository, the settings of each check fixture tree (as
    `.readiness.yml` spells them), and the YAML blocks of the configuration docs."""
    found = [
        (path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(ROOT.rglob(config.DEFAULT_FILE))
        if not {".venv", ".tools", "node_modules"} & set(path.relative_to(ROOT).parts)
    ]
    for case in sorted((ROOT / "tests" / "fixtures").rglob("*.json")):
        if not case.with_suffix("").is_dir():  # a file of a fixture tree, not a case's expectations
            continue
        settings = json.loads(case.read_text(encoding="utf-8")).get("settings")
        if settings:
            found.append((case.relative_to(ROOT).as_posix(), yaml.safe_dump(settings)))
    for doc in ("README.md", "docs/configuration.md"):
        blocks = re.findall(r"^```yaml\n(.*?)^```", (ROOT / doc).read_text(encoding="utf-8"), re.S | re.M)
        found += [(f"{doc} block {index}", block) for index, block in enumerate(blocks)]
    return found


EXAMPLES = _example_configs()


def test_the_examples_include_the_bundled_configs() -> None:
    names = {name for name, _text in EXAMPLES}
    assert {"examples/adtech-exchange/.readiness.yml", "examples/ready-service/.readiness.yml"} <= names
    assert sum(accepted(text) for _name, text in EXAMPLES) >= 4


@pytest.mark.parametrize(("name", "text"), EXAMPLES, ids=[name for name, _text in EXAMPLES])
def test_every_config_config_py_accepts_validates(name: str, text: str) -> None:
    errors = schema_errors(text)
    assert errors is not None, f"{name} is one YAML document"
    if accepted(text):
        assert errors == [], name
    # Other blocks of the docs (workflows, a central policy) are refused by both, or by neither.
    assert (errors == []) is shape_accepted(text), (name, errors)


@pytest.mark.parametrize(
    "text",
    [
        "project: x\nwaivres: []\n",  # an unknown key
        "disable:\n  category: [compliance]\n",  # an unknown nested key
        "traffic:\n  expected_peak_rps: 100\n  p50_latency_ms: 10\n",
        "waivers:\n  - check: reliability/readiness-probe\n    reason: r\n    owner: o\n"
        "    expires: 2027-01-31\n    until: 2028-01-01\n",
        "checkpoint:\n  file: x.md\n",
        "project: 5\n",  # wrong types
        "project: two words\n",
        "exclude: third_party/**\n",
        "allow_waivers: 'yes'\n",
        "traffic:\n  expected_peak_rps: lots\n",
        "traffic:\n  p99_latency_ms: 0\n",
        "kill_switches: ['']\n",
        "severity:\n  reliability/readiness-probe: critical\n",  # values outside the enums
        "disable:\n  categories: [speed]\n",
        "waivers:\n  - check: reliability/readiness-probe\n    reason: r\n    owner: o\n",  # required
        "waivers:\n  - check: reliability/readiness-probe\n    reason: r\n    owner: o\n    expires: soon\n",
        "vulnerabilities:\n  osv_url: ftp://osv.internal/v1/query\n",
        "vulnerabilities:\n  max_age_hours: 10000\n",
        "checkpoint:\n  path: ''\n",
    ],
)
def test_configs_config_py_rejects_for_their_shape_the_schema_rejects(text: str) -> None:
    assert not accepted(text) and not shape_accepted(text)
    errors = schema_errors(text)
    assert errors, text
