"""What "doesn't crash" means for each parser of untrusted input: the call, and the one error type
its module documents. A target's ``run`` returns normally when the parser parsed the input or
raised that error; anything else escapes (and is a crash), and so does a broken invariant (an
``AssertionError``: a result the callers can't use, such as a pin with a newline in its version).

Used by the property tests (tests/fuzz/test_fuzz_*.py) and by benchmarks/fuzz.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from readiness import checkpoint, config, registry
from readiness.context import CheckContext
from readiness.engine import load_catalogue
from readiness.facts import compose
from readiness.github.artifacts import archive
from readiness.model import CheckResult
from readiness.parsers import dockerfile, gomod, node_locks, python_manifests, yaml_lines
from readiness.repo import Repo
from readiness.results import MatchList
from tests.fuzz import strategies as s


@dataclass(frozen=True)
class Target:
    name: str
    strategy: Callable[[], st.SearchStrategy[Any]]
    run: Callable[[Any], None]
    weight: float = 1.0  # the share of benchmarks/fuzz.py's inputs, relative to the others


@functools.cache
def _known_checks() -> frozenset[str]:
    load_catalogue()
    return frozenset(registry.known_ids())


# ---- .readiness.yml: ConfigError --------------------------------------------------------------
def run_config(data: str | bytes) -> None:
    try:
        if isinstance(data, bytes):  # through the file reader: size, type and UTF-8 checks
            with tempfile.TemporaryDirectory(prefix="fuzz-config-") as work:
                (Path(work) / config.DEFAULT_FILE).write_bytes(data)
                config.load(Path(work), known_checks=set(_known_checks()))
        else:
            config.parse(
                data, config.DEFAULT_FILE, project_default="fuzzed", known_checks=set(_known_checks())
            )
    except config.ConfigError:
        pass


# ---- YAML with lines: (documents, YamlError | None), never raises -----------------------------
def run_yaml(text: str) -> None:
    documents, error = yaml_lines.load_all(text)
    assert isinstance(documents, list)
    assert error is None or (isinstance(error.line, int) and isinstance(error.message, str))


# ---- Dockerfiles: always a Dockerfile ----------------------------------------------------------
def run_dockerfile(text: str) -> None:
    parsed = dockerfile.parse("Dockerfile", text)
    for instruction in parsed.instructions:
        instruction.exec_form()
    parsed.final_stage()
    parsed.find("USER", final_stage_only=True)
    chain = dockerfile.stage_chain(parsed)
    for keyword in ("CMD", "ENTRYPOINT", "USER", "HEALTHCHECK"):
        dockerfile.nearest(chain, keyword)


# ---- go.mod: always a GoMod --------------------------------------------------------------------
def run_gomod(text: str) -> None:
    parsed = gomod.parse("go.mod", text)
    parsed.selected()
    parsed.minimum_go()


# ---- Python manifests: problems, never raises; no pin a scanner's input can't take ------------
_PIN_LINE = re.compile(r"[a-z0-9]([a-z0-9._-]*[a-z0-9])?==[^\s]+")


def _check_manifest(manifest: python_manifests.PythonManifest) -> None:
    assert all(isinstance(line, int) and isinstance(why, str) for line, why in manifest.problems)
    for line in manifest.pinned_lines().splitlines():
        assert _PIN_LINE.fullmatch(line), f"pinned line {line!r} is not name==version"


def run_requirements(text: str) -> None:
    _check_manifest(python_manifests.parse_requirements("requirements.txt", text))


def run_pyproject(text: str) -> None:
    _check_manifest(python_manifests.parse_pyproject("pyproject.toml", text))


def run_toml_lock(text: str) -> None:
    for name in ("poetry.lock", "uv.lock", "pdm.lock"):
        _check_manifest(python_manifests.parse_toml_lock(name, text))


def run_pipfile_lock(text: str) -> None:
    _check_manifest(python_manifests.parse_pipfile_lock("Pipfile.lock", text))


# ---- Node lock files: a NodeLock (with a problem), never raises --------------------------------
def _node(path: str) -> Callable[[str], None]:
    def run(text: str) -> None:
        lock = node_locks.parse(path, text)
        lock.unique()

    return run


# ---- compose stacks: merged services, never raises --------------------------------------------
def run_compose(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-compose-") as work:
        root = _write(Path(work), files)
        repo = Repo(root)
        compose.overlays(repo)
        for stack in repo.compose_files():
            for service in compose.services(repo, stack).values():
                for key in service.spec:
                    service.origin(str(key))
                    service.spec.line_of(key)
            compose.is_overlay(repo, stack.path)


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", errors="surrogateescape")
    return root


# ---- checkpoints: CheckpointError from parse(); warnings, never a raise, from load() ----------
def run_checkpoint_parse(data: bytes) -> None:
    with contextlib.suppress(checkpoint.CheckpointError):
        checkpoint.parse(data, s.PROJECT)


@functools.cache
def _key_folder() -> Path:
    """A key outside any scanned tree, for the life of the process."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-checkpoint-key-"))
    # Created here, not inside the first example: its fsync is not the parser's time.
    checkpoint.state_key(Path(tempfile.gettempdir()) / "fuzz-no-tree", _key_env(folder))
    return folder


