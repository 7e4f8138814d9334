"""Container image references, as written in Dockerfiles, Kubernetes manifests and compose files."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.parsers.dockerfile import Dockerfile, Instruction
from readiness.parsers.yaml_lines import YMap
from readiness.repo import Repo

# Tags that are moved to a new image on every release of the base: a rebuild or a pod restart
# silently changes what runs.
_MOVING_TAGS = {"latest", "main", "master", "edge", "nightly"}
_VARIABLE = re.compile(r"\$\{?(\w+)\}?")


@dataclass(frozen=True)
class ImageUse:
    path: str
    line: int
    where: str  # "FROM", "Deployment 'api' container 'api'", "compose service 'redis'"
    image: str


def tag_problem(image: str) -> str | None:
    """Why a reference does not pin what runs, or None. A digest pins it whatever the tag says."""
    if "@" in image:
        return None
    name = image.rsplit("/", 1)[-1]  # a registry's :port comes before the last slash
    if ":" not in name:
        return "has no tag, so it runs whatever `latest` points to when it is pulled"
    tag = name.split(":", 1)[1]
    return f"uses the moving tag {tag!r}" if tag.lower() in _MOVING_TAGS else None


def from_image(instruction: Instruction) -> tuple[str, str | None]:
    """(image, stage alias) of a FROM instruction; flags such as --platform are skipped."""
    tokens = [token for token in instruction.arguments.split() if not token.startswith("--")]
    image = tokens[0] if tokens else ""
    alias = tokens[2] if len(tokens) >= 3 and tokens[1].lower() == "as" else None
    return image, alias


def global_args(dockerfile: Dockerfile) -> dict[str, str]:
    """Defaults of ARGs declared before the first FROM: the only ones a FROM line can use."""
    defaults: dict[str, str] = {}
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and "=" in instruction.arguments:
            name, _, value = instruction.arguments.partition("=")
            defaults[name.strip()] = value.strip().strip("\"'")
    return defaults


def resolve(image: str, args: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda match: args.get(match.group(1), match.group(0)), image)


def image_uses(repo: Repo) -> list[ImageUse]:
    """Every image pulled: Dockerfile FROMs (not `scratch`, not earlier stages), Kubernetes
    containers and init containers, and compose services that pull rather than build."""
    uses: list[ImageUse] = []
    for dockerfile in repo.dockerfiles():
        stages: set[str] = set()
        args = global_args(dockerfile)
        for instruction in dockerfile.find("FROM"):
            image, alias = from_image(instruction)
            resolved = resolve(image, args)
            if resolved and resolved.lower() != "scratch" and resolved.lower() not in stages:
                uses.append(ImageUse(dockerfile.path, instruction.line, "FROM", resolved))
            if alias:
                stages.add(alias.lower())
    for workload in repo.workloads():
        pod = workload.pod_spec()
        for key in ("initContainers", "containers"):
            containers = pod.get(key) if pod is not None else None
            for container in containers if isinstance(containers, list) else []:
                if isinstance(container, YMap) and isinstance(container.get("image"), str):
                    where = f"{workload.kind} {workload.name!r} container {container.get('name', '?')!r}"
                    line = container.line_of("image")
                    uses.append(ImageUse(workload.path, line, where, container["image"]))
    for compose in repo.compose_files():
        for name, service in compose.services.items():
            # With `build:`, `image:` names the image compose builds, not one it pulls.
            if isinstance(service.get("image"), str) and "build" not in service:
                where = f"compose service {name!r}"
                uses.append(ImageUse(compose.path, service.line_of("image"), where, service["image"]))
    return uses
