"""One secret table for the detector and the redactor (readiness/secret_formats.py).

Every format of the table has a planted sample in ``tests/fixtures/secrets-planted`` (and two
generated at test time: a file over the repository view's 1 MiB limit, a token as a file's
name). Each planted value is found by security/no-hardcoded-secrets at its exact file and line,
each is cut by the redactor, and none reaches anything a CLI scan writes: the Markdown report,
the JSON, SARIF, JUnit, the checkpoint, the terminal.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from readiness import cli, redact, secret_formats
from readiness.model import Outcome, Severity
from readiness.secret_formats import ANCHOR, anchored
from tests.support import run_check

CHECK = "security/no-hardcoded-secrets"
PLANTED = Path(__file__).resolve().parent / "fixtures" / "secrets-planted"


@dataclass(frozen=True)
class Plant:
    format: str  # the table entry that must find it
    path: str
    line: int
    value: str  # what must never be written anywhere


PLANTS = [
    Plant("aws-access-key-id", "config/aws.ini", 2, "AKIAQFAKEPLANTED0001"),
    Plant("aws-secret-access-key", "config/aws.ini", 3, "fAkEpLaNtEd0aWsSeCrEt0KeY0fAkE0pLaNtEd00"),
    Plant("github-token", "svc/app.py", 3, "ghp_PLANTEDfake0000111122223333444455556"),
    Plant("stripe-live-key", "svc/app.py", 4, "sk_live_PLANTEDfakeStripe0001"),
    Plant("secret-named-value", "svc/app.py", 5, "py-fallback-planted-fake"),
    Plant("dsn-password", "svc/app.py", 6, "dsn-planted-fake"),
    Plant("url-password", "svc/app.py", 7, "pq7Rfake"),
    Plant("private-key", "svc/app.py", 8, "MIIEpAIBAAKCAQEAplantedInlineRsaBodyFAKEfakeFAKEfake0001"),
    Plant(
        "github-fine-grained-token",
        "scripts/release.sh",
        2,
        "github_pat_" + "PLANTEDfake0000000000001_abcdefghij",
    ),
    Plant("gitlab-token", "scripts/release.sh", 3, "glpat-PLANTEDfakeGitlab0001"),
    Plant("bearer-token", "scripts/release.sh", 4, "Zx9Qv2Lm8Rt4Kp7Ws3Nd6Hb1Tf5Yc0Planted"),
    Plant("slack-token", "web/notify.js", 1, "xoxb-000000000000-PLANTEDfakeSlack"),
    Plant("secret-named-value", "web/notify.js", 2, "js-literal-planted-fake"),
    Plant("google-api-key", "web/maps.ts", 1, "AIzaPLANTEDfakeGoogleKey000000000000001"),
    Plant("jwt", "web/maps.ts", 2, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.PLANTEDfakeJwtSignature01"),
    Plant("slack-webhook", "config/alerts.yaml", 2, "PLANTEDfakeWebhook0001"),
    Plant("dsn-password", "config/alerts.yaml", 3, "querypass-planted-fake"),
    Plant("npm-token", ".npmrc", 2, "npm_PLANTEDfakeNpmToken00000000000000001"),
    Plant("pypi-token", ".pypirc", 3, "pypi-AgEIcHlwaS5vcmc" + "PLANTEDfakePypiToken" + "0" * 32 + "1"),
    Plant(
        "sendgrid-key",
        "svc/mail.go",
        3,
        "SG.PLANTEDfakeSendgrid001." + "PLANTEDfakeSendgridSecretPart00000000000001",
    ),
    Plant("secret-named-value", "svc/mail.go", 4, "go-literal-planted-fake-Q7x"),
    Plant("azure-storage-key", "config/storage.properties", 1, "PLANTEDfakeAzureKey" + "0" * 66 + "1"),
    Plant("secret-named-value", "config/storage.properties", 2, "props-planted-fake"),
    Plant("gcp-service-account-key-id", "config/gcp-sa.json", 4, "0123456789abcdef0123456789abcdef00000001"),
    Plant("gcp-service-account-private-key", "config/gcp-sa.json", 5, "MIIEvgIBADANplantedGcpBodyFAKE0001"),
    Plant("private-key", "keys/pkcs8.pem", 1, "MIIEvQIBADANplantedPkcs8BodyFAKEfakeFAKEfake0001"),
    Plant("private-key", "keys/deploy_rsa.key", 1, "MIIEowIBAAKCAQEAplantedPkcs1BodyFAKEfakeFAKEfake0001"),
    Plant("private-key", "keys/ec.pem", 1, "MHcCAQEEIplantedEcBodyFAKEfakeFAKEfakeFAKE0001"),
    Plant("private-key", "keys/id_ed25519", 1, "b3BlbnNzaC1rZXktdjEAAAAAplantedOpensshBodyFAKE0001"),
    Plant("private-key", "deploy/tls.yaml", 8, "MHcCAQEEIplantedEcInSecretFAKEfakeFAKE0001"),
    Plant("secret-named-value", ".env", 2, "dbpass-planted-fake"),
    Plant("secret-named-value", ".env", 3, "mysqlpwd-planted-fake"),
    Plant("url-password", ".env", 4, "urlpass-planted-fake"),
    Plant("redis-password", "deploy/redis/redis.conf", 3, "redis-conf-planted-fake"),
    Plant("redis-password", "deploy/redis/redis.conf", 4, "redis-master-planted-fake"),
    Plant("redis-password", "docker-compose.yml", 4, "compose-redis-planted-fake"),
    Plant("redis-password", "docker-compose.yml", 7, "compose-list-planted-fake"),
    Plant("secret-named-value", "docker-compose.yml", 11, "compose-env-planted-fake"),
    Plant("secret-named-value", "Dockerfile", 2, "docker-env-planted-fake"),
    Plant("terraform-variable-default", "infra/variables.tf", 9, "tf-default-planted-fake"),
    Plant("terraform-variable-default", "infra/variables.tf", 12, "tf-inline-planted-fake"),
    Plant("secret-named-value", "infra/terraform.tfvars", 1, "tfvars-planted-fake"),
    Plant("helm-default", "charts/app/templates/secret.yaml", 6, "helm-pipe-planted-fake"),
    Plant("helm-default-prefix", "charts/app/templates/secret.yaml", 7, "helm-prefix-planted-fake"),
    Plant("secret-named-value", "deploy/app.yaml", 6, "cGxhbnRlZC1rOHMtZGF0YQ=="),
    Plant("redis-password", "deploy/app.yaml", 18, "k8s-args-planted-fake"),
    Plant("secret-named-value", "deploy/app.yaml", 21, "k8s-env-planted-fake"),
    Plant("secret-named-value", "config/app.yaml", 3, "yaml-planted-fake"),
    Plant("secret-named-value", "config/broken.yaml", 3, "broken-yaml-planted-fake"),  # does not parse
    Plant("secret-named-value", "config/settings.toml", 1, "Qm9vZ0xlYWtzUGxhbnRlZEtleTEyMzQ1"),
    Plant("dsn-password", "config/settings.toml", 2, "odbc-planted-fake"),
    Plant("secret-named-value", "config/app.json", 3, "Zx9Qv2Lm8Rt4Kp7Ws3Nd6Hb1PlantedJson"),
]
# Written at test time: a file over the repository view's 1 MiB limit (read line by line).
BIG_PATH = "static/bundle.js"
BIG_LINE = 40_000
BIG_PLANTS = [
    Plant("github-token", BIG_PATH, BIG_LINE, "ghp_PLANTEDbigFile0000111122223333444455"),
    Plant("secret-named-value", "config/huge.yaml", BIG_LINE, "huge-yaml-planted-fake"),
]
ALL_PLANTS = PLANTS + BIG_PLANTS
# A token as a file's name: found in the file's text, and the name is cut wherever it is shown.
NAMED_TOKEN = "ghp_PLANTEDinFileName00001111222233334444"
NAMED_PATH = f"config/{NAMED_TOKEN}.json"
# Found as well, on the same lines as a plant, by a second reader: the line of a Secret's key
# holding the PEM block (the Secret reader), besides the block's own first line.
ALSO_FOUND = [("deploy/tls.yaml", 7)]


def _write_generated(root: Path) -> None:
    """The files too large for the repository view, and the file whose name is a token."""
    filler = "var padding = 'a generated bundle line';\n" * (BIG_LINE - 1)
    (root / "static").mkdir(exist_ok=True)
    (root / BIG_PATH).write_text(filler + f'const t = "{BIG_PLANTS[0].value}";\n', encoding="utf-8")
    yaml_filler = "".join(f"key{n}: a generated value of line {n}\n" for n in range(BIG_LINE - 1))
    (root / "config/huge.yaml").write_text(
        yaml_filler + f"db_password: {BIG_PLANTS[1].value}\n", encoding="utf-8"
    )
    (root / NAMED_PATH).write_text(f'{{"token": "{NAMED_TOKEN}"}}\n', encoding="utf-8")
    for big in (BIG_PATH, "config/huge.yaml"):
        assert (root / big).stat().st_size > 1024 * 1024


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planted") / "repo"
    shutil.copytree(PLANTED, root)
    _write_generated(root)
    return root


@pytest.fixture(scope="module")
def findings(tree: Path) -> dict[tuple[str, int], str]:
    result = run_check(CHECK, tree)
    assert result.outcome is Outcome.FAIL
    found = {(e.path, e.line): f.message for f in result.failures for e in f.evidence if e.path and e.line}
    assert all(e.line is not None for f in result.failures for e in f.evidence)
    return found


def test_the_table_and_the_plants_cover_each_other() -> None:
    assert {plant.format for plant in ALL_PLANTS} == set(secret_formats.BY_ID)
    assert len(secret_formats.BY_ID) == len(secret_formats.FORMATS)  # ids are unique
    assert all("secret" in entry.pattern.groupindex for entry in secret_formats.FORMATS)


def test_every_redactor_rule_is_a_table_entry() -> None:
    assert [(rule_id, pattern) for rule_id, pattern in redact._RULES] == [
        (entry.id, entry.pattern) for entry in secret_formats.FORMATS
    ]


@pytest.mark.parametrize("plant", PLANTS, ids=lambda p: f"{p.format}@{p.path}:{p.line}")
def test_each_plant_is_written_where_the_test_says(plant: Plant) -> None:
    lines = (PLANTED / plant.path).read_text(encoding="utf-8").split("\n")
    written = "\n".join(lines[plant.line - 1 : plant.line + 1])  # a PEM's body is on the next line
    assert plant.value in written


@pytest.mark.slow
@pytest.mark.parametrize("plant", ALL_PLANTS, ids=lambda p: f"{p.format}@{p.path}:{p.line}")
def test_each_plant_is_found_at_its_file_and_line(plant: Plant, findings: dict[tuple[str, int], str]) -> None:
    assert (plant.path, plant.line) in findings
    assert plant.value not in findings[(plant.path, plant.line)]


@pytest.mark.slow
def test_nothing_else_is_found(findings: dict[tuple[str, int], str]) -> None:
    """Placeholders, comments and settings beside the plants are not findings (`# requirepass
    foobared`, `default = "eu-west-1"`, `LOG_LEVEL=debug`); the token-named file is found by the
    token in its text (the engine redacts its name: see the scan below)."""
    expected = {(p.path, p.line) for p in ALL_PLANTS} | set(ALSO_FOUND) | {(NAMED_PATH, 1)}
    assert set(findings) == expected


def _context(plant: Plant) -> str:
    """The text the redactor is given for a plant: its line, or from its line to the end of
    the file for the formats that span lines (a PEM block, a Terraform variable)."""
    lines = (PLANTED / plant.path).read_text(encoding="utf-8").split("\n")
    entry = secret_formats.BY_ID[plant.format]
    if entry.whole_file:
        start = max(n for n in range(plant.line) if lines[n].lstrip().startswith("variable"))
        return "\n".join(lines[start : plant.line])
    if plant.format == "private-key":
        return "\n".join(lines[plant.line - 1 :])
    return lines[plant.line - 1]


# One sample of each format, as the table's round trip: the redactor cuts each of them.
SAMPLES = {plant.format: plant for plant in reversed(PLANTS)}


@pytest.mark.parametrize("format_id", [entry.id for entry in secret_formats.FORMATS])
def test_each_format_is_redacted(format_id: str) -> None:
    plant = SAMPLES[format_id]
    text = _context(plant)
    assert plant.value in text
    scrubbed = redact.scrub(text)
    assert plant.value not in scrubbed
    assert secret_formats.REDACTED in scrubbed


def test_paths_lose_their_token_shaped_parts() -> None:
    assert redact.path(NAMED_PATH) == "config/<redacted>.json"
    assert redact.path("deploy/redis/redis.conf") == "deploy/redis/redis.conf"
    assert redact.path("docs/token,list.md") == "docs/token,list.md"  # names do not count in paths


@pytest.mark.parametrize(
    "text",
    [
        "redis://:${REDIS_PASSWORD}@redis:6379",
        "command: redis-server --requirepass $${REDIS_PASSWORD}",
        'password: {{ .Values.password | default "" }}',
        'image: {{ .Values.image.tag | default "latest" }}',
        'variable "region" { default = "eu-west-1" }',
        "host=db user=app password=$PGPASSWORD dbname=x",
    ],
)
def test_references_and_names_that_are_not_secrets_stay_readable(text: str) -> None:
    assert redact.scrub(text) == text


@pytest.mark.slow
def test_no_planted_value_reaches_any_output_of_a_scan(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(tree, root)
    inputs = {p for p in root.rglob("*") if p.is_file()}
    workdir = tmp_path / "run"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    code = cli.main(
        [
            "scan",
            str(root),
            "--json",
            "out/assessment.json",
            "--sarif",
            "out/assessment.sarif",
            "--junit",
            "out/assessment.xml",
            "--format",
            "markdown",
        ]
    )
    captured = capsys.readouterr()
    assert code == cli.EXIT_NO_GO
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p not in inputs)
    names = {p.name for p in written}
    assert {"assessment.json", "assessment.sarif", "assessment.xml"} <= names
    checkpoints = [p for p in written if ".claude" in p.parts and p.suffix == ".json"]
    assert checkpoints, names
    outputs = {"stdout": captured.out, "stderr": captured.err}
    outputs |= {str(p): p.read_text(encoding="utf-8") for p in written}
    secrets = [plant.value for plant in ALL_PLANTS] + [NAMED_TOKEN]
    leaks = [(where, value) for where, text in outputs.items() for value in secrets if value in text]
    assert leaks == []
    report = json.loads((workdir / "out/assessment.json").read_text(encoding="utf-8"))
    ours = {
        (e["path"], e["line"]) for f in report["findings"] if f["check_id"] == CHECK for e in f["evidence"]
    }
    assert {(p.path, p.line) for p in ALL_PLANTS} <= ours
    assert (f"config/{secret_formats.REDACTED}.json", 1) in ours
    # The checkpoint names the token-named file among the inputs it read, redacted.
    state = json.loads(checkpoints[0].read_text(encoding="utf-8"))
    inputs_read = {path for category in state["categories"].values() for path in category["inputs"]}
    assert f"config/{secret_formats.REDACTED}.json" in inputs_read


@pytest.mark.slow
def test_a_well_known_default_in_a_connection_string_is_a_recommendation(tmp_path: Path) -> None:
    """`password=postgres` is an unsafe default anyone would guess, not a leaked credential; a
    real password in the same place is a blocker."""
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/db.py").write_text(
        'DEFAULT_DSN = "user=postgres password=postgres dbname=app"\n'
        'PROD_DSN = "host=db user=app password=dsn-real-planted-fake dbname=app"\n',
        encoding="utf-8",
    )
    result = run_check(CHECK, tmp_path)
    graded = [(f.evidence[0].path, f.evidence[0].line, f.severity) for f in result.failures]
    assert graded == [("svc/db.py", 1, Severity.RECOMMENDATION), ("svc/db.py", 2, None)]
    assert result.failures[0].message.endswith(
        "(a well-known default password: an unsafe default, not a leaked credential)"
    )


@pytest.mark.slow
def test_an_escaped_quoted_reference_after_requirepass_is_not_a_secret(tmp_path: Path) -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: redis\nspec:\n  containers:\n    - name: redis\n"
        "      image: redis:7.2.5\n"
        '      command: ["sh", "-c", "exec redis-server --requirepass \\"$REDIS_PASSWORD\\""]\n'
    )
    (tmp_path / "redis.yaml").write_text(manifest)
    assert run_check(CHECK, tmp_path).outcome is not Outcome.FAIL
    (tmp_path / "redis.yaml").write_text(manifest.replace("$REDIS_PASSWORD", "s3cr3t-value"))
    found = [(e.path, e.line) for f in run_check(CHECK, tmp_path).failures for e in f.evidence]
    assert found == [("redis.yaml", 9)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain code with nothing to see",
        "PASSWORD=hunter2",
        "Authorization: Bearer abc",
        "url = 'HTTPS://host/path'",
        "key := AKIAIOSFODNN7EXAMPLE",
        "-----BEGIN RSA PRIVATE KEY-----",
        "ÄÖÜ unicode then GHP_token",
        "passwordless = true",
    ],
)
def test_the_fast_anchor_test_agrees_with_the_anchor_pattern(text: str) -> None:
    assert anchored(text) is bool(ANCHOR.search(text))
