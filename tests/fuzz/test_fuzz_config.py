"""`.readiness.yml` (readiness.config.load and parse): a Config or a ConfigError, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readiness import config
from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_config


@fuzz_settings(150)
@given(s.config_text())
def test_policy_text_parses_or_is_a_config_error(text: str) -> None:
    run_config(text)


@fuzz_settings(50)
@given(st.one_of(s.raw_bytes(), s.config_text().map(lambda text: text.encode("utf-8", "surrogatepass"))))
def test_policy_file_bytes_load_or_are_a_config_error(data: bytes) -> None:
    run_config(data)


# Found by the fuzzer: an explicit timestamp that is no date raised AttributeError out of the YAML
# loader (and so out of config.parse), a hex int without digits ValueError.
def test_an_explicit_timestamp_is_text_and_validated_as_such() -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.parse("(: !!timestamp (", config.DEFAULT_FILE, project_default="p", known_checks=set())
    assert (raised.value.file, raised.value.line, raised.value.key) == (".readiness.yml", 1, "(")
    assert raised.value.message.startswith("unknown key")


def test_a_hex_int_without_digits_is_a_config_error_at_its_line() -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.parse(
            "project: x\nexclude: [0x_]\n", config.DEFAULT_FILE, project_default="p", known_checks=set()
        )
    assert str(raised.value) == ".readiness.yml:2: invalid YAML: '0x_' is not a valid int"
