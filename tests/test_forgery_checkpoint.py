"""`readiness scan --resume` trusts only checkpoints this machine signed: a forged one committed
into the tree under review (right digests, all passes) changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from readiness import checkpoint, cli
from tests.support import forged_all_green, git

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "adtech-exchange"
SAVED = Path(".claude") / "checkpoints" / "adtech-exchange-production-readiness.json"


def use_key(monkeypatch: pytest.MonkeyPatch, path: Path) -> checkpoint.StateKey:
    monkeypatch.setenv(checkpoint.KEY_FILE_ENV, str(path))
    return checkpoint.state_key(Path("/nonexistent-tree"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_forged_checkpoint_committed_into_the_tree_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "adtech-exchange"
    shutil.copytree(EXAMPLE, tree)
    monkeypatch.chdir(tree)  # --resume reads the tree's own .claude/checkpoints/
    scan = ["scan", ".", "--output-dir", str(tmp_path / "out")]

    # The attacker, on their machine: an honest scan gives the digests; then every result passes.
    attacker = use_key(monkeypatch, tmp_path / "attacker" / "checkpoint.key")
    assert cli.main(scan) == cli.EXIT_NO_GO
    forged = forged_all_green((tree / SAVED).read_bytes())
    (tree / SAVED).write_bytes(checkpoint.sign(json.dumps(forged).encode(), attacker))
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "speed up the readiness scan")
    committed = (tree / SAVED).read_bytes()

    # Control: signed with the victim's own key, the forgery would be taken (its digests are right).
    victim = use_key(monkeypatch, tmp_path / "victim-cache" / "readiness" / "checkpoint.key")
    (tree / SAVED).write_bytes(checkpoint.sign(committed, victim))
    assert cli.main([*scan, "--resume"]) == cli.EXIT_GO
    capsys.readouterr()

    # The real case: the victim resumes on the tree as committed.
    (tree / SAVED).write_bytes(committed)
    code = cli.main([*scan, "--resume"])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_NO_GO
    assert "Verdict: NO-GO" in out
    assert (
        f"readiness: warning: checkpoint {SAVED} is not signed by this machine's key: not reused "
        "(its signature does not match)"
    ) in err
    assert ", reused)" not in err  # every category computed afresh

    # What this machine then wrote is its own, and a later --resume reuses all of it.
    assert cli.main([*scan, "--resume"]) == cli.EXIT_NO_GO
    progress = capsys.readouterr().err
    assert progress.count(", reused)") == 8 and "not signed" not in progress
