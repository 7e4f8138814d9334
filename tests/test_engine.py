from pathlib import Path

import pytest

from readiness import registry, seed
from readiness.config import Config
from readiness.context import CheckContext
from readiness.engine import ScanRequest, assess
from readiness.model import Category, CheckResult, Light, Outcome, Severity
from readiness.registry import CheckSpec
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


def test_a_missing_scanner_is_not_assessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register(monkeypatch, "load-validation/zz-scanner", lambda ctx: CheckResult.passed("fine"), ("semgrep",))
    check = scan(tmp_path)["load-validation/zz-scanner"]
    assert check.outcome is Outcome.NOT_ASSESSED  # type: ignore[attr-defined]
    assert check.summary == "scanner not available: semgrep"  # type: ignore[attr-defined]
    check = scan(tmp_path, scanner_results={"semgrep": []})["load-validation/zz-scanner"]
    assert check.outcome is Outcome.PASS  # type: ignore[attr-defined]


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
