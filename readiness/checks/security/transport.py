"""TLS everywhere: certificates are verified, and nothing talks or serves plain HTTP across a
network it does not own."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP, matches
from readiness.facts.exposure import exposure, mesh, route_tls
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import ComposeFile, K8sObject, Repo, Service

_CODE = (".go", ".py", ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx")
_TLS_RULES = ("go-tls-insecure-skip-verify", "py-tls-verify-disabled", "js-tls-verify-disabled")
# Process-wide switches that turn verification off for every client in the process.
_ENV_SWITCHES = {
    "NODE_TLS_REJECT_UNAUTHORIZED": ("0",),
    "PYTHONHTTPSVERIFY": ("0",),
    "GIT_SSL_NO_VERIFY": ("1", "true"),
}
_ENV_SWITCH_LINE = re.compile(
    r"\b(NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY)[\"']?\s*[=:]\s*[\"']?0\b"
    r"|\bGIT_SSL_NO_VERIFY[\"']?\s*[=:]\s*[\"']?(1|true)\b",
    re.IGNORECASE,
)
# Downloads at build time without verification: a man in the middle chooses what is installed.
_INSECURE_DOWNLOAD = re.compile(
    r"\bcurl\b[^|;&\n]*\s(-[a-zA-Z]*k[a-zA-Z]*|--insecure)\b"
    r"|\bwget\b[^|;&\n]*--no-check-certificate"
    r"|--trusted-host\b"
    r"|\bstrict-ssl\s+false\b"
    r"|\bhttp\.sslVerify\s+false\b"
)
_TEXT_CONFIG = (".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".conf", ".properties", ".sh", ".bash")


def _env_file(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _k8s_env(objects: list[K8sObject]) -> Iterator[tuple[K8sObject, YMap, str, Any, int]]:
    """(workload, container, name, value, line of the value) of every literal container env var."""
    for obj in objects:
        for container in [*obj.init_containers(), *obj.containers()]:
            env = container.get("env")
            for entry in env if isinstance(env, YList) else []:
                if isinstance(entry, YMap) and "value" in entry:
                    yield (
                        obj,
                        container,
                        str(entry.get("name", "")),
                        entry.get("value"),
                        entry.line_of("value"),
                    )


@check(
    id="security/tls-verification",
    question=seed.TLS,
    title="TLS certificates are verified by every client",
    severity=Severity.BLOCKER,
    rationale="""
        A client that skips certificate verification encrypts its traffic to whoever answers:
        anyone on the path (a compromised node, a rogue pod, a hijacked DNS entry) can pose as
        the bidder, the identity service or the database and read or rewrite every request,
        credentials included. `InsecureSkipVerify: true` written "for now" in a staging fix
        is how this usually reaches production; a process-wide switch such as
        `NODE_TLS_REJECT_UNAUTHORIZED=0` turns it off for every library at once.
    """,
    looks_at="""
        Go `tls.Config{InsecureSkipVerify: true}`; Python `verify=False` / `ssl=False` on client
        calls, `session.verify = False`, `ssl._create_unverified_context`, `CERT_NONE` and
        `check_hostname = False`; Node `rejectUnauthorized: false` (semgrep). In Dockerfiles,
        compose files, .env files, Kubernetes env and config: `NODE_TLS_REJECT_UNAUTHORIZED=0`,
        `PYTHONHTTPSVERIFY=0`, `GIT_SSL_NO_VERIFY`. In Dockerfiles and scripts, downloads
        that skip verification (`curl -k`, `wget --no-check-certificate`, `--trusted-host`),
        graded as risks.
    """,
    remediation="""
        Verify certificates and trust the right CA instead: mount the internal CA bundle and set
        `tls.Config{RootCAs: pool}`, `verify="/etc/ssl/internal-ca.pem"`, or `NODE_EXTRA_CA_CERTS`.
        Download build inputs over verified HTTPS and pin their checksums.
    """,
    example="""
        pool, _ := x509.SystemCertPool()
        pool.AppendCertsFromPEM(internalCA)
        client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-tls-insecure-opt-in",
        "go-tls-insecure-skip-verify",
        "js-tls-verify-disabled",
        "py-tls-verify-disabled",
    ),
)
def tls_verification(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    code = repo.with_suffix(*_CODE)
    dockerfiles = repo.dockerfile_paths()
    config = repo.with_suffix(*_TEXT_CONFIG)
    env_files = [p for p in repo.paths if _env_file(p)]
    if not code and not dockerfiles and not config and not env_files:
        return CheckResult.not_applicable("no code, Dockerfile or config file to read")
    failures: list[Failure] = []
    opt_in = matches(ctx, "go-tls-insecure-opt-in")
    for match in matches(ctx, *_TLS_RULES):
        if any(m.path == match.path and m.line <= match.line <= m.end_line for m in opt_in):
            # Behind a condition: an option a user turns on for a server they know (self-signed
            # feeds, a lab proxy), off by default. A risk to document, not a hole in every client.
            failures.append(
                Failure(
                    f"{match.message.rstrip('.')} when a setting turns it on: clients so configured accept "
                    "any certificate",
                    (repo.evidence(match.path, match.line),),
                    Severity.RISK,
                )
            )
            continue
        failures.append(
            Failure(
                f"{match.message.rstrip('.')}: this client accepts any certificate",
                (repo.evidence(match.path, match.line),),
            )
        )
    seen: set[tuple[str, int]] = set()
    for obj, container, name, value, line in _k8s_env(repo.workloads()):
        allowed = _ENV_SWITCHES.get(name)
        if allowed and str(value).strip().lower() in allowed:
            seen.add((obj.path, line))
            failures.append(
                Failure(
                    f"{obj.kind} {obj.name!r} container {container.get('name', '?')!r} sets {name}={value}: "
                    "certificate verification is off for the whole process",
                    (repo.evidence(obj.path, line),),
                )
            )
    for path in sorted({*dockerfiles, *config, *env_files}):
        for number, text in enumerate(repo.lines(path), start=1):
            if (path, number) in seen or text.lstrip().startswith(("#", "//")):
                continue
            if (switch := _ENV_SWITCH_LINE.search(text)) is not None:
                failures.append(
                    Failure(
                        f"{switch.group(1) or 'GIT_SSL_NO_VERIFY'} turns certificate verification off "
                        "for the whole process",
                        (repo.evidence(path, number),),
                    )
                )
            elif (path in dockerfiles or path.endswith((".sh", ".bash"))) and _INSECURE_DOWNLOAD.search(text):
                failures.append(
                    Failure(
                        "a download skips certificate verification: whoever sits on the network path "
                        "chooses what is installed",
                        (repo.evidence(path, number),),
                        Severity.RISK,
                    )
                )
    scanned = len(code) + len(dockerfiles) + len(config) + len(env_files)
    return CheckResult.from_failures(failures, f"no TLS verification turned off in {scanned} file(s)")


# ---- plaintext endpoints ------------------------------------------------------------------------

_URL = re.compile(r"\b(?:http|ws)://[^\s\"'`,;<>)}\]]+", re.IGNORECASE)
_ENDPOINT_KEY = re.compile(
    r"(url|uri|endpoint|host|addr|address|server|base|api|webhook|callback|origin|upstream|backend|"
    r"target|dsn|broker|collector|exporter|remote|proxy|registry|sink|destination)s?$",
    re.IGNORECASE,
)
# Top-level domains of hosts on the internet (and the documentation TLDs `example` and `test`).
# A two-label host with another last label (`otel-collector.observability`) is taken for a
# Kubernetes `<service>.<namespace>` name.
_PUBLIC_TLDS = {
    "com", "net", "org", "io", "dev", "app", "ai", "co", "cloud", "tech", "info", "biz", "xyz",
    "site", "online", "services", "systems", "network", "digital", "media", "ads", "page", "link",
    "example", "test", "gov", "edu", "int", "mil", "eu", "asia",
}  # fmt: skip
_PRIVATE_SUFFIXES = (
    ".svc",
    ".svc.cluster.local",
    ".cluster.local",
    ".internal",
    ".local",
    ".lan",
    ".corp",
    ".home",
)
_LOCAL_HOSTS = {"localhost", "host.docker.internal", "0.0.0.0", "::1", "[::1]"}
_HTTP_SERVERS = re.compile(r"\b(uvicorn|gunicorn|hypercorn|daphne|waitress-serve|granian|flask|fastapi)\b")
_TLS_FLAGS = re.compile(r"--(ssl-certfile|ssl-keyfile|certfile|keyfile|ssl-certificate)\b")


@dataclass(frozen=True)
class _Endpoint:
    path: str
    line: int
    url: str
    host: str
    where: str


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _reach(host: str, compose_services: set[str]) -> str:
    """'local', 'internal' (in-cluster or private network) or 'external'."""
    if not host or host in _LOCAL_HOSTS or host.endswith(".localhost") or host in compose_services:
        return "local"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        if address.is_loopback or address.is_unspecified:
            return "local"
        return "internal" if address.is_private or address.is_link_local else "external"
    if "$" in host or "{" in host:
        return "local"  # a template: the value comes from somewhere else
    if "." not in host or host.endswith(_PRIVATE_SUFFIXES):
        return "internal"
    labels = host.split(".")
    last = labels[-1]
    if len(labels) == 2 and last not in _PUBLIC_TLDS and not (len(last) == 2 and last.isalpha()):
        return "internal"
    return "external"


def _urls(text: str) -> list[str]:
    return [match.group(0).rstrip(".") for match in _URL.finditer(text)]


def _compose_endpoints(repo: Repo, compose: ComposeFile) -> Iterator[tuple[_Endpoint, set[str]]]:
    names = set(compose.services)
    for service in compose.services.values():
        for key in ("container_name", "hostname"):
            if isinstance(service.get(key), str):
                names.add(service[key])
    for service_name, service in compose.services.items():
        environment = service.get("environment")
        entries: list[tuple[str, Any, int]] = []
        if isinstance(environment, YMap):
            entries = [(str(k), v, environment.line_of(k)) for k, v in environment.items()]
        elif isinstance(environment, YList):
            entries = [
                (str(v).split("=", 1)[0], str(v), environment.line_of(i)) for i, v in enumerate(environment)
            ]
        for name, value, line in entries:
            for url in _urls(str(value or "")):
                where = f"compose service {service_name!r} {name}"
                yield _Endpoint(compose.path, line, url, _host(url), where), {n.lower() for n in names}


def _k8s_endpoints(repo: Repo) -> Iterator[_Endpoint]:
    for obj, container, name, value, line in _k8s_env(repo.workloads()):
        for url in _urls(str(value or "")):
            where = f"{obj.kind} {obj.name!r} container {container.get('name', '?')!r} env {name}"
            yield _Endpoint(obj.path, line, url, _host(url), where)
    for obj in repo.k8s_objects():
        data = obj.body.get("data")
        if obj.kind != "ConfigMap" or not isinstance(data, YMap):
            continue
        for key, value in data.items():
            text = str(value or "")
            first = data.line_of(key)
            # A whole config file embedded in the ConfigMap: find the line of each URL.
            for offset, chunk in enumerate(text.split("\n")):
                for url in _urls(chunk):
                    line = first + (offset + 1 if "\n" in text else 0)
                    yield _Endpoint(obj.path, line, url, _host(url), f"ConfigMap {obj.name!r} {key}")


def _walk(node: Any) -> Iterator[tuple[str, Any, int]]:
    if isinstance(node, YMap):
        for key, value in node.items():
            if isinstance(value, (YMap, YList)):
                yield from _walk(value)
            else:
                yield str(key), value, node.line_of(key)
    elif isinstance(node, YList):
        for item in node:
            yield from _walk(item)


def _config_endpoints(repo: Repo, skip: set[str]) -> Iterator[_Endpoint]:
    """URLs under endpoint-like keys of YAML/TOML/INI/properties config files and any key of a
    .env file (Kubernetes manifests and compose files are read as objects, above)."""
    for path in repo.with_suffix(".yaml", ".yml"):
        if path in skip or repo.is_helm_template(path):
            continue
        for document in repo.yaml(path):
            if isinstance(document, YMap) and "apiVersion" in document and "kind" in document:
                continue
            for key, value, line in _walk(document):
                if isinstance(value, str) and _ENDPOINT_KEY.search(key):
                    for url in _urls(value):
                        yield _Endpoint(path, line, url, _host(url), f"config key {key}")
    key_value = re.compile(r"^\s*(?:export\s+)?([\w.-]+)\s*[=:]\s*(.*)$")
    text_files = [p for p in repo.with_suffix(".toml", ".ini", ".cfg", ".properties") if p not in skip]
    for path in text_files + [p for p in repo.paths if _env_file(p)]:
        for number, text in enumerate(repo.lines(path), start=1):
            match = key_value.match(text)
            if not match or text.lstrip().startswith(("#", ";")):
                continue
            if _env_file(path) or _ENDPOINT_KEY.search(match.group(1)):
                for url in _urls(match.group(2)):
                    yield _Endpoint(path, number, url, _host(url), f"{match.group(1)}")


def _plain_http_servers(ctx: CheckContext) -> list[tuple[Service, Evidence]]:
    """Services that serve HTTP without TLS of their own: Go servers started without
    ListenAndServeTLS (semgrep), Python apps run by an ASGI/WSGI server without certificate flags."""
    repo = ctx.repo
    servers: dict[str, tuple[Service, Evidence]] = {}
    for match in matches(ctx, "go-http-serve"):
        owner = repo.owner(match.path)
        text = repo.line(match.path, match.line)
        if owner is not None and "TLS(" not in text and owner.path not in servers:
            servers[owner.path] = (owner, repo.evidence(match.path, match.line))
    for dockerfile in repo.dockerfiles():
        owner = repo.owner(dockerfile.path)
        if owner is None or owner.language != "python" or owner.path in servers:
            continue
        for instruction in dockerfile.final_stage():
            if instruction.keyword not in ("CMD", "ENTRYPOINT"):
                continue
            command = " ".join(instruction.exec_form() or [instruction.arguments])
            if _HTTP_SERVERS.search(command) and not _TLS_FLAGS.search(command):
                servers[owner.path] = (owner, repo.evidence(dockerfile.path, instruction.line))
    return sorted(servers.values(), key=lambda item: item[0].path)


@check(
    id="security/plaintext-endpoints",
    question=seed.TLS,
    title="No plain-HTTP endpoint outside the cluster, and plain HTTP inside it only under a mesh",
    severity=Severity.RISK,
    rationale="""
        Bid requests carry device IPs, advertising ids and consent strings; an `http://` demand
        endpoint sends them, and whatever credentials ride along, in clear text across the
        internet. Inside the cluster, plain HTTP lets any compromised pod on the node read and
        forge traffic between services; a service mesh (Linkerd, Istio) closes that gap with
        mutual TLS without code changes. A server that speaks plain HTTP needs something in
        front of it that terminates TLS: an Ingress with a certificate, a load balancer with
        one, or the mesh.
    """,
    looks_at="""
        `http://` and `ws://` URLs in Kubernetes container env values and ConfigMaps, compose
        `environment:`, .env files, and endpoint-like keys (`*_url`, `endpoint`, `host`...) of
        YAML, TOML, INI and properties config. Loopback hosts and services of the same compose
        file are fine; in-cluster names (`name`, `name.namespace`, `*.svc`, `*.cluster.local`)
        and private addresses are recommendations unless a mesh is injected (Linkerd or
        Consul annotations, Istio labels, a STRICT PeerAuthentication); other hosts are risks.
        Servers: Go services started without ListenAndServeTLS and Python services run by
        uvicorn/gunicorn without certificates, against the Ingresses and LoadBalancer Services
        that reach them (an Ingress without TLS is security/ingress-tls' finding).
    """,
    remediation="""
        Call external services over `https://`. For traffic inside the cluster, enable mesh
        injection on the namespace (`linkerd.io/inject: enabled`, `istio-injection: enabled`)
        so every hop gets mutual TLS. Expose servers only through an Ingress with `tls:` and a
        cert-manager issuer, or a load balancer with a managed certificate.
    """,
    example="""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: pricing
          annotations:
            linkerd.io/inject: enabled
    """,
    scanners=(SEMGREP,),
    rules=("go-http-serve",),
)
def plaintext_endpoints(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    meshed = mesh(repo)
    composes = repo.compose_files()
    endpoints: list[tuple[_Endpoint, str]] = []
    for compose in composes:
        endpoints += [(e, _reach(e.host, names)) for e, names in _compose_endpoints(repo, compose)]
    endpoints += [(e, _reach(e.host, set())) for e in _k8s_endpoints(repo)]
    endpoints += [(e, _reach(e.host, set())) for e in _config_endpoints(repo, {c.path for c in composes})]
    servers = _plain_http_servers(ctx)
    if not endpoints and not servers:
        return CheckResult.not_applicable("no http:// endpoint in config and no HTTP server found")

    failures: list[Failure] = []
    by_line: dict[tuple[str, int], list[tuple[_Endpoint, str]]] = {}
    for endpoint, reach in endpoints:
        if reach != "local":
            by_line.setdefault((endpoint.path, endpoint.line), []).append((endpoint, reach))
    for (path, line), found in sorted(by_line.items()):
        external = sorted({e.host for e, reach in found if reach == "external"})
        internal = sorted({e.host for e, reach in found if reach == "internal"})
        where = found[0][0].where
        if external:
            failures.append(
                Failure(
                    f"{where} calls {', '.join(external)} over plain HTTP: traffic crosses networks "
                    "this cluster does not own in clear text",
                    (repo.evidence(path, line),),
                )
            )
        elif internal and not meshed:
            failures.append(
                Failure(
                    f"{where} calls {', '.join(internal)} over plain HTTP inside the cluster, and no service "
                    "mesh (Linkerd, Istio) encrypts it",
                    (repo.evidence(path, line),),
                    Severity.RECOMMENDATION,
                )
            )
    terminated: list[Evidence] = []
    for service, started in servers:
        reached = exposure(repo, service)
        secured = [r for r in reached.routes if route_tls(repo, r)]
        terminated += [repo.evidence(r.path, r.line) for r in secured]
        plain = [r for r in reached.routes if r not in secured and r.kind != "Ingress"]
        for route in plain:
            # A Gateway API route whose Gateway listens in plain HTTP: exposed, unencrypted.
            failures.append(
                Failure(
                    f"{service.name!r} serves plain HTTP and {route.kind} {route.name!r} publishes it "
                    "through a Gateway that listens without TLS",
                    (repo.evidence(route.path, route.line), started),
                )
            )
        if reached.routes and not secured:
            continue  # an Ingress without TLS: security/ingress-tls reports it
        for public in reached.public_services():
            if not any(
                key.endswith(("ssl-cert", "tls", "certificate-arn")) for key in _annotation_keys(public)
            ):
                failures.append(
                    Failure(
                        f"{service.name!r} serves plain HTTP and {public.kind} {public.name!r} exposes it "
                        "outside the cluster with no certificate on the load balancer",
                        (repo.evidence(public.path, public.line), started),
                    )
                )
        if not reached.routes and not reached.public_services() and not meshed:
            where = (
                "inside the cluster" if reached.deployed else "and no deployment manifest declares TLS for it"
            )
            failures.append(
                Failure(
                    f"{service.name!r} serves plain HTTP {where}; no Ingress with TLS, load balancer "
                    "certificate or service mesh protects its traffic",
                    (started,),
                    Severity.RECOMMENDATION,
                )
            )
    count = len(endpoints) + len(servers)
    summary = f"{count} endpoint(s) and server(s) checked"
    if meshed:
        summary += "; a service mesh encrypts in-cluster traffic"
    return CheckResult.from_failures(failures, summary, *meshed[:5], *terminated[:5])


def _annotation_keys(obj: K8sObject) -> list[str]:
    metadata = obj.body.get("metadata")
    notes = metadata.get("annotations") if isinstance(metadata, YMap) else None
    return [str(key) for key, value in notes.items() if value] if isinstance(notes, YMap) else []
