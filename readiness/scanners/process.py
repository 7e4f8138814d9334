"""The one way readiness starts an external program: no shell, a timeout, bounded output."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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
    """The executable's path: from ``env_override`` if that variable is set, else from PATH, else
    beside the running interpreter.

    ``pip install "readiness[scanners]"`` puts semgrep, pip-audit and safety in the scripts
    directory of readiness's own environment, which need not be on PATH: pipx links only
    readiness itself onto PATH, and a virtual environment's tools are usable by full path without
    activating it. PATH still comes first, so a tool the user chose on purpose wins."""
    if env_override and os.environ.get(env_override):
        candidate = os.environ[env_override]
        return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None
    found = shutil.which(executable) or shutil.which(executable, path=interpreter_dir())
    # Absolute, because the tool runs with the scanned repository as its working directory.
    return os.path.abspath(found) if found else None


def interpreter_dir() -> str:
    """The directory of the running Python (a virtual environment's ``bin``), where the scripts
    of packages installed with it land. ``sys.executable`` itself, not its resolved target: a
    venv's python is a symlink to the base interpreter, whose directory holds other tools."""
    return os.path.dirname(os.path.abspath(sys.executable)) if sys.executable else ""


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
    """The version in ``TOOL --version`` (group 1 of ``pattern``), or None when missing or broken.

    Asking costs seconds for some tools (semgrep starts a Python interpreter and its engine), and a
    rerun with nothing changed should cost less than that, so a version once read is remembered
    per executable file (its resolved path, inode, size and modification time: an upgrade rewrites
    the file) in the user's cache directory, outside any scanned tree."""
    if executable is None:
        return None
    identity = _identity(executable, name, pattern)
    known = _remembered().get(identity) if identity else None
    if known is not None:
        return known
    try:
        completed = run([executable, "--version"], cwd=Path.cwd(), timeout=60, env=env, name=name)
    except ScannerError:
        return None
    match = pattern.search(completed.stdout)
    version = match.group(1) if completed.returncode == 0 and match else None
    if version is not None and identity:
        _remember(identity, version)
    return version


def versions_file() -> Path | None:
    cache = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not cache or not os.path.isabs(cache):
        try:
            cache = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(cache) / "readiness" / "tool-versions.json"


def _identity(executable: str, name: str, pattern: re.Pattern[str]) -> str:
    try:
        resolved = Path(executable).resolve(strict=True)
        info = resolved.stat()
    except (OSError, RuntimeError):
        return ""
    return f"{name}\0{resolved}\0{info.st_ino}\0{info.st_size}\0{info.st_mtime_ns}\0{pattern.pattern}"


def _remembered() -> dict[str, str]:
    path = versions_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _remember(identity: str, version: str) -> None:
    """Best effort, atomic: a cache that can't be written only costs the next run a question."""
    path = versions_file()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _remembered()
        data[identity] = version
        if len(data) > 256:  # old executables' entries: keep the file small
            data = dict(list(data.items())[-256:])
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tool-versions-")
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(temporary, path)
    except OSError:
        return
