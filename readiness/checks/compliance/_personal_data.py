"""Where a repository handles personal data: OpenRTB fields in code and schemas, SQL columns.

Bid requests carry personal data by design (the device's IP and advertising ID, the user's
buyer ID, precise geolocation, the consent string), so an ad-tech service's code and schemas say
plainly when it handles them. Struct tags, field access, protobuf fields and SQL column
definitions are matched, not words in comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts.documents import balanced, line_at, sql_paths
from readiness.repo import Repo

_COMMENT = re.compile(r"^\s*(//|#|--|\*|/\*)")
_VENDORED = ("vendor/", "third_party/", "third-party/")
PERSONAL_COLUMNS = (
    "ip|ip_address|ipaddress|device_ip|client_ip|remote_ip|ipv6|ifa|idfa|gaid|device_id|email|email_address"
    "|user_id|buyeruid|buyer_uid|phone|phone_number|lat|lon|latitude|longitude|consent_string"
)
_COLUMN_TYPES = (
    r"inet|cidr|text|varchar|character|char|uuid|bigint|integer|int|int4|int8|citext|numeric|double|real"
    r"|float\d?|macaddr|bytea|string|geography|point"
)
_COLUMN_DEFINITION = rf'"?({PERSONAL_COLUMNS})"?\s+({_COLUMN_TYPES})\b'
_COLUMN = re.compile(rf"^\s*{_COLUMN_DEFINITION}", re.I)
_ADD_COLUMN = re.compile(
    r"alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?([\w.\"]+)\s+"
    rf"add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?{_COLUMN_DEFINITION}",
    re.I,
)
_CREATE_TABLE = re.compile(r"create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?([\w.\"]+)\s*\(", re.I)

# (what it is, files it applies to, pattern, another pattern the file must contain or None)
_CODE: list[tuple[str, tuple[str, ...], re.Pattern[str], re.Pattern[str] | None]] = [
    ("OpenRTB device IP", (".go",), re.compile(r'json:"(ip|ipv6)[,"]'), re.compile(r"\bDevice\b")),
    ("OpenRTB geolocation", (".go",), re.compile(r'json:"(lat|lon)[,"]'), re.compile(r"\bGeo\b")),
    ("OpenRTB identifier/consent", (".go",), re.compile(r'json:"(ifa|buyeruid|consent|gdpr)[,"]'), None),
    (
        "OpenRTB field access",
        (".go",),
        re.compile(r"\.(Device\.(IP|IPv6|IFA)|User\.(ID|BuyerUID)|Geo\.(Lat|Lon))\b"),
        None,
    ),
    (
        "OpenRTB field access",
        (".py", ".js", ".ts", ".java", ".kt"),
        re.compile(
            r"""\b(device(\.|\[\s*["'])(ip|ipv6|ifa)|user(\.|\[\s*["'])(id|buyeruid)|geo(\.|\[\s*["'])(lat|lon))\b"""
            r"""|\[\s*["']device["']\s*\]\s*\[\s*["'](ip|ipv6|ifa)["']"""
            r"""|["'](ifa|buyeruid|gdpr|consent)["']"""
        ),
        None,
    ),
    (
        "protobuf field",
        (".proto",),
        re.compile(
            r"^\s*(optional\s+|repeated\s+)?[\w.]+\s+(ip|ipv6|ifa|buyeruid|consent|gdpr|email|user_id)\s*=\s*\d"
        ),
        None,
    ),
]


@dataclass(frozen=True)
class Sighting:
    path: str
    line: int
    what: str


@dataclass(frozen=True)
class Column:
    name: str
    path: str
    line: int


@dataclass(frozen=True)
class Table:
    path: str
    line: int  # the CREATE TABLE line
    name: str
    personal: tuple[Column, ...]  # personal-data columns, including ones added by ALTER TABLE


def personal_data(repo: Repo) -> list[Sighting]:
    """The first sign of personal data in each file."""
    found: dict[str, Sighting] = {}
    for what, suffixes, pattern, context in _CODE:
        for path in repo.with_suffix(*suffixes):
            if (
                path in found
                or path.startswith(_VENDORED)
                or (context and not context.search(repo.text(path)))
            ):
                continue
            for number, text in enumerate(repo.lines(path), start=1):
                if not _COMMENT.match(text) and pattern.search(text):
                    found[path] = Sighting(path, number, what)
                    break
    for table in tables(repo):
        for column in table.personal:
            if column.path not in found:
                found[column.path] = Sighting(
                    column.path, column.line, f"SQL column {table.name}.{column.name}"
                )
    return sorted(found.values(), key=lambda s: s.path)


