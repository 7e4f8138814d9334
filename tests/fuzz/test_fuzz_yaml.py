"""YAML with line tracking (readiness.parsers.yaml_lines.load_all): documents and at most one
located YamlError, never an exception, whatever the text."""

from __future__ import annotations

import pytest
from hypothesis import given

from readiness.parsers.yaml_lines import YamlError, load_all
from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_yaml


@fuzz_settings(150)
@given(s.yaml_text())
def test_yaml_loads_or_reports_a_located_error(text: str) -> None:
    run_yaml(text)


# Found by the fuzzer: PyYAML's int, float and bool constructors raised ValueError, IndexError or
# KeyError on a scalar that does not fit its tag, and its timestamp constructor an AttributeError.
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 0x_", "'0x_' is not a valid int"),  # an int by the implicit resolver, int("", 16)
        ("a: 0b_", "'0b_' is not a valid int"),
        ("a: !!int abc", "'abc' is not a valid int"),
        ("a: !!int", "'' is not a valid int"),
        ("a: !!float abc", "'abc' is not a valid float"),
        ("\nb: !!bool maybe", "'maybe' is not a valid bool"),
    ],
)
def test_a_scalar_that_does_not_fit_its_tag_is_a_yaml_error_at_its_line(text: str, message: str) -> None:
    documents, error = load_all(text)
    assert documents == []
    assert error == YamlError(message, text.count("\n") + 1)


def test_an_explicit_timestamp_stays_text() -> None:
    documents, error = load_all("(: !!timestamp (\nwhen: !!timestamp 2024-01-01\n")
    assert error is None
    assert documents == [{"(": "(", "when": "2024-01-01"}]


def test_well_formed_tagged_scalars_still_load() -> None:
    documents, error = load_all("a: 0x1f\nb: !!float 1.5\nc: !!bool yes\nd: !!int '7'\n")
    assert error is None
    assert documents == [{"a": 31, "b": 1.5, "c": True, "d": 7}]
