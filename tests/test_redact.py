import pytest

from readiness import redact
from readiness.model import CheckResult, Evidence, Failure


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'os.getenv("DB", "postgresql://idr:hunter2-pass@db:5432/x")',
            'os.getenv("DB", "postgresql://idr:<redacted>@db:5432/x")',
        ),
        ("ENV REDIS_PASSWORD=changeme-s3cr3t", "ENV REDIS_PASSWORD=<redacted>"),
        ("POSTGRES_PASSWORD: example-pass", "POSTGRES_PASSWORD: <redacted>"),
        ("aws_key = AKIAIOSFODNN7EXAMPLE", "aws_key = <redacted>"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", "Authorization: Bearer <redacted>"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "<redacted>"),
        # references to where a secret comes from are not secrets
        ("password: ${DB_PASSWORD}", "password: ${DB_PASSWORD}"),
        ("url: postgres://user:${PASS}@db/x", "url: postgres://user:${PASS}@db/x"),
        ('token := os.Getenv("TOKEN")', 'token := os.Getenv("TOKEN")'),
        (
            "valueFrom: {secretKeyRef: {name: db, key: password}}",
            "valueFrom: {secretKeyRef: {name: db, key: password}}",
        ),
    ],
)
def test_scrub(text: str, expected: str) -> None:
    assert redact.scrub(text) == expected


def test_every_text_of_a_result_is_scrubbed() -> None:
    leaked = "redis://:hunter2pass@redis:6379"
    raw = CheckResult.failed([Failure(f"uses {leaked}", (Evidence("a.py", 3, f"URL = '{leaked}'", leaked),))])
    clean = redact.result(raw)
    texts = [
        clean.failures[0].message,
        clean.failures[0].evidence[0].snippet,
        clean.failures[0].evidence[0].note,
    ]
    assert all(t is not None and "hunter2pass" not in t for t in texts)
    assert clean.failures[0].evidence[0].line == 3
