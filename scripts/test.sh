#!/usr/bin/env bash
# Sets up readiness and runs everything CI runs: lint, types, the docs freshness check, the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
cd "$here"
export PATH="$here/.tools/bin:$PATH"
.venv/bin/ruff check readiness tests benchmarks
.venv/bin/mypy readiness
# Two workers, one test file each at a time (files share expensive fixtures: the container
# image, the fake GitHub, the offline vulnerability data).
.venv/bin/pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
