import datetime as dt

from readiness import policy, registry
from readiness.config import Config
from readiness.model import CheckResult, Evidence, Failure, Severity, Waiver

SPEC = registry.get("reliability/readiness-probe")
TODAY = dt.date(2026, 11, 27)
FAILURE = Failure("no probe", (Evidence("deploy/bidder.yaml", 12),))
RESULT = CheckResult.failed([FAILURE])


def waiver(expires: dt.date, paths: tuple[str, ...] = ()) -> Waiver:
    return Waiver(SPEC.id, "accepted until the migration", "@sre", expires, paths)


def test_default_severity_comes_from_the_check() -> None:
    (finding,) = policy.apply(SPEC, RESULT, Config(project="p"), TODAY).findings
    assert finding.severity is Severity.BLOCKER and not finding.waived


def test_config_overrides_severity() -> None:
    config = Config(project="p", severity={SPEC.id: Severity.RECOMMENDATION})
    (finding,) = policy.apply(SPEC, RESULT, config, TODAY).findings
    assert finding.severity is Severity.RECOMMENDATION


def test_live_waiver_waives_and_stays_visible() -> None:
    live = waiver(TODAY)  # expires today: still valid today
    (finding,) = policy.apply(SPEC, RESULT, Config(project="p", waivers=(live,)), TODAY).findings
    assert finding.waived_by == live
    assert finding.message == "no probe"


def test_expired_waiver_stops_waiving_and_is_reported() -> None:
    old = waiver(TODAY - dt.timedelta(days=1))
    (finding,) = policy.apply(SPEC, RESULT, Config(project="p", waivers=(old,)), TODAY).findings
    assert not finding.waived
    assert finding.expired_waiver == old


def test_waiver_paths_must_cover_the_evidence() -> None:
    elsewhere = waiver(TODAY, ("deploy/redis/**",))
    here = waiver(TODAY, ("deploy/*.yaml",))
    (finding,) = policy.apply(SPEC, RESULT, Config(project="p", waivers=(elsewhere,)), TODAY).findings
    assert not finding.waived
    (finding,) = policy.apply(SPEC, RESULT, Config(project="p", waivers=(here,)), TODAY).findings
    assert finding.waived


def test_path_scoped_waiver_never_covers_absence() -> None:
    absent = CheckResult.failed([Failure("no runbooks", (Evidence.absent("no file matching runbooks/**"),))])
    scoped = waiver(TODAY, ("**",))
    (finding,) = policy.apply(SPEC, absent, Config(project="p", waivers=(scoped,)), TODAY).findings
    assert not finding.waived


def test_forbidden_waivers_do_not_apply() -> None:
    config = Config(project="p", waivers=(waiver(TODAY),), allow_waivers=False)
    (finding,) = policy.apply(SPEC, RESULT, config, TODAY).findings
    assert not finding.waived


def test_findings_only_in_test_paths_are_downgraded_not_hidden() -> None:
    in_tests = CheckResult.failed([Failure("no probe", (Evidence("tests/fixtures/web.yaml", 3),))])
    (finding,) = policy.apply(SPEC, in_tests, Config(project="p"), TODAY).findings
    assert finding.severity is Severity.RECOMMENDATION
    assert finding.message == "no probe (in a test or example path, so reported as a recommendation)"
    mixed = CheckResult.failed([Failure("x", (Evidence("tests/a.yaml", 1), Evidence("deploy/b.yaml", 1)))])
    (finding,) = policy.apply(SPEC, mixed, Config(project="p"), TODAY).findings
    assert finding.severity is Severity.BLOCKER
    # The language conventions always apply; the policy's test_paths add the project's own.
    (finding,) = policy.apply(SPEC, in_tests, Config(project="p", test_paths=()), TODAY).findings
    assert finding.severity is Severity.RECOMMENDATION
    in_qa = CheckResult.failed([Failure("no probe", (Evidence("qa/web.yaml", 3),))])
    (finding,) = policy.apply(SPEC, in_qa, Config(project="p", test_paths=()), TODAY).findings
    assert finding.severity is Severity.BLOCKER
    (finding,) = policy.apply(SPEC, in_qa, Config(project="p", test_paths=("qa/",)), TODAY).findings
    assert finding.severity is Severity.RECOMMENDATION
