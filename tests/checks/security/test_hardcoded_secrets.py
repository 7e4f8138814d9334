import datetime as dt
import json
from pathlib import Path

import pytest

from readiness import cli
from readiness import config as config_module
from readiness.engine import ScanRequest, assess
from readiness.facts.credentials import judge, random_looking, redact, scan_line
from readiness.model import Answer, Category, Outcome, Severity
from readiness.scanners import default_scanners
from tests.support import locations, run_check, write_tree

CHECK = "security/no-hardcoded-secrets"

# Fake secrets in the shapes real ones have. Not one of them may reach anything the tool writes.
GITHUB = "ghp_FAKE" + "0" * 32
GITHUB_IN_DOCKERFILE = "ghp_FAKE" + "1" * 32
GITHUB_IN_TESTS = "ghp_FAKE" + "2" * 32
AWS = "AKIAFAKEFAKEFAKEFAKE"
STRIPE = "sk_live_FAKEFAKEFAKEFAKE0000"
SLACK = "xoxb-000000000000-FAKEFAKEFAKE"
GITLAB = "glpat-FAKEFAKEFAKEFAKEFAKE"
PEM_BODY = "MIIEowIBAAKCAQEAfakeFAKEfakeFAKEfakeFAKEfakeFAKEfake"
GCP_BODY = "MIIEvgIBADANfakeGCPfakeGCPfakeGCP"
FAKES = {
    "github": GITHUB,
    "github-dockerfile": GITHUB_IN_DOCKERFILE,
    "github-tests": GITHUB_IN_TESTS,
    "aws": AWS,
    "stripe": STRIPE,
    "slack": SLACK,
    "gitlab": GITLAB,
    "pem": PEM_BODY,
    "gcp": GCP_BODY,
    "go-fallback": "fallback-session-secret-fake",
    "dsn-password": "pg-pass-fake-1",
    "py-fallback": "py-fallback-token-fake",
    "entropy": "Zx9Qv2Lm8Rt4Kp7Ws3Nd6Hb1",
    "yaml-password": "yaml-pass-fake",
    "toml-key": "Qm9vZ0xlYWtzRmFrZUtleTEyMzQ1Ng",
    "dotenv": "env-pass-fake",
    "k8s-data": "ZmFrZS1iYXNlNjQtcGFzcw==",
    "k8s-env": "k8s-env-key-fake",
    "dockerfile-env": "docker-pass-fake",
    "compose-env": "compose-pass-fake",
}

