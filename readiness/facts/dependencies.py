"""Declared dependencies: the manifests of the repository, parsed once, for every reader.

Which files say what gets installed (lock files, requirements files, pyproject.toml where
neither exists) and what they pin; the scanners audit them, the checks report what is unpinned.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from readiness.parsers.python_manifests import (
    LOCK_FILES,
    PythonManifest,
    is_requirements_file,
    parse_pipfile_lock,
    parse_pyproject,
    parse_requirements,
    parse_toml_lock,
)
from readiness.repo import Repo


def manifest_paths(repo: Repo) -> tuple[list[str], list[str]]:
    """(install manifests, pyproject files superseded by a lock or requirements file beside them)."""
    locks = repo.named(*LOCK_FILES)
    requirements = [path for path in repo.paths if is_requirements_file(path)]
    pinned_dirs = {_project_dir(path) for path in [*locks, *requirements]}
    chosen: list[str] = [*locks, *requirements]
    superseded: list[str] = []
    for path in repo.named("pyproject.toml"):
        (superseded if _project_dir(path) in pinned_dirs else chosen).append(path)
    return sorted(chosen), sorted(superseded)


def _project_dir(path: str) -> str:
    parent = PurePosixPath(path).parent
    return (parent.parent if parent.name == "requirements" else parent).as_posix()


def read_manifest(repo: Repo, path: str) -> PythonManifest:
    name = PurePosixPath(path).name
    text = repo.text(path)
    if name == "pyproject.toml":
        return parse_pyproject(path, text)
    if name == "Pipfile.lock":
        return parse_pipfile_lock(path, text)
    if name in LOCK_FILES:
        return parse_toml_lock(path, text)
    return parse_requirements(path, text)


def manifests(repo: Repo) -> list[PythonManifest]:
    """Every install manifest, parsed; pyproject files with nothing to install are left out."""
    chosen, _ = manifest_paths(repo)
    parsed = [read_manifest(repo, path) for path in chosen]
    return [m for m in parsed if m.requirements or m.problems or m.kind != "pyproject"]


# ---- requirements files ---------------------------------------------------------------------
