"""Poisoned checkpoints, end to end through the engine.

The real attack: a checkpoint with the CORRECT input digests (anyone can hash a public tree) and
forged "pass" results. The engine would reuse it, since every digest matches. The control cases
show that; the attacks show provenance keeping it out, so the findings still appear. The
strongest one needs no fork and no other workflow: a pull request's author edits the workflow on
their branch so that its run uploads a forged checkpoint under our name, from this repository,
with our workflow's path, for the same branch.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from readiness import checkpoint, registry, seed
from readiness.config import Config
from readiness.context import CheckContext
from readiness.engine import ScanRequest, assess
from readiness.github.artifacts import Sources, current_run, find_checkpoint, pack, trusted_base
from readiness.github.context import GitHubContext
from readiness.model import Assessment, Category, CheckResult, Evidence, Failure, Severity, Verdict
from readiness.registry import CheckSpec
from tests import support
from tests.artifacts.helpers import WORKFLOW, pr_context, repo_client, run_env
from tests.github.fake_github import Artifact, FakeGitHub
from tests.support import write_tree

NAME = "readiness-checkpoint-main-c8"
FEATURE = "readiness-checkpoint-feature-c8"


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """A one-check catalogue: reliability/reads-a is a blocker while a.txt says "bad"."""
    counter: Counter[str] = Counter()

    def reads_a(ctx: CheckContext) -> CheckResult:
        counter["reads-a"] += 1
        if "bad" in ctx.repo.text("a.txt"):
            return CheckResult.failed([Failure("a.txt is bad", (ctx.repo.evidence("a.txt", 1),))])
        return CheckResult.passed("a.txt is good", Evidence("a.txt", 1))

    spec = CheckSpec(
        id="reliability/reads-a",
        question=seed.HEALTH_CHECKS,
        title="reads a",
        severity=Severity.BLOCKER,
        rationale="",
        looks_at="",
        remediation="",
        example="",
        function=reads_a,
    )
    monkeypatch.setattr(registry, "checks_for", lambda c: [spec] if c is Category.RELIABILITY else [])
    return counter


def scan(root: Path, markdown: Path, resume: bool) -> Assessment:
    return assess(ScanRequest(root=root, config=Config(project="p"), checkpoint_path=markdown, resume=resume))


def forged_all_green(honest: Path) -> dict[str, bytes]:
    """The honest checkpoint of the bad tree with every result turned into a pass."""
    data = support.forged_all_green(checkpoint.json_path_for(honest).read_bytes())
    return {
        checkpoint.json_path_for(honest).name: json.dumps(data).encode(),
        honest.name: b"# all green\n",
    }


def trusted_run(fake: FakeGitHub, content: bytes, **fields: object) -> Artifact:
    options: dict[str, object] = {"head_branch": "main", "event": "push", "path": WORKFLOW, **fields}
    return fake.add_artifact(NAME, content, **options)  # type: ignore[arg-type]


def from_fork(fake: FakeGitHub, content: bytes) -> Artifact:
    return trusted_run(fake, content, head_repo=fake.add_repo("mallory/hello-world", fork=True))


def from_another_workflow(fake: FakeGitHub, content: bytes) -> Artifact:
    return trusted_run(fake, content, path=".github/workflows/pr-helper.yml")


def from_another_repository(fake: FakeGitHub, content: bytes) -> Artifact:
    artifact = trusted_run(fake, content)
    artifact.run = fake.add_workflow_run(repo="mallory/elsewhere", head_branch="main", path=WORKFLOW)
    return artifact


def with_a_bad_digest(fake: FakeGitHub, content: bytes) -> Artifact:
    artifact = trusted_run(fake, content)
    artifact.digest_override = "sha256:" + "1" * 64  # the stored bytes were swapped after upload
    return artifact


def corrupted(fake: FakeGitHub, content: bytes) -> Artifact:
    return trusted_run(fake, content[:-30])


ATTACKS: list[Callable[[FakeGitHub, bytes], Artifact]] = [
    from_fork,
    from_another_workflow,
    from_another_repository,
    with_a_bad_digest,
    corrupted,
]


def push_to_main(fake: FakeGitHub) -> GitHubContext:
    return pr_context(
        fake, event_name="push", base_ref=None, head_ref=None, ref="refs/heads/main", pr_number=None
    )


def action_like_scan(
    fake: FakeGitHub,
    root: Path,
    workspace_checkpoint: Path,
    log: list[str],
    context: GitHubContext | None = None,
) -> Assessment:
    """What the Action does on resume: restore the newest checkpoint of the branch from a trusted
    run (an earlier attempt of this run; a push run when the branch is its own base), re-signed
    for this machine, then resume."""
    context = context or push_to_main(fake)
    branch = context.head_ref or context.target_branch
    base = trusted_base(context)
    found = find_checkpoint(
        repo_client(fake),
        context,
        branch,
        sources=Sources(current_run(context), base if base == branch else None),
        env=run_env(fake),
        project="p",
        say=lambda level, message: log.append(f"{level}: {message}"),
    )
    if found is not None:
        found.restore(workspace_checkpoint, checkpoint.state_key(root))
    return scan(root, workspace_checkpoint, resume=True)


def test_control_a_forged_checkpoint_from_a_trusted_run_would_be_reused(
    tmp_path: Path, fake_github: FakeGitHub, runs: Counter[str]
) -> None:
    """Why provenance matters: the digests alone don't stop the forgery."""
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n"})
    honest = tmp_path / "honest" / "p-production-readiness.md"
    assert scan(root, honest, resume=False).verdict is Verdict.NO_GO
    trusted_run(fake_github, pack(forged_all_green(honest)))

    result = action_like_scan(fake_github, root, tmp_path / "ws" / "p-production-readiness.md", [])

    assert result.verdict is Verdict.GO and result.categories[0].reused
    assert runs["reads-a"] == 1  # not run again: the forged pass was taken


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.__name__ for a in ATTACKS])
def test_a_forged_all_green_checkpoint_is_ignored_and_the_findings_appear(
    tmp_path: Path,
    fake_github: FakeGitHub,
    runs: Counter[str],
    attack: Callable[[FakeGitHub, bytes], Artifact],
) -> None:
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n"})
    honest = tmp_path / "honest" / "p-production-readiness.md"
    assert scan(root, honest, resume=False).verdict is Verdict.NO_GO
    forged = attack(fake_github, pack(forged_all_green(honest)))
    log: list[str] = []

    result = action_like_scan(fake_github, root, tmp_path / "ws" / "p-production-readiness.md", log)

    assert result.verdict is Verdict.NO_GO
    assert not result.categories[0].reused
    assert [f.check_id for f in result.active(Severity.BLOCKER)] == ["reliability/reads-a"]
    assert runs["reads-a"] == 2  # computed afresh
    assert any(f"ignoring checkpoint artifact {NAME} (id {forged.id})" in line for line in log), log


