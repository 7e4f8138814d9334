"""How long patterns written to hang a backtracking matcher take to apply.

Builds a tree whose `.gitignore` and `exclude` carry lines such as ``*a*a*a*a*a*a*a*a*a*a*b`` and
whose files have long names of the repeated letter (the worst case for them), indexes it with the
walk listing (where readiness applies the `.gitignore` itself), and prints the wall time of each,
with the engine in use. The target is well under a second for every line; with Python's own
engine the first one alone takes hours on a 60-character name.

    python benchmarks/hostile_patterns.py [--files N] [--name-length L]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from readiness import globs
from readiness.repo import Repo

LINES = (
    "*a*a*a*a*a*a*a*a*a*a*b",
    "**/*a*a*a*a*a*a*a*a*a*a*a*a*b/**",
    "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*!",
    "?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--name-length", type=int, default=200)
    args = parser.parse_args()
    print(f"engine: {globs.BACKEND}; {args.files} files named with {args.name_length} repeated letters")
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for index, line in enumerate(LINES):
            root = Path(scratch) / f"tree{index}"
            (root / "src").mkdir(parents=True)
            (root / ".gitignore").write_text(line + "\n")
            for number in range(args.files):
                (root / "src" / ("a" * args.name_length + f"{number}.go")).write_text("package main\n")
            started = time.perf_counter()
            repo = Repo(root, exclude=[line], use_git=False)
            elapsed = time.perf_counter() - started
            worst = max(worst, elapsed)
            mark = "✅" if elapsed < 1.0 else "❌"
            print(f"{mark} {elapsed * 1000:8.1f} ms  {len(repo.paths):4d} files kept  {line}")
    print(f"worst: {worst * 1000:.1f} ms (target < 1000 ms)")
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
