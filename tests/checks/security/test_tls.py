from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "security/ingress-tls"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


def ingress(name: str, annotations: str = "", tls: str = "") -> str:
    meta = f"  annotations:\n{annotations}" if annotations else ""
    return (
        f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n{meta}"
        f"spec:\n{tls}  rules:\n    - host: {name}.example.com\n"
    )


TLS = "  tls:\n    - hosts: [x.example.com]\n      secretName: {secret}\n"
CERT_MANAGER = "    cert-manager.io/cluster-issuer: letsencrypt\n"
CERTIFICATE = """
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: admin
spec:
  secretName: admin-tls
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
"""

CASES = [
    pytest.param(
        {
            "deploy/plain.yaml": ingress("plain"),
            "deploy/bid.yaml": ingress("bid", CERT_MANAGER, TLS.format(secret="bid-tls")),
        },
        Outcome.FAIL,
        [("deploy/plain.yaml", 1)],
        id="ingress-without-tls",
    ),
    pytest.param(
        {
            "deploy/bid.yaml": ingress("bid", CERT_MANAGER, TLS.format(secret="bid-tls")),
            "deploy/admin.yaml": ingress("admin", tls=TLS.format(secret="admin-tls")) + "---" + CERTIFICATE,
            "deploy/alb.yaml": ingress(
                "alb", "    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:x\n"
            ),
        },
        Outcome.PASS,
        [("deploy/admin.yaml", 6), ("deploy/alb.yaml", 6), ("deploy/bid.yaml", 6), ("deploy/bid.yaml", 8)],
        id="cert-manager-annotation-certificate-object-and-alb-certificate",
    ),
    pytest.param(
        {"deploy/manual.yaml": ingress("manual", tls=TLS.format(secret="manual-tls"))},
        Outcome.FAIL,
        [("deploy/manual.yaml", 6)],
        id="hand-made-certificate",
    ),
    pytest.param(
        {"deploy/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n"},
        Outcome.NOT_APPLICABLE,
        [],
        id="no-ingress",
    ),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), CASES)
def test_ingress_tls(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(CHECK, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_severities(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "deploy/plain.yaml": ingress("plain"),
            "deploy/manual.yaml": ingress("manual", tls=TLS.format(secret="manual-tls")),
        },
    )
    failures = run_check(CHECK, tmp_path).failures
    by_message = {f.message: f.severity for f in failures}
    assert by_message == {
        "Ingress 'manual' serves certificate(s) from secret manual-tls that nothing renews "
        "(no cert-manager issuer annotation or Certificate)": Severity.RECOMMENDATION,
        "Ingress 'plain' has no spec.tls: its traffic is served as plain HTTP": None,
    }
