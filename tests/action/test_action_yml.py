"""action.yml checked the way actionlint and the runner read it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
SOURCE = (ROOT / "readiness" / "action.py").read_text()


def test_metadata_required_by_the_runner_and_marketplace() -> None:
    assert set(ACTION) <= {"name", "description", "author", "branding", "inputs", "outputs", "runs"}
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert set(ACTION["branding"]) == {"icon", "color"}
    assert ACTION["branding"]["color"] in {
        "white",
        "yellow",
        "blue",
        "green",
        "orange",
        "red",
        "purple",
        "gray-dark",
    }


def test_inputs_are_described_with_string_defaults() -> None:
    inputs: dict[str, Any] = ACTION["inputs"]
    for name, spec in inputs.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name), name
        assert set(spec) <= {"description", "required", "default", "deprecationMessage"}, name
        assert spec["description"].strip(), name
        assert isinstance(spec.get("default", ""), str), f"{name}: defaults reach the container as strings"
    assert inputs["github-token"]["default"] == "${{ github.token }}"


def test_every_input_is_read_and_every_read_input_is_declared() -> None:
    inputs_source = SOURCE[SOURCE.index("class Inputs") : SOURCE.index("def main(")]
    read = set(re.findall(r'(?:get|choice)\("([a-z-]+)"', inputs_source))
    assert read == set(ACTION["inputs"])


def test_every_output_is_described_and_written() -> None:
    written = set(re.findall(r'^\s+"([a-z-]+)": ', SOURCE[SOURCE.index("write_outputs(") :], re.M))
    assert set(ACTION["outputs"]) <= written
    for spec in ACTION["outputs"].values():
        assert spec["description"].strip()
        assert "value" not in spec  # docker actions get outputs from GITHUB_OUTPUT, not expressions


def test_expressions_only_use_contexts_available_to_action_metadata() -> None:
    text = (ROOT / "action.yml").read_text()
    for expression in re.findall(r"\$\{\{(.*?)\}\}", text):
        assert expression.strip().split(".")[0] in {"github", "inputs", "env", "runner"}, expression
