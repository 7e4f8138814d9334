"""Artifact names: valid, stable per branch, unique per upload within a run; retention capped."""

from __future__ import annotations

import pytest

from readiness.github.artifacts import names


@pytest.mark.parametrize(
    ("branch", "slug"),
    [
        ("main", "main"),
        ("refs/heads/main", "main"),
        ("Feature/Login-2", "feature-login-2"),
        ("release/1.2", "release-1.2"),
        ("dependabot/npm_and_yarn/lodash-4.17.21", "dependabot-npm_and_yarn-lodash-4.17.21"),
        ('we:ird"<name>|*?\\', "we-ird-name"),
        ("émoji-🚀-branch", "moji-branch"),
        ("///", "unnamed"),
    ],
)
def test_branch_slugs(branch: str, slug: str) -> None:
    assert names.branch_slug(branch) == slug


def test_long_branch_names_are_cut_but_stay_distinct() -> None:
    a, b = names.branch_slug("x" * 300 + "a"), names.branch_slug("x" * 300 + "b")
    assert len(a) == len(b) == names.MAX_SLUG
    assert a != b
    assert names.branch_slug("x" * 300 + "a") == a  # stable


def test_upload_names_are_valid_and_unique_per_completed_count() -> None:
    assert names.upload_name("feature/x", 3) == "readiness-checkpoint-feature-x-c3"
    assert names.valid_name(names.upload_name('a:b"c', 1))
    with pytest.raises(ValueError):
        names.upload_name("main", 0)


def test_candidates_cover_every_upload_of_a_run_and_the_bare_prefix() -> None:
    wanted = names.candidate_names("main")
    assert wanted[0] == "readiness-checkpoint-main"
    assert wanted[1:] == [f"readiness-checkpoint-main-c{n}" for n in range(1, 9)]


@pytest.mark.parametrize(
    ("configured", "env", "days"),
    [
        (30, {"GITHUB_RETENTION_DAYS": "90"}, 30),
        (30, {"GITHUB_RETENTION_DAYS": "7"}, 7),
        (None, {"GITHUB_RETENTION_DAYS": "7"}, 7),
        (14, {}, 14),
        (None, {}, None),
        (14, {"GITHUB_RETENTION_DAYS": "junk"}, 14),
    ],
)
def test_retention_is_capped_by_the_repository_setting(
    configured: int | None, env: dict[str, str], days: int | None
) -> None:
    assert names.retention_days(configured, env) == days
