"""The located YAML loader reads with libyaml when PyYAML has it, and bounds nesting either way."""

from __future__ import annotations

import yaml

from readiness.parsers import yaml_lines
from readiness.parsers.yaml_lines import YamlError, load_all


def test_libyaml_parses_when_pyyaml_was_built_with_it() -> None:
    assert yaml.__with_libyaml__
    assert issubclass(yaml_lines._Loader, yaml.CSafeLoader)


def test_deep_flow_nesting_is_a_located_error_for_either_bound() -> None:
    for depth in (300, 5000):  # ours (200), and deeper than libyaml's own (1000)
        documents, error = load_all("a: " + "[" * depth + "]" * depth + "\n")
        assert documents == []
        assert error is not None and error.message == "nesting deeper than 200 levels"
        assert error.line == 1


def test_lines_and_errors_are_as_before() -> None:
    documents, error = load_all("a: 1\nb:\n  - x\n  - y\n---\nc: [1, 2\n")
    # the second document is cut off: the error points past its last line, the first is kept
    assert error == YamlError("did not find expected ',' or ']'", 7)
    (first,) = documents
    assert first == {"a": 1, "b": ["x", "y"]}
    assert (first.line, first.line_of("b"), first["b"].line_of(1)) == (1, 2, 4)
