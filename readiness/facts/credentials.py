"""Recognising secret values in a line of text, and redacting them before anything is written.

A :class:`Leak` keeps the value in memory only, to fingerprint it and to cut it out of the
line; nothing built from this module ever renders the value itself. Known token formats are
recognised anywhere; a value assigned to a secret-looking name is judged by how it looks
(placeholder, password, high-entropy string).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass

from readiness.facts.secret_names import secret_name

# (kind, pattern); group 1 is the secret part, so the redacted line keeps its context (the
# user name and host of a URL stay readable, only the password goes).
_TOKEN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16})\b")),
    (
        "AWS secret access key",
        re.compile(
            r"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
    ),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b")),
    ("GitHub fine-grained token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{22,255})\b")),
    ("GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})")),
    ("Slack token", re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})")),
    (
        "Slack webhook",
        re.compile(r"(https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+)"),
    ),
    ("Stripe live key", re.compile(r"\b((?:sk|rk)_live_[A-Za-z0-9]{16,})\b")),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])")),
    ("npm token", re.compile(r"\b(npm_[A-Za-z0-9]{36})\b")),
    ("PyPI token", re.compile(r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})")),
    ("SendGrid key", re.compile(r"\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")),
    ("Azure storage account key", re.compile(r"(?i)AccountKey\s*=\s*([A-Za-z0-9+/]{86}==)")),
    ("JSON web token", re.compile(r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})")),
    # A GCP service-account key file: the PEM is written on one line with \n escapes.
    ("GCP service-account private key", re.compile(r"\"private_key\"\s*:\s*\"(-----BEGIN[^\"]+)\"")),
    (
        "private key",
        re.compile(
            r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*-----|$))"
        ),
    ),
)

# scheme://user:password@host; the password is group 1.
_URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"'`]*:([^@\s/\"'`]+)@", re.IGNORECASE)
# "Authorization: Bearer <token>" written out in code or config.
_BEARER = re.compile(r"\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)")
# Values that stand for a secret instead of being one: references, templates, masks, examples.
_PLACEHOLDER = re.compile(
    r"""^(
        \$.*|%.*|\{.*\}|<.*>|\[.*\]|\(.*\)|\#\{.*\}|.*\{\{.*\}\}.*|.*\$\{.*\}.*|
        \**|x+|\.+|-+|_+|
        (change[-_]?(me|this|it)|replace[-_]?(me|this|it)|todo|tbd|fixme|none|null|nil|undefined|empty|
         secret|password|passwd|pass|pw|pwd|token|api[-_]?key|key|example|sample|dummy|placeholder|redacted|
         your[-_ ].*|my[-_ ].*|enter[-_ ].*|insert[-_ ].*|set[-_ ]?me|not[-_ ]?set|
         true|false|yes|no|on|off|required|optional)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Settings about secrets rather than secrets: `password_encryption = scram-sha-256`,
# `token_ttl`, `api_key_header`, `require_password`.
_ABOUT_A_SECRET = re.compile(
    r"(^|_)(ENCRYPTION|ALGORITHM|ALGO|POLICY|MODE|METHOD|FORMAT|SCHEME|STRENGTH|COMPLEXITY|MIN|MAX|"
    r"ROTATION|PROMPT|FIELD|PARAM|LABEL|REGEX|PATTERN|TIMEOUT|LIFETIME|DURATION|AGE|SIZE|COUNT|"
    r"RETRIES|LIMIT|VERSION|PROVIDER|STORE|MANAGER|SOURCE|BACKEND|KIND|CLASS|LOCATION|PREFIX|SUFFIX|"
    r"LOCATION|ENV|VAR|VARIABLE)$|^(NO|USE|REQUIRE|REQUIRES|ENABLE|DISABLE|IS|HAS)_",
    re.IGNORECASE,
)
# An environment variable's name written as a value (`os.Getenv("DB_PASSWORD")`): a reference.
_SECRET_REFERENCE = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
_PASSWORD_NAME = re.compile(r"PASSW(OR)?D|PASSPHRASE|(^|_)PWD($|_)", re.IGNORECASE)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_STRING_LITERAL = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'|`([^`]*)`")


@dataclass(frozen=True)
class Leak:
    """A secret found on one line. ``value`` stays in memory: render :meth:`label` instead."""

    kind: str
    start: int
    end: int
    value: str

    @property
    def fingerprint(self) -> str:
        """A short digest that tells two findings of the same secret apart from different ones,
        too short to confirm a guess of the value."""
        return hashlib.sha256(self.value.encode()).hexdigest()[:6]

    def label(self) -> str:
        return f"{self.kind} (sha256:{self.fingerprint})"


def normalise(name: str) -> str:
    """`dbPassword` → `db_Password`, so camelCase names meet the snake_case name rules."""
    return _CAMEL.sub(r"\1_\2", name.strip().strip("\"'"))


def secret_named(name: str) -> bool:
    normal = normalise(name)
    return secret_name(normal) and not _ABOUT_A_SECRET.search(normal)


# Passwords that images, charts and tutorials ship with: a deployment that keeps one is open to
# anyone who guesses it (`postgres`, `cassandra`, `guest`).
WELL_KNOWN_PASSWORDS = frozenset({
    "postgres", "admin", "root", "guest", "password", "secret", "123456", "mysql", "redis", "cassandra",
    "mongo", "mongodb", "rabbitmq", "elastic", "opensearch", "minio", "minioadmin", "keycloak", "test",
})  # fmt: skip
# The generic words of a secret's name: a value made of them and other plain words names the
# secret it stands for (`influx-password`, `redis_secret`, `my-api-token`), it is not one.
_SECRET_WORDS = frozenset({"password", "passwd", "secret", "token", "apikey"})
_WORDS = re.compile(r"[a-z]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in re.split(r"[^A-Za-z0-9]+", normalise(text)) if word)


def placeholder(value: str) -> bool:
    text = value.strip()
    if _PLACEHOLDER.match(text):
        return True
    # Two or three plain lower-case words, one of them the secret's own name: a label.
    words = re.split(r"[-_.]", text)
    return (
        1 < len(words) <= 3
        and any(word in _SECRET_WORDS for word in words)
        and all(_WORDS.fullmatch(word) for word in words)
    )


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values()) if value else 0.0


def random_looking(value: str) -> bool:
    """A long, high-entropy string: the shape of a generated key or token. Hex needs less
    entropy per character (16 symbols); other text needs digits too, so long English names
    and phrases (`X-Api-Key-Header-Value`) are not mistaken for keys."""
    if len(value) < 20 or any(c.isspace() for c in value) or placeholder(value):
        return False
    if _HEX.match(value):
        return entropy(value) >= 3.0
    has_digit = any(c.isdigit() for c in value)
    return entropy(value) >= (3.5 if has_digit else 4.2)


def judge(name: str, value: str, *, any_literal: bool = False) -> str | None:
    """Why ``name = value`` is a hardcoded secret (the kind of secret), or None.

    Passwords count whatever they look like; other secret names (tokens, keys) count when the
    value looks generated, or always when ``any_literal`` (a committed .env file, a fallback for
    a secret read from the environment, a Kubernetes env value).
    """
    value = value.strip()
    if not value or not secret_named(name) or placeholder(value) or any(c.isspace() for c in value):
        return None
    if value.isdigit():  # a number is a setting (a length, a lifetime), not a secret
        return None
    if _words(value) == _words(name):  # `db_password: db_password`: the name written as its value
        return None
    if _SECRET_REFERENCE.match(value) and secret_named(value):
        return None
    if _PASSWORD_NAME.search(normalise(name)) and len(value) >= 4:
        return "well-known default password" if value.lower() in WELL_KNOWN_PASSWORDS else "password"
    if any_literal and len(value) >= 4:
        return "secret"
    if random_looking(value):
        return "high-entropy secret"
    return None


# Every format above contains one of these: lines without any are skipped at once.
_ANCHOR = re.compile(
    r"AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack|"
    r"_live_|AIza|npm_|pypi-|SG\.|AccountKey|eyJ|PRIVATE KEY|private_key|://|Bearer|secret_?access",
    re.IGNORECASE,
)


def scan_line(line: str) -> list[Leak]:
    """Secrets recognisable by their format alone: tokens, private keys, URL passwords."""
    if not _ANCHOR.search(line):
        return []
    found: list[Leak] = []
    for kind, pattern in _TOKEN_FORMATS:
        for match in pattern.finditer(line):
            found.append(Leak(kind, match.start(1), match.end(1), match.group(1)))
    for match in _URL_PASSWORD.finditer(line):
        password = match.group(1)
        if not placeholder(password) and not password.startswith("$"):
            found.append(Leak("password in a URL", match.start(1), match.end(1), password))
    for match in _BEARER.finditer(line):
        if random_looking(match.group(1)):
            found.append(Leak("bearer token", match.start(1), match.end(1), match.group(1)))
    return _without_overlaps(found)


def literal_leak(line: str, name: str, *, any_literal: bool = False) -> Leak | None:
    """The string literal on ``line`` that is a secret bound to ``name`` (the longest one that
    is not the name itself), judged by :func:`judge`."""
    best: Leak | None = None
    for match in _STRING_LITERAL.finditer(line):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        value = match.group(group)
        if value == name or value.strip("\"'") == name or line[: match.start()].rstrip().endswith("f"):
            continue
        kind = judge(name, value, any_literal=any_literal)
        if kind is not None and (best is None or len(value) > len(best.value)):
            best = Leak(kind, match.start(group), match.end(group), value)
    return best


def value_leak(line: str, name: str, value: str, *, any_literal: bool = False) -> Leak | None:
    """A ``name: value`` / ``NAME=value`` pair of a config file, located on its line."""
    value = value.strip().strip("\"'")
    kind = judge(name, value, any_literal=any_literal)
    if kind is None:
        return None
    start = line.find(value, line.find(name) + len(name) if name in line else 0)
    start = start if start >= 0 else line.find(value)
    if start < 0:  # written across lines (a YAML block scalar): nothing on this line to cut out
        return Leak(kind, len(line), len(line), value)
    return Leak(kind, start, start + len(value), value)


def redact(line: str, leaks: list[Leak], limit: int = 200) -> str:
    """The line with each secret replaced by its label; anything that still looks like a secret
    afterwards is cut too, and the result is shortened to ``limit`` characters."""
    text = line
    for leak in sorted(_without_overlaps(leaks), key=lambda leak: leak.start, reverse=True):
        text = text[: leak.start] + f"<redacted {leak.label()}>" + text[leak.end :]
    for leak in sorted(scan_line(text), key=lambda leak: leak.start, reverse=True):
        if not text[leak.start : leak.end].startswith("<redacted"):
            text = text[: leak.start] + f"<redacted {leak.label()}>" + text[leak.end :]
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _without_overlaps(leaks: list[Leak]) -> list[Leak]:
    """The widest leak wins where two overlap (a private key inside a JSON value, say)."""
    kept: list[Leak] = []
    for leak in sorted(leaks, key=lambda leak: (leak.start, -(leak.end - leak.start))):
        if kept and leak.start < kept[-1].end:
            if leak.end > kept[-1].end:  # cut the union, keep the first kind
                kept[-1] = Leak(kept[-1].kind, kept[-1].start, leak.end, kept[-1].value)
            continue
        kept.append(leak)
    return kept


# A name in the position of a key: followed by an assignment, a colon or (as a quoted
# argument) a comma: `token :=`, `password:`, `getenv("API_TOKEN",`.
_NAME_IN_POSITION = re.compile(r"([A-Za-z_]\w*)[\"']?\s*(?::=|=|:|,)")
# A whole line of config: `KEY=value`, `key: value`, `"key": "value",`.
_CONFIG_PAIR = re.compile(
    r"^\s*(?:export\s+|-\s+)?[\"']?([A-Za-z_][\w.-]*)[\"']?\s*[:=]\s*[\"']?([^\"'\s]+)[\"']?\s*,?\s*$"
)


def sanitize(line: str, limit: int = 200) -> str:
    """A line made safe to quote as evidence by any check: known secret formats, URL passwords
    and literals bound to secret-looking names are cut (over-cutting a quoted line is harmless;
    under-cutting leaks). For `Repo.evidence`'s default snippet."""
    leaks = scan_line(line)
    for word in dict.fromkeys(_NAME_IN_POSITION.findall(line)):
        if secret_named(word) and (leak := literal_leak(line, word, any_literal=True)) is not None:
            leaks.append(leak)
    pair = _CONFIG_PAIR.match(line)
    if pair is not None and judge(pair.group(1), pair.group(2), any_literal=True) is not None:
        leaks.append(Leak("secret", pair.start(2), pair.end(2), pair.group(2)))
    return redact(line, leaks, limit) if leaks else line.strip()[:limit]
