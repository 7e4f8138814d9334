"""Build a local Go vulnerability database (govulncheck's legacy and v1 layouts) from OSV entries.

    python scripts/build_go_vulndb.py OSV_DIR OUT_DIR

Then scan with `readiness scan --go-vulndb OUT_DIR` (docs/scanners.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness.scanners.go_vulndb import build_from_directory


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python scripts/build_go_vulndb.py OSV_DIR OUT_DIR", file=sys.stderr)
        return 2
    count = build_from_directory(Path(argv[0]), Path(argv[1]))
    print(f"wrote {count} entries to {argv[1]} (legacy and v1 layouts)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
