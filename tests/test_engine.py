from collections.abc import Sequence
from pathlib import Path

import pytest

from readiness import registry, seed
from readiness.config import Config
from readiness.context import CheckContext
from readiness.engine import ScanRequest, assess
from readiness.model import Category, CheckResult, Light, Outcome, Severity
from readiness.registry import CheckSpec
from readiness.repo import Repo
from readiness.scanners.base import Scanner, ScannerError
from tests.support import write_tree


def register(
    monkeypatch: pytest.MonkeyPatch, check_id: str, function: object, scanners: tuple[str, ...] = ()
) -> None:
    spec = CheckSpec(
        id=check_id,
        question=seed.SOAK,
        title=check_id,
        severity=Severity.RISK,
        rationale="r",
        looks_at="l",
        remediation="fix",
        example="",
        function=function,  # type: ignore[arg-type]
        scanners=scanners,
    )
    registry.all_checks()
    monkeypatch.setitem(registry._REGISTRY, check_id, spec)


def scan(root: Path, **kwargs: object) -> dict[str, object]:
    assessment = assess(
        ScanRequest(
            root=root, config=Config(project="p"), categories=frozenset({Category.LOAD_VALIDATION}), **kwargs
        )
    )  # type: ignore[arg-type]
    (category,) = assessment.categories
    return {"light": category.light, **{c.check_id: c for c in category.checks}}


def test_a_crashing_check_is_not_assessed_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(ctx: CheckContext) -> CheckResult:
        raise KeyError("spec")

    register(monkeypatch, "load-validation/zz-crash", crash)
    result = scan(tmp_path)
    check = result["load-validation/zz-crash"]
    assert check.outcome is Outcome.NOT_ASSESSED  # type: ignore[attr-defined]
    assert check.summary == "check crashed: KeyError: 'spec'"  # type: ignore[attr-defined]
    assert result["light"] is Light.AMBER


class FakeScanner(Scanner):
    """Stands in for a tool's adapter to exercise the engine's fail-closed handling of its states."""

    name = "fake"

    def __init__(self, version: str | None, inputs: list[str], error: str | None = None) -> None:
        self._fake_version, self._inputs, self._error = version, inputs, error
        self.runs = 0

    def detect_version(self) -> str | None:
        return self._fake_version

    def inputs(self, repo: Repo) -> list[str]:
        return self._inputs

    def scan(self, repo: Repo, files: Sequence[str], timeout: float) -> tuple[object, str]:
        self.runs += 1
        if self._error:
            raise ScannerError(self._error)
        return ["data"], "1 thing"


class FactScanner(FakeScanner):
    empty_result = ()


@pytest.mark.parametrize(
    ("scanner", "outcome", "summary"),
    [
        (None, Outcome.NOT_ASSESSED, "scanner fake is not configured for this scan"),
        (FakeScanner(None, ["a.py"]), Outcome.NOT_ASSESSED, "fake: fake is not installed"),
        (
            FakeScanner("1.0", ["a.py"], "fake timed out after 5 s"),
            Outcome.NOT_ASSESSED,
            "fake: fake timed out after 5 s",
        ),
        (FakeScanner("1.0", []), Outcome.NOT_APPLICABLE, "fake: nothing to scan"),
        # A scanner of file facts with no file to read has its answer: nothing matched. The check
        # still runs (it reads other files too).
        (FactScanner("1.0", []), Outcome.PASS, "saw ()"),
        (FakeScanner("1.0", ["a.py"]), Outcome.PASS, "saw ['data']"),
    ],
)
def test_scanner_states_decide_the_checks_that_need_them(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scanner: FakeScanner | None,
    outcome: Outcome,
    summary: str,
) -> None:
    register(
        monkeypatch,
        "load-validation/zz-scanner",
        lambda ctx: CheckResult.passed(f"saw {ctx.scanner_results['fake']}"),
        ("fake",),
    )
    check = scan(tmp_path, scanners=[scanner] if scanner else [])["load-validation/zz-scanner"]
    assert (check.outcome, check.summary) == (outcome, summary)  # type: ignore[attr-defined]


def test_scanners_run_once_and_only_when_a_category_needs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch, "load-validation/zz-scanner", lambda ctx: CheckResult.passed("ok"), ("fake",))
    register(monkeypatch, "load-validation/zz-scanner-too", lambda ctx: CheckResult.passed("ok"), ("fake",))
    scanner = FakeScanner("1.0", ["a.py"])
    assessment = assess(
        ScanRequest(
            root=tmp_path,
            config=Config(project="p"),
            scanners=[scanner],
            categories=frozenset({Category.LOAD_VALIDATION}),
        )
    )
    assert scanner.runs == 1
    assert [(s.name, s.version, s.status) for s in assessment.scanners] == [("fake", "1.0", "ok")]
    unused = FakeScanner("1.0", ["a.py"])
    assess(
        ScanRequest(
            root=tmp_path,
            config=Config(project="p"),
            scanners=[unused],
            categories=frozenset({Category.RELIABILITY}),
        )
    )
    assert unused.runs == 0


def test_an_unparsable_input_turns_a_pass_into_not_assessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"deploy/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec: [\n"})

    def reads_manifests(ctx: CheckContext) -> CheckResult:
        ctx.repo.k8s_objects()
        return CheckResult.passed("nothing wrong in what could be read")

    register(monkeypatch, "load-validation/zz-parse", reads_manifests)
    check = scan(tmp_path)["load-validation/zz-parse"]
    assert check.outcome is Outcome.NOT_ASSESSED  # type: ignore[attr-defined]
    assert check.summary.startswith("input could not be parsed: deploy/web.yaml:")  # type: ignore[attr-defined]


def test_disabled_checks_stay_visible(tmp_path: Path) -> None:
    config = Config(project="p", disabled_checks=frozenset({"reliability/readiness-probe"}))
    assessment = assess(
        ScanRequest(root=tmp_path, config=config, categories=frozenset({Category.RELIABILITY}))
    )
    (probe,) = [c for c in assessment.categories[0].checks if c.check_id == "reliability/readiness-probe"]
    assert probe.disabled and probe.summary == "disabled in the configuration"


def test_disabled_categories_are_skipped_with_a_warning(tmp_path: Path) -> None:
    config = Config(project="p", disabled_categories=frozenset({Category.COMPLIANCE}))
    assessment = assess(ScanRequest(root=tmp_path, config=config))
    assert Category.COMPLIANCE not in [c.category for c in assessment.categories]
    assert "category Compliance & legal is disabled in the configuration" in assessment.warnings


def test_advisory_results_expire_from_checkpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import json

    register(monkeypatch, "load-validation/zz-advisories", lambda ctx: CheckResult.passed("ok"), ("fake",))
    scanner = FakeScanner("1.0", ["a.py"])
    scanner.advisory_data = True
    checkpoint = tmp_path / "cp" / "p.md"  # outside the scanned tree, as the CLI arranges
    (tmp_path / "repo").mkdir()
    request = ScanRequest(
        root=tmp_path / "repo",
        config=Config(project="p"),
        scanners=[scanner],
        resume=True,
        checkpoint_path=checkpoint,
        categories=frozenset({Category.LOAD_VALIDATION}),
    )
    assess(request)
    assert assess(request).categories[0].reused and scanner.runs == 1

    state = json.loads(checkpoint.with_suffix(".json").read_text())
    day_old = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)).replace(microsecond=0).isoformat()
    state["categories"]["load-validation"]["completed_at"] = day_old
    checkpoint.with_suffix(".json").write_text(json.dumps(state))
    assert not assess(request).categories[0].reused and scanner.runs == 2