LEAKY = {
    "svc/go.mod": "module example.com/svc\n\ngo 1.22\n",
    "svc/config.go": f"""
        package main

        import "os"

        const githubToken = "{GITHUB}"
        var awsKey = "{AWS}"

        func settings() string {{
            return envOr("SESSION_SECRET", "fallback-session-secret-fake")
        }}

        func dsn() string {{ return "postgres://app:pg-pass-fake-1@db:5432/app" }}

        func envOr(key, fallback string) string {{
            if v := os.Getenv(key); v != "" {{
                return v
            }}
            return fallback
        }}
        """,
    "svc/app.py": f"""
        import os
        API_TOKEN = os.getenv("API_TOKEN", "py-fallback-token-fake")
        STRIPE = "{STRIPE}"
        client_secret = "Zx9Qv2Lm8Rt4Kp7Ws3Nd6Hb1"
        REDIS_URL = os.getenv("REDIS_URL", "redis://redis:6379/0")
        """,
    "web/package.json": '{"name": "web"}\n',
    "web/index.js": f'const slack = "{SLACK}";\nconst token = process.env.SLACK_TOKEN;\n',
    "config/app.yaml": """
        database:
          host: db
          password: yaml-pass-fake
          password_encryption: scram-sha-256
        tls:
          secretName: app-tls
        """,
    "config/settings.toml": 'api_key = "Qm9vZ0xlYWtzRmFrZUtleTEyMzQ1Ng"\nregion = "eu-west-1"\n',
    "config/service-account.json": (
        '{\n  "type": "service_account",\n  "private_key_id": "0123456789abcdef",\n'
        f'  "private_key": "-----BEGIN PRIVATE KEY-----\\n{GCP_BODY}\\n-----END PRIVATE KEY-----\\n"\n}}\n'
    ),
    "keys/deploy.pem": f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\n",
    ".env": "LOG_LEVEL=debug\nDB_PASSWORD=env-pass-fake\n",
    ".env.example": "DB_PASSWORD=\nAPI_TOKEN=changeme\n",
    "deploy/app.yaml": """
        apiVersion: v1
        kind: Secret
        metadata:
          name: app
        data:
          password: ZmFrZS1iYXNlNjQtcGFzcw==
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: app:1.0
                  env:
                    - name: LOG_LEVEL
                      value: info
                    - name: API_KEY
                      value: k8s-env-key-fake
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef: {name: app, key: password}
        """,
    "Dockerfile": f"""
        FROM python:3.12-slim
        ENV REDIS_PASSWORD=docker-pass-fake
        RUN curl -H "Authorization: token {GITHUB_IN_DOCKERFILE}" -o /tmp/x https://api.github.com/x
        """,
    "docker-compose.yml": f"""
        services:
          app:
            image: app:1.0
            command: ["--registry-token", "{GITLAB}"]
            environment:
              DB_PASSWORD: compose-pass-fake
        """,
    "tests/fixtures/creds.py": f'TOKEN = "{GITHUB_IN_TESTS}"\n',
}

EXPECTED = [
    (".env", 2),
    ("Dockerfile", 2),  # ENV REDIS_PASSWORD: a literal in an image build is a hardcoded secret too
    ("Dockerfile", 3),
    ("config/app.yaml", 3),
    ("config/service-account.json", 4),
    ("config/settings.toml", 1),
    ("deploy/app.yaml", 6),
    ("deploy/app.yaml", 22),
    ("docker-compose.yml", 4),
    ("docker-compose.yml", 6),  # compose environment DB_PASSWORD
    ("keys/deploy.pem", 1),
    ("svc/app.py", 2),
    ("svc/app.py", 3),
    ("svc/app.py", 4),
    ("svc/config.go", 5),
    ("svc/config.go", 6),
    ("svc/config.go", 9),
    ("svc/config.go", 12),
    ("tests/fixtures/creds.py", 1),
    ("web/index.js", 1),
]


@pytest.mark.slow
def test_hardcoded_secrets_everywhere_are_found_and_redacted(tmp_path: Path) -> None:
    write_tree(tmp_path, LEAKY)
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == EXPECTED
    rendered = repr(result)
    for name, value in FAKES.items():
        assert value not in rendered, name
    messages = {(f.evidence[0].path, f.evidence[0].line): f.message for f in result.failures}
    assert messages[("svc/config.go", 9)].startswith("secret (sha256:")
    assert messages[("svc/config.go", 9)].endswith("as the fallback of environment variable SESSION_SECRET")
    assert messages[("svc/config.go", 5)].startswith("GitHub token (sha256:")
    assert messages[(".env", 2)].endswith("as committed .env file setting DB_PASSWORD")
    assert "Secret 'app'" in messages[("deploy/app.yaml", 6)]
    assert "env API_KEY of Deployment 'app'" in messages[("deploy/app.yaml", 22)]
    snippets = {(f.evidence[0].path, f.evidence[0].line): f.evidence[0].snippet for f in result.failures}
    assert snippets[("svc/config.go", 12)] == (
        'func dsn() string { return "postgres://app:<redacted password in a URL (sha256:'
        + snippets[("svc/config.go", 12)].split("(sha256:")[1].split(")")[0]
        + ')>@db:5432/app" }'
    )
    assert snippets[("keys/deploy.pem", 1)].startswith("<redacted private key (sha256:")


