"""The GitHub Action's main: inputs → scan → report files → publish → outputs → exit code.

Runs inside the container (entrypoint.py hands over to :func:`main`). Publishing is best
effort: when the token can't comment or create a check run (fork pull requests, missing
permissions, GitHub down after retries) the run says why in one log line and falls back to the
job summary and workflow-command annotations. The verdict, the report and the exit code never
depend on GitHub answering.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TextIO

from readiness import (
    central_policy,
    checkpoint,
    config,
    delta,
    engine,
    pipeline,
    policy_changes,
    registry,
    safe_paths,
    scoring,
)
from readiness.central_policy import CentralPolicy
from readiness.github import artifacts, workflow
from readiness.github.context import ContextError, GitHubContext
from readiness.model import Assessment, Category, CategoryResult, Delta, Severity, Verdict
from readiness.options import parse_categories
from readiness.render import comment, markdown
from readiness.scoring import FailOn

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
COMMENT_MODES = ("update", "new", "off")
STATUS_MODES = ("check-run", "commit-status", "both", "off")


class InputError(Exception):
    pass


@dataclass(frozen=True)
class Inputs:
    path: str
    config: str
    fail_on: FailOn
    release_branches: tuple[str, ...]
    token: str
    comment: str
    status: str
    sarif: str
    categories: str
    resume: bool
    osv_url: str
    allow_incomplete: bool = False
    policy: str = ""  # the central policy: a path in this repository, or owner/repo/path@ref
    timeout: float = pipeline.DEFAULT_TIMEOUT

    @staticmethod
    def from_env(env: Mapping[str, str]) -> Inputs:
        def get(name: str, default: str = "") -> str:
            # The runner upper-cases input names and keeps hyphens: fail-on → INPUT_FAIL-ON.
            return env.get(f"INPUT_{name.upper().replace(' ', '_')}", default).strip() or default

        def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
            value = get(name, default).lower()
            if value not in allowed:
                raise InputError(f"input '{name}' is {value!r}; expected one of {', '.join(allowed)}")
            return value

        resume = choice("resume", "true", ("true", "false"))
        allow_incomplete = choice("allow-incomplete", "false", ("true", "false"))
        try:
            timeout = pipeline.parse_timeout(get("timeout", str(pipeline.DEFAULT_TIMEOUT)))
        except ValueError as error:
            raise InputError(f"input 'timeout': {error}") from None
        branches = [b.strip() for line in get("release-branches").splitlines() for b in line.split(",")]
        return Inputs(
            path=get("path", "."),
            config=get("config"),
            fail_on=FailOn(choice("fail-on", "blocker", tuple(f.value for f in FailOn))),
            release_branches=tuple(b for b in branches if b),
            token=get("github-token") or env.get("GITHUB_TOKEN", ""),
            comment=choice("comment", "update", COMMENT_MODES),
            status=choice("status", "check-run", STATUS_MODES),
            sarif=get("sarif", "readiness.sarif"),
            categories=get("categories"),
            resume=resume == "true",
            osv_url=get("osv-url"),
            allow_incomplete=allow_incomplete == "true",
            policy=get("policy"),
            timeout=timeout,
        )


def main(env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    env = os.environ if env is None else env
    out = out or sys.stdout
    try:
        from readiness.github.client import new_run

        new_run()  # one budget of waiting for GitHub per run (readiness.github.client.WaitBudget)
        engine.load_catalogue()
        context = GitHubContext.from_env(env)
        inputs = Inputs.from_env(env)
        return run(context, inputs, env, out)
    except (ContextError, InputError, config.ConfigError, safe_paths.UnsafePath) as error:
        workflow.log(out, "error", f"readiness: {error}")
        return EXIT_USAGE
    except Exception as error:  # say so and fail: a crashed gate must not look like a pass
        workflow.log(out, "error", f"readiness: internal error: {type(error).__name__}: {error}")
        return EXIT_INTERNAL


def run(context: GitHubContext, inputs: Inputs, env: Mapping[str, str], out: TextIO) -> int:
    workspace = context.workspace.resolve()
    root = (workspace / inputs.path).resolve()
    if not root.is_dir() or not root.is_relative_to(workspace):
        raise InputError(f"input 'path' {inputs.path!r} is not a directory inside the workspace")
    config_path = (workspace / inputs.config) if inputs.config else None
    head_policy = config.load(root, config_path, known_checks=registry.known_ids())
    policy, proposed = _gating_policy(
        context, inputs, head_policy, root, config_path or root / config.DEFAULT_FILE, out
    )
    central = _central_policy(context, inputs, out) if inputs.policy else None
    reports_dir = workspace / "reports"
    sarif_path = (workspace / inputs.sarif) if inputs.sarif else None
    # The workspace is the checkout: a committed `reports -> /etc` must not be written through.
    try:
        for folder in (reports_dir, reports_dir / "checkpoint"):
            safe_paths.check_target(folder, workspace, directory=True)
        for target in (reports_dir / "comment.md", *([sarif_path] if sarif_path else [])):
            safe_paths.check_target(target, workspace)
    except safe_paths.UnsafePath as error:
        raise InputError(f"cannot write the reports: {error}") from None
    say = artifacts.say_to(out)

    # The checkpoint lives outside the checkout: a pull request could commit a forged one with
    # matching digests. Only artifacts whose provenance checks out are restored into it.
    state_dir = Path(env.get("RUNNER_TEMP") or tempfile.mkdtemp(prefix="readiness-")) / "readiness"
    checkpoint_path = state_dir / f"{policy.project}-production-readiness.md"
    for stale in (checkpoint_path, checkpoint.json_path_for(checkpoint_path)):
        stale.unlink(missing_ok=True)
    branch = context.head_ref or context.target_branch
    base_states = _restore_state(context, inputs, env, policy, checkpoint_path, branch, say)

    uploader = None
    client = artifacts.ArtifactClient.from_env(env)
    if client is None:
        say("notice", artifacts.ArtifactClient.unavailable_reason(env) or "artifact uploads are unavailable")
    else:
        uploader = artifacts.CheckpointUploader(client, branch, checkpoint_path, say=say)

    def progress(result: CategoryResult) -> None:
        print(f"{result.category.label}: {result.light.value.upper()}", file=out)
        if uploader is not None:
            uploader.after_category(result)

    outputs = pipeline.Outputs(reports_dir, sarif=sarif_path)
    assessment = pipeline.scan(
        root,
        policy,
        outputs,
        fail_on=inputs.fail_on,
        categories=_categories(inputs.categories),
        checkpoint_path=checkpoint_path,
        resume=inputs.resume,
        osv_url=inputs.osv_url,
        allow_incomplete=inputs.allow_incomplete,
        central=central,
        timeout=inputs.timeout,
        on_category=progress,
    )
    if uploader is not None:
        uploader.close()
    _keep_checkpoint_in_workspace(checkpoint_path, reports_dir / "checkpoint", workspace)

    changes = delta.compare(assessment, base_states, policy) if base_states is not None else None
    if inputs.fail_on is FailOn.NEW_BLOCKERS:
        verdict, justification = delta.gate_new_blockers(changes, assessment, inputs.allow_incomplete)
        assessment = replace(assessment, verdict=verdict, justification=justification)

    report_path = pipeline.write(assessment, outputs, tree=workspace).report
    out.write(f"📄 Report saved to: {report_path.relative_to(workspace)}\n")

    gating = _is_release_branch(context.target_branch, inputs.release_branches)
    failed = assessment.verdict is Verdict.NO_GO and gating
    prefix = "" if root == workspace else root.relative_to(workspace).as_posix() + "/"
    pointer = f"The full report is {report_path.relative_to(workspace)} in the workspace."
    workflow.write_summary(env.get("GITHUB_STEP_SUMMARY"), markdown.render(assessment), pointer)

    comment_url = _publish(
        context,
        inputs,
        assessment,
        policy,
        gating,
        failed,
        prefix,
        changes,
        proposed,
        out,
        summary_path=env.get("GITHUB_STEP_SUMMARY"),
    )

    workflow.write_outputs(
        env.get("GITHUB_OUTPUT"),
        {
            "verdict": assessment.verdict.value,
            "blockers": str(len(assessment.active(Severity.BLOCKER))),
            "risks": str(len(assessment.active(Severity.RISK))),
            "report-path": report_path.relative_to(workspace).as_posix(),
            "sarif-path": sarif_path.relative_to(workspace).as_posix() if sarif_path else "",
            "comment-url": comment_url or "",
        },
    )
    if assessment.verdict is Verdict.NO_GO and not gating:
        workflow.log(
            out, "warning", f"No-Go, but {context.target_branch!r} is not a release branch: not failing"
        )
    return EXIT_FAIL if failed else EXIT_PASS


def _publish(
    context: GitHubContext,
    inputs: Inputs,
    assessment: Assessment,
    policy: config.Config,
    gating: bool,
    failed: bool,
    prefix: str,
    changes: Delta | None,
    proposed: list[str],
    out: TextIO,
    summary_path: str | None = None,
) -> str | None:
    """Comment, check run and status, each best effort; annotations when the API can't take them.

    A publishing failure is a warning and never changes the exit code, which is the verdict's
    alone: a No-Go on a release branch exits 1 whether or not GitHub took the check run, so a
    failed publish can't turn it green, and a Go exits 0. A check run that could not be created is
    missing rather than green, so branch protection requiring it keeps the pull request blocked.
    Nothing is dropped: a comment that could not be posted is appended to the job summary, and is
    in reports/comment.md, and the log says so."""
    from readiness.github import publish
    from readiness.github.client import connect

    wants_api = (inputs.comment != "off" and context.pr_number is not None) or inputs.status != "off"
    repo = connect(context.api_url, inputs.token).get_repo(context.repository) if inputs.token else None
    footer = _footer(context)
    body = None
    if context.pr_number is not None:
        body = comment.render(
            assessment,
            marker=publish.marker(inputs.path),
            gating=gating,
            footer=footer,
            policy_changes=proposed,
            changes=changes,
            base_ref=context.base_ref,
        )
        # Kept in the workspace for the fork pattern: a workflow_run job can post it later.
        safe_paths.write_text(context.workspace / "reports" / "comment.md", body)
    if repo is None:
        if wants_api:
            workflow.log(
                out, "warning", "no github-token: results go to the job summary and annotations only"
            )
        workflow.annotate(assessment.findings(), out, prefix)
        return None

    comment_url: str | None = None
    fell_back = False
    if inputs.comment != "off" and context.pr_number is not None and body is not None:
        try:
            comment_url = publish.upsert_comment(repo, context.pr_number, body, inputs.path, inputs.comment)
            out.write(f"PR comment: {comment_url}\n")
        except publish.PublishError as error:
            workflow.log(out, "warning", str(error))
            _keep_unposted_comment(summary_path, body, error.attempts, error.cause, out)
            fell_back = True

    conclusion = "failure" if failed else ("neutral" if assessment.verdict is Verdict.NO_GO else "success")
    if inputs.status in ("check-run", "both"):
        summary = comment.render(
            assessment,
            marker="",
            gating=gating,
            footer=footer,
            policy_changes=proposed,
            limit=publish.CHECK_TEXT_LIMIT,
        )
        output = publish.CheckOutput(
            conclusion=conclusion,
            title=_headline(assessment, gating),
            summary=summary,
            text=markdown.render(assessment),  # check_run cuts it at a line boundary
        )
        try:
            url = publish.check_run(
                repo,
                context.sha,
                output,
                publish.annotations_for(assessment.findings(), prefix),
                context.run_url,
            )
            out.write(f"check run: {url}\n")
        except publish.PublishError as error:
            workflow.log(out, "warning", str(error))
            fell_back = True
    if inputs.status in ("commit-status", "both"):
        state = "failure" if failed else "success"
        try:
            publish.commit_status(repo, context.sha, state, _headline(assessment, gating), context.run_url)
        except publish.PublishError as error:
            workflow.log(out, "warning", str(error))
            fell_back = True
    if fell_back or inputs.status == "off":
        workflow.annotate(assessment.findings(), out, prefix)
    return comment_url


def _keep_unposted_comment(
    summary_path: str | None, body: str, attempts: int | None, cause: str, out: TextIO
) -> None:
    """The comment GitHub would not take, in the job summary (reports/comment.md has it already)."""
    tried = f" after {attempts} attempts" if attempts else ""
    where = "the job summary and reports/comment.md" if summary_path else "reports/comment.md"
    workflow.log(
        out, "warning", f"the PR comment could not be posted{tried} ({cause}); its body is in {where}"
    )
    heading = (
        f"\n\n---\n\n> [!WARNING]\n> The PR comment could not be posted{tried} ({cause}). "
        "This is its body.\n\n"
    )
    pointer = "The whole comment is reports/comment.md in the workspace."
    workflow.write_summary(summary_path, heading + body + "\n", pointer)


def _restore_state(
    context: GitHubContext,
    inputs: Inputs,
    env: Mapping[str, str],
    policy: config.Config,
    checkpoint_path: Path,
    branch: str,
    say: artifacts.Say,
) -> Mapping[Category, checkpoint.CategoryState] | None:
    """Restore a trusted checkpoint for resume; return the base branch's states for the delta
    (None when there is no base or it can't be trusted).

    Trusted: an earlier attempt of this very run (a re-run), or a push run of the base branch (on
    a push, the branch pushed to). Never another run of the pull request's branch: its author can
    edit the workflow there. For resume, this run's earlier attempt comes first, then the base's
    push run (categories the pull request left unchanged are reused); the delta uses only the
    base's push run. What is restored is re-signed with this machine's checkpoint key, the one
    the engine verifies with: here its provenance is what authenticates it."""
    if not inputs.token or (not inputs.resume and not context.base_ref):
        return None
    client = artifacts.RepoClient(context.api_url, context.repository, inputs.token)
    anchor = artifacts.trust_anchor(client, context, env, say)
    if anchor is None:
        return None
    trusted_base = artifacts.trusted_base(context)
    own = None
    if inputs.resume:
        sources = artifacts.Sources(
            artifacts.current_run(context), trusted_base if trusted_base == branch else None
        )
        own = artifacts.find_checkpoint(
            client, context, branch, sources=sources, env=env, project=policy.project, anchor=anchor, say=say
        )
    base = None
    if context.base_ref:
        base = artifacts.find_checkpoint(
            client,
            context,
            context.base_ref,
            sources=artifacts.Sources(push_branch=context.base_ref),
            env=env,
            project=policy.project,
            anchor=anchor,
            say=say,
        )
    restored = own or (base if inputs.resume else None)
    if restored is not None:
        root = (context.workspace.resolve() / inputs.path).resolve()
        try:
            restored.restore(checkpoint_path, checkpoint.state_key(root))
        except (checkpoint.KeyUnavailable, ValueError) as error:  # ValueError: not a JSON object
            say("warning", f"checkpoint {restored.name} cannot be restored ({error}): nothing is reused")
        else:
            if restored is base:
                say("info", f"resuming from {context.base_ref!r}'s checkpoint where inputs are unchanged")
    if base is None:
        return None
    states, warnings = base.states(policy.project)
    for warning in warnings:
        say("warning", warning)
    return states or None


def _keep_checkpoint_in_workspace(checkpoint_path: Path, target: Path, workspace: Path) -> None:
    """A copy for an actions/upload-artifact step (GHES, or runs without the artifact service)."""
    for source in (checkpoint_path, checkpoint.json_path_for(checkpoint_path)):
        if source.exists():
            # Inside the checkout: a planted symlink there is refused, not written through.
            safe_paths.check_target(target / source.name, workspace)
            safe_paths.write_text(target / source.name, source.read_text(encoding="utf-8"))


# Events whose head is the change under review: its files are judged under the base's policy.
_REVIEW_EVENTS = ("pull_request", "pull_request_target", "merge_group")


def _gating_policy(
    context: GitHubContext, inputs: Inputs, head: config.Config, root: Path, config_file: Path, out: TextIO
) -> tuple[config.Config, list[str]]:
    """The policy that gates this run, and what the head's configuration would change in it.

    On a pull request (or a merge queue entry) the configuration is read at the base commit
    through the API: the pull request may not loosen the gate that judges it. A base without a
    configuration file gets the defaults; a base that cannot be read gets the defaults too, with
    a warning (strict, never the head's). Elsewhere (a push to a branch) the checkout's own
    configuration is the branch's policy."""
    from readiness.github.client import API_ERRORS, FileMissing, connect, file_at

    base_sha = _base_sha(context)
    if context.event_name not in _REVIEW_EVENTS or not base_sha:
        return head, []
    workspace = context.workspace.resolve()
    try:
        relative = config_file.resolve().relative_to(workspace).as_posix()
    except ValueError:
        raise InputError(f"input 'config' {inputs.config!r} is not inside the workspace") from None
    project = (
        head.project if head.source is None else config.default(config_file.parent.resolve().name).project
    )
    base = config.default(project)
    if not inputs.token:
        workflow.log(
            out, "warning", "no github-token: the base policy cannot be read; the defaults gate this run"
        )
    else:
        try:
            repo = connect(context.api_url, inputs.token).get_repo(context.repository)
            text = file_at(repo, relative, base_sha)
            base = config.parse(text, relative, project_default=project, known_checks=registry.known_ids())
        except FileMissing:
            pass  # no configuration at the base: the defaults
        except config.ConfigError as error:
            workflow.log(
                out,
                "warning",
                f"the base commit's {relative} is invalid ({error}); the defaults gate this run",
            )
        except API_ERRORS as error:
            workflow.log(
                out,
                "warning",
                f"cannot read the base commit's {relative} ({error}); the defaults gate this run"[:300],
            )
    changes = policy_changes.between(base, head)
    if changes:
        workflow.log(
            out, "notice", f"{len(changes)} policy change(s) in this pull request take effect after merge"
        )
    return base, changes


_REMOTE_POLICY = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+)/(?P<path>[^@]+)@(?P<ref>[\w./-]+)$")


def _central_policy(context: GitHubContext, inputs: Inputs, out: TextIO) -> CentralPolicy:
    """The ``policy`` input's file, read where the change under review cannot have edited it: at
    the base commit on a pull request, from another repository at a ref, or (a push) from the
    pushed commit, which is already the branch's. Unreadable is an input error: a gate told to
    enforce floors must not run without them."""
    from readiness.github.client import API_ERRORS, FileMissing, connect, file_at

    remote = _REMOTE_POLICY.match(inputs.policy)
    base_sha = _base_sha(context) if context.event_name in _REVIEW_EVENTS else None
    if remote is None and base_sha is None:
        workspace = context.workspace.resolve()
        local = (workspace / inputs.policy).resolve()
        if not local.is_relative_to(workspace):
            raise InputError(f"input 'policy' {inputs.policy!r} is not inside the workspace")
        return central_policy.load(local, known_checks=registry.known_ids())
    if not inputs.token:
        raise InputError("input 'policy' must be read through the API, and there is no github-token")
    repository, path, ref = (
        (remote["repo"], remote["path"], remote["ref"])
        if remote
        else (context.repository, inputs.policy.removeprefix("./"), str(base_sha))
    )
    try:
        text = file_at(connect(context.api_url, inputs.token).get_repo(repository), path, ref)
    except FileMissing:
        raise InputError(f"input 'policy': {path} does not exist in {repository} at {ref[:12]}") from None
    except API_ERRORS as error:
        raise InputError(
            f"input 'policy': cannot read {path} from {repository} at {ref[:12]}: {error}"[:400]
        ) from None
    display = f"{repository}/{path}@{ref[:12]}"
    workflow.log(out, "notice", f"central policy {display} applies")
    return central_policy.parse(text, display, known_checks=registry.known_ids())


def _base_sha(context: GitHubContext) -> str | None:
    event = context.event
    sha = (event.get("pull_request") or {}).get("base", {}).get("sha")
    if not sha and isinstance(event.get("merge_group"), dict):
        sha = event["merge_group"].get("base_sha")
    return str(sha) if sha else None


def _headline(assessment: Assessment, gating: bool) -> str:
    blockers = len(assessment.active(Severity.BLOCKER))
    risks = len(assessment.active(Severity.RISK))
    word = "Go" if assessment.verdict is Verdict.GO else "No-Go"
    tail = "" if gating or assessment.verdict is Verdict.GO else " (not a release branch)"
    if gaps := scoring.incomplete(assessment.categories):
        if not blockers:  # the gap is what decided, or what was accepted
            word += " (incomplete)" if assessment.verdict is Verdict.NO_GO else " (INCOMPLETE, accepted)"
        tail += f", {len(gaps)} blocker-level check(s) not assessed"
    return f"{word}: {blockers} blocker(s), {risks} risk(s){tail}"


def _footer(context: GitHubContext) -> str:
    parts = [f"commit {context.sha[:7]}"] if context.sha else []
    if context.run_url:
        parts.append(f"[job summary and full report]({context.run_url})")
    return " · ".join(parts)


def _is_release_branch(branch: str, patterns: tuple[str, ...]) -> bool:
    """No patterns: every branch gates. `release/**` matches release/1.2 and release/1.2/hotfix."""
    if not patterns:
        return True
    return any(fnmatchcase(branch, p.replace("**", "*")) for p in patterns)


def _categories(text: str) -> frozenset[Category] | None:
    try:
        return parse_categories(text)
    except ValueError as error:
        raise InputError(f"input 'categories': {error}") from None