def _key_env(folder: Path) -> dict[str, str]:
    return {checkpoint.KEY_FILE_ENV: str(folder / "checkpoint.key")}


def run_checkpoint_load(value: Any) -> None:
    """A document signed with this machine's key goes past the signature into the parser: the
    state the Action re-signs after checking an artifact's provenance takes the same path."""
    env = _key_env(_key_folder())
    with tempfile.TemporaryDirectory(prefix="fuzz-checkpoint-") as work:
        root = Path(work)
        markdown = root / "cp.md"
        text = json.dumps(value)
        if isinstance(value, dict):
            text = checkpoint.sign(text.encode(), checkpoint.state_key(root, env)).decode()
        checkpoint.json_path_for(markdown).write_text(text, encoding="utf-8")
        states, warnings = checkpoint.load(markdown, s.PROJECT, root=root, env=env)
        assert isinstance(states, dict) and all(isinstance(w, str) for w in warnings)


# ---- artifact zips: UnsafeArchive --------------------------------------------------------------
def run_unpack(data: bytes) -> None:
    try:
        files = archive.unpack(data)
    except archive.UnsafeArchive:
        return
    assert all(isinstance(name, str) and isinstance(body, bytes) for name, body in files.items())


# ---- checks over YAML facts: a CheckResult, never a raise ------------------------------------
class CheckCrashed(Exception):
    """A check raised instead of returning a result (the engine would report it not assessed)."""


@functools.cache
def _checks() -> tuple[registry.CheckSpec, ...]:
    """Every check that needs no scanner but semgrep (given no matches): the dependency audits
    read only the scanners' output, whose parsers are tested on recorded output."""
    _known_checks()
    return tuple(spec for spec in registry.all_checks() if set(spec.scanners) <= {"semgrep"})


def run_checks(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-checks-") as work:
        root = _write(Path(work), files)
        repo = Repo(root)
        context = CheckContext(repo, config.default("fuzzed"), {"semgrep": MatchList()})
        for spec in _checks():
            scoped = dataclasses.replace(
                context, check_id=spec.id, rules=frozenset(spec.rules), test_rules=spec.test_rules
            )
            try:
                result = spec.function(scoped)
            except Exception as error:
                raise CheckCrashed(f"{spec.id}: {type(error).__name__}: {error}") from error
            assert isinstance(result, CheckResult), f"{spec.id} returned {type(result).__name__}"


TARGETS: tuple[Target, ...] = (
    Target("readiness-yml", lambda: st.one_of(s.config_text(), s.raw_bytes()), run_config, 1.0),
    Target("yaml-lines", s.yaml_text, run_yaml, 1.0),
    Target("dockerfile", s.dockerfile_text, run_dockerfile, 1.0),
    Target("go.mod", s.gomod_text, run_gomod, 1.0),
    Target("requirements", s.requirements_text, run_requirements, 1.0),
    Target("pyproject", s.pyproject_text, run_pyproject, 1.0),
    Target("toml-locks", s.toml_lock_text, run_toml_lock, 1.0),
    Target("pipfile-lock", s.pipfile_lock_text, run_pipfile_lock, 1.0),
    Target("package-lock", s.package_lock_text, _node("package-lock.json"), 1.0),
    Target("yarn-lock", s.yarn_lock_text, _node("yarn.lock"), 1.0),
    Target("pnpm-lock", s.pnpm_lock_text, _node("pnpm-lock.yaml"), 1.0),
    Target("compose", s.compose_trees, run_compose, 0.5),
    Target("checkpoint-parse", s.checkpoint_bytes, run_checkpoint_parse, 1.0),
    Target("checkpoint-load", s.checkpoint_values, run_checkpoint_load, 1.0),
    Target("artifact-zip", s.zip_bytes, run_unpack, 1.0),
    Target("checks", s.repo_trees, run_checks, 0.5),
)
BY_NAME = {target.name: target for target in TARGETS}
