"""The central policy: floors a repository's configuration may tighten and never loosen, each
loosening undone and listed with the rule it broke."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from readiness import central_policy, engine, policy, registry
from readiness.central_policy import CentralPolicy
from readiness.config import Config, ConfigError
from readiness.config import parse as parse_config
from readiness.model import Category, CheckResult, Evidence, Failure, Severity, Waiver

TODAY = dt.date(2026, 12, 3)
SECRETS = "security/no-hardcoded-secrets"


@pytest.fixture(autouse=True, scope="module")
def _catalogue() -> None:
    engine.load_catalogue()


def central(text: str) -> CentralPolicy:
    return central_policy.parse(text, "platform/policy.yml", known_checks=registry.known_ids())


def repository(text: str) -> Config:
    return parse_config(text, ".readiness.yml", project_default="svc", known_checks=registry.known_ids())


WAIVED = f"""
waivers:
  - check: {SECRETS}
    reason: the key in the fixture is fake
    owner: "@svc-team"
    expires: 2027-01-31
  - check: operational-readiness/codeowners
    reason: catalogue tracks ownership
    owner: "@svc-team"
    expires: 2027-12-31
"""


def test_a_required_check_cannot_be_waived() -> None:
    floors = central(f"required_checks: [{SECRETS}]\n")
    enforced, broken = central_policy.enforce(repository(WAIVED), floors, TODAY)
    assert [w.check for w in enforced.waivers] == ["operational-readiness/codeowners"]
    assert broken == [
        f".readiness.yml waives `{SECRETS}` until 2027-01-31: not applied "
        "(central policy platform/policy.yml, `required_checks`)"
    ]
    # And the finding it would have waived stays a blocker.
    spec = registry.get(SECRETS)
    failure = Failure("AWS key", (Evidence("app/settings.py", 3),))
    (finding,) = policy.apply(spec, CheckResult.failed([failure]), enforced, TODAY).findings
    assert (finding.severity, finding.waived) == (Severity.BLOCKER, False)


def test_no_waivers_longer_than_allowed_or_by_unlisted_owners() -> None:
    floors = central('max_waiver_days: 90\nwaiver_owners: ["@platform"]\n')
    _, broken = central_policy.enforce(repository(WAIVED), floors, TODAY)
    assert broken == [
        f".readiness.yml waives `{SECRETS}` until 2027-01-31: not applied "
        "(central policy platform/policy.yml, `waiver_owners`)",
        ".readiness.yml waives `operational-readiness/codeowners` until 2027-12-31: not applied "
        "(central policy platform/policy.yml, `max_waiver_days: 90`)",
    ]
    enforced, _ = central_policy.enforce(repository(WAIVED), central("allow_waivers: false\n"), TODAY)
    assert (enforced.waivers, enforced.allow_waivers) == ((), False)


def test_disabling_and_lowering_below_the_floors_is_undone() -> None:
    floors = central(
        "required_categories: [security]\n"
        'required_checks: ["reliability/*"]\n'
        "minimum_severity: {operational-readiness/codeowners: risk}\n"
    )
    config = repository(
        "disable:\n  categories: [security, compliance]\n  checks: [reliability/graceful-shutdown]\n"
        "severity:\n  operational-readiness/codeowners: recommendation\n"
        "  reliability/readiness-probe: risk\n"
    )
    enforced, broken = central_policy.enforce(config, floors, TODAY)
    assert enforced.disabled_categories == frozenset({Category.COMPLIANCE})
    assert enforced.disabled_checks == frozenset()
    assert enforced.severity == {"operational-readiness/codeowners": Severity.RISK}
    assert [line.split(": not applied")[0] for line in broken] == [
        ".readiness.yml disables the category `security`",
        ".readiness.yml disables `reliability/graceful-shutdown`",
        ".readiness.yml lowers `operational-readiness/codeowners` to recommendation",
        ".readiness.yml lowers `reliability/readiness-probe` to risk",
    ]


def test_a_minimum_above_the_default_raises_the_check() -> None:
    floors = central("minimum_severity: {operational-readiness/codeowners: blocker}\n")
    enforced, broken = central_policy.enforce(repository(""), floors, TODAY)
    assert enforced.severity == {"operational-readiness/codeowners": Severity.BLOCKER}
    assert broken == []


def test_tightening_is_kept_and_inline_suppressions_are_capped() -> None:
    config = repository(
        "allow_waivers: false\nallow_wide_exclude: true\n"
        "inline_suppressions: [observability/structured-logging, security/tls-verification]\n"
        "severity: {operational-readiness/codeowners: blocker}\n"
    )
    floors = central('inline_suppressions: ["observability/*"]\n')
    enforced, broken = central_policy.enforce(config, floors, TODAY)
    assert enforced.allow_waivers is False
    assert enforced.severity == {"operational-readiness/codeowners": Severity.BLOCKER}
    assert enforced.inline_suppressions == frozenset({"observability/structured-logging"})
    assert enforced.allow_wide_exclude is False
    assert [line.split(": not applied")[0] for line in broken] == [
        ".readiness.yml lets nosemgrep comments suppress `security/tls-verification`",
        ".readiness.yml allows `exclude` to remove most of the production files",
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "required_checks: [security/no-such-check]\n",
            "platform/policy.yml:1: required_checks[0]: unknown check id",
        ),
        ("max_waiver_days: 0\n", "platform/policy.yml:1: max_waiver_days: 0 is less than the minimum of 1"),
        (
            "allow_waiver: false\n",
            "platform/policy.yml:1: allow_waiver: unknown key; did you mean 'allow_waivers'?",
        ),
        (
            "minimum_severity:\n  security/x: high\n",
            "platform/policy.yml:2: minimum_severity.security/x: 'high'",
        ),
    ],
)
def test_a_malformed_central_policy_names_file_line_and_key(text: str, error: str) -> None:
    with pytest.raises(ConfigError) as raised:
        central(text)
    assert str(raised.value).startswith(error)


def test_a_central_policy_that_was_asked_for_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the central policy"):
        central_policy.load(tmp_path / "missing.yml", known_checks=registry.known_ids())


def test_waivers_are_dataclass_equal_after_enforcement() -> None:
    kept = Waiver("operational-readiness/codeowners", "r", "@platform", dt.date(2027, 1, 1))
    config = Config(project="p", waivers=(kept,))
    enforced, broken = central_policy.enforce(config, central('waiver_owners: ["@platform"]\n'), TODAY)
    assert (enforced.waivers, broken) == ((kept,), [])


def test_the_cli_applies_a_central_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from readiness import cli
    from tests.support import write_tree

    monkeypatch.chdir(tmp_path)
    root = write_tree(
        tmp_path / "svc",
        {
            ".readiness.yml": "disable:\n  categories: [security, compliance]\n",
            "app/settings.py": 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n',
        },
    )
    policy_file = write_tree(tmp_path / "platform", {"policy.yml": "required_categories: [security]\n"})
    argv = ["scan", str(root), "--no-checkpoint", "--categories", "security", "--json", "out.json"]
    assert cli.main([*argv, "--policy", str(policy_file / "policy.yml")]) == cli.EXIT_NO_GO
    err = capsys.readouterr().err
    assert (
        f"readiness: policy: {root}/.readiness.yml disables the category `security`: not applied "
        f"(central policy {policy_file}/policy.yml, `required_categories`)"
    ) in err
    assert cli.main([*argv, "--policy", str(tmp_path / "nowhere.yml")]) == cli.EXIT_USAGE
