#!/usr/bin/env bash
# Sets up readiness and scans the bundled ad-tech example, printing the scorecard.
# The example ships with gaps, so the verdict is No-Go and the exit code is 1 (that is the point).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
cd "$here"
export PATH="$here/.tools/bin:$PATH"
exec .venv/bin/readiness scan examples/adtech-exchange "$@"
