"""Container hardening: no container gets the node's privileges."""

from __future__ import annotations

from typing import Any

from readiness import seed
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check

# Workloads that serve traffic: a privileged container there is reachable from the network.
# DaemonSets are node agents (log shippers, CNI plugins) that sometimes need privileges:
# still reported, as risks.
_SERVING = {"Deployment", "StatefulSet", "Rollout", "ReplicaSet", "Pod"}
# Capabilities that amount to root on the node or control of its network.
_DANGEROUS_CAPABILITIES = {
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "BPF",
}
_HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")
_DOCKER_SOCKET = "/var/run/docker.sock"


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _capabilities(value: Any) -> list[str]:
    added = value.get("add") if isinstance(value, dict) else None
    names = [str(c).upper().removeprefix("CAP_") for c in added] if isinstance(added, list) else []
    return [name for name in names if name in _DANGEROUS_CAPABILITIES]


@check(
    id="security/no-privileged-containers",
    question=seed.SECRETS,
    title="No container runs privileged or shares the node's namespaces",
    severity=Severity.RISK,
    rationale="""
        A privileged container is root on the node: it can read every other pod's secrets and
        service-account tokens, load kernel modules and escape with one command. Host network,
        PID or IPC namespaces, SYS_ADMIN/NET_ADMIN capabilities, `allowPrivilegeEscalation:
        true` and a mounted Docker socket are partial versions of the same thing. An exploited
        parser in a serving container then becomes a cluster compromise.
    """,
    looks_at="""
        Containers and init containers of every Kubernetes workload: `securityContext.privileged`,
        an explicit `allowPrivilegeEscalation: true`, added capabilities (ALL, SYS_ADMIN,
        NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, BPF), `hostNetwork`, `hostPID`,
        `hostIPC` and hostPath mounts of the Docker socket; compose services' `privileged`,
        `cap_add`, `network_mode: host`, `pid: host` and Docker socket volumes.
        `privileged: true` on a serving workload (Deployment, StatefulSet, Rollout, Pod) is a
        blocker; everything else a risk.
    """,
    remediation="""
        Remove `privileged`, host namespaces and added capabilities; set
        `allowPrivilegeEscalation: false` and `capabilities: {drop: ["ALL"]}` on every
        container, and enforce the `restricted` Pod Security Standard on the namespace
        (`pod-security.kubernetes.io/enforce: restricted`). A node agent that truly needs
        privileges belongs in its own namespace, reviewed on its own.
    """,
    example="""
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: ["ALL"]
    """,
)
def no_privileged_containers(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    workloads = repo.workloads()
    composes = repo.compose_files()
    if not workloads and not composes:
        return CheckResult.not_applicable("no Kubernetes workload or compose file found")
    failures: list[Failure] = []
    hardened: list[Evidence] = []
    for workload in workloads:
        pod = workload.pod_spec()
        where = f"{workload.kind} {workload.name!r}"
        for key in _HOST_NAMESPACES:
            if pod is not None and _true(pod.get(key)):
                failures.append(
                    Failure(
                        f"{where} sets {key}: true: its pods share the node's "
                        f"{key.removeprefix('host').lower()} namespace",
                        (repo.evidence(workload.path, pod.line_of(key)),),
                    )
                )
        volumes = pod.get("volumes") if pod is not None else None
        for volume in volumes if isinstance(volumes, YList) else []:
            host_path = volume.get("hostPath") if isinstance(volume, YMap) else None
            if isinstance(host_path, YMap) and str(host_path.get("path", "")).rstrip("/") == _DOCKER_SOCKET:
                failures.append(
                    Failure(
                        f"{where} mounts the Docker socket: whoever controls the pod controls the node",
                        (repo.evidence(workload.path, host_path.line_of("path")),),
                    )
                )
        for container in [*workload.init_containers(), *workload.containers()]:
            context = container.get("securityContext")
            name = f"{where} container {container.get('name', '?')!r}"
            if not isinstance(context, YMap):
                continue
            if _true(context.get("privileged")):
                failures.append(
                    Failure(
                        f"{name} runs privileged: it is root on the node",
                        (repo.evidence(workload.path, context.line_of("privileged")),),
                        Severity.BLOCKER if workload.kind in _SERVING else None,
                    )
                )
            if _true(context.get("allowPrivilegeEscalation")):
                failures.append(
                    Failure(
                        f"{name} explicitly allows privilege escalation (setuid binaries can gain root)",
                        (repo.evidence(workload.path, context.line_of("allowPrivilegeEscalation")),),
                    )
                )
            if dangerous := _capabilities(context.get("capabilities")):
                failures.append(
                    Failure(
                        f"{name} adds capabilities {', '.join(dangerous)}",
                        (repo.evidence(workload.path, context.line_of("capabilities")),),
                    )
                )
            if context.get("allowPrivilegeEscalation") is False:
                hardened.append(repo.evidence(workload.path, context.line_of("allowPrivilegeEscalation")))
    for compose in composes:
        for service_name, service in compose.services.items():
            where = f"compose service {service_name!r}"
            if _true(service.get("privileged")):
                failures.append(
                    Failure(
                        f"{where} runs privileged",
                        (repo.evidence(compose.path, service.line_of("privileged")),),
                    )
                )
            for key, value in (("network_mode", "host"), ("pid", "host"), ("ipc", "host")):
                if str(service.get(key, "")).lower() == value:
                    failures.append(
                        Failure(
                            f"{where} shares the host's {key.split('_')[0]} namespace ({key}: host)",
                            (repo.evidence(compose.path, service.line_of(key)),),
                        )
                    )
            if dangerous := _capabilities({"add": service.get("cap_add")}):
                failures.append(
                    Failure(
                        f"{where} adds capabilities {', '.join(dangerous)}",
                        (repo.evidence(compose.path, service.line_of("cap_add")),),
                    )
                )
            volumes = service.get("volumes")
            if not isinstance(volumes, YList):
                volumes = YList()
            for index, volume in enumerate(volumes):
                source = volume.get("source") if isinstance(volume, YMap) else str(volume).split(":", 1)[0]
                if str(source).rstrip("/") == _DOCKER_SOCKET:
                    failures.append(
                        Failure(
                            f"{where} mounts the Docker socket: the container controls the host",
                            (repo.evidence(compose.path, volumes.line_of(index)),),
                        )
                    )
    containers = sum(len(w.containers()) + len(w.init_containers()) for w in workloads)
    summary = f"no privileged container among {containers} container(s) and {len(composes)} compose file(s)"
    return CheckResult.from_failures(failures, summary, *hardened[:10])
