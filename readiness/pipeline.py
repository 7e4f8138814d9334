"""The one path from options to report files, shared by the CLI and the Action.

Both front ends do the same three things: build a scan request whose scanners and excludes
follow from where the outputs go, run the engine, and write the dated report and the machine
outputs. They differ only at the edges (argument parsing and printing for the CLI; the GitHub
context, artifacts and publishing for the Action), so those three steps live here once: a fix
to where reports land or what the scan leaves out applies to both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness import central_policy, safe_paths
from readiness.central_policy import CentralPolicy
from readiness.config import Config
from readiness.engine import CategoryCallback, ScanRequest, assess
from readiness.model import Assessment, Category
from readiness.options import output_excludes
from readiness.render import json_report, junit, markdown, sarif
from readiness.scanners import default_scanners
from readiness.scanners.base import ScanOutput
from readiness.scoring import FailOn

_RENDERERS: dict[str, Callable[[Assessment], str]] = {
    "json": json_report.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
    "junit": junit.render,
}


@dataclass(frozen=True)
class Outputs:
    """Where a scan's files go: the dated Markdown report in ``report_dir``, and each machine
    output that was asked for."""

    report_dir: Path
    json: Path | None = None
    sarif: Path | None = None
    junit: Path | None = None

    def machine(self) -> dict[str, Path]:
        chosen = {"json": self.json, "sarif": self.sarif, "junit": self.junit}
        return {name: path for name, path in chosen.items() if path is not None}


@dataclass(frozen=True)
class Written:
    report: Path
    machine: dict[str, Path]


def render(assessment: Assessment, format_name: str) -> str:
    """The assessment as one of the document formats (``json``, ``markdown``, ``sarif``, ``junit``)."""
    return _RENDERERS[format_name](assessment)


def formats() -> tuple[str, ...]:
    return tuple(_RENDERERS)


DEFAULT_TIMEOUT = 600.0  # seconds; ten minutes covers a large monorepo's semgrep run on 2 cores
MAX_TIMEOUT = 6 * 3600.0  # GitHub stops a job after six hours anyway


def parse_timeout(text: str) -> float:
    """A scan budget in seconds (``90``, ``1.5``), positive and at most :data:`MAX_TIMEOUT`."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"timeout {text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_TIMEOUT:  # also refuses nan and inf
        raise ValueError(f"timeout {text!r} must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return value


def scan(
    root: Path, policy: Config, outputs: Outputs, on_category: CategoryCallback | None = None, **options: Any
) -> Assessment:
    """Assess the tree at ``root`` with the real scanners (``options`` as for ``request``)."""
    return assess(request(root, policy, outputs, **options), on_category=on_category)


def request(
    root: Path,
    policy: Config,
    outputs: Outputs,
    *,
    fail_on: FailOn = FailOn.BLOCKER,
    categories: frozenset[Category] | None = None,
    checkpoint_path: Path | None = None,
    resume: bool = False,
    osv_url: str | None = None,
    allow_incomplete: bool = False,
    central: CentralPolicy | None = None,
    policy_notes: tuple[str, ...] = (),
    timeout: float = DEFAULT_TIMEOUT,
    precomputed: Mapping[str, ScanOutput] | None = None,
    inputs: Sequence[Path] = (),
) -> ScanRequest:
    """The engine's request for a scan of ``root``. The tool's own outputs and checkpoint folder
    are left out of the scan when they lie inside it: reading them back would change the file
    listing, and with it every category's checkpoint fingerprint.

    ``central``: floors ``policy`` is raised to; what that undoes joins ``policy_notes``.
    ``timeout``: seconds the scanners may take (they run side by side, each within it); one that
    runs out leaves its checks not assessed, saying so, and what finished is kept.
    ``inputs``: the tool's own input files (a merge's partial results), left out like its outputs."""
    if central is not None:
        policy, undone = central_policy.enforce(policy, central, dt.datetime.now(dt.UTC).date())
        policy_notes = (*policy_notes, *undone)
    # Only the tool's own files are left out, never a folder the tree's configuration named: a
    # checkpoint path inside `services/` would otherwise drop the services from the scan.
    own_files = [*outputs.machine().values(), *inputs]
    if checkpoint_path is not None:
        own_files += [checkpoint_path, checkpoint_path.with_suffix(".json")]
    return ScanRequest(
        root=root,
        config=policy,
        fail_on=fail_on,
        categories=categories,
        checkpoint_path=checkpoint_path,
        resume=resume,
        allow_incomplete=allow_incomplete,
        policy_notes=policy_notes,
        scanners=default_scanners(
            osv_url=osv_url or policy.vulnerabilities.osv_url, go_db=policy.vulnerabilities.go_db
        ),
        exclude=output_excludes(root, own_files, reports=outputs.report_dir),
        scanner_timeout=timeout,
        precomputed=precomputed,
    )


def report_name(assessment: Assessment) -> str:
    """``<date>-production-readiness.md``, dated by when the scan started (UTC)."""
    return f"{assessment.generated_at.astimezone(dt.UTC).date().isoformat()}-production-readiness.md"


def write(assessment: Assessment, outputs: Outputs, *, tree: Path | None = None) -> Written:
    """Write the dated report and every machine output asked for; return where they went.

    ``tree``: the directory whose names the scanned tree's author chose (the scanned root; the
    workspace in the Action). Inside it nothing is written through a symlink or over anything
    but a regular file (:class:`safe_paths.UnsafePath`)."""
    report = outputs.report_dir / report_name(assessment)
    documents = {report: markdown.render(assessment)}
    documents |= {target: render(assessment, name) for name, target in outputs.machine().items()}
    for target in documents:
        if tree is not None:
            safe_paths.check_target(target, tree)
    for target, text in documents.items():
        safe_paths.write_text(target, text)
    return Written(report, outputs.machine())
