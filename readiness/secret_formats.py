"""Every secret format readiness knows, in one table: the detector finds them, the redactor cuts them.

`security/no-hardcoded-secrets` (through :mod:`readiness.facts.credentials`) reports what each
entry matches, and :mod:`readiness.redact` cuts what each entry matches out of every text the
tool writes. Keeping one table is what makes the two agree: a format added for one is known to
the other, and ``tests/test_secret_formats.py`` plants one sample of each entry and proves both.

An entry's ``pattern`` has a group ``secret`` (the value: what is cut, fingerprinted and
judged) and, for values bound to a name in the text (a Helm value, a Terraform variable), a
group ``name``. How a match is judged is the entry's ``judged``:

- ``FORMAT``: the shape is the proof (a GitHub token, a PEM private key);
- ``PASSWORD``: a password by its position (a URL's, a DSN's, redis' ``requirepass``), unless
  it is a placeholder or a reference (``changeme``, ``$REDIS_PASSWORD``);
- ``NAMED``: a literal bound to the name in group ``name``, a secret when the name is one;
- ``RANDOM``: a secret only when it looks generated (a ``Bearer`` literal);
- ``KEYWORD``: a literal assigned to a secret-looking name (``DB_PASSWORD=…``). The detector
  reads these from parsed config (YAML keys, .env lines, Kubernetes env, semgrep matches) and
  judges the value; the redactor matches ``pattern``.

The detector judges strictly (placeholders, examples and comments are not findings); the
redactor cuts everything that is not plainly a reference, because over-cutting a quoted line
is harmless and under-cutting leaks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

REDACTED = "<redacted>"


class Judged(StrEnum):
    FORMAT = "format"
    PASSWORD = "password"
    NAMED = "named"
    RANDOM = "random"
    KEYWORD = "keyword"


@dataclass(frozen=True)
class SecretFormat:
    id: str
    kind: str  # the label a finding carries: "GitHub token (sha256:1a2b3c)"
    where: str  # where the detector looks, for people
    pattern: re.Pattern[str]  # group "secret" is the value; group "name" its name, for NAMED
    judged: Judged
    anchors: tuple[str, ...] = ()  # lower-case text every match contains: other lines are skipped
    comments: bool = True  # also on comment lines (a key is a key; a URL in a comment is an example)
    paths: re.Pattern[str] | None = None  # the detector only looks in files whose path matches
    requires: re.Pattern[str] | None = None  # ... and whose text matches
    whole_file: bool = False  # the pattern spans lines: matched over a file's text, not per line


# ---- secret names -----------------------------------------------------------------------------
# A name that says it holds a secret. `PASS` and `PWD` only as a whole word of the name
# (`DB_PASS`, `MYSQL_PWD`), never inside one (`BYPASS`, `COMPASS`), and never `PWD` alone
# (the shell's working directory).
SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY|"
    r"(?:^|[_.])PASS(?:$|[_.])|[_.]PWD(?:$|[_.])",
    re.IGNORECASE,
)
# Names that mention a secret but hold where it is or how it behaves (`DB_PASSWORD_FILE` is the
# Docker-secrets convention and the right thing to do).
NOT_A_VALUE = re.compile(
    r"_(FILE|PATH|DIR|NAME|URL|URI|ENDPOINT|HOST|PORT|HEADER|TTL|EXPIRY|EXPIRES|EXPIRATION|LENGTH|TYPE|ID|"
    r"ENABLED|REQUIRED|ARN|REF|KEYS?_?ID|SECONDS|SECS|MINUTES|MINS|HOURS|DAYS|MS|TIMEOUT|LIFETIME|DURATION)$",
    re.IGNORECASE,
)
# Where a value stands for a secret kept elsewhere: `${VAR}`, `$VAR`, `<password>`, `{{ .Values.x }}`,
# `os.environ[...]`, a secretKeyRef. The redactor leaves these readable.
REFERENCE = re.compile(r"^[\"']?(?:\$|<|\{|\[|%|os\.|env\b|secretKeyRef)", re.IGNORECASE)


def secret_name(name: str) -> bool:
    name = name.strip().lstrip("-").replace("-", "_")  # a flag such as `--token-file` too
    return bool(SECRET_NAME.search(name)) and not NOT_A_VALUE.search(name)


# The redactor's keyword rule: NAME=value, name: "value", "name", "value" where the name says
# secret and the value is not a reference. Spelled case-insensitively and with `-` and `.`, as
# names are written in every language and format.
_NAME = (
    r"(?:[\w.-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|"
    r"auth[_-]?key|credential)[\w.-]*|(?:[\w-]*[_.-])?pass(?:[_.-][\w.-]*)?|[\w-]+[_.-]pwd(?:[_.-][\w.-]*)?)"
)

_PEM = (
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*$)"
)

FORMATS: tuple[SecretFormat, ...] = (
    SecretFormat(
        "aws-access-key-id",
        "AWS access key id",
        "any line of any file read",
        re.compile(r"\b(?P<secret>(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16})\b"),
        Judged.FORMAT,
        ("akia", "asia", "agpa", "aida", "aroa", "aipa", "anpa", "anva"),
    ),
    SecretFormat(
        "aws-secret-access-key",
        "AWS secret access key",
        "any line: aws_secret_access_key = <40 characters>",
        re.compile(
            r"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        Judged.FORMAT,
        ("access_key", "accesskey"),
    ),
    SecretFormat(
        "github-token",
        "GitHub token",
        "any line",
        re.compile(r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{36,255})\b"),
        Judged.FORMAT,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ),
    SecretFormat(
        "github-fine-grained-token",
        "GitHub fine-grained token",
        "any line",
        re.compile(r"\b(?P<secret>github_pat_[A-Za-z0-9_]{22,255})\b"),
        Judged.FORMAT,
        ("github_pat_",),
    ),
    SecretFormat(
        "gitlab-token",
        "GitLab token",
        "any line",
        re.compile(r"\b(?P<secret>glpat-[A-Za-z0-9_-]{20,})"),
        Judged.FORMAT,
        ("glpat-",),
    ),
    SecretFormat(
        "slack-token",
        "Slack token",
        "any line",
        re.compile(r"\b(?P<secret>xox[abposr]-[A-Za-z0-9-]{10,})"),
        Judged.FORMAT,
        ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"),
    ),
    SecretFormat(
        "slack-webhook",
        "Slack webhook",
        "any line",
        re.compile(
            r"(?P<secret>https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+)"
        ),
        Judged.FORMAT,
        ("hooks.slack.com",),
    ),
    SecretFormat(
        "stripe-live-key",
        "Stripe live key",
        "any line",
        re.compile(r"\b(?P<secret>(?:sk|rk)_live_[A-Za-z0-9]{16,})\b"),
        Judged.FORMAT,
        ("_live_",),
    ),
    SecretFormat(
        "google-api-key",
        "Google API key",
        "any line",
        re.compile(r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])"),
        Judged.FORMAT,
        ("aiza",),
    ),
    SecretFormat(
        "npm-token",
        "npm token",
        "any line",
        re.compile(r"\b(?P<secret>npm_[A-Za-z0-9]{36})\b"),
        Judged.FORMAT,
        ("npm_",),
    ),
    SecretFormat(
        "pypi-token",
        "PyPI token",
        "any line",
        re.compile(r"\b(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})"),
        Judged.FORMAT,
        ("pypi-",),
    ),
    SecretFormat(
        "sendgrid-key",
        "SendGrid key",
        "any line",
        re.compile(r"\b(?P<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])"),
        Judged.FORMAT,
        ("sg.",),
    ),
    SecretFormat(
        "azure-storage-key",
        "Azure storage account key",
        "any line: AccountKey=<88 characters>",
        re.compile(r"(?i)AccountKey\s*=\s*(?P<secret>[A-Za-z0-9+/]{86}==)"),
        Judged.FORMAT,
        ("accountkey",),
    ),
    SecretFormat(
        "jwt",
        "JSON web token",
        "any line",
        re.compile(r"\b(?P<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"),
        Judged.FORMAT,
        ("eyj",),
    ),
    # A GCP service-account key file: the PEM is written on one line with \n escapes.
    SecretFormat(
        "gcp-service-account-private-key",
        "GCP service-account private key",
        'any line: "private_key": "-----BEGIN …"',
        re.compile(r"\"private_key\"\s*:\s*\"(?P<secret>-----BEGIN[^\"]+)\""),
        Judged.FORMAT,
        ("private_key",),
    ),
    # The key's id names the key to Google: with it anyone can tell which key leaked and ask for it.
    SecretFormat(
        "gcp-service-account-key-id",
        "GCP service-account key id",
        'JSON files with "type": "service_account": "private_key_id": "<40 hex>"',
        re.compile(r"\"private_key_id\"\s*:\s*\"(?P<secret>[0-9a-fA-F]{40})\""),
        Judged.FORMAT,
        ("private_key_id",),
        paths=re.compile(r"\.json$", re.IGNORECASE),
        requires=re.compile(r"\"type\"\s*:\s*\"service_account\""),
    ),
    # Every PEM private key: PKCS#8 (PRIVATE KEY), PKCS#1 (RSA), SEC 1 (EC), DSA, OpenSSH,
    # encrypted, PGP blocks. A block spans lines: the detector fingerprints it whole.
    SecretFormat(
        "private-key",
        "private key",
        "any line: -----BEGIN … PRIVATE KEY-----",
        re.compile(rf"(?P<secret>{_PEM})", re.DOTALL),
        Judged.FORMAT,
        ("private key",),
    ),
    SecretFormat(
        "url-password",
        "password in a URL",
        "any line but a comment: scheme://user:password@host",
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"'`]*:(?P<secret>[^@\s/\"'`]+)@", re.IGNORECASE),
        Judged.PASSWORD,
        ("://",),
        comments=False,
    ),
    SecretFormat(
        "bearer-token",
        "bearer token",
        "any line: Bearer <generated-looking token>",
        re.compile(r"\bBearer\s+(?P<secret>[A-Za-z0-9._~+/-]{20,}=*)", re.IGNORECASE),
        Judged.RANDOM,
        ("bearer",),
    ),
    # libpq and ODBC connection strings (`host=db user=app password=s3cret dbname=x`,
    # `Server=db;Uid=app;Pwd=s3cret;`) and a URL's query (`?user=app&password=s3cret`): the
    # password is a password wherever the string is assigned.
    SecretFormat(
        "dsn-password",
        "password in a connection string",
        "any line but a comment: password= or pwd= in a connection string or URL query",
        re.compile(
            r"(?im)^(?=[^\n]*(?:^|[\s;?&\"'])(?:host|hostaddr|user|dbname|server|database|uid|user id|"
            r"data source|sslmode)\s*=)[^\n]*?(?:(?<=[\s;?&\"'])|^)(?:password|pwd)\s*=\s*"
            r"(?P<secret>[^\s;&\"'#]+)"
        ),
        Judged.PASSWORD,
        ("password=", "pwd=", "password =", "pwd ="),
        comments=False,
    ),
    # redis.conf's `requirepass`/`masterauth` lines, and the same as redis-server flags in a
    # compose `command:`, a Dockerfile CMD or container args.
    SecretFormat(
        "redis-password",
        "redis password",
        "any line but a comment: requirepass / masterauth <password>, --requirepass <password>",
        re.compile(
            # Quotes may come escaped (`--requirepass \"$REDIS_PASSWORD\"` inside a JSON-style
            # YAML string): the value starts after them, never with a backslash.
            r"(?im)(?:^\s*|--)(?:requirepass|masterauth)(?:\\?[\"'])?(?:\s*[,=]\s*|\s+)(?:\\?[\"'])?"
            r"(?P<secret>[^\s\"',\]}\\]+)"
        ),
        Judged.PASSWORD,
        ("requirepass", "masterauth"),
        comments=False,
    ),
    # `variable "db_password" { default = "…" }`: the default is what runs when no one sets it.
    SecretFormat(
        "terraform-variable-default",
        "Terraform variable default",
        ".tf files: the default of a variable whose name says secret",
        re.compile(
            r"(?m)^[ \t]*variable[ \t]+\"(?P<name>[^\"\n]+)\"[ \t]*\{"
            r"(?:(?!^[ \t]*(?:variable|resource|module|output|locals|data|provider|terraform)\b)[^\n]*\n)*?"
            r"[^\n]*?(?<![\w.])default[ \t]*=[ \t]*\"(?P<secret>[^\"\n]*)\""
        ),
        Judged.NAMED,
        ("variable",),
        comments=False,
        paths=re.compile(r"\.tf$", re.IGNORECASE),
        whole_file=True,
    ),
    # `{{ .Values.password | default "hunter2" }}`: the chart ships the password.
    SecretFormat(
        "helm-default",
        "Helm template default",
        'any line: .Values.<secret name> | default "…"',
        re.compile(r"\.Values\.(?P<name>[\w.]+)[ \t]*\|[ \t]*default[ \t]+\"(?P<secret>[^\"]*)\""),
        Judged.NAMED,
        (".values.",),
        comments=False,
    ),
    SecretFormat(
        "helm-default-prefix",
        "Helm template default",
        'any line: default "…" .Values.<secret name>',
        re.compile(r"\bdefault[ \t]+\"(?P<secret>[^\"]*)\"[ \t]+\.Values\.(?P<name>[\w.]+)"),
        Judged.NAMED,
        (".values.",),
        comments=False,
    ),
    SecretFormat(
        "secret-named-value",
        "secret",
        "config keys, .env lines, Kubernetes env, Dockerfile ENV, compose environment and string "
        "literals in code whose name says secret (judged by facts.credentials)",
        re.compile(
            rf"""(?i)\b{_NAME}["']?\s*(?:=|:|,)\s*["']?(?!\$|<|\{{|\[|os\.|env\b|secretKeyRef)"""
            r"""(?P<secret>[^\s"',)}]{4,})"""
        ),
        Judged.KEYWORD,
    ),
)

