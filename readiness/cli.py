"""The command line: the only place that prints the verdict and sets the exit code.

Exit codes: 0 Go, 1 No-Go, 2 usage or configuration error, 3 internal error.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from readiness import (
    __version__,
    catalogue,
    central_policy,
    checkpoint,
    config,
    doctor,
    engine,
    partial,
    pipeline,
    registry,
    safe_paths,
    shard,
)
from readiness.engine import load_catalogue
from readiness.model import Category, CategoryResult, Severity, Verdict
from readiness.options import parse_categories
from readiness.render import console, inert
from readiness.repo import Repo
from readiness.scanners.base import ScanOutput
from readiness.scoring import FailOn

EXIT_GO, EXIT_NO_GO, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# The JSON Schema of .readiness.yml (readiness/schema/config.schema.json, whose $id this is), as
# raw content of the repository on GitHub. pyproject.toml names no repository URL, so the address
# is derived from its metadata: the project's name as owner and repository, its default branch.
# `readiness init` names it in the modeline editors with the YAML language server read.
CONFIG_SCHEMA_URL = (
    "https://raw.githubusercontent.com/readiness/readiness/main/readiness/schema/config.schema.json"
)
SCHEMA_MODELINE = f"# yaml-language-server: $schema={CONFIG_SCHEMA_URL}\n"


class UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="readiness",
        description="Production-readiness gate: answers a strict readiness review of a repository "
        "with evidence and says Go or No-Go.",
    )
    parser.add_argument("--version", action="version", version=f"readiness {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan = commands.add_parser("scan", help="assess a repository and write the report")
    scan.add_argument("path", nargs="?", default=".", help="repository to assess (default: .)")
    _scan_options(scan)
    scan.add_argument(
        "--shard",
        metavar="K/N",
        help="scan only shard K of N of the tree's files (services kept whole) and write a partial "
        "result for `readiness merge` instead of a report",
    )
    scan.add_argument(
        "--partial",
        type=Path,
        metavar="FILE",
        help="where --shard writes its partial result (default: OUTPUT_DIR/partial-K-of-N.json)",
    )
    merge = commands.add_parser(
        "merge", help="combine the partial results of `scan --shard K/N` into one assessment and report"
    )
    merge.add_argument(
        "parts", nargs="+", type=Path, metavar="PART", help="partial result files, one per shard"
    )
    merge.add_argument("--path", default=".", help="the repository the shards scanned (default: .)")
    _scan_options(merge)

    commands.add_parser("checks", help="list the check catalogue")
    explain = commands.add_parser(
        "explain",
        help="explain one check (why, what it reads, how to fix); `lights`: how answers and lights work",
    )
    explain.add_argument("check_id")
    init = commands.add_parser("init", help="write a commented starter .readiness.yml")
    init.add_argument("path", nargs="?", default=".", type=Path)
    commands.add_parser(
        "doctor",
        help="show each scanner: its version, where it was found, whether it works (a tiny offline "
        "self-test), and what is missing with the command that installs it",
    )
    docs = commands.add_parser("docs", help="regenerate docs/checks.md from the registry")
    docs.add_argument("--output", type=Path, default=Path("docs/checks.md"))
    return parser


def _scan_options(command: argparse.ArgumentParser) -> None:
    """The options `scan` and `merge` share: a merge is a scan whose scanners ran elsewhere."""
    command.add_argument("--config", type=Path, help="policy file (default: PATH/.readiness.yml)")
    command.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="central policy: floors the repository's configuration may tighten, never loosen "
        "(docs/configuration.md)",
    )
    command.add_argument(
        "--output-dir",
        type=Path,
        default=Path("reports"),
        help="where the Markdown report is written (default: reports)",
    )
    command.add_argument(
        "--format",
        choices=("text", "markdown", "json", "sarif", "junit"),
        default="text",
        help="what to print on stdout (default: text scorecard)",
    )
    command.add_argument("--json", dest="json_file", type=Path, help="also write the JSON assessment to FILE")
    command.add_argument("--sarif", dest="sarif_file", type=Path, help="also write SARIF 2.1.0 to FILE")
    command.add_argument("--junit", dest="junit_file", type=Path, help="also write JUnit XML to FILE")
    command.add_argument(
        "--fail-on",
        choices=[f.value for f in FailOn],
        default=FailOn.BLOCKER.value,
        help="what makes the verdict No-Go (default: blocker)",
    )
    command.add_argument("--categories", help="comma-separated categories to assess (default: all)")
    command.add_argument(
        "--resume",
        action="store_true",
        help="reuse categories whose inputs are unchanged from a checkpoint this machine wrote (signed "
        "with the key in ~/.cache/readiness; a checkpoint from anywhere else is ignored)",
    )
    command.add_argument(
        "--checkpoint",
        type=Path,
        help="checkpoint file (default from config: .claude/checkpoints/<project>-production-readiness.md)",
    )
    command.add_argument("--no-checkpoint", action="store_true", help="do not write a checkpoint")
    command.add_argument(
        "--timeout",
        default=str(pipeline.DEFAULT_TIMEOUT),
        metavar="SECONDS",
        help="how long the scanners may take (default %(default)s); one that runs out leaves its checks "
        "not assessed and says so",
    )
    command.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="let the verdict be Go when blocker-level checks could not be assessed (missing or failed "
        "scanners); the report says so",
    )
    command.add_argument(
        "--osv-url",
        metavar="URL",
        help="OSV-compatible /v1/query URL for the Python and Node dependency scans (offline use; "
        "overrides vulnerabilities.osv_url)",
    )
    command.add_argument(
        "--go-vulndb",
        metavar="PATH",
        help="local Go vulnerability database, directory or file:// URL (overrides vulnerabilities.go_db)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="readiness: %(message)s",
        stream=sys.stderr,
    )
    try:
        load_catalogue()
        if args.command == "scan":
            return _shard(args) if args.shard else _scan(args)
        if args.command == "merge":
            return _scan(args, merging=True)
        if args.command == "checks":
            sys.stdout.write(catalogue.table())
            return EXIT_GO
        if args.command == "explain":
            sys.stdout.write(catalogue.explain(args.check_id))
            return EXIT_GO
        if args.command == "init":
            return _init(args.path)
        if args.command == "doctor":
            found = doctor.rows()
            sys.stdout.write(doctor.table(found))
            return EXIT_GO if all(row.works for row in found) else EXIT_NO_GO
        if args.command == "docs":
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(catalogue.markdown(), encoding="utf-8")
            print(f"wrote {args.output}")
            return EXIT_GO
    except (
        UsageError,
        config.ConfigError,
        registry.RegistryError,
        safe_paths.UnsafePath,
    ) as error:
        print(f"readiness: error: {inert.log_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # the last line of defence: say so, and exit 3, never 0
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        print(f"readiness: internal error: {type(error).__name__}: {inert.log_line(error)}", file=sys.stderr)
        return EXIT_INTERNAL
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE  # not reached: parser.error exits


def _check_writable(path: Path, tree: Path, origin: str, *, directory: bool = False) -> None:
    """An output path may only name a regular file (or nothing yet), and inside the scanned tree
    (whose names the tree's author chose) only one reached without symlinks: ``/dev/null``, or a
    committed link to elsewhere, would be replaced."""
    try:
        safe_paths.check_target(path, tree, directory=directory)
    except safe_paths.UnsafePath as error:
        raise UsageError(f"{origin}: {error}") from None
    if path.exists() and not (path.is_dir() if directory else path.is_file()):
        kind = "a directory" if directory else "a regular file"
        raise UsageError(f"{origin}: {path} exists and is not {kind}")


def _prepared(args: argparse.Namespace) -> tuple[Path, config.Config, central_policy.CentralPolicy | None]:
    """The tree, its policy (with the command line's scanner overrides) and the central policy."""
    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    policy = config.load(root, args.config, known_checks=registry.known_ids())
    central = central_policy.load(args.policy, known_checks=registry.known_ids()) if args.policy else None
    if args.osv_url or args.go_vulndb:
        if args.osv_url and not args.osv_url.startswith(("http://", "https://")):
            raise UsageError(f"--osv-url must be an http(s) URL, not {args.osv_url!r}")
        policy = dataclasses.replace(
            policy,
            vulnerabilities=dataclasses.replace(
                policy.vulnerabilities,
                osv_url=args.osv_url or policy.vulnerabilities.osv_url,
                go_db=args.go_vulndb or policy.vulnerabilities.go_db,
            ),
        )
    return root, policy, central


def _shard(args: argparse.Namespace) -> int:
    """One shard's scanners, written as a partial result; the merge judges (exit 0 when written)."""
    try:
        chosen = shard.Shard.parse(args.shard)
    except ValueError as error:
        raise UsageError(f"--shard: {error}") from None
    root, policy, central = _prepared(args)
    target = args.partial or args.output_dir / f"partial-{chosen.index}-of-{chosen.count}.json"
    _check_writable(target, root, "--partial")
    request = pipeline.request(
        root,
        policy,
        pipeline.Outputs(args.output_dir),
        categories=_categories(args.categories),
        timeout=_timeout(args.timeout),
        central=central,
    )
    _announce_missing(args, request)
    result = engine.run_shard(request, chosen)
    safe_paths.write_text(target, result.to_json())
    for output in result.outputs.values():
        print(f"  {output.name}: {output.status} ({inert.log_line(output.detail)})", file=sys.stderr)
    print(f"shard {chosen.label}: partial result written to {_shown(target)}")
    return EXIT_GO


def _scan(args: argparse.Namespace, *, merging: bool = False) -> int:
    root, policy, central = _prepared(args)
    categories = _categories(args.categories)
    checkpoint_path = None
    if not args.no_checkpoint:
        # The configured path is the tree's: under its root (config.load checked it stays there).
        checkpoint_path = args.checkpoint or root / policy.checkpoint_file()
        for target in (checkpoint_path, checkpoint.json_path_for(checkpoint_path)):
            _check_writable(target, root, "--checkpoint" if args.checkpoint else "checkpoint.path")

    outputs = pipeline.Outputs(args.output_dir, args.json_file, args.sarif_file, args.junit_file)
    _check_writable(outputs.report_dir, root, "--output-dir", directory=True)
    for name, target in outputs.machine().items():
        _check_writable(target, root, f"--{name}")
    precomputed = None
    if merging:
        precomputed, categories = _merged(args, root, policy, central, outputs, categories)
    if not merging:  # a merge runs no scanner: the shards' machines had them or said so
        # The scan's own request, as pipeline.scan builds it: the same categories (after the
        # central policy) and scanners (with the policy's OSV service), so the notice names
        # exactly the scanners the scan will run.
        _announce_missing(
            args, pipeline.request(root, policy, outputs, categories=categories, central=central)
        )
    assessment = pipeline.scan(
        root,
        policy,
        outputs,
        fail_on=FailOn(args.fail_on),
        categories=categories,
        checkpoint_path=checkpoint_path,
        resume=args.resume,
        allow_incomplete=args.allow_incomplete,
        timeout=_timeout(args.timeout),
        central=central,
        on_category=_progress,
        precomputed=precomputed,
        inputs=args.parts if merging else (),
    )
    for warning in assessment.warnings:
        print(f"readiness: warning: {inert.log_line(warning)}", file=sys.stderr)
    for note in assessment.policy_notes:  # file names from the tree: one inert line each
        print(f"readiness: policy: {inert.log_line(note)}", file=sys.stderr)

    report = _shown(pipeline.write(assessment, outputs, tree=root).report)
    saved = f"📄 Report saved to: {report}"
    if args.format in pipeline.formats():
        sys.stdout.write(pipeline.render(assessment, args.format))
        print(saved, file=sys.stderr)  # stdout stays a clean document for pipes
    else:
        sys.stdout.write(console.scorecard(assessment))
        print(saved)
    return EXIT_GO if assessment.verdict is Verdict.GO else EXIT_NO_GO


def _announce_missing(args: argparse.Namespace, request: engine.ScanRequest) -> None:
    """Before anything else on stderr: which scanners this scan will use are not installed, and
    the command that installs them; otherwise the first sign is a report full of not-assessed
    checks. ``--quiet``, where a command has it, silences it."""
    line = None if getattr(args, "quiet", False) else doctor.notice(request)
    if line is not None:
        print(f"readiness: {line}", file=sys.stderr)


def _merged(
    args: argparse.Namespace,
    root: Path,
    policy: config.Config,
    central: central_policy.CentralPolicy | None,
    outputs: pipeline.Outputs,
    categories: frozenset[Category] | None,
) -> tuple[dict[str, ScanOutput], frozenset[Category]]:
    """The parts' scanner outputs as one, checked against this tree and policy."""
    request = pipeline.request(root, policy, outputs, central=central, inputs=args.parts)
    repo = Repo(root, exclude=request.config.exclude, ignore=request.exclude)
    try:
        merged = partial.merge(
            partial.load(args.parts),
            tree=repo.tree_digest(),
            config=request.config.digest(),
            readiness_version=__version__,
        )
    except partial.PartialError as error:
        raise UsageError(str(error)) from None
    if categories is not None and categories != frozenset(merged.categories):
        raise UsageError("--categories differs from the categories the shards scanned")
    return dict(merged.outputs), frozenset(merged.categories)


def _timeout(text: str) -> float:
    try:
        return pipeline.parse_timeout(text)
    except ValueError as error:
        raise UsageError(f"--timeout: {error}") from None


def _categories(text: str | None) -> frozenset[Category] | None:
    try:
        return parse_categories(text)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # a different drive on Windows
        return str(path)


def _progress(result: CategoryResult) -> None:
    counts = f"{result.count(Severity.BLOCKER)} blocker(s), {result.count(Severity.RISK)} risk(s)"
    reused = ", reused" if result.reused else ""
    print(f"  {result.category.label}: {result.light.value.upper()} ({counts}{reused})", file=sys.stderr)


def _init(path: Path) -> int:
    target = path / config.DEFAULT_FILE
    if target.exists():
        raise UsageError(f"{target} already exists; not overwriting it")
    target.write_text(SCHEMA_MODELINE + config.STARTER, encoding="utf-8")
    print(f"wrote {target}")
    return EXIT_GO


if __name__ == "__main__":
    sys.exit(main())
