#!/usr/bin/env bash
# Creates .venv (once) and installs readiness with its development tools into it, and the
# scanners it drives (semgrep, pip-audit, safety) each in its own virtual environment under
# .tools/, linked from .tools/bin: their pinned dependencies conflict with each other.
# govulncheck and the Go toolchain come from Debian packages (.ci/run installs them).
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
  "pip-audit pip-audit==2.10.1 pip-audit"
  "safety safety==3.8.1 safety"
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

# The SARIF 2.1.0 JSON Schema, for the tests that validate readiness's SARIF output. It ships in
# Microsoft's SARIF SDK package on the npm registry; kept under .tools, never in the repository.
schema="$here/.tools/sarif/sarif-2.1.0-rtm.5.json"
if [ ! -f "$schema" ] && command -v npm >/dev/null 2>&1; then
  mkdir -p "$here/.tools/sarif"
  (cd "$here/.tools/sarif" && quietly npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 \
    && tar -xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json \
    && mv package/lib/schemas/sarif-2.1.0-rtm.5.json "$schema" && rm -rf package ./*.tgz)
fi