BY_ID = {entry.id: entry for entry in FORMATS}
# A line holding none of these holds no format's match: most lines are skipped at once.
ANCHOR = re.compile("|".join(re.escape(a) for f in FORMATS for a in f.anchors), re.IGNORECASE)
_ANCHORS = tuple(sorted({a.lower() for f in FORMATS for a in f.anchors}))


def anchored(text: str) -> bool:
    """Whether ``text`` holds any format's anchor (as :data:`ANCHOR` would find): on a whole
    file, a substring search per anchor over the lowered text is several times faster than the
    case-insensitive alternation."""
    lower = text.lower()
    return any(anchor in lower for anchor in _ANCHORS)


def _last_word(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def name_of(match: re.Match[str]) -> str | None:
    """The name a NAMED match's value is bound to (`.Values.auth.password` → `password`)."""
    name = match.groupdict().get("name")
    return _last_word(name) if name else None


def redact(text: str) -> str:
    """``text`` with every entry's match cut (references and non-secret names aside)."""
    for entry in FORMATS:
        text = entry.pattern.sub(functools.partial(_cut, entry), text)
    return text


def _cut(entry: SecretFormat, match: re.Match[str]) -> str:
    value = match.group("secret")
    if entry.judged is not Judged.FORMAT and (not value or REFERENCE.match(value)):
        return match.group(0)
    name = name_of(match)
    if entry.judged is Judged.NAMED and (name is None or not secret_name(name)):
        return match.group(0)
    start, end = match.span("secret")
    offset = match.start()
    whole = match.group(0)
    return whole[: start - offset] + REDACTED + whole[end - offset :]


# Paths carry token formats only: a name-based rule would read `a,b` in a path as a secret.
_PATH_FORMATS = tuple(entry for entry in FORMATS if entry.judged is Judged.FORMAT)


def redact_path(path: str) -> str:
    """A repository path with any token-shaped part cut (`config/ghp_….json` →
    `config/<redacted>.json`): a file's name can be the secret."""
    if not anchored(path):
        return path
    for entry in _PATH_FORMATS:
        path = entry.pattern.sub(functools.partial(_cut, entry), path)
    return path
