"""Recognising a secret by its name and a literal by its value, without ever keeping the value."""

from __future__ import annotations

import re
import shlex
from typing import Any

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY",
    re.IGNORECASE,
)
# Names that mention a secret but hold where it is or how it behaves (`DB_PASSWORD_FILE` is the
# Docker-secrets convention and the right thing to do).
_NOT_A_VALUE = re.compile(
    r"_(FILE|PATH|DIR|NAME|URL|URI|ENDPOINT|HOST|PORT|HEADER|TTL|EXPIRY|EXPIRES|EXPIRATION|LENGTH|TYPE|ID|"
    r"ENABLED|REQUIRED|ARN|REF|KEYS?_?ID|SECONDS|SECS|MINUTES|MINS|HOURS|DAYS|MS|TIMEOUT|LIFETIME|DURATION)$",
    re.IGNORECASE,
)
_FLAGS = {"true", "false", "yes", "no", "on", "off", "0", "1"}
# scheme://user:password@host with a password that is not a ${VAR} reference.
_CREDENTIAL_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:(?!\$)[^@\s/]+@", re.IGNORECASE)


def secret_name(name: str) -> bool:
    name = name.strip().lstrip("-").replace("-", "_")  # a flag such as `--token-file` too
    return bool(_SECRET_NAME.search(name)) and not _NOT_A_VALUE.search(name)


def literal(value: Any) -> bool:
    """A value written out, as opposed to empty, a `$VAR` reference or an on/off flag."""
    if value is None:
        return False
    text = str(value).strip().strip("\"'")
    return bool(text) and not text.startswith("$") and text.lower() not in _FLAGS


def leak(name: str, value: Any) -> str | None:
    """How a name=value assignment exposes a secret (never quoting the value), or None."""
    if value is not None and _CREDENTIAL_URL.search(str(value)):
        return "contains a URL with an embedded password"
    if secret_name(name) and literal(value):
        return "is set to a literal value"
    return None


def assignments(arguments: str) -> list[tuple[str, str | None]]:
    """(name, value) pairs of an ENV or ARG instruction: `A=1 B="x y"`, the legacy `ENV A x y`,
    and `ARG A` (no value)."""
    try:
        tokens = shlex.split(arguments, posix=True)
    except ValueError:  # an unbalanced quote: fall back to whitespace
        tokens = arguments.split()
    if tokens and "=" not in tokens[0] and len(tokens) > 1:
        return [(tokens[0], arguments.split(None, 1)[1])]
    pairs: list[tuple[str, str | None]] = []
    for token in tokens:
        name, separator, value = token.partition("=")
        pairs.append((name, value if separator else None))
    return pairs
