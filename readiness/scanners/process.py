"""The one way readiness starts an external program: no shell, a timeout, bounded output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from readiness.scanners.base import ScannerError

MAX_OUTPUT_BYTES = 256 * 1024 * 1024

# What a scanner inherits from readiness's own environment: an allow-list, because the Action's
# environment holds the GitHub token (INPUT_GITHUB-TOKEN, GITHUB_TOKEN), the Actions runtime token
# and often cloud credentials, and a scanner run over a hostile tree must have nothing to leak.
# Locale, temporary space, the machine's trust store and proxy, and the caches tools need to
# work offline; nothing else. Tool settings the gate wants are passed explicitly by each adapter.
INHERITED = frozenset(
    {
        "PATH",
        "HOME",
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "TZ",
        "TMPDIR",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "XDG_CACHE_HOME",
        "GOROOT",
        "GOPATH",
        "GOCACHE",
        "GOMODCACHE",
    }
)


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


def find(executable: str, env_override: str | None = None) -> str | None:
    """The executable's path: from ``env_override`` if that variable is set, else from PATH."""
    if env_override and os.environ.get(env_override):
        candidate = os.environ[env_override]
        return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None
    found = shutil.which(executable)
    # Absolute, because the tool runs with the scanned repository as its working directory.
    return os.path.abspath(found) if found else None


def sealed_env(env: Mapping[str, str] | None = None, passed: Sequence[str] = ()) -> dict[str, str]:
    """The environment a scanner gets: :data:`INHERITED` and ``passed`` names from ours, then
    ``env`` (the adapter's own settings) on top."""
    allowed = INHERITED | set(passed)
    return {**{k: v for k, v in os.environ.items() if k in allowed}, **(env or {})}


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    name: str,
    passed: Sequence[str] = (),
) -> Completed:
    """Run a scanner: no shell, a sealed environment (``passed``: extra variable names it may
    inherit, such as its own API key), stdin closed, bounded output and time."""
    try:
        completed = subprocess.run(
            list(argv),
            cwd=cwd,
            env=sealed_env(env, passed),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise ScannerError(f"{name} is not installed ({argv[0]} not found)") from None
    except subprocess.TimeoutExpired:
        raise ScannerError(f"{name} timed out after {timeout:g} s") from None
    except OSError as error:
        raise ScannerError(f"{name} could not start: {error.strerror}") from None
    if len(completed.stdout) > MAX_OUTPUT_BYTES:
        raise ScannerError(f"{name} printed more than {MAX_OUTPUT_BYTES} bytes")
    return Completed(
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
    )


def run_until(
    argv: Sequence[str],
    *,
    cwd: Path,
    deadline: float,
    total: float,
    env: Mapping[str, str] | None = None,
    name: str,
    passed: Sequence[str] = (),
) -> Completed:
    """:func:`run` for a scanner that starts several processes within one time budget: each gets
    what is left until ``deadline`` (a ``time.monotonic()`` value), and running out is reported
    against the whole budget ``total``."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise ScannerError(f"{name} timed out after {total:g} s")
    try:
        return run(argv, cwd=cwd, timeout=left, env=env, name=name, passed=passed)
    except ScannerError as error:
        if str(error).startswith(f"{name} timed out after"):
            raise ScannerError(f"{name} timed out after {total:g} s") from None
        raise


def last_line(text: str, limit: int = 300) -> str:
    """The last non-empty line of a tool's error output: usually the one that says why."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[-1] if lines else "no output")[:limit]


_VERSION = re.compile(r"(\d+\.\d+\.\d+)")


def tool_version(
    executable: str | None,
    name: str,
    env: Mapping[str, str] | None = None,
    pattern: re.Pattern[str] = _VERSION,
) -> str | None:
    """The version in ``TOOL --version`` (group 1 of ``pattern``), or None when missing or broken."""
    if executable is None:
        return None
    try:
        completed = run([executable, "--version"], cwd=Path.cwd(), timeout=60, env=env, name=name)
    except ScannerError:
        return None
    match = pattern.search(completed.stdout)
    return match.group(1) if completed.returncode == 0 and match else None