@pytest.mark.slow
def test_secrets_from_the_environment_and_secret_stores_pass(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svc/go.mod": "module example.com/svc\n",
            "svc/main.go": 'package main\n\nimport "os"\n\nvar token = os.Getenv("API_TOKEN")\n'
            'const tokenHeader = "X-Api-Token"\n',
            "svc/app.py": 'import os\nDB_PASSWORD = os.environ["DB_PASSWORD"]\nSECRET_NAME = "app-secret"\n'
            'PASSWORD_FIELD = ""\n',
            ".env.example": "DB_PASSWORD=\nAPI_TOKEN=changeme\n",
            "config/postgresql.conf": "password_encryption = scram-sha-256\n",
            "config/app.yaml": "auth:\n  token_ttl: 3600\n  password: ${DB_PASSWORD}\n"
            "  api_key: <your key>\n",
            "deploy/external.yaml": """
            apiVersion: external-secrets.io/v1beta1
            kind: ExternalSecret
            metadata:
              name: app
            spec:
              data:
                - secretKey: password
                  remoteRef: {key: prod/app, property: password}
            """,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS, result.failures
    assert [(e.path, e.line) for e in result.evidence] == [("deploy/external.yaml", 1)]
    assert "1 secret reference(s)" in result.summary


def test_known_formats_placeholders_and_entropy() -> None:
    assert [leak.kind for leak in scan_line(f'token = "{GITHUB}"  # {AWS}')] == [
        "GitHub token",
        "AWS access key id",
    ]
    assert scan_line("redis://:${REDIS_PASSWORD}@redis:6379") == []
    assert scan_line("postgres://user:password@localhost/db") == []  # a documentation placeholder
    assert [leak.kind for leak in scan_line("redis://:s3cr3t-pw@redis:6379")] == ["password in a URL"]
    assert judge("DB_PASSWORD", "hunter2-fake") == "password"
    assert judge("DB_PASSWORD_FILE", "/run/secrets/db") is None
    assert judge("secretName", "app-tls") is None
    assert judge("API_TOKEN", "short-tkn-1") is None
    assert judge("API_TOKEN", "short-tkn-1", any_literal=True) == "secret"
    assert judge("API_TOKEN", "changeme", any_literal=True) is None
    # Values that name the secret they stand for, and numbers, are not secrets.
    assert judge("password", "influx-password") is None
    assert judge("API_TOKEN", "my-api-token", any_literal=True) is None
    assert judge("TOKEN_EXPIRY_SECONDS", "3600", any_literal=True) is None
    assert judge("JWT_SECRET", "changethis", any_literal=True) is None
    assert judge("miniflux_db_user_password", "miniflux_db_user_password") is None
    assert judge("--token-file", "~/.github_token", any_literal=True) is None
    assert scan_line("// a http://user:pass@host seed URL") == []
    assert random_looking("9614de4f8eceb42768541c664f903b8b")
    assert not random_looking("X-Api-Key-Header-Value-Name")
    leaks = scan_line(f"a={STRIPE} b={SLACK}")
    redacted = redact(f"a={STRIPE} b={SLACK}", leaks)
    assert STRIPE not in redacted and SLACK not in redacted
    assert redacted.startswith("a=<redacted Stripe live key (sha256:")


@pytest.mark.slow
def test_a_secret_in_a_test_path_is_a_recommendation_through_the_engine(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "tests/fixtures/creds.py": f'TOKEN = "{GITHUB_IN_TESTS}"\n',
            "svc/app.py": f'STRIPE = "{STRIPE}"\n',
        },
    )
    assessment = assess(
        ScanRequest(
            root=tmp_path,
            config=config_module.default("fixture"),
            categories=frozenset({Category.SECURITY}),
            scanners=default_scanners(),
            today=dt.date(2026, 11, 1),
        )
    )
    findings = [f for f in assessment.findings() if f.check_id == CHECK]
    graded = [(f.evidence[0].path, f.severity) for f in findings]
    assert graded == [("svc/app.py", Severity.BLOCKER), ("tests/fixtures/creds.py", Severity.RECOMMENDATION)]
    assert findings[1].message.endswith("(in a test or example path, so reported as a recommendation)")


