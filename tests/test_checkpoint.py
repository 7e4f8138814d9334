import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from readiness import checkpoint as checkpoints
from readiness import engine, seed
from readiness.config import Config
from readiness.context import CheckContext
from readiness.engine import ScanRequest, assess
from readiness.model import Category, CheckResult, Evidence, Failure, Outcome, Severity
from readiness.registry import CheckSpec
from tests.support import write_tree

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def state_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own checkpoint key (outside every scanned tree), never the user's."""
    path = tmp_path_factory.mktemp("state-key") / "checkpoint.key"
    monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(path))
    return path


def signed(root: Path, document: object) -> str:
    """``document`` as this machine would have written it (signed with its key)."""
    return checkpoints.sign(json.dumps(document).encode(), checkpoints.state_key(root)).decode()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """A two-check catalogue whose runs are counted: reliability reads a.txt, observability b.txt."""
    runs: Counter[str] = Counter()

    def reader(name: str, path: str, question: seed.Question) -> CheckSpec:
        def function(ctx: CheckContext) -> CheckResult:
            runs[name] += 1
            if "bad" in ctx.repo.text(path):
                return CheckResult.failed([Failure(f"{path} is bad", (ctx.repo.evidence(path, 1),))])
            return CheckResult.passed(f"{path} is good", Evidence(path, 1))

        return CheckSpec(
            id=f"{question.category.value}/{name}",
            question=question,
            title=name,
            severity=Severity.BLOCKER,
            rationale="",
            looks_at="",
            remediation="",
            example="",
            function=function,
        )

    specs = {
        Category.RELIABILITY: [reader("reads-a", "a.txt", seed.HEALTH_CHECKS)],
        Category.OBSERVABILITY: [reader("reads-b", "b.txt", seed.LOGGING)],
    }
    monkeypatch.setattr(engine.registry, "checks_for", lambda category: specs.get(category, []))
    return runs


def scan(root: Path, checkpoint: Path, config: Config | None = None, resume: bool = True):  # type: ignore[no-untyped-def]
    return assess(
        ScanRequest(
            root=root, config=config or Config(project="p"), checkpoint_path=checkpoint, resume=resume
        )
    )


def test_resume_reuses_unchanged_categories_and_reruns_changed_ones(
    tmp_path: Path, counted: Counter[str]
) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "good\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "cp" / "p-production-readiness.md"

    first = scan(root, checkpoint, resume=False)
    assert counted == {"reads-a": 1, "reads-b": 1}
    assert not any(c.reused for c in first.categories)
    saved = json.loads(checkpoint.with_suffix(".json").read_text())
    assert saved["categories"]["reliability"]["inputs"] == {"a.txt": first_digest(root, "a.txt")}
    assert saved["remaining"] == []

    second = scan(root, checkpoint)
    assert counted == {"reads-a": 1, "reads-b": 1}
    assert [c.reused for c in second.categories[:2]] == [True, True]

    (root / "b.txt").write_text("bad\n")
    third = scan(root, checkpoint)
    assert counted == {"reads-a": 1, "reads-b": 2}
    assert [c.reused for c in third.categories[:2]] == [True, False]
    assert third.verdict.value == "no-go"

    scan(root, checkpoint, config=Config(project="p", allow_waivers=False))  # policy changed
    assert counted == {"reads-a": 2, "reads-b": 3}

    (root / "new.txt").write_text("x\n")  # a new file can change what absence means
    scan(root, checkpoint, config=Config(project="p", allow_waivers=False))
    assert counted == {"reads-a": 3, "reads-b": 4}


def test_answers_are_saved_and_reused_with_their_category(tmp_path: Path, counted: Counter[str]) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n", "b.txt": "good\n", "go.mod": "module m\n"})
    checkpoint = tmp_path / "cp" / "p-production-readiness.md"
    fresh = scan(root, checkpoint, resume=False)
    resumed = scan(root, checkpoint)
    assert [c.reused for c in resumed.categories[:2]] == [True, True]
    assert [c.answers for c in resumed.categories] == [c.answers for c in fresh.categories]
    health = next(a for a in fresh.categories[0].answers if a.question == "reliability.health-checks")
    assert (health.answer.value, health.checks) == ("partial", ("reliability/reads-a",))
    saved = json.loads(checkpoint.with_suffix(".json").read_text())
    assert [a["question"] for a in saved["categories"]["reliability"]["answers"]] == [
        q.key for q in seed.of(Category.RELIABILITY)
    ]


def first_digest(root: Path, path: str) -> str:
    import hashlib

    return hashlib.sha256((root / path).read_bytes()).hexdigest()


