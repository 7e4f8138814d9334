"""Redis servers as the repository runs them: each Redis container with the configuration it
loads (redis.conf, a ConfigMap, flags on the command line) and whether its data directory is on
a persistent volume. Disaster-recovery and compliance checks judge these; they don't re-parse.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

from readiness.facts.documents import Container, as_list, containers
from readiness.model import Evidence
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import Repo

_SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}


@dataclass(frozen=True)
class Directive:
    name: str
    value: str
    path: str
    line: int


@dataclass(frozen=True)
class RedisConfig:
    """A redis.conf, from a file or a ConfigMap key; `name` is what a command line refers to it by."""

    name: str
    path: str
    directives: tuple[Directive, ...]


def _is_redis(image: str) -> bool:
    last = image.rsplit("/", 1)[-1]
    return last == "redis" or last.startswith("redis-stack")


def _tokens(value: str) -> list[str]:
    if not value.strip():
        return [value]  # `--save ""` written as two list items: the second item is the empty string
    try:
        return shlex.split(value, comments=True)
    except ValueError:
        return value.split()


def _parse_conf(text: str, path: str, lines: dict[int, int]) -> tuple[Directive, ...]:
    found = []
    for index, raw in enumerate(text.splitlines()):
        if raw.strip() and not raw.strip().startswith("#"):
            words = _tokens(raw)
            found.append(Directive(words[0].lower(), " ".join(words[1:]), path, lines.get(index, index + 1)))
    return tuple(found)


def _configs(repo: Repo) -> list[RedisConfig]:
    found = [
        RedisConfig(PurePosixPath(path).name, path, _parse_conf(repo.text(path), path, {}))
        for path in repo.named("redis*.conf")
        if "sentinel" not in path.lower()
    ]
    for obj in repo.k8s_objects():
        data = obj.body.get("data") if obj.kind == "ConfigMap" else None
        if isinstance(data, YMap):
            found += [
                RedisConfig(
                    str(key), obj.path, _parse_conf(value, obj.path, _value_lines(repo, obj.path, data, key))
                )
                for key, value in data.items()
                if str(key).startswith("redis") and str(key).endswith(".conf") and isinstance(value, str)
            ]
    return found


def _value_lines(repo: Repo, path: str, data: YMap, key: str) -> dict[int, int]:
    """Where each line of a ConfigMap value sits in the file, so evidence cites real lines."""
    file_lines, found, cursor = repo.lines(path), {}, data.line_of(key)
    for index, raw in enumerate(str(data[key]).splitlines()):
        for number in range(cursor, len(file_lines) + 1):
            if raw.strip() and file_lines[number - 1].strip() == raw.strip():
                found[index], cursor = number, number + 1
                break
    return found


def _flags(container: Container) -> list[Directive]:
    """`--name value...` options on the command line, and the images' own switches."""
    items = container.command_items()
    env = container.environment()
    # redis-stack and bitnami/redis hand these variables to redis-server as extra flags.
    items += [env[name] for name in ("REDIS_ARGS", "REDIS_EXTRA_FLAGS") if name in env]
    found: list[Directive] = []
    current: list[str] | None = None
    for line, item in items:
        for token in _tokens(item):
            if token.startswith("--") and len(token) > 2:
                current = []
                found.append(Directive(token[2:].lower(), "", container.path, line))
            elif token in _SHELL_OPERATORS:
                current = None
            elif current is not None:
                current.append(token)
                last = found[-1]
                found[-1] = Directive(last.name, " ".join(current), last.path, last.line)
    if container.image_name.endswith("bitnami/redis"):
        # bitnami/redis turns AOF on unless told otherwise, and reads switches from the environment.
        aof_line, aof = env.get("REDIS_AOF_ENABLED", (container.image_line, "yes"))
        found.insert(0, Directive("appendonly", aof, container.path, aof_line))
        if env.get("REDIS_RDB_POLICY_DISABLED", (0, "no"))[1] == "yes":
            found.insert(0, Directive("save", "", container.path, env["REDIS_RDB_POLICY_DISABLED"][0]))
    return found


def _config_for(container: Container, configs: list[RedisConfig]) -> RedisConfig | None:
    """The redis.conf its command line names; the repository's only one when it names none."""
    named = {PurePosixPath(token).name for _, item in container.command_items() for token in _tokens(item)}
    referenced = [config for config in configs if config.name in named]
    return referenced[0] if referenced else configs[0] if len(configs) == 1 else None


def _covers(mount: str, directory: str) -> bool:
    mount = mount.rstrip("/") or "/"
    return directory == mount or directory.startswith(mount.rstrip("/") + "/")


def persistent_mount(repo: Repo, container: Container, directory: str) -> Evidence | None:
    """A mount of storage that outlives the container over Redis's data directory."""
    volumes = container.spec.get("volumes")
    if container.workload is None:
        for index, volume in enumerate(as_list(volumes)):
            if isinstance(volume, YMap):
                source, target, kind = volume.get("source"), str(volume.get("target")), volume.get("type")
            else:  # "source:target[:mode]"; a bare "target" is an anonymous volume, gone with the container
                parts = str(volume).split(":")
                source, target, kind = (
                    (parts[0], parts[1], "volume") if len(parts) > 1 else (None, parts[0], "")
                )
            if source and kind in ("volume", "bind") and _covers(target, directory):
                return repo.evidence(
                    container.path, volumes.line_of(index) if isinstance(volumes, YList) else None
                )
        return None
    spec, pod = container.workload.body.get("spec"), container.workload.pod_spec() or YMap()
    spec = spec if isinstance(spec, YMap) else YMap()
    persistent = {
        (template.get("metadata") or {}).get("name")
        for template in as_list(spec.get("volumeClaimTemplates"))
        if isinstance(template, YMap)
    } | {
        v.get("name")
        for v in as_list(pod.get("volumes"))
        if isinstance(v, YMap) and "persistentVolumeClaim" in v
    }
    for mount in as_list(container.spec.get("volumeMounts")):
        if (
            isinstance(mount, YMap)
            and mount.get("name") in persistent
            and _covers(str(mount.get("mountPath")), directory)
        ):
            return repo.evidence(container.path, mount.line_of("mountPath"))
    return None


@dataclass(frozen=True)
class RedisSetup:
    """One Redis deployment (a container, or a redis.conf nobody runs here) and its effective settings."""

    where: str  # "StatefulSet 'redis' container 'redis'", or the redis.conf path
    container: Container | None
    directives: tuple[Directive, ...]  # redis.conf first, then command-line flags (the last one wins)

    def setting(self, name: str) -> Directive | None:
        return {d.name: d for d in self.directives}.get(name)

    @property
    def persistent(self) -> bool:
        """AOF on, or RDB snapshots not switched off (no `save` at all means Redis's default snapshots)."""
        aof, save = self.setting("appendonly"), self.setting("save")
        aof_on = aof is not None and aof.value.split()[:1] == ["yes"]
        return aof_on or save is None or save.value.strip("\"' ") != ""


def redis_setups(repo: Repo) -> list[RedisSetup]:
    """Every Redis container with the redis.conf it loads, then the redis.conf files no container loads."""
    configs = _configs(repo)
    used: set[RedisConfig] = set()
    setups: list[RedisSetup] = []
    for container in [c for c in containers(repo) if _is_redis(c.image_name)]:
        config = _config_for(container, configs)
        used |= {config} if config else set()
        directives = (*(config.directives if config else ()), *_flags(container))
        setups.append(RedisSetup(container.owner, container, directives))
    setups += [RedisSetup(c.path, None, c.directives) for c in configs if c not in used]
    return setups
