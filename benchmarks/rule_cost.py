"""What each shipped semgrep rule costs on a real tree, against a budget.

Runs the real semgrep with the command lines a cold scan runs (``Semgrep.invocations``:
production code with every rule, tests with the rules that read tests), with ``--time``, and
prints per rule the matching time summed over files, its share of all matching time and the
slowest file, slowest first. A rule over the budget (a share of the total, default 10 %) is
marked ❌, and so are files semgrep left unanalysed; the exit status is 1 when any is. Asserts
nothing in the test suite: speed is measured here.

    python benchmarks/rule_cost.py [TREE | --tarball FILE] [--budget 0.10] [--top N]

Default tree: ../shared/corpus/perf/jaeger.tar.gz (a real Go repository, 181k Go lines).
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from readiness import config, registry
from readiness.engine import load_catalogue, scanner_settings
from readiness.model import Category
from readiness.repo import Repo
from readiness.scanners import process
from readiness.scanners.semgrep import _ENV, Semgrep

ROOT = Path(__file__).resolve().parent.parent
JAEGER = ROOT.parent / "shared" / "corpus" / "perf" / "jaeger.tar.gz"


def profile(
    tree: Path, timeout: float, rules: Path | None = None
) -> tuple[dict[str, float], dict[str, tuple[float, str]], int, list[str], float]:
    """Matching seconds by rule, the slowest (seconds, file) by rule, files, errors, wall time."""
    semgrep = Semgrep(rules)
    load_catalogue()
    policy = config.load(tree, known_checks=registry.known_ids())
    repo = Repo(tree, exclude=policy.exclude, use_git=False)
    settings = scanner_settings(policy, list(Category), {}, [])["semgrep"]
    assert semgrep._executable is not None, "semgrep is not installed"
    totals: dict[str, float] = defaultdict(float)
    slowest: dict[str, tuple[float, str]] = {}
    errors: list[str] = []
    files = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        # The command lines a cold scan runs: production code with every rule, tests with the
        # rules that read tests, generated and vendored files not at all.
        for argv in semgrep.invocations(repo, settings, rules_subset=Path(scratch)):
            files += len(argv) - argv.index("--") - 1
            argv = [*argv[: argv.index("--")], "--time", *argv[argv.index("--") :]]
            completed = process.run(argv, cwd=repo.root, timeout=timeout, env=_ENV, name="semgrep")
            data = json.loads(completed.stdout)
            errors += [describe(error) for error in data.get("errors") or []]
            ids = [str(rule).rsplit(".", 1)[-1] for rule in data["time"]["rules"]]
            for target in data["time"]["targets"]:
                for rule, seconds in zip(ids, target["match_times"], strict=False):
                    totals[rule] += seconds
                    if seconds > slowest.get(rule, (0.0, ""))[0]:
                        slowest[rule] = (seconds, target["path"])
    return dict(totals), slowest, files, errors, time.perf_counter() - started


def describe(error: dict) -> str:
    """One semgrep error as ``type: path (rule)``: which rule timed out on which file."""
    kind = error.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    rule = str(error.get("rule_id") or "").rsplit(".", 1)[-1]
    where = error.get("path") or error.get("message", "")[:120]
    return f"{kind}: {where}" + (f" ({rule})" if rule else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, help="a directory (default: the jaeger tarball)")
    parser.add_argument("--tarball", type=Path, default=JAEGER)
    parser.add_argument("--budget", type=float, default=0.10, help="largest share of matching time per rule")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--rules", type=Path, help="a rule file or directory (default: the shipped rules)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tree = args.tree
        if tree is None:
            with tarfile.open(args.tarball) as archive:
                archive.extractall(scratch, filter="data")
            tree = Path(scratch)
        totals, slowest, files, errors, wall = profile(tree, args.timeout, args.rules)
    matching = sum(totals.values()) or 1e-9
    print(
        f"tree: {args.tree or args.tarball.name}; {files} files; semgrep wall {wall:.1f} s; "
        f"matching {matching:.1f} s (summed over jobs); budget {args.budget:.0%} of matching per rule"
    )
    over = 0
    for rule, seconds in sorted(totals.items(), key=lambda item: -item[1])[: args.top]:
        share = seconds / matching
        mark = "❌" if share > args.budget else "✅"
        over += share > args.budget
        worst, path = slowest.get(rule, (0.0, ""))
        print(f"{mark} {seconds:8.2f} s {share:6.1%}  {rule:45s} slowest {worst:6.2f} s {path}")
    mark = "❌" if errors else "✅"
    print(f"{mark} files semgrep left unanalysed (parse errors, timeouts): {len(errors)}")
    for error in errors:
        print(f"   {error}")
    print(f"rules over budget: {over}")
    return 1 if over or errors else 0


if __name__ == "__main__":
    sys.exit(main())
