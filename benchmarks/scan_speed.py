"""Scan time and memory: the adtech example and a generated monorepo, cold and resumed.

Prints figures; asserts nothing (speed is measured here, never in unit tests).
    python benchmarks/scan_speed.py [--services N]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from readiness import config, registry
from readiness.engine import ScanRequest, assess, load_catalogue
from readiness.scanners import default_scanners

ROOT = Path(__file__).resolve().parent.parent


def generate(target: Path, services: int) -> Path:
    """A monorepo of copies of the example's services, each under its own folder."""
    example = ROOT / "examples" / "adtech-exchange"
    for index in range(services):
        shutil.copytree(example, target / f"svc{index:03d}", ignore=shutil.ignore_patterns(".readiness.yml"))
    return target


def timed_scan(root: Path, checkpoint: Path, resume: bool) -> tuple[float, int, int]:
    policy = config.load(root, known_checks=registry.known_ids())
    started = time.perf_counter()
    assessment = assess(
        ScanRequest(
            root=root, config=policy, checkpoint_path=checkpoint, resume=resume, scanners=default_scanners()
        )
    )
    reused = sum(1 for c in assessment.categories if c.reused)
    return time.perf_counter() - started, assessment.repo.files_indexed, reused


def main() -> int:
    load_catalogue()
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=40, help="services in the generated monorepo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        big = generate(Path(work) / "monorepo", args.services)
        for name, root in (("adtech-exchange", ROOT / "examples" / "adtech-exchange"), ("generated", big)):
            checkpoint = Path(work) / f"{name}.md"
            cold, files, _ = timed_scan(root, checkpoint, resume=False)
            warm, _, reused = timed_scan(root, checkpoint, resume=True)
            print(f"{name:16} files={files:6}  cold={cold:6.2f} s  resumed={warm:6.2f} s  reused={reused}/8")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the readiness process: {peak:.0f} MiB (scanners run as child processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
