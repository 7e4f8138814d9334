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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from readiness.facts.secret_names import secret_name
from readiness.secret_formats import FORMATS, REFERENCE, Judged, SecretFormat, anchored, name_of

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
_PASSWORD_NAME = re.compile(r"PASSW(OR)?D|PASSPHRASE|(^|_)(PWD|PASS)($|_)", re.IGNORECASE)
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


# What the detector reads line by line, and what it reads over a file's whole text.
_LINE_FORMATS = tuple(f for f in FORMATS if f.judged is not Judged.KEYWORD and not f.whole_file)
_FILE_FORMATS = tuple(f for f in FORMATS if f.judged is not Judged.KEYWORD and f.whole_file)
# A comment line: a URL or a connection string there is an example of the syntax; a key format
# in a comment is still a key. (`--` followed by a letter is a command-line flag, not SQL.)
_COMMENT = re.compile(r"^\s*(//|#|/\*|\*|--(?:\s|$)|;)")


def scan_line(line: str) -> list[Leak]:
    """Secrets recognisable by their format alone (every line format of the secret-format
    table, wherever it may be): to cut a quoted line and to judge a value. The detector reads
    files with :func:`file_leaks`, which knows where each format applies."""
    return _scan(line, _LINE_FORMATS, comment=False)


def _scan(line: str, formats: tuple[SecretFormat, ...], *, comment: bool) -> list[Leak]:
    if not anchored(line):
        return []
    lower = line.lower()
    found: list[Leak] = []
    for entry in formats:
        if (comment and not entry.comments) or not any(anchor in lower for anchor in entry.anchors):
            continue
        for match in entry.pattern.finditer(line):
            leak = _judged(entry, match)
            if leak is not None:
                found.append(leak)
    return _without_overlaps(found)


def _judged(entry: SecretFormat, match: re.Match[str], offset: int = 0) -> Leak | None:
    """The match as a leak (``offset``: where its line starts in the text matched), or None
    when the value stands for a secret instead of being one."""
    value = match.group("secret")
    if entry.judged is not Judged.FORMAT and REFERENCE.match(value):
        return None  # `password={{ db_password }}`, `--requirepass $REDIS_PASSWORD`
    if entry.judged is Judged.PASSWORD:
        bare = value.strip("\"'")
        if not bare or placeholder(bare):
            return None
    elif entry.judged is Judged.NAMED:
        name = name_of(match)
        if name is None or judge(name, value, any_literal=True) is None:
            return None
    elif entry.judged is Judged.RANDOM and not random_looking(value):
        return None
    start, end = match.span("secret")
    return Leak(entry.kind, start - offset, end - offset, value)


def _applies(entry: SecretFormat, path: str, text: str | None) -> bool:
    if entry.paths is not None and not entry.paths.search(path):
        return False
    return entry.requires is None or (text is not None and bool(entry.requires.search(text)))


def file_leaks(path: str, lines: Iterable[str], text: str | None = None) -> Iterator[tuple[int, Leak]]:
    """(line number, leak) of every format of the secret-format table that applies to the file
    at ``path``. ``text`` is the whole file, for the formats that span lines or depend on the
    rest of the file; without it (a file too large to hold) only the line formats are read."""
    if text is not None and not anchored(text):
        # Every format needs one of its anchors on the line it matches: a file with none of them
        # anywhere holds no leak (four files in five of a real tree), and one search over the
        # whole text costs less than one per line.
        return
    formats = tuple(f for f in _LINE_FORMATS if _applies(f, path, text))
    by_line: dict[int, list[Leak]] = {}
    for number, line in enumerate(lines, start=1):
        leaks = _scan(line, formats, comment=bool(_COMMENT.match(line)))
        if leaks:
            by_line[number] = leaks
    if text is not None:
        for entry in _FILE_FORMATS:
            if not _applies(entry, path, text) or not any(a in text.lower() for a in entry.anchors):
                continue
            for match in entry.pattern.finditer(text):
                start = text.rfind("\n", 0, match.start("secret")) + 1
                number = text.count("\n", 0, start) + 1
                end = text.find("\n", start)
                if not entry.comments and _COMMENT.match(text[start : end if end >= 0 else len(text)]):
                    continue
                leak = _judged(entry, match, offset=start)
                if leak is not None:
                    by_line.setdefault(number, []).append(leak)
    for number in sorted(by_line):
        for leak in _without_overlaps(by_line[number]):
            yield number, leak


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