def test_a_forged_checkpoint_from_a_pull_request_run_of_the_same_branch_changes_nothing(
    tmp_path: Path, fake_github: FakeGitHub, runs: Counter[str]
) -> None:
    """Same repository, same workflow file, same branch, not a fork, correct digests, all passes:
    made by an earlier pull_request run whose workflow the author edited. Ignored, logged."""
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n"})
    honest = tmp_path / "honest" / "p-production-readiness.md"
    assert scan(root, honest, resume=False).verdict is Verdict.NO_GO
    forged = fake_github.add_artifact(
        FEATURE,
        pack(forged_all_green(honest)),
        head_branch="feature",
        event="pull_request",
        path=WORKFLOW,
    )
    current = fake_github.add_workflow_run(head_branch="feature", event="pull_request", path=WORKFLOW)
    log: list[str] = []

    result = action_like_scan(
        fake_github,
        root,
        tmp_path / "ws" / "p-production-readiness.md",
        log,
        pr_context(fake_github, run_id=str(current.id)),
    )

    assert result.verdict is Verdict.NO_GO and not result.categories[0].reused
    assert [f.check_id for f in result.active(Severity.BLOCKER)] == ["reliability/reads-a"]
    assert runs["reads-a"] == 2
    assert (
        f"notice: ignoring checkpoint artifact {FEATURE} (id {forged.id}): it was made by a "
        "pull_request run, and only the same run's earlier attempts are trusted"
    ) in log, log


def test_control_an_earlier_attempt_of_the_same_run_is_reused(
    tmp_path: Path, fake_github: FakeGitHub, runs: Counter[str]
) -> None:
    """The same bytes as an earlier attempt of the current run are taken (a re-run runs the same
    workflow at the same commit, which the current attempt trusts already): the digests are right,
    so it is the run's origin alone that keeps the forgery above out."""
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n"})
    honest = tmp_path / "honest" / "p-production-readiness.md"
    scan(root, honest, resume=False)
    current = fake_github.add_workflow_run(
        head_branch="feature", event="pull_request", path=WORKFLOW, run_attempt=2
    )
    earlier = fake_github.add_artifact(FEATURE, pack(forged_all_green(honest)), run=current)
    log: list[str] = []

    result = action_like_scan(
        fake_github,
        root,
        tmp_path / "ws" / "p-production-readiness.md",
        log,
        pr_context(fake_github, run_id=str(current.id)),
    )

    assert result.categories[0].reused and runs["reads-a"] == 1
    assert any(
        f"using checkpoint artifact {FEATURE} (id {earlier.id}) of run {current.id} (an earlier attempt"
        in line
        for line in log
    ), log


def test_a_checkpoint_placed_beside_the_engine_without_the_restore_is_not_read(
    tmp_path: Path, runs: Counter[str]
) -> None:
    """Bytes that did not come through the provenance checks (and so were never re-signed) are
    not trusted by the engine either, though their digests are right."""
    root = write_tree(tmp_path / "repo", {"a.txt": "bad\n"})
    honest = tmp_path / "honest" / "p-production-readiness.md"
    scan(root, honest, resume=False)
    placed = tmp_path / "ws" / "p-production-readiness.md"
    placed.parent.mkdir()
    for name, data in forged_all_green(honest).items():
        (placed.parent / name).write_bytes(data)

    result = scan(root, placed, resume=True)

    assert result.verdict is Verdict.NO_GO and not result.categories[0].reused
    assert any("is not signed by this machine's key: not reused" in w for w in result.warnings)