def table_name(raw: str) -> str:
    """`"public"."Bids"` -> `bids`: the unqualified, unquoted, lower-case name."""
    return raw.replace('"', "").split(".")[-1].lower()


def tables(repo: Repo) -> list[Table]:
    """Tables created by SQL (files and migrations), with the personal-data columns they hold."""
    created: dict[str, Table] = {}
    added: list[tuple[str, Column]] = []
    for path in sql_paths(repo):
        # Blank out `--` comments, keeping offsets, so a comment above a column doesn't hide it.
        text = re.sub(r"--[^\n]*", lambda comment: " " * len(comment.group()), repo.text(path))
        for create in _CREATE_TABLE.finditer(text):
            body_start = create.end()
            body = balanced(text, body_start - 1)[1:-1]
            columns = tuple(
                Column(m.group(1).lower(), path, line_at(text, body_start + part.start() + m.start(1)))
                for part in re.finditer(r"[^,]+", body)
                if (m := _COLUMN.match(part.group()))
            )
            name = table_name(create.group(1))
            created.setdefault(name, Table(path, line_at(text, create.start()), name, columns))
        for alter in _ADD_COLUMN.finditer(text):
            column = Column(alter.group(2).lower(), path, line_at(text, alter.start(2)))
            added.append((table_name(alter.group(1)), column))
    for name, column in added:
        if name in created:
            table = created[name]
            created[name] = Table(table.path, table.line, name, (*table.personal, column))
    return list(created.values())


# ---- consent ------------------------------------------------------------------------------------

# Reading the consent signals, not declaring them: a field access after a dot (`req.Regs.Ext.GDPR`,
# `regs.gdpr`, `regs["ext"]["gdpr"]`, `.get("us_privacy")`), never a struct field or JSON tag.
_CONSENT_READ: list[tuple[tuple[str, ...], re.Pattern[str]]] = [
    (
        (".go",),
        re.compile(
            r"\.(Regs\.(GDPR|Ext|USPrivacy|GPP|GPPSID)|USPrivacy|GPPSID|GDPR|ConsentString)\b|\.User\.(Ext\.)?Consent\b"
        ),
    ),
    (
        (".py", ".js", ".ts", ".mjs"),
        re.compile(
            r"""\bregs(\.|\?\.|\[\s*["'])(gdpr|ext|us_privacy|gpp|gpp_sid)\b|\[\s*["']regs["']\s*\]"""
            r"""|\.get\(\s*["'](gdpr|us_privacy|gpp|gpp_sid|consent)["']"""
            r"""|\bext(\.|\?\.|\[\s*["'])(gdpr|consent|us_privacy)\b"""
        ),
    ),
]
# Libraries that decode TCF consent strings or GPP strings.
_CONSENT_LIBRARIES = re.compile(
    r"github\.com/(prebid/go-gdpr|prebid/go-gpp|LiveRamp/iabconsent)"
    r"|^\s*(from|import)\s+(iabtcf|iab_tcf|iabgpp)\b|@iabtcf/|@iabgpp/",
    re.M,
)


def consent_handling(repo: Repo, production: list[str]) -> list[Sighting]:
    """Where service code reads consent signals or decodes TCF/GPP strings (first sign per file)."""
    found: dict[str, Sighting] = {}
    for path in production:
        text = repo.text(path)
        library = _CONSENT_LIBRARIES.search(text)
        if library:
            found[path] = Sighting(path, line_at(text, library.start()), "TCF/GPP consent library")
            continue
        for suffixes, pattern in _CONSENT_READ:
            if not path.endswith(suffixes):
                continue
            for number, line in enumerate(repo.lines(path), start=1):
                if not _COMMENT.match(line) and pattern.search(line):
                    found.setdefault(path, Sighting(path, number, "consent signal read"))
                    break
    return sorted(found.values(), key=lambda s: s.path)
