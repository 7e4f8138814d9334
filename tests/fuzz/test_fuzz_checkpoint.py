"""Checkpoint JSON (readiness.checkpoint): ``parse`` returns the states or raises CheckpointError;
``load`` returns states and warnings, never raises, signed documents included (a signature says
who wrote a document, not that its shape is right)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from readiness import checkpoint
from readiness.model import Category, Outcome
from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_checkpoint_load, run_checkpoint_parse


@fuzz_settings(150)
@given(s.checkpoint_bytes())
def test_unauthenticated_state_parses_or_is_a_checkpoint_error(data: bytes) -> None:
    run_checkpoint_parse(data)


@fuzz_settings(100)
@given(s.checkpoint_values())
def test_signed_state_of_any_shape_loads_or_is_ignored_with_a_warning(value: Any) -> None:
    run_checkpoint_load(value)


def test_the_generators_start_from_a_checkpoint_that_parses() -> None:
    states = checkpoint.parse(json.dumps(s.checkpoint_document()).encode(), s.PROJECT)
    assert set(states) == {Category.SECURITY, Category.DISASTER_RECOVERY}
    assert states[Category.SECURITY].results["x/fail"].outcome is Outcome.FAIL


def _with(path: tuple[str, ...], value: Any) -> bytes:
    document = copy.deepcopy(s.checkpoint_document())
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(document).encode()


_SECURITY = ("categories", "security")
_PASS = (*_SECURITY, "results", "x/pass")
_FAIL = (*_SECURITY, "results", "x/fail")


# Found by the fuzzer (AttributeError, TypeError and KeyError from inside the parser, which its
# error handling then had to list): each wrong type is now named.
@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("categories",), ["security"], "categories is not an object"),
        (_SECURITY, [], "category security is not an object"),
        ((*_SECURITY, "results"), [], "category security: results is not an object"),
        ((*_SECURITY, "fingerprint"), {"a": 1}, "category security: fingerprint is not a string"),
        ((*_SECURITY, "light"), None, "category security: light is not a string"),
        (_PASS, "pass", "check result is not an object"),
        ((*_PASS, "failures"), {}, "check result failures is not a list"),
        ((*_PASS, "evidence"), [[]], "evidence is not an object"),
        ((*_PASS, "summary"), ["s"], "check result: summary is not a string"),
        ((*_FAIL, "failures"), [["m"]], "failure is not an object"),
        ((*_FAIL, "failures", 0, "message"), None, "failure: message is not a string"),
        ((*_FAIL, "failures", 0, "evidence"), "a", "evidence is not a list"),
        ((*_SECURITY, "answers", 0, "question"), [], "category security: answer to an unknown question"),
        ((*_SECURITY, "answers", 0, "reasoning"), 5, "an answer's question and reasoning must be strings"),
        ((*_SECURITY, "answers", 0, "answer"), ["yes"], "\"['yes']\" is not a valid Answer"),
    ],
)
def test_a_member_of_the_wrong_type_is_a_checkpoint_error(
    path: tuple[str, ...], value: Any, message: str
) -> None:
    with pytest.raises(checkpoint.CheckpointError) as raised:
        checkpoint.parse(_with(path, value), s.PROJECT)
    assert str(raised.value) == message


def test_json_nested_deeper_than_the_recursion_limit_is_a_checkpoint_error() -> None:
    # json.loads raised RecursionError, which is no ValueError, out of parse() and load().
    with pytest.raises(checkpoint.CheckpointError, match=r"^nested too deeply to be a checkpoint$"):
        checkpoint.parse(b"[" * 100_000, s.PROJECT)


def test_load_ignores_deeply_nested_json_with_a_warning(tmp_path: Path) -> None:
    markdown = tmp_path / "tree" / "cp.md"
    markdown.parent.mkdir()
    checkpoint.json_path_for(markdown).write_text("[" * 100_000, encoding="utf-8")
    states, warnings = checkpoint.load(markdown, s.PROJECT, root=markdown.parent)
    assert states == {}
    assert warnings == [
        f"ignoring checkpoint {checkpoint.json_path_for(markdown)}: nested too deeply to be a checkpoint"
    ]


def test_load_ignores_a_signed_checkpoint_of_the_wrong_shape_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    markdown = root / "cp.md"
    signed = checkpoint.sign(_with(_SECURITY, []), checkpoint.state_key(root))
    checkpoint.json_path_for(markdown).write_bytes(signed)
    states, warnings = checkpoint.load(markdown, s.PROJECT, root=root)
    assert states == {}
    assert warnings == [
        f"ignoring checkpoint {checkpoint.json_path_for(markdown)}: category security is not an object"
    ]
