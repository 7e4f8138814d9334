"""A `.readiness.yml` is written by the author of the change under review: committed as a FIFO,
a link to /dev/zero, with patterns that don't compile, or a checkpoint path aimed at /dev/null,
it is a configuration error (exit 2) naming file, line and key; never a hang, a crash or a write
somewhere it shouldn't."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readiness import cli, config, registry
from tests.support import write_tree


def load(root: Path) -> config.Config:
    return config.load(root, known_checks=registry.known_ids())


def error_of(root: Path) -> str:
    with pytest.raises(config.ConfigError) as raised:
        load(root)
    return str(raised.value)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".readiness.yml")
    assert error_of(tmp_path) == f"{tmp_path}/.readiness.yml: not a regular file"


def test_a_link_to_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / ".readiness.yml").symlink_to("/dev/zero")
    assert (
        error_of(tmp_path)
        == f"{tmp_path}/.readiness.yml: a symlink leading outside the scanned tree; not read"
    )


def test_a_link_to_a_file_outside_the_tree_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("project: [not yaml for you\n")
    root = tmp_path / "svc"
    root.mkdir()
    (root / ".readiness.yml").symlink_to(tmp_path / "secret.txt")
    assert error_of(root) == f"{root}/.readiness.yml: a symlink leading outside the scanned tree; not read"


def test_a_link_inside_the_tree_is_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ci/readiness.yml": "project: linked\n"})
    (tmp_path / ".readiness.yml").symlink_to("ci/readiness.yml")
    assert load(tmp_path).project == "linked"


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".readiness.yml").write_text("# padding\n" * 30_000)
    assert error_of(tmp_path) == f"{tmp_path}/.readiness.yml: larger than {config.MAX_FILE_BYTES} bytes"


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ('exclude: ["ok/", "\\\\"]\n', "1: exclude[1]", "'\\\\' is not a valid gitignore pattern"),
        ('test_paths:\n  - "[z-a]"\n', "2: test_paths[0]", "'[z-a]' is not a valid gitignore pattern"),
        ("vulnerabilities:\n  max_age_hours: .inf\n", "2: vulnerabilities.max_age_hours", "inf is greater"),
        (f"project: {'p' * 300}\n", "1: project", "is too long"),
        ("checkpoint:\n  path: /dev/null\n", "2: checkpoint.path", "'/dev/null' must be a relative path"),
        ("checkpoint:\n  path: ../../x\n", "2: checkpoint.path", "'../../x' must be a relative path"),
        ("checkpoint:\n  path: .\n", "2: checkpoint.path", "'.' does not name a file inside"),
        ("checkpoint:\n  path: state/\n", "2: checkpoint.path", "'state/' does not name a file inside"),
        ('exclude: ["src/../x"]\n', "1: exclude[0]", "'src/../x' has a '..' segment"),
        (f'exclude: ["{"a" * 1100}"]\n', "1: exclude[0]", "is longer than 1024 characters"),
        (
            "waivers:\n  - check: security/tls-verification\n    reason: r\n    owner: o\n"
            '    expires: 2099-01-01\n    paths: ["ok/**", "[z-a]"]\n',
            "6: waivers[0].paths[1]",
            "'[z-a]' is not a valid gitignore pattern",
        ),
    ],
)
def test_bad_values_name_file_line_and_key(tmp_path: Path, text: str, where: str, message: str) -> None:
    write_tree(tmp_path, {".readiness.yml": text})
    error = error_of(tmp_path)
    assert error.startswith(f"{tmp_path}/.readiness.yml:{where}: "), error
    assert message in error


def test_the_cli_exits_2_and_writes_nothing_through_a_planted_symlink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("precious\n")
    root = write_tree(tmp_path / "svc", {".readiness.yml": "checkpoint:\n  path: cp/state.md\n"})
    (root / "cp").mkdir()
    (root / "cp" / "state.md").symlink_to(outside)
    assert cli.main(["scan", str(root), "--categories", "compliance"]) == cli.EXIT_USAGE
    error = capsys.readouterr().err
    assert f"{root}/.readiness.yml:2: checkpoint.path: {root}/cp/state.md is a symlink" in error
    assert outside.read_text() == "precious\n"
    (root / "cp" / "state.md").unlink()
    (root / "cp").rmdir()
    (root / "cp").symlink_to(tmp_path)  # a linked directory on the way
    assert cli.main(["scan", str(root), "--categories", "compliance"]) == cli.EXIT_USAGE
    assert f"checkpoint.path: {root}/cp is a symlink inside the scanned tree" in capsys.readouterr().err
    for bad in ("/dev/null", "../../x"):
        (root / ".readiness.yml").write_text(f"checkpoint:\n  path: {bad}\n")
        assert cli.main(["scan", str(root), "--categories", "compliance"]) == cli.EXIT_USAGE
    assert not (tmp_path / "state.md").exists()