def test_checkpoint_markdown_lists_progress(tmp_path: Path, counted: Counter[str]) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "p-production-readiness.md"
    scan(root, checkpoint, resume=False)
    text = checkpoint.read_text()
    assert text.startswith("# Production readiness checkpoint: p\n\nSaved: ")
    assert "| Reliability | Red | 1 | 0 | 0 |" in text
    assert "- **blocker** `reliability/reads-a`: a.txt is bad (a.txt:1)" in text
    assert "All categories are complete" in text


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        ("{not json", "ignoring checkpoint"),
        ({"format": "something-else"}, "not a readiness checkpoint"),
        (
            {"format": "readiness-checkpoint", "version": 2, "project": "other", "categories": {}},
            "belongs to project 'other'",
        ),
        ({"format": "readiness-checkpoint", "version": 99, "project": "p"}, "version 99"),
        ({"format": "readiness-checkpoint", "version": 2, "project": "p", "categories": [1]}, "ignoring"),
    ],
)
def test_corrupt_or_foreign_checkpoints_are_ignored(
    tmp_path: Path, counted: Counter[str], content: str | dict[str, object], warning: str
) -> None:
    """Even signed by this machine (a readiness of another version, another project's file)."""
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "p-production-readiness.md"
    checkpoint.with_suffix(".json").write_text(content if isinstance(content, str) else signed(root, content))
    assessment = scan(root, checkpoint)
    assert any(warning in w for w in assessment.warnings)
    assert counted == {"reads-a": 1, "reads-b": 1}
    assert assessment.verdict.value == "no-go"


def test_a_forged_pass_with_stale_digests_cannot_hide_a_finding(
    tmp_path: Path, counted: Counter[str]
) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "good\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "p-production-readiness.md"
    scan(root, checkpoint, resume=False)
    (root / "a.txt").write_text("bad\n")  # the saved pass no longer describes the file
    assessment = scan(root, checkpoint)
    reliability = assessment.categories[0]
    assert not reliability.reused
    assert reliability.checks[0].outcome is Outcome.FAIL


def test_inconsistent_saved_results_are_rejected(tmp_path: Path, counted: Counter[str]) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "p-production-readiness.md"
    scan(root, checkpoint, resume=False)
    data = json.loads(checkpoint.with_suffix(".json").read_text())
    data["categories"]["reliability"]["results"]["reliability/reads-a"][
        "failures"
    ] = []  # "fail" with no failures
    checkpoint.with_suffix(".json").write_text(signed(root, data))
    assessment = scan(root, checkpoint)
    assert any("disagrees with its failures" in w for w in assessment.warnings)
    assert assessment.categories[0].checks[0].outcome is Outcome.FAIL


# -- authenticated checkpoints: only this machine's are reused ------------------------------------


def test_a_checkpoint_written_by_an_earlier_run_on_this_machine_is_signed_and_reused(
    tmp_path: Path, counted: Counter[str], state_key: Path
) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "good\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "cp" / "p-production-readiness.md"
    assert not state_key.exists()
    scan(root, checkpoint, resume=False)
    assert state_key.stat().st_size == 32  # created on first use
    if os.name == "posix":
        assert state_key.stat().st_mode & 0o777 == 0o600
    saved = json.loads(checkpoint.with_suffix(".json").read_text())
    assert saved["hmac"].startswith("hmac-sha256:") and len(saved["hmac"]) == len("hmac-sha256:") + 64

    resumed = scan(root, checkpoint)
    assert [c.reused for c in resumed.categories[:2]] == [True, True]
    assert counted == {"reads-a": 1, "reads-b": 1}
    assert resumed.warnings == ()


def test_a_checkpoint_with_one_byte_changed_is_not_reused(tmp_path: Path, counted: Counter[str]) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "good\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "p-production-readiness.md"
    scan(root, checkpoint, resume=False)
    path = checkpoint.with_suffix(".json")
    data = bytearray(path.read_bytes())
    at = data.index(b"a.txt is good") + len("a.txt is goo")
    data[at] = ord("D")  # a summary: nothing the engine's own checks would notice
    path.write_bytes(bytes(data))

    assessment = scan(root, checkpoint)

    assert not any(c.reused for c in assessment.categories)
    assert counted == {"reads-a": 2, "reads-b": 2}
    assert assessment.warnings[0] == (
        f"checkpoint {path} is not signed by this machine's key: not reused (its signature does not match)"
    )


def test_a_checkpoint_signed_elsewhere_or_unsigned_is_not_reused(
    tmp_path: Path, counted: Counter[str], monkeypatch: pytest.MonkeyPatch, state_key: Path
) -> None:
    """The attack: passes with the right digests, signed with the attacker's own key (or not at
    all), committed where --resume looks."""
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n", "b.txt": "good\n"})
    checkpoint = tmp_path / "p-production-readiness.md"
    monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(tmp_path / "attacker" / "checkpoint.key"))
    scan(root, checkpoint, resume=False)
    data = json.loads(checkpoint.with_suffix(".json").read_text())
    data["categories"]["reliability"]["light"] = "green"
    data["categories"]["reliability"]["results"]["reliability/reads-a"] = {
        "outcome": "pass",
        "summary": "a.txt is good",
        "failures": [],
        "evidence": [],
        "answer": None,
    }
    forged = signed(root, data)  # with the attacker's key
    unsigned = json.dumps({k: v for k, v in data.items() if k != "hmac"})
    monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(state_key))

    for content, why in (
        (forged, "its signature does not match"),
        (unsigned, "it carries no signature"),
    ):
        checkpoint.with_suffix(".json").write_text(content)
        assessment = scan(root, checkpoint)
        assert assessment.verdict.value == "no-go" and not assessment.categories[0].reused
        assert f"is not signed by this machine's key: not reused ({why})" in assessment.warnings[0]

    checkpoint.with_suffix(".json").write_text(signed(root, data))  # control: this machine's key
    assert scan(root, checkpoint).verdict.value == "go"


