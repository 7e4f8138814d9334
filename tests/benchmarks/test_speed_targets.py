"""The speed benchmark's pure helpers: the tree slicing and the linear fit it judges scaling by.
It measures speed; this test times nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import speed_targets  # noqa: E402


def _tree(root: Path) -> Path:
    """Eight Go packages of ten lines each, a Python file of 20, and non-code files beside them."""
    for index in range(8):
        package = root / "pkg" / f"p{index}"
        package.mkdir(parents=True)
        (package / "a.go").write_text("package p\n" + "// line\n" * 9, encoding="utf-8")
        (package / "README.md").write_text("docs\n", encoding="utf-8")
    (root / "tool").mkdir()
    (root / "tool" / "main.py").write_text("x = 1\n" * 20, encoding="utf-8")
    (root / "go.mod").write_text("module example.com/p\n", encoding="utf-8")
    return root


def test_a_slice_keeps_every_non_code_file_and_whole_folders_of_about_the_fraction(tmp_path: Path) -> None:
    source = _tree(tmp_path / "source")
    assert speed_targets.code_lines(source) == 100

    half = speed_targets.slice_tree(source, tmp_path / "half", 0.5)

    files = set(speed_targets.walk_files(half))
    assert {p for p in speed_targets.walk_files(source) if not speed_targets.is_code(p)} <= files
    assert speed_targets.code_lines(half) == 50  # folders of 10 and 20 lines add up to the goal exactly
    # A folder comes whole or not at all.
    assert all((half / p).parent.joinpath("README.md").exists() for p in files if p.endswith(".go"))
    # Deterministic: the same folders every time.
    again = speed_targets.slice_tree(source, tmp_path / "again", 0.5)
    assert set(speed_targets.walk_files(again)) == files


def test_the_double_tree_holds_two_copies(tmp_path: Path) -> None:
    source = _tree(tmp_path / "source")
    double = speed_targets.double_tree(source, tmp_path / "double")
    assert speed_targets.code_lines(double) == 200
    assert (double / "a" / "go.mod").is_file() and (double / "b" / "go.mod").is_file()


def test_the_fit_and_the_growth_of_the_cost_per_line() -> None:
    a, b = speed_targets.linear_fit([(100, 12.0), (200, 22.0), (400, 42.0)])
    assert a == pytest.approx(2.0) and b == pytest.approx(0.1)
    # A fixed start-up cost makes the larger tree cheaper per line: linear or better.
    assert speed_targets.per_line_growth((200, 22.0), (400, 42.0)) < 1
    assert speed_targets.per_line_growth((200, 20.0), (400, 80.0)) == pytest.approx(2.0)  # quadratic
    with pytest.raises(ValueError):
        speed_targets.linear_fit([(1, 1.0)])


def test_semgreps_unanalysed_files_are_read_from_its_detail() -> None:
    detail = "12 match(es) in 40 file(s); 3 file(s) not analysed (Timeout when running rule on a.go)"
    assert speed_targets.unanalysed(detail) == 3
    assert speed_targets.unanalysed("12 match(es) in 40 file(s)") == 0
