"""Secrets management: no secret is written into code, config, .env files or manifests.

Nothing here ever quotes a secret: every piece of evidence carries a snippet in which the
value is replaced by its kind and a short fingerprint (``sha256:1a2b3c``).
"""

from __future__ import annotations

import binascii
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from readiness import seed
from readiness.context import CheckContext
from readiness.facts import secrets
from readiness.facts.code import SEMGREP, matches
from readiness.facts.credentials import (
    WELL_KNOWN_PASSWORDS,
    Leak,
    file_leaks,
    literal_leak,
    placeholder,
    random_looking,
    redact,
    scan_line,
    secret_named,
    value_leak,
)
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo
from readiness.secret_formats import BY_ID

_CODE = (".go", ".py", ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx")
_CONFIG = (
    ".yaml",
    ".yml",
    ".json",
    ".toml",
    ".ini",
    ".cfg",
    ".conf",
    ".properties",
    ".tfvars",
    ".tf",
    ".hcl",
)
_SCRIPTS = (".sh", ".bash")
_KEY_FILES = (".pem", ".key", ".p8", ".ppk")
_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
# Package managers' and tools' credential files: where a registry token is most often committed.
_CREDENTIAL_FILES = {".npmrc", ".yarnrc", ".pypirc", ".netrc", ".git-credentials", ".dockercfg"}
# Templates of an env file, meant to be copied and filled in: their values are judged like any
# config value, not as live settings.
_ENV_TEMPLATES = (".example", ".sample", ".template", ".dist", ".defaults", ".tmpl", ".tpl")
_LITERAL_RULES = ("go-secret-literal", "py-secret-literal", "js-secret-literal")
_FALLBACK_RULES = ("go-secret-env-fallback", "py-secret-env-fallback", "js-secret-env-fallback")
# Kinds that bring secrets in from outside the repository: evidence that the right thing is done.
_SECRET_SOURCES = {
    "ExternalSecret",
    "ClusterExternalSecret",
    "SealedSecret",
    "SecretProviderClass",
    "VaultStaticSecret",
    "VaultDynamicSecret",
}
_KEY_VALUE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*[=:]\s*(.*?)\s*$")
_JSON_PAIR = re.compile(r"\"([^\"]+)\"\s*:\s*\"((?:[^\"\\]|\\.)*)\"")
# Formats whose value may be an image's or a tool's well-known default (`password=postgres`).
_DEFAULT_PRONE = {BY_ID["dsn-password"].kind, BY_ID["redis-password"].kind}
_PRIVATE_KEY_END = re.compile(r"-----END [A-Z0-9 ]*-----")


@dataclass(frozen=True)
class _Hit:
    path: str
    line: int
    leaks: tuple[Leak, ...]
    what: str  # where the secret sits, without its value: "fallback of SESSION_SECRET"
    text: str | None = None  # the line, for a file the repository view does not hold (too large)


# UI text catalogues: `"form.label.password": "Mot de passe"` is a label, not a password.
_TRANSLATION_DIRS = frozenset(
    {"locale", "locales", "translations", "translation", "i18n", "l10n", "lang", "langs"}
)
# A locale code as the file name: `en.json`, `pt_BR.yml`, `de-DE.po`.
_TRANSLATION_FILE = re.compile(r"^[a-z]{2}(?:[_-][A-Z]{2})?\.(?:json|ya?ml|po)$")
# CI pipelines: a literal password there belongs to the job's throwaway service containers.
_CI_FILE = re.compile(
    r"(^|/)(\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci/[^/]+|\.travis\.ya?ml|"
    r"azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|Jenkinsfile|\.drone\.ya?ml|\.buildkite/[^/]+)$"
)


def _translation_file(path: str) -> bool:
    pure = PurePosixPath(path)
    directories = {part.lower() for part in pure.parts[:-1]}
    return bool(directories & _TRANSLATION_DIRS) or bool(_TRANSLATION_FILE.match(pure.name))


def _ci_file(path: str) -> bool:
    return bool(_CI_FILE.search(path))


def _env_file(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _env_template(path: str) -> bool:
    return PurePosixPath(path).name.lower().endswith(_ENV_TEMPLATES)


def _key_file(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name in _KEY_NAMES or name in _CREDENTIAL_FILES or name.endswith(_KEY_FILES)


def _image_hits(repo: Repo) -> Iterator[_Hit]:
    """Literal secrets in Dockerfile ENV/ARG lines and compose `environment:` (facts.secrets)."""
    for setting in secrets.settings(repo):
        if setting.kind is secrets.Kind.LITERAL and setting.leak is not None:
            yield _Hit(setting.path, setting.line, (setting.leak,), setting.owner)


def _format_hits(repo: Repo, path: str) -> Iterator[_Hit]:
    """Secrets recognisable by their format alone (the secret-format table), line by line."""
    lines = repo.lines(path)
    for number, leak in file_leaks(path, lines, repo.text(path)):
        yield _Hit(path, number, (_whole_private_key(lines, number, leak),), "")


def _oversized_hits(repo: Repo) -> tuple[list[_Hit], list[str]]:
    """Files too large for the repository view, read as lines: the formats, and secret-named
    `key: value` / `KEY=value` lines. Also the files read only in part."""
    hits: list[_Hit] = []
    partial: list[str] = []
    for big in secrets.oversized(repo):
        lower = big.path.lower()
        env = _env_file(big.path)
        if not (env or _key_file(big.path) or lower.endswith((*_CODE, *_CONFIG, *_SCRIPTS))):
            continue  # what the check reads of a small file, it reads of a large one
        for number, leak in file_leaks(big.path, big.lines):
            key = _whole_private_key(big.lines, number, leak)
            hits.append(_Hit(big.path, number, (key,), "", big.lines[number - 1]))
        if env or (lower.endswith(_CONFIG) and not _translation_file(big.path)):
            live = env and not _env_template(big.path)
            for hit in _pair_hits(big.path, big.lines, live_env=live):
                hits.append(dataclasses.replace(hit, text=big.lines[hit.line - 1]))
        if not big.complete:
            partial.append(big.path)
    return hits, partial


def _whole_private_key(lines: list[str], number: int, leak: Leak) -> Leak:
    """A PEM block spans lines: fingerprint the whole block, not its (constant) header."""
    if leak.kind != "private key" or _PRIVATE_KEY_END.search(leak.value):
        return leak
    block = [leak.value]
    for text in lines[number : number + 200]:
        block.append(text.strip())
        if _PRIVATE_KEY_END.search(text):
            break
    return Leak(leak.kind, leak.start, leak.end, "\n".join(block))


def _code_hits(ctx: CheckContext) -> Iterator[_Hit]:
    """String literals bound to secret-looking names, and literal fallbacks of secrets read
    from the environment, as semgrep located them."""
    repo = ctx.repo
    for rules, fallback in ((_LITERAL_RULES, False), (_FALLBACK_RULES, True)):
        for match in matches(ctx, *rules, tests=True):  # reported, downgraded by policy
            name = match.capture("$KEY" if fallback else "$NAME")
            lines = repo.lines(match.path)
            for number in range(match.line, min(match.end_line, len(lines)) + 1):
                leak = literal_leak(lines[number - 1], name, any_literal=fallback)
                if leak is not None:
                    what = (
                        f"the fallback of environment variable {name}" if fallback else f"the value of {name}"
                    )
                    yield _Hit(match.path, number, (leak,), what)
                    break


def _walk(node: Any) -> Iterator[tuple[str, Any, int]]:
    """(key, scalar value, line) of every mapping entry of a YAML document."""
    if isinstance(node, YMap):
        for key, value in node.items():
            if isinstance(value, (YMap, YList)):
                yield from _walk(value)
            else:
                yield str(key), value, node.line_of(key)
    elif isinstance(node, YList):
        for item in node:
            yield from _walk(item)


def _yaml_hits(repo: Repo, path: str) -> Iterator[_Hit]:
    """Secret-named keys with literal values in YAML config (Secrets and container env lists
    are judged on their own, as Kubernetes objects)."""
    lines = repo.lines(path)
    for document in repo.yaml(path):
        if isinstance(document, YMap) and document.get("kind") == "Secret" and "apiVersion" in document:
            continue
        for key, value, line in _walk(document):
            if not isinstance(value, str) or not 0 < line <= len(lines):
                continue
            leak = value_leak(lines[line - 1], key, value)
            if leak is not None:
                yield _Hit(path, line, (leak,), f"config key {key}")


def _text_config_hits(repo: Repo, path: str, *, live_env: bool) -> Iterator[_Hit]:
    """`KEY=value` / `key: value` / `"key": "value"` lines of env, TOML, INI, properties and JSON
    files. In a live .env file any literal secret counts: it is the value in use."""
    return _pair_hits(path, repo.lines(path), live_env=live_env)


def _pair_hits(path: str, lines: list[str], *, live_env: bool) -> Iterator[_Hit]:
    json_like = path.lower().endswith(".json")
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if not stripped or stripped.startswith(("#", ";", "//")):
            continue
        pairs = _JSON_PAIR.findall(text) if json_like else []
        if not json_like and (match := _KEY_VALUE.match(text)):
            pairs = [(match.group(1), _strip_comment(match.group(2)))]
        for key, value in pairs:
            leak = value_leak(text, key, value, any_literal=live_env)
            if leak is not None:
                what = f"committed .env file setting {key}" if live_env else f"config key {key}"
                yield _Hit(path, number, (leak,), what)
                break


def _strip_comment(value: str) -> str:
    value = value.strip()
    if value and value[0] in "\"'":
        closing = value.find(value[0], 1)
        return value[1:closing] if closing > 0 else value[1:]
    return value.split(" #", 1)[0].strip()


def _k8s_hits(repo: Repo, objects: list[K8sObject]) -> Iterator[_Hit]:
    """Secrets with literal `data`/`stringData`, and container env values that are secrets."""
    for obj in objects:
        lines = repo.lines(obj.path)
        if obj.kind == "Secret":
            for section in ("data", "stringData"):
                data = obj.body.get(section)
                if not isinstance(data, YMap):
                    continue
                for key, value in data.items():
                    line = data.line_of(key)
                    if value in (None, "") or placeholder(str(value)) or not 0 < line <= len(lines):
                        continue
                    if not _secret_data(str(key), str(value), base64=section == "data"):
                        continue
                    text = lines[line - 1]
                    start = max(text.find(str(value)), 0) if str(value) in text else len(text)
                    leak = Leak("Kubernetes Secret value", start, start + len(str(value)), str(value))
                    what = f"{section}.{key} of Secret {obj.name!r} (base64 is an encoding, not encryption)"
                    yield _Hit(obj.path, line, (leak,), what)
        for container in [*obj.init_containers(), *obj.containers()]:
            env = container.get("env")
            for entry in env if isinstance(env, YList) else []:
                if not isinstance(entry, YMap) or not isinstance(entry.get("value"), str):
                    continue
                name, line = str(entry.get("name", "")), entry.line_of("value")
                if not 0 < line <= len(lines):
                    continue
                env_leak = value_leak(lines[line - 1], name, entry["value"], any_literal=True)
                if env_leak is not None:
                    what = (
                        f"env {name} of {obj.kind} {obj.name!r} container "
                        f"{container.get('name', '?')!r} (use valueFrom.secretKeyRef)"
                    )
                    yield _Hit(obj.path, line, (env_leak,), what)


def _secret_data(key: str, value: str, *, base64: bool) -> bool:
    """Whether a Secret's entry holds a secret: a secret-named key (`password`, `api-token`), a key
    or certificate file (`jwtRS256.key`), or a value that looks like one. Not `POSTGRES_DB:
    accounts`, `USER: admin` or `TOKEN_EXPIRY_SECONDS: 3600`, which say what the secret is for."""
    text = value
    if base64:
        try:
            text = binascii.a2b_base64(value).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return True  # binary: a key or a keystore
    if text.strip().isdigit():
        return False
    if secret_named(key) or key.lower().endswith((*_KEY_FILES, ".p12", ".jks", ".keystore")):
        return True
    return bool(scan_line(text)) or random_looking(text)


def _sources(repo: Repo, objects: list[K8sObject]) -> list[Evidence]:
    """Where secrets come from instead: secret managers and secretKeyRef references."""
    found = [repo.evidence(obj.path, obj.line) for obj in objects if obj.kind in _SECRET_SOURCES]
    for obj in objects:
        for container in obj.containers():
            env = container.get("env")
            for entry in env if isinstance(env, YList) else []:
                value_from = entry.get("valueFrom") if isinstance(entry, YMap) else None
                if isinstance(value_from, YMap) and "secretKeyRef" in value_from:
                    found.append(repo.evidence(obj.path, value_from.line_of("secretKeyRef")))
    return found


@check(
    id="security/no-hardcoded-secrets",
    question=seed.SECRETS,
    title="No secret is hardcoded in code, config, .env files or manifests",
    severity=Severity.BLOCKER,
    rationale="""
        A secret in the repository is readable by everyone who can clone it, every CI runner and
        every fork, and stays in the Git history after it is deleted. It cannot be rotated
        without a release, and a leaked key (cloud credentials, a payment provider's live key, a
        database password) is found by scanners on public mirrors within minutes. A literal
        fallback (`os.getenv("DB_PASSWORD", "...")`) is the same leak, and it silently becomes
        the production password the day the variable is not set.
    """,
    looks_at="""
        Every code, config and script file and credential file (`.npmrc`, `.pypirc`, `.netrc`):
        the formats of the secret table readiness/secret_formats.py, which the redactor shares —
        known token formats (AWS AKIA/ASIA keys, GitHub, GitLab, Slack, Stripe live, Google, npm,
        PyPI, SendGrid, Azure storage keys, JWTs, `Bearer` literals), PEM private keys of every
        kind (PKCS#8, PKCS#1 RSA, EC, OpenSSH), GCP service-account keys and key ids, passwords in
        URLs (`postgres://user:pass@`) and connection strings (`host=db password=…`), redis
        `requirepass`/`masterauth` in redis.conf and server flags, Terraform variable defaults
        and Helm template defaults of secret-named values. Files over the size limit and YAML that
        does not parse are read line by line instead of skipped. String literals bound to
        secret-looking names in Go, Python, JS/TS (semgrep), including literal fallbacks of
        secrets read from the environment;
        secret-named keys in YAML, JSON, TOML, INI, properties and committed `.env` files
        (passwords whatever they look like, other names when the value is a long high-entropy
        string); Kubernetes Secrets with literal `data`/`stringData` and container `env` values
        with secret names; Dockerfile ENV/ARG and compose `environment:` literals. Build arguments
        and default credentials are security/no-secrets-in-images' findings. Values are never
        shown: only their kind and a short sha256 fingerprint.
    """,
    remediation="""
        Remove the value and rotate the secret: it is compromised. Read it from the environment
        with no default (fail at start-up when it is missing), and inject it from a secret
        manager (External Secrets, Vault, Sealed Secrets) through `valueFrom.secretKeyRef`.
        Keep `.env` files out of Git and commit a `.env.example` with empty values instead.
    """,
    example="""
        DATABASE_URL = os.environ["DATABASE_URL"]   # no default: a missing secret fails fast
        env:
          - name: DATABASE_URL
            valueFrom: {secretKeyRef: {name: idr-db, key: url}}
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-secret-env-fallback",
        "go-secret-literal",
        "js-secret-env-fallback",
        "js-secret-literal",
        "py-secret-env-fallback",
        "py-secret-literal",
    ),
    # A real secret in a fixture still leaks: it is reported there, downgraded by policy.
    rules_over_tests=_LITERAL_RULES + _FALLBACK_RULES,
)
def no_hardcoded_secrets(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    compose = {c.path for c in repo.compose_files()}
    dockerfiles = set(repo.dockerfile_paths())
    code = repo.with_suffix(*_CODE)
    env_files = [p for p in repo.paths if _env_file(p)]
    config = [p for p in repo.with_suffix(*_CONFIG) if p not in compose]
    scanned = sorted(
        {
            *code,
            *env_files,
            *config,
            *compose,
            *dockerfiles,
            *repo.with_suffix(*_SCRIPTS),
            *(p for p in repo.paths if _key_file(p)),
        }
    )
    if not scanned:
        return CheckResult.not_applicable("no code, config, script or manifest file to read")

    hits: list[_Hit] = []
    for path in scanned:
        hits += _format_hits(repo, path)
    hits += _code_hits(ctx)
    hits += _image_hits(repo)
    for path in config:
        if _translation_file(path):
            continue  # UI text: only the format scan above reads it
        if path.lower().endswith((".yaml", ".yml")):
            if not repo.is_helm_template(path):
                hits += _yaml_hits(repo, path)
            if repo.is_helm_template(path) or path in repo.problems:
                # A template or a file that does not parse has no keys to read: read its lines.
                hits += _text_config_hits(repo, path, live_env=False)
        else:
            hits += _text_config_hits(repo, path, live_env=False)
    for path in env_files:
        hits += _text_config_hits(repo, path, live_env=not _env_template(path))

    oversized, partial = _oversized_hits(repo)
    hits += oversized
    objects = repo.k8s_objects()
    hits += _k8s_hits(repo, objects)
    failures = _by_secret([_place(repo, path, line, group) for (path, line), group in _by_line(hits).items()])
    sources = _sources(repo, objects)
    summary = f"no hardcoded secret in {len(scanned)} code, config and manifest file(s)"
    if sources:
        summary += f"; {len(sources)} secret reference(s) to a secret store or Kubernetes Secret"
    if partial:
        summary += f"; read only the first 32 MiB of {len(partial)} large file(s): {', '.join(partial[:3])}"
    result = CheckResult.from_failures(failures, summary, *sources[:10])
    if failures and all(f.severity is Severity.RECOMMENDATION for f in failures):
        # Only CI jobs' throwaway service passwords: nothing that ships holds a secret.
        return dataclasses.replace(result, answer=Answer.YES)
    return result


def _by_line(hits: list[_Hit]) -> dict[tuple[str, int], list[_Hit]]:
    grouped: dict[tuple[str, int], list[_Hit]] = {}
    for hit in hits:
        grouped.setdefault((hit.path, hit.line), []).append(hit)
    return dict(sorted(grouped.items()))


@dataclass(frozen=True)
class _Place:
    """One line holding a secret: what it is, where, and the line with every value cut."""

    secret: str  # the fingerprint of the line's first secret: the same value elsewhere is one leak
    label: str
    what: str
    evidence: Evidence
    by_format: bool  # a known token format, not a name-based guess
    known_default: bool = False  # only a well-known default password in a connection string

    @property
    def ci_only(self) -> bool:
        return self.evidence.path is not None and _ci_file(self.evidence.path) and not self.by_format


def _by_secret(places: list[_Place]) -> list[Failure]:
    """One failure per distinct secret, naming every place it is written: a password copied into
    ten manifests is one secret to rotate, not ten findings (its CI-only places apart)."""
    groups: dict[tuple[str, bool], list[_Place]] = {}
    for place in places:
        # A CI job's throwaway service password is its own finding, even when the same value is
        # also the application's default elsewhere: each is judged where it is written.
        groups.setdefault((place.secret, place.ci_only), []).append(place)
    failures = []
    for group in groups.values():
        first = group[0]
        where = f" as {first.what}" if first.what else ""
        more = f" and in {len(group) - 1} more place(s)" if len(group) > 1 else ""
        message = f"{first.label} hardcoded{where}{more}"
        severity = None
        if all(place.ci_only for place in group):
            message += " (in a CI pipeline, for its throwaway service containers)"
            severity = Severity.RECOMMENDATION
        elif all(place.known_default for place in group):
            # `user=postgres password=postgres`: an unsafe default anyone would guess, not a
            # credential that leaked; said, but not a launch blocker on its own.
            message += " (a well-known default password: an unsafe default, not a leaked credential)"
            severity = Severity.RECOMMENDATION
        failures.append(Failure(message, tuple(place.evidence for place in group), severity))
    return failures


def _place(repo: Repo, path: str, line: int, hits: list[_Hit]) -> _Place:
    """One place per line, whatever found it; the snippet is the line with every value cut."""
    leaks: list[Leak] = []
    # Format matches come first (the most specific kind); a name-based match of the same span
    # (the whole URL a password sits in) adds nothing but a second label.
    by_format = [leak for hit in hits if not hit.what for leak in hit.leaks]
    for leak in by_format + [leak for hit in hits if hit.what for leak in hit.leaks]:
        if not any(leak.start < kept.end and kept.start < leak.end for kept in leaks):
            leaks.append(leak)
    labels = ", ".join(dict.fromkeys(leak.label() for leak in leaks))
    what = next((hit.what for hit in hits if hit.what), "")
    text = next((hit.text for hit in hits if hit.text is not None), None)
    text = repo.lines(path)[line - 1] if text is None else text
    snippet = redact(text, [leak for hit in hits for leak in hit.leaks])
    return _Place(
        secret=leaks[0].fingerprint,
        label=labels,
        what=what,
        evidence=repo.evidence(path, line, snippet=snippet),
        by_format=bool(by_format),
        known_default=all(
            leak.kind in _DEFAULT_PRONE and leak.value.strip("\"'").lower() in WELL_KNOWN_PASSWORDS
            for leak in leaks
        ),
    )
