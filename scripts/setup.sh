#!/usr/bin/env bash
# Creates .venv (once) and installs readiness with its development tools into it.
# Sourced by demo.sh and test.sh; safe to run again (pip skips what is installed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
if [ ! -x "$here/.venv/bin/python" ]; then
  "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
"$here/.venv/bin/python" -m pip install --quiet -e "$here[dev]"
