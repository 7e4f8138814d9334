"""In a Git checkout the scan reads the repository's files: what Git tracks, whatever the
checked-out `.gitignore` says (a pull request can write one), plus untracked files no ignore
rule matches. Git itself must not run anything the tree configures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from readiness import config as config_module
from readiness import registry
from readiness.engine import ScanRequest, assess, load_catalogue
from readiness.model import Category, Verdict
from readiness.repo import Repo, git_files
from tests.support import commit_all, git, write_tree


def committed(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "tree")
    return root


def test_a_gitignore_does_not_hide_tracked_files(tmp_path: Path) -> None:
    root = committed(tmp_path / "repo", {"svc/main.go": "package main\n", "deploy/app.yaml": "a: 1\n"})
    # What a pull request would commit on top: ignore everything.
    write_tree(root, {".gitignore": "*\n", "local.env": "TOKEN=x\n", "notes.md": "untracked\n"})
    repo = Repo(root)
    assert repo.listing == "git"
    assert repo.paths == ("deploy/app.yaml", "svc/main.go")  # untracked and ignored: not read


def test_untracked_files_are_read_unless_ignored(tmp_path: Path) -> None:
    root = committed(tmp_path / "repo", {".gitignore": "*.log\n", "svc/main.go": "package main\n"})
    write_tree(root, {"svc/new.go": "package main\n", "debug.log": "x\n"})
    assert Repo(root).paths == (".gitignore", "svc/main.go", "svc/new.go")


def test_without_git_metadata_the_directory_is_walked(tmp_path: Path) -> None:
    files = {".gitignore": "build/\n", "build/x.yaml": "a: 1\n", "a.go": "x\n"}
    root = write_tree(tmp_path / "export", files)
    repo = Repo(root)
    assert (repo.listing, repo.paths) == ("walk", (".gitignore", "a.go"))


def test_a_subdirectory_of_a_checkout_lists_its_own_files(tmp_path: Path) -> None:
    root = committed(tmp_path / "mono", {"a/main.go": "package a\n", "b/main.go": "package b\n"})
    assert Repo(root / "b").paths == ("main.go",)


def test_tracked_files_in_dependency_folders_and_submodules_are_not_scanned(tmp_path: Path) -> None:
    root = committed(tmp_path / "repo", {"main.go": "x\n", "node_modules/x/index.js": "x\n"})
    nested = committed(root / "lib", {"lib.go": "x\n"})
    git(root, "add", str(nested.relative_to(root)))
    git(root, "commit", "-q", "-m", "gitlink")
    repo = Repo(root)
    assert repo.paths == ("main.go",)
    assert repo.skipped == {"lib": "a submodule or nested repository (not scanned)"}


def test_git_runs_no_hook_the_checkout_configures(tmp_path: Path) -> None:
    root = committed(tmp_path / "repo", {"main.go": "x\n"})
    canary = tmp_path / "pwned"
    hook = root / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {canary}\n")
    hook.chmod(0o755)
    git(root, "config", "core.fsmonitor", str(hook))
    git(root, "config", "core.pager", f"{hook} #")
    assert git_files(root) is not None
    assert not canary.exists()


def test_excluded_files_are_counted(tmp_path: Path) -> None:
    root = committed(
        tmp_path / "repo",
        {"svc/main.go": "x\n", "third_party/a.go": "x\n", "third_party/b.go": "x\n", "vendor/c.go": "x\n"},
    )
    repo = Repo(root, exclude=["third_party/"], ignore=["vendor/"])
    assert repo.paths == ("svc/main.go",)
    assert repo.excluded == ["third_party/a.go", "third_party/b.go"]  # ignore= is the tool's own
    walked = Repo(write_tree(tmp_path / "plain", {"x/a.go": "x\n", "b.go": "x\n"}), exclude=["x/"])
    assert (walked.paths, walked.excluded) == (("b.go",), ["x/a.go"])


def _scan(root: Path, text: str) -> tuple[Verdict, str, str]:
    load_catalogue()
    policy = config_module.parse(
        text, ".readiness.yml", project_default="svc", known_checks=registry.known_ids()
    )
    assessment = assess(
        ScanRequest(
            root=root, config=policy, categories=frozenset({Category.COMPLIANCE}), today=dt.date(2026, 12, 3)
        )
    )
    return assessment.verdict, assessment.justification, assessment.repo.excluded_note


@pytest.fixture
def service(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "svc",
        {
            "README.md": "# svc\n",
            **{f"internal/pkg{i}/code.go": "package pkg\n" for i in range(6)},
            "cmd/main.go": "package main\n",
            "internal/pkg0/code_test.go": "package pkg\n",
        },
    )


def test_excluding_most_of_the_production_code_is_no_go(service: Path) -> None:
    verdict, why, note = _scan(service, 'exclude: ["internal/"]\n')
    assert verdict is Verdict.NO_GO
    assert why == (
        "No-Go (scope): `exclude` in .readiness.yml removes 6 of 8 production files (75%) from the scan; "
        "a gate that does not look at most of the code cannot say Go (the gating policy may allow it "
        "with allow_wide_exclude: true)."
    )
    assert note == "7 file(s) excluded by `exclude` in .readiness.yml"


def test_a_narrow_exclude_or_an_allowed_wide_one_only_counts(service: Path) -> None:
    _, why, note = _scan(service, 'exclude: ["internal/pkg1/"]\n')
    assert not why.startswith("No-Go (scope)")
    assert note == "1 file(s) excluded by `exclude` in .readiness.yml"
    _, why, note = _scan(service, 'exclude: ["internal/"]\nallow_wide_exclude: true\n')
    assert not why.startswith("No-Go (scope)")
    assert note == "7 file(s) excluded by `exclude` in .readiness.yml"


def test_a_checkout_git_cannot_list_is_walked_without_its_gitignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = committed(tmp_path / "repo", {"svc/main.go": "package main\n"})
    write_tree(root, {".gitignore": "svc/\n"})
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    repo = Repo(root)
    assert (repo.listing, repo.paths) == ("walk", (".gitignore", "svc/main.go"))
