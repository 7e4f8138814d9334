"""Fuzz every parser of untrusted input with many more inputs than the test suite can afford.

Runs the strategies and oracles of tests/fuzz (strategies.py, targets.py) under hypothesis,
generation only (no shrinking, no example database), and prints per target: the inputs run, the
crashes (exception type and the innermost readiness location, deduplicated, with a count and the
shortest input that raised it), the inputs slower than a second, and the time taken; then a total
line. A crash is anything but the parser's documented error, or a broken invariant. Exit status 0
only when nothing crashed and nothing took more than a second.

    python benchmarks/fuzz.py [--inputs N] [--seed S] [--only TARGET ...] [--json FILE]

``--inputs`` (default 100,000) is split across the targets by their weights: a whole-tree check
run costs twenty parser calls, so the checks target gets a smaller share.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

from tests.fuzz.targets import TARGETS, Target  # noqa: E402

SLOW_SECONDS = 1.0
_PACKAGE = str(ROOT / "readiness")


@dataclass
class Crash:
    kind: str  # exception type
    where: str  # innermost frame in readiness/ (else the innermost frame), path:line
    message: str
    count: int = 0
    shortest: str = ""  # repr of the shortest input that raised it


@dataclass
class TargetRun:
    name: str
    inputs: int = 0
    crashes: dict[tuple[str, str], Crash] = field(default_factory=dict)
    slow: int = 0
    slowest: float = 0.0
    seconds: float = 0.0

    @property
    def crashed(self) -> int:
        return sum(crash.count for crash in self.crashes.values())


def location(error: BaseException) -> tuple[str, str]:
    """(type, path:line): where in readiness the error was raised; a check's crash carries the
    check's own error as its cause."""
    while error.__cause__ is not None and type(error).__name__ == "CheckCrashed":
        error = error.__cause__
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(_PACKAGE)]
    if not (ours or frames):
        return type(error).__name__, "?"
    frame = (ours or frames)[-1]
    path = Path(frame.filename)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    where = f"{shown}:{frame.lineno}"
    return type(error).__name__, where


def fuzz(target: Target, count: int, seed: int) -> TargetRun:
    run = TargetRun(target.name)

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        phases=(Phase.generate,),
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(target.strategy())
    def one(value: Any) -> None:
        if run.inputs >= count:
            return
        run.inputs += 1
        started = time.perf_counter()
        try:
            target.run(value)
        except Exception as error:  # the point of this script: record it, don't stop
            kind, where = location(error)
            shown = repr(value)
            crash = run.crashes.setdefault((kind, where), Crash(kind, where, str(error)[:200], 0, shown))
            crash.count += 1
            if len(shown) < len(crash.shortest):
                crash.shortest, crash.message = shown, str(error)[:200]
        finally:
            elapsed = time.perf_counter() - started
            run.slowest = max(run.slowest, elapsed)
            if elapsed > SLOW_SECONDS:
                run.slow += 1

    started = time.perf_counter()
    # Hypothesis stops early when a small strategy is exhausted; go round again with another seed.
    round_seed = seed
    while run.inputs < count:
        before = run.inputs
        one()
        if run.inputs == before:
            break
        round_seed += 1
        one = hypothesis_seed(round_seed)(one)
    run.seconds = time.perf_counter() - started
    return run


def shares(targets: Sequence[Target], total: int) -> list[int]:
    weights = sum(t.weight for t in targets)
    counts = [int(total * t.weight / weights) for t in targets]
    counts[0] += total - sum(counts)
    return counts


def _print_run(run: TargetRun) -> None:
    rate = run.inputs / run.seconds if run.seconds else 0.0
    print(
        f"{run.name:18} inputs {run.inputs:7}  crashes {run.crashed:5} ({len(run.crashes)} distinct)  "
        f"slow {run.slow:3}  slowest {run.slowest * 1000:6.0f} ms  [{run.seconds:6.1f} s, {rate:5.0f}/s]"
    )
    for crash in sorted(run.crashes.values(), key=lambda c: -c.count):
        print(f"    ✗ {crash.count:5}× {crash.kind} at {crash.where}: {crash.message}")
        print(f"             shortest input: {crash.shortest[:300]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inputs", type=int, default=100_000, help="generated inputs in total")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (same seed, same inputs)")
    parser.add_argument("--only", action="append", default=[], help="fuzz only this target (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    targets = [t for t in TARGETS if not args.only or t.name in args.only]
    if not targets:
        print(f"no target named {', '.join(args.only)}; known: {', '.join(t.name for t in TARGETS)}")
        return 2
    runs = []
    for target, count in zip(targets, shares(targets, args.inputs), strict=True):
        run = fuzz(target, count, args.seed)
        runs.append(run)
        _print_run(run)
        sys.stdout.flush()
    inputs = sum(r.inputs for r in runs)
    crashed = sum(r.crashed for r in runs)
    distinct = sum(len(r.crashes) for r in runs)
    slow = sum(r.slow for r in runs)
    seconds = sum(r.seconds for r in runs)
    print()
    print(
        f"total: {inputs} inputs over {len(runs)} targets, {crashed} crashes ({distinct} distinct), "
        f"{slow} slower than {SLOW_SECONDS:.0f} s, slowest {max(r.slowest for r in runs) * 1000:.0f} ms, "
        f"{seconds:.0f} s ({inputs / seconds if seconds else 0:.0f} inputs/s)"
    )
    if args.json:
        figures = {
            "seed": args.seed,
            "targets": [
                {
                    "name": r.name,
                    "inputs": r.inputs,
                    "crashes": [vars(c) for c in r.crashes.values()],
                    "slow": r.slow,
                    "slowest_seconds": r.slowest,
                    "seconds": r.seconds,
                }
                for r in runs
            ],
            "total": {"inputs": inputs, "crashes": crashed, "slow": slow, "seconds": seconds},
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if crashed == 0 and slow == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
