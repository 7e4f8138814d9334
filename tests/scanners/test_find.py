"""process.find: an override variable, else PATH, else beside the running interpreter, which is
where `pip install "readiness[scanners]"` puts the scanners when that directory is not on PATH
(pipx links only readiness itself onto PATH)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from readiness.scanners import process


def tool(directory: Path, name: str = "semgrep") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake environment's bin as sys.executable's directory, and a PATH with nothing on it."""
    bin_dir = tmp_path / "env" / "bin"
    bin_dir.mkdir(parents=True)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("READINESS_SEMGREP", raising=False)
    return bin_dir


def test_found_beside_the_interpreter_when_not_on_path(interpreter: Path) -> None:
    installed = tool(interpreter)
    assert process.interpreter_dir() == str(interpreter)
    assert process.find("semgrep", "READINESS_SEMGREP") == str(installed)


def test_path_comes_first(interpreter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool(interpreter)
    chosen = tool(tmp_path / "chosen")
    monkeypatch.setenv("PATH", str(tmp_path / "chosen"))
    assert process.find("semgrep", "READINESS_SEMGREP") == str(chosen)


def test_the_override_still_decides(
    interpreter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool(interpreter)
    named = tool(tmp_path / "elsewhere", "my-semgrep")
    monkeypatch.setenv("READINESS_SEMGREP", str(named))
    assert process.find("semgrep", "READINESS_SEMGREP") == str(named)
    # An override naming nothing is not silently replaced by the interpreter's copy.
    monkeypatch.setenv("READINESS_SEMGREP", str(tmp_path / "no-such-semgrep"))
    assert process.find("semgrep", "READINESS_SEMGREP") is None


def test_a_file_that_is_not_executable_is_not_found(interpreter: Path) -> None:
    tool(interpreter).chmod(0o644)
    assert process.find("semgrep") is None


def test_the_path_is_absolute_though_the_interpreter_was_named_relatively(
    interpreter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tool(interpreter)
    monkeypatch.chdir(interpreter.parent)
    monkeypatch.setattr(sys, "executable", os.path.join("bin", "python"))
    found = process.find("semgrep")
    assert found is not None and os.path.isabs(found) and Path(found).samefile(installed)
