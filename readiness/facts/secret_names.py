"""Recognising a secret by its name and a literal by its value, without ever keeping the value.

Which names are secret is the secret-format table's (:mod:`readiness.secret_formats`), shared
with the redactor."""

from __future__ import annotations

import shlex
from typing import Any

from readiness.secret_formats import BY_ID, REFERENCE, secret_name

__all__ = ["assignments", "leak", "literal", "secret_name"]

_FLAGS = {"true", "false", "yes", "no", "on", "off", "0", "1"}
_URL_PASSWORD = BY_ID["url-password"].pattern


def literal(value: Any) -> bool:
    """A value written out, as opposed to empty, a `$VAR` reference or an on/off flag."""
    if value is None:
        return False
    text = str(value).strip().strip("\"'")
    return bool(text) and not text.startswith("$") and text.lower() not in _FLAGS


def leak(name: str, value: Any) -> str | None:
    """How a name=value assignment exposes a secret (never quoting the value), or None."""
    urls = _URL_PASSWORD.finditer(str(value)) if value is not None else iter(())
    if any(not REFERENCE.match(url.group("secret")) for url in urls):
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
