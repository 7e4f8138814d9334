"""How a service is reached: its Kubernetes workloads, the Services that select them, the routes
into the cluster (Ingress, Gateway API HTTPRoute and GRPCRoute) and whether they terminate TLS,
and whether a service mesh encrypts (and authenticates) traffic between pods.

One model for every category: "exposed" means the same for the rate-limiting check as for the
plaintext-endpoints check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from readiness.facts.deploy import pod_labels, selecting_services, workloads_of
from readiness.model import Evidence
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import K8sObject, Repo, Service

# Load balancer annotations that attach a certificate: TLS ends at the cloud load balancer.
LOAD_BALANCER_CERTIFICATES = (
    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
    "service.beta.kubernetes.io/oci-load-balancer-ssl-ports",
    "service.beta.kubernetes.io/azure-load-balancer-tls",
    "cloud.google.com/app-protocols",
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
)
# Sidecar injection that gives every pod mutual TLS with its peers.
_MESH_ANNOTATIONS = {
    "linkerd.io/inject": ("enabled", "ingress"),
    "sidecar.istio.io/inject": ("true",),
    "consul.hashicorp.com/connect-inject": ("true",),
}
_MESH_LABELS = {
    "istio-injection": ("enabled",),
    "istio.io/rev": None,
    "istio.io/dataplane-mode": ("ambient",),
}


ROUTE_KINDS = ("Ingress", "HTTPRoute", "GRPCRoute")
_EXTERNAL_TYPES = ("LoadBalancer", "NodePort")


@dataclass(frozen=True)
class Exposure:
    """Where a repository service runs in Kubernetes and how traffic reaches it."""

    workloads: tuple[K8sObject, ...]
    services: tuple[K8sObject, ...]
    routes: tuple[K8sObject, ...]  # Ingresses and Gateway API routes into the cluster

    @property
    def deployed(self) -> bool:
        return bool(self.workloads)

    @property
    def ingresses(self) -> tuple[K8sObject, ...]:
        return tuple(r for r in self.routes if r.kind == "Ingress")

    def public_services(self) -> list[K8sObject]:
        """Services reachable from outside the cluster without an Ingress."""
        return [s for s in self.services if _spec(s).get("type") in ("LoadBalancer", "NodePort")]


def _spec(obj: K8sObject) -> YMap:
    spec = obj.body.get("spec")
    return spec if isinstance(spec, YMap) else YMap()


def _metadata(node: Any) -> YMap:
    metadata = node.get("metadata") if isinstance(node, dict) else None
    return metadata if isinstance(metadata, YMap) else YMap()


def backends(ingress: K8sObject) -> set[str]:
    """Names of the Services an Ingress or a Gateway API route sends traffic to."""
    names: set[str] = set()
    if ingress.kind in ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute"):
        for rule in _spec(ingress).get("rules") or []:
            refs = rule.get("backendRefs") if isinstance(rule, YMap) else None
            for ref in refs if isinstance(refs, list) else []:
                if isinstance(ref, YMap) and ref.get("name") and ref.get("kind", "Service") == "Service":
                    names.add(str(ref["name"]))
        return names

    def visit(node: Any) -> None:
        if isinstance(node, YMap):
            service = node.get("service")
            if isinstance(service, YMap) and isinstance(service.get("name"), str):
                names.add(service["name"])
            if isinstance(node.get("serviceName"), str):  # networking.k8s.io/v1beta1
                names.add(node["serviceName"])
            for value in node.values():
                visit(value)
        elif isinstance(node, YList):
            for item in node:
                visit(item)

    visit(_spec(ingress))
    return names


def exposure(repo: Repo, service: Service) -> Exposure:
    workloads = workloads_of(repo, service)
    objects = repo.k8s_objects()
    selected: list[K8sObject] = []
    for obj in objects:
        if obj.kind != "Service":
            continue
        selector = _spec(obj).get("selector")
        if not isinstance(selector, dict) or not selector:
            continue
        wanted = {str(k): str(v) for k, v in selector.items()}
        if any(wanted.items() <= pod_labels(w).items() for w in workloads):
            selected.append(obj)
    names = {s.name for s in selected}
    routes = [obj for obj in objects if obj.kind in ROUTE_KINDS and backends(obj) & names]
    return Exposure(tuple(workloads), tuple(selected), tuple(routes))


def routes_to(repo: Repo, workloads: list[K8sObject]) -> list[K8sObject]:
    """Ingresses and Gateway routes that reach any of the workloads."""
    names = {svc.name for workload in workloads for svc in selecting_services(repo, workload)}
    return [obj for obj in repo.k8s_objects() if obj.kind in ROUTE_KINDS and backends(obj) & names]


def external(repo: Repo, workloads: list[K8sObject]) -> list[Evidence]:
    """Where the workloads are reachable from outside the cluster (empty: internal only)."""
    found = [
        repo.evidence(obj.path, obj.line, note=f"{obj.kind} {obj.name!r}")
        for obj in routes_to(repo, workloads)
    ]
    for workload in workloads:
        for svc in selecting_services(repo, workload):
            spec = _spec(svc)
            if spec.get("type") in _EXTERNAL_TYPES:
                found.append(repo.evidence(svc.path, spec.line_of("type"), note=f"Service {svc.name!r}"))
    return found


def route_tls(repo: Repo, route: K8sObject) -> bool:
    """Whether a route into the cluster terminates TLS: an Ingress with spec.tls or a load
    balancer certificate; a Gateway API route whose parent Gateway listens with HTTPS/TLS. A
    route whose Gateway is not in the repository is not counted as secured."""
    if route.kind == "Ingress":
        return ingress_tls(route)
    parents = {
        str(ref.get("name"))
        for ref in (_spec(route).get("parentRefs") or [])
        if isinstance(ref, YMap) and ref.get("kind", "Gateway") == "Gateway"
    }
    for gateway in (o for o in repo.k8s_objects() if o.kind == "Gateway" and o.name in parents):
        for listener in _spec(gateway).get("listeners") or []:
            if isinstance(listener, YMap) and (
                str(listener.get("protocol", "")).upper() in ("HTTPS", "TLS") or listener.get("tls")
            ):
                return True
    return False


def annotations_of(obj: K8sObject | YMap) -> YMap:
    meta = _metadata(obj.body if isinstance(obj, K8sObject) else obj)
    value = meta.get("annotations")
    return value if isinstance(value, YMap) else YMap()


def ingress_tls(ingress: K8sObject) -> bool:
    tls = _spec(ingress).get("tls")
    notes = annotations_of(ingress)
    return (isinstance(tls, list) and bool(tls)) or any(notes.get(key) for key in LOAD_BALANCER_CERTIFICATES)


def mesh(repo: Repo) -> list[Evidence]:
    """Where a service mesh is switched on: injection annotations or labels on a Namespace or a
    pod template, or a strict PeerAuthentication."""
    found: list[Evidence] = []
    for obj in repo.k8s_objects():
        nodes = [obj.body]
        if obj.kind not in ("Namespace",):
            spec = _spec(obj)
            template = spec.get("template")
            if isinstance(template, YMap):
                nodes.append(template)
        for node in nodes:
            meta = _metadata(node)
            for key, table in (("annotations", _MESH_ANNOTATIONS), ("labels", _MESH_LABELS)):
                entries = meta.get(key)
                if not isinstance(entries, YMap):
                    continue
                for name, allowed in table.items():
                    value = entries.get(name)
                    if value is not None and (allowed is None or str(value).lower() in allowed):
                        found.append(repo.evidence(obj.path, entries.line_of(name)))
        if obj.kind == "PeerAuthentication":
            mtls = _spec(obj).get("mtls")
            if isinstance(mtls, YMap) and str(mtls.get("mode", "")).upper() == "STRICT":
                found.append(repo.evidence(obj.path, mtls.line_of("mode")))
    return found


def _selects(selector: Any, labels: dict[str, str]) -> bool:
    """A label selector (`matchLabels` or a plain map) that the pod labels satisfy."""
    if not isinstance(selector, dict):
        return False
    wanted = selector.get("matchLabels", selector) if "matchLabels" in selector else selector
    if not isinstance(wanted, dict) or not wanted:
        return False
    return {str(k): str(v) for k, v in wanted.items()}.items() <= labels.items()


def mesh_authorization(repo: Repo, workloads: tuple[K8sObject, ...] | list[K8sObject]) -> list[Evidence]:
    """Mesh policies that only let authenticated (mTLS) callers reach these workloads: Linkerd
    Server + AuthorizationPolicy/ServerAuthorization, a Linkerd default inbound policy that
    requires authentication, or an Istio AuthorizationPolicy selecting them."""
    labels = [pod_labels(w) for w in workloads]
    objects = repo.k8s_objects()
    found: list[Evidence] = []
    servers = {
        obj.name
        for obj in objects
        if obj.kind == "Server"
        and "linkerd" in str(obj.body.get("apiVersion", ""))
        and any(_selects(_spec(obj).get("podSelector"), pod) for pod in labels)
    }
    for obj in objects:
        api = str(obj.body.get("apiVersion", ""))
        spec = _spec(obj)
        if obj.kind == "AuthorizationPolicy" and "linkerd" in api:
            target = spec.get("targetRef")
            if isinstance(target, YMap) and (
                (target.get("kind") == "Server" and target.get("name") in servers)
                or target.get("kind") == "Namespace"
            ):
                found.append(repo.evidence(obj.path, obj.line))
        elif obj.kind == "ServerAuthorization" and "linkerd" in api:
            server = spec.get("server")
            if isinstance(server, YMap) and (
                server.get("name") in servers or any(_selects(server.get("selector"), pod) for pod in labels)
            ):
                found.append(repo.evidence(obj.path, obj.line))
        elif obj.kind == "AuthorizationPolicy" and "istio" in api:
            selector = spec.get("selector")
            if selector is None or any(_selects(selector, pod) for pod in labels):
                found.append(repo.evidence(obj.path, obj.line))
    for obj in [*objects, *workloads]:
        if obj.kind not in ("Namespace",) and obj not in workloads:
            continue
        for node in (obj.body, _spec(obj).get("template")):
            notes = _metadata(node).get("annotations")
            policy = (
                notes.get("config.linkerd.io/default-inbound-policy") if isinstance(notes, YMap) else None
            )
            if isinstance(notes, YMap) and str(policy) in (
                "all-authenticated",
                "cluster-authenticated",
                "deny",
            ):
                found.append(
                    repo.evidence(obj.path, notes.line_of("config.linkerd.io/default-inbound-policy"))
                )
    return found
