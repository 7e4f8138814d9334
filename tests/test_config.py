from pathlib import Path

import pytest

from readiness import config
from readiness.model import Category, Severity

KNOWN = {"reliability/readiness-probe", "disaster-recovery/runbooks"}


def parse(text: str) -> config.Config:
    return config.parse(text, ".readiness.yml", project_default="svc", known_checks=KNOWN)


def error_of(text: str) -> config.ConfigError:
    with pytest.raises(config.ConfigError) as caught:
        parse(text)
    return caught.value


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = config.load(tmp_path, known_checks=KNOWN)
    assert loaded.project == tmp_path.name and loaded.source is None
    assert loaded.checkpoint_file() == f".claude/checkpoints/{tmp_path.name}-production-readiness.md"


def test_full_config_parses() -> None:
    loaded = parse(
        """\
project: bidder
exclude: ["third_party/**"]
disable:
  categories: [compliance]
  checks: [disaster-recovery/runbooks]
severity:
  reliability/readiness-probe: risk
traffic:
  expected_peak_rps: 5000
  p99_latency_ms: 120
waivers:
  - check: reliability/readiness-probe
    paths: ["deploy/**"]
    reason: migration
    owner: "@sre"
    expires: 2027-01-31
checkpoint:
  path: out/{project}.md
"""
    )
    assert loaded.project == "bidder"
    assert loaded.disabled_categories == {Category.COMPLIANCE}
    assert loaded.severity == {"reliability/readiness-probe": Severity.RISK}
    assert loaded.traffic.expected_peak_rps == 5000
    assert loaded.waivers[0].expires.isoformat() == "2027-01-31"
    assert loaded.checkpoint_file() == "out/bidder.md"


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [
        ("project: x\nwaivres: []\n", 2, "waivres", "did you mean 'waivers'?"),
        (
            "severity:\n  reliability/readiness-probe: critical\n",
            2,
            "severity.reliability/readiness-probe",
            "'critical' is not one of blocker, risk, recommendation",
        ),
        (
            "waivers:\n  - check: reliability/readiness-probe\n    reason: r\n    owner: o\n",
            2,
            "waivers[0].expires",
            "required key is missing",
        ),
        (
            "waivers:\n  - check: reliability/readiness-probe\n    reason: r\n    owner: o\n"
            "    expires: soon\n",
            5,
            "waivers[0].expires",
            "'soon' is not a date",
        ),
        (
            "severity:\n  reliability/readiness-prob: risk\n",
            2,
            "severity.reliability/readiness-prob",
            "did you mean 'reliability/readiness-probe'?",
        ),
        ("traffic:\n  expected_peak_rps: -3\n", 2, "traffic.expected_peak_rps", "-3"),
        ("disable:\n  categories: [speed]\n", 2, "disable.categories[0]", "'speed' is not one of"),
        (
            "allow_waivers: false\nwaivers:\n  - {check: reliability/readiness-probe, reason: r, owner: o,"
            " expires: 2027-01-01}\n",
            2,
            "waivers",
            "allow_waivers is false",
        ),
    ],
)
def test_errors_name_file_line_and_key(text: str, line: int, key: str, message: str) -> None:
    error = error_of(text)
    assert (error.file, error.line, error.key) == (".readiness.yml", line, key)
    assert message in error.message
    assert str(error).startswith(f".readiness.yml:{line}: {key}: ")


def test_invalid_yaml_names_the_line() -> None:
    error = error_of("project: x\ntraffic: [1,\n")
    assert error.line == 3 and "invalid YAML" in error.message


def test_top_level_must_be_a_mapping() -> None:
    assert "mapping" in error_of("- a\n- b\n").message


def test_kill_switches_test_paths_and_vulnerability_sources() -> None:
    loaded = parse(
        "kill_switches: [idr_enabled]\ntest_paths: [qa/]\n"
        "vulnerabilities: {osv_url: 'http://127.0.0.1:8080/v1/query', go_db: /srv/govulndb}\n"
    )
    assert loaded.kill_switches == ("idr_enabled",)
    assert loaded.test_paths == ("qa/",)
    assert loaded.vulnerabilities.osv_url == "http://127.0.0.1:8080/v1/query"
    assert loaded.vulnerabilities.max_age_hours == 24
    assert "tests/" in parse("project: x\n").test_paths
    error = error_of("vulnerabilities:\n  osv_url: ftp://x\n")
    assert (error.line, error.key) == (2, "vulnerabilities.osv_url")


def test_starter_config_is_valid() -> None:
    loaded = config.parse(config.STARTER, "starter", project_default="svc", known_checks=KNOWN)
    assert loaded.traffic.p99_latency_ms == 100


def test_digest_changes_with_policy() -> None:
    assert parse("project: a\n").digest() != parse("project: a\nallow_waivers: false\n").digest()
    assert parse("project: a\n").digest() == parse("project: a\n").digest()
