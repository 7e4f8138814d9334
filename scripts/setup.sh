#!/usr/bin/env bash
# Creates .venv (once) and installs readiness into it with its development tools and the
# scanners it drives (semgrep, pip-audit, safety, from pyproject.toml's `scanners` extra, the one
# place their versions are pinned): one environment, as `pip install "readiness[scanners]"` gives
# a user, with `pip check` clean. .tools/bin links the scanners' executables, because the tests
# and scripts put .tools/bin on PATH.
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
quietly "$here/.venv/bin/python" -m pip install -e "$here[dev,scanners]"
# pip installs what its resolver chose even when that leaves an installed package with a
# requirement unmet; the scanners share this environment with readiness, so a conflict fails setup.
quietly "$here/.venv/bin/python" -m pip check

mkdir -p "$here/.tools/bin"
for executable in semgrep pip-audit safety; do
  # A new link renamed over the old one: a test running meanwhile never finds the name missing.
  ln -sfn "$here/.venv/bin/$executable" "$here/.tools/bin/.$executable.new"
  mv -f -T "$here/.tools/bin/.$executable.new" "$here/.tools/bin/$executable"
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
