"""Container image references: one reading of a name, for every check that compares images."""

from __future__ import annotations


def image_name(image: str) -> str:
    """`docker.io/library/redis:7.2@sha256:...` -> `redis`; `quay.io/bitnami/redis:7` -> `bitnami/redis`."""
    name = image.strip().split("@", 1)[0]
    head, _, tail = name.rpartition(":")
    if head and "/" not in tail:
        name = head
    parts = name.lower().split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts[:1] == ["library"]:
        parts = parts[1:]
    return "/".join(parts)


def short_name(reference: str) -> str:
    """The repository's last segment: `docker.io/bitnami/redis:7.2@sha256:…` → `redis`."""
    return image_name(reference).rsplit("/", 1)[-1]
