"""TLS everywhere, and certificates that renew themselves."""

from __future__ import annotations

from readiness import seed
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject

_CERT_MANAGER = ("cert-manager.io/cluster-issuer", "cert-manager.io/issuer", "kubernetes.io/tls-acme")
# TLS terminated by the cloud load balancer in front of the Ingress, with a certificate the cloud
# provider manages: no `spec.tls` is needed there.
_LOAD_BALANCER_TLS = (
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
)


def _annotations(obj: K8sObject, keys: tuple[str, ...]) -> list[tuple[str, int]]:
    """(key, line) of those of the given annotations that the object sets to a non-empty value."""
    metadata = obj.body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, YMap):
        return []
    return [(key, annotations.line_of(key)) for key in keys if annotations.get(key)]


@check(
    id="security/ingress-tls",
    question=seed.TLS,
    title="Every Ingress terminates TLS with a managed certificate",
    severity=Severity.RISK,
    rationale="""
        An Ingress without TLS serves bid requests, API keys and user identifiers in clear text
        to anyone on the path. With TLS, a certificate renewed by hand expires on a weekend
        sooner or later and takes the whole endpoint down; cert-manager or the cloud's
        certificate service renews it without anyone remembering.
    """,
    looks_at="""
        Every Kubernetes Ingress: `spec.tls`, or a cloud load balancer certificate annotation
        (AWS ALB `certificate-arn`, GKE managed or pre-shared certificates). For Ingresses with
        `spec.tls`, whether cert-manager issues the certificate (an issuer annotation or a
        cert-manager Certificate writing the same secret); a hand-made one is a recommendation.
    """,
    remediation="""
        Add a `tls:` section naming the hosts and a secret, and let cert-manager issue and renew
        the certificate (`cert-manager.io/cluster-issuer: letsencrypt`), or terminate TLS on the
        cloud load balancer with a managed certificate. Redirect HTTP to HTTPS.
    """,
    example="""
        metadata:
          annotations:
            cert-manager.io/cluster-issuer: letsencrypt
        spec:
          tls:
            - hosts: [bid.example.com]
              secretName: bid-tls
    """,
)
def ingress_tls(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    objects = repo.k8s_objects()
    ingresses = [obj for obj in objects if obj.kind == "Ingress"]
    if not ingresses:
        return CheckResult.not_applicable("no Kubernetes Ingress found")
    # Secrets that a cert-manager Certificate writes (and renews).
    issued = {
        obj.body["spec"].get("secretName")
        for obj in objects
        if obj.kind == "Certificate" and isinstance(obj.body.get("spec"), dict)
    }
    failures: list[Failure] = []
    secured: list[Evidence] = []
    for ingress in ingresses:
        spec = ingress.body.get("spec")
        tls = spec.get("tls") if isinstance(spec, YMap) else None
        annotated = _annotations(ingress, (*_CERT_MANAGER, *_LOAD_BALANCER_TLS))
        managed = [key for key, _ in annotated]
        secured += [repo.evidence(ingress.path, line) for _, line in annotated]
        if isinstance(tls, list) and tls and isinstance(spec, YMap):
            secured.append(repo.evidence(ingress.path, spec.line_of("tls")))
            # An entry without secretName serves the controller's default certificate.
            secrets = {entry.get("secretName") for entry in tls if isinstance(entry, dict)} - {None}
            if not managed and (unrenewed := secrets - issued):
                names = ", ".join(sorted(map(str, unrenewed)))
                failures.append(
                    Failure(
                        f"Ingress {ingress.name!r} serves certificate(s) from secret {names} that nothing "
                        "renews (no cert-manager issuer annotation or Certificate)",
                        (repo.evidence(ingress.path, spec.line_of("tls")),),
                        Severity.RECOMMENDATION,
                    )
                )
        elif not any(key in _LOAD_BALANCER_TLS for key in managed):
            failures.append(
                Failure(
                    f"Ingress {ingress.name!r} has no spec.tls: its traffic is served as plain HTTP",
                    (repo.evidence(ingress.path, ingress.line),),
                )
            )
    return CheckResult.from_failures(failures, f"{len(ingresses)} Ingress(es) terminate TLS", *secured)