def test_a_key_inside_the_scanned_tree_is_refused(
    tmp_path: Path, counted: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key the tree supplies authenticates nothing: neither by path nor through a symlink."""
    root = write_tree(tmp_path / "repo", {"a.txt": "good\n", "b.txt": "good\n", "k/key": "x" * 32})
    checkpoint = tmp_path / "p-production-readiness.md"
    outside = tmp_path / "link-to-tree"
    outside.symlink_to(root / "k")
    for key in (root / "k" / "key", outside / "key"):
        monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(key))
        scan(root, checkpoint, resume=False)
        assert "hmac" not in json.loads(checkpoint.with_suffix(".json").read_text())  # written unsigned
        data = json.loads(checkpoint.with_suffix(".json").read_text())
        planted = checkpoints.StateKey(key, (root / "k" / "key").read_bytes())  # what the tree supplies
        checkpoint.with_suffix(".json").write_bytes(checkpoints.sign(json.dumps(data).encode(), planted))
        assessment = scan(root, checkpoint)
        assert not any(c.reused for c in assessment.categories)
        assert (
            f"the checkpoint key {key} lies inside the scanned tree {root}: it is not used"
            in (assessment.warnings[0])
        )


def test_the_key_lives_in_the_user_cache_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READINESS_STATE_KEY_FILE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert checkpoints.key_file() == tmp_path / "xdg" / "readiness" / "checkpoint.key"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert checkpoints.key_file() == tmp_path / "home" / ".cache" / "readiness" / "checkpoint.key"
    monkeypatch.delenv("XDG_CACHE_HOME")
    first = checkpoints.state_key(tmp_path / "repo")
    again = checkpoints.state_key(tmp_path / "repo")
    assert first == again and first.path == checkpoints.key_file()
    assert first.secret not in repr(first).encode()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_key_other_users_can_read_is_refused(tmp_path: Path, state_key: Path) -> None:
    checkpoints.state_key(tmp_path / "repo")
    state_key.chmod(0o644)
    with pytest.raises(checkpoints.KeyUnavailable, match="can be read or changed by other users"):
        checkpoints.state_key(tmp_path / "repo")
    state_key.write_bytes(b"short")
    state_key.chmod(0o600)
    with pytest.raises(checkpoints.KeyUnavailable, match="is not 32 bytes long"):
        checkpoints.state_key(tmp_path / "repo")


KILLABLE = textwrap.dedent("""
    import pathlib, sys, time
    from readiness import registry, seed
    from readiness.model import Severity
    from readiness.registry import check

    registry.all_checks()

    @check(id="disaster-recovery/zz-hangs", question=seed.DB_BACKUPS, title="hangs until killed",
           severity=Severity.RISK, rationale="test", looks_at="test", remediation="test")
    def hangs(ctx):
        pathlib.Path(sys.argv[1]).touch()
        time.sleep(300)

    from readiness.cli import main
    sys.exit(main(sys.argv[2:]))
""")


@pytest.mark.slow
def test_a_killed_scan_resumes_from_its_last_completed_category(tmp_path: Path) -> None:
    """SIGKILL while the fifth category runs; --resume reuses the four that completed."""
    work = tmp_path / "work"
    work.mkdir()
    marker = tmp_path / "hanging"
    example = REPO / "examples" / "adtech-exchange"
    root = example if example.is_dir() else write_tree(tmp_path / "repo", {"README.md": "# svc\n"})
    checkpoint = work / "cp.md"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(marker), "scan", str(root), "--checkpoint", str(checkpoint)],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, "the scan ended before reaching the hanging check"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    saved = json.loads(checkpoint.with_suffix(".json").read_text())
    assert list(saved["categories"]) == ["reliability", "observability", "scalability", "security"]
    assert saved["remaining"][0] == "disaster-recovery"
    assert "Assess the remaining categories: Disaster recovery" in checkpoint.read_text()

    from readiness import config as config_module

    policy = config_module.load(root, known_checks=engine.registry.known_ids())
    from readiness.scanners import default_scanners

    resumed = assess(
        ScanRequest(
            root=root, config=policy, checkpoint_path=checkpoint, resume=True, scanners=default_scanners()
        )
    )
    assert [c.reused for c in resumed.categories] == [True] * 4 + [False] * 4
    fresh = assess(ScanRequest(root=root, config=policy, scanners=default_scanners()))
    assert [c.light for c in resumed.categories] == [c.light for c in fresh.categories]