@pytest.mark.slow
def test_no_secret_value_reaches_any_output_of_a_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "repo", LEAKY)
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
    written = sorted(p for p in workdir.rglob("*") if p.is_file())
    names = {p.relative_to(workdir).as_posix() for p in written}
    assert {"out/assessment.json", "out/assessment.sarif", "out/assessment.xml"} <= names
    assert any(n.startswith("reports/") for n in names)
    # the checkpoint lands under the scanned root, where its configuration puts it
    checkpoints = sorted((root / ".claude" / "checkpoints").iterdir())
    assert [p.suffix for p in checkpoints] == [".json", ".md"]
    written += checkpoints
    outputs = {"stdout": captured.out, "stderr": captured.err}
    outputs |= {p.relative_to(tmp_path).as_posix(): p.read_text(encoding="utf-8") for p in written}
    leaks = [
        (name, where) for where, text in outputs.items() for name, value in FAKES.items() if value in text
    ]
    report = json.loads((workdir / "out/assessment.json").read_text(encoding="utf-8"))
    ours = [f for f in report["findings"] if f["check_id"] == CHECK]
    assert len(ours) == len(EXPECTED)
    assert {f["severity"] for f in ours if f["evidence"][0]["path"].startswith("tests/")} == {
        "recommendation"
    }
    # The engine scrubs every check's text (readiness/redact.py), so no output may hold a secret.
    assert leaks == []


def test_one_finding_per_distinct_secret_with_every_place_it_is_written(tmp_path: Path) -> None:
    config = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db}\n"
        "data:\n  POSTGRES_PASSWORD: copied-pass-fake\n"
    )
    write_tree(
        tmp_path,
        {
            "kubernetes-manifests/config.yaml": config,
            "extras/cloudsql/config.yaml": config,
            "iac/base/config.yaml": config,
            "other/config.yaml": config.replace("copied-pass-fake", "other-pass-fake"),
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert [[(e.path, e.line) for e in f.evidence] for f in result.failures] == [
        [
            ("extras/cloudsql/config.yaml", 5),
            ("iac/base/config.yaml", 5),
            ("kubernetes-manifests/config.yaml", 5),
        ],
        [("other/config.yaml", 5)],
    ]
    assert result.failures[0].message.endswith("as config key POSTGRES_PASSWORD and in 2 more place(s)")


def test_ui_text_catalogues_ci_service_passwords_and_secret_metadata(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "internal/locale/translations/fr_FR.json": '{\n  "form.user.label.password": "MotDePasse"\n}\n',
            "web/i18n/de.json": '{\n  "password": "Passwort"\n}\n',
            ".github/workflows/tests.yml": """
                jobs:
                  test:
                    services:
                      postgres:
                        image: postgres:16
                        env:
                          POSTGRES_PASSWORD: ci-pass-fake
            """,
            "k8s/db.yaml": """
                apiVersion: v1
                kind: Secret
                metadata: {name: db}
                stringData:
                  POSTGRES_DB: accounts
                  POSTGRES_USER: admin
                  POSTGRES_PASSWORD: real-pass-fake
                  TOKEN_EXPIRY_SECONDS: "3600"
            """,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    graded = [(f.evidence[0].path, f.evidence[0].line, f.severity) for f in result.failures]
    assert graded == [
        (".github/workflows/tests.yml", 7, Severity.RECOMMENDATION),
        ("k8s/db.yaml", 7, None),
    ]
    assert result.failures[0].message.endswith("(in a CI pipeline, for its throwaway service containers)")


def test_only_ci_service_passwords_answer_the_question_yes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {".github/workflows/tests.yml": "jobs:\n  t:\n    env:\n      PGPASSWORD: ci-pass-fake\n"},
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert result.answer is Answer.YES
    assert locations(result) == [(".github/workflows/tests.yml", 4)]
