#!/usr/bin/env bash
# Creates .venv (once) and installs readiness with its development tools into it, and the
# scanners it drives (semgrep, ...) each in its own virtual environment under .tools/, linked
# from .tools/bin: their pinned dependencies conflict with each other.
# Sourced by demo.sh and test.sh; safe to run again (pip skips what is installed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
quietly() {  # run an install quietly; show its output only when it fails
  "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "setup: failed: $*" >&2; exit 1; }
}
if [ ! -x "$here/.venv/bin/python" ]; then
  quietly "$python" -m venv "$here/.venv"
fi
quietly "$here/.venv/bin/python" -m pip install --upgrade pip
quietly "$here/.venv/bin/python" -m pip install -e "$here[dev]"

# scanner name, pip requirement, executable
tools=(
  "semgrep semgrep==1.185.0 semgrep"
)
mkdir -p "$here/.tools/bin"
for entry in "${tools[@]}"; do
  read -r name requirement executable <<<"$entry"
  venv="$here/.tools/$name"
  if [ ! -x "$venv/bin/$executable" ]; then
    quietly "$python" -m venv "$venv"
    quietly "$venv/bin/python" -m pip install --upgrade pip
    quietly "$venv/bin/python" -m pip install "$requirement"
  fi
  ln -sf "$venv/bin/$executable" "$here/.tools/bin/$executable"
done
