#!/usr/bin/env python3
"""Points action.yml at a released container image, for the release commit.

    python3 scripts/release_action.py action.yml ghcr.io/OWNER/readiness:1.2.3 sha256:<64 hex>

rewrites the one ``image:`` line of action.yml's ``runs:`` block to
``image: docker://ghcr.io/OWNER/readiness:1.2.3@sha256:<64 hex>`` and prints the new line. Every
other byte of the file stays as it was (indentation, quoting style, a trailing comment and the
line ending of the image line too). It refuses, changing nothing, when the current value is
neither ``Dockerfile`` (what main keeps) nor an earlier ``docker://`` reference, when there is no
such line or more than one, when the action is not a Docker action, and when the image reference
or the digest is malformed.

Standard library only: the release workflow runs it with the runner's own python3.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# A repository reference as registries accept it: lower-case path components, a registry host
# (with an optional port) first, and a tag; no digest (that is given on its own).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]+)?"
_NAME = rf"(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
IMAGE_WITH_TAG = re.compile(rf"{_NAME}:{_TAG}")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# What an earlier release wrote (or a hand-written docker:// reference of the same shape).
DOCKER_REF = re.compile(rf"docker://{_NAME}(?::{_TAG})?(?:@sha256:[0-9a-f]{{64}})?")

# `image:` with its indentation, the value (plain or quoted), an optional comment, the line end.
_IMAGE_LINE = re.compile(
    r"^(?P<indent>[ \t]+)image:(?P<gap>[ \t]+)(?P<value>\"[^\"]*\"|'[^']*'|[^\s#\"']\S*)"
    r"(?P<trail>[ \t]*(?:#[^\r\n]*)?)(?P<eol>\r\n|\n|\r)?$"
)
_USING_DOCKER = re.compile(r"^[ \t]+using:[ \t]+[\"']?docker[\"']?[ \t]*(?:#[^\r\n]*)?$")
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z0-9_-]+)[ \t]*:")


class ReleaseError(Exception):
    """action.yml is not in a state a release may rewrite, or the arguments are malformed."""


def docker_reference(image: str, digest: str) -> str:
    """``docker://IMAGE@DIGEST``; IMAGE is ``[host/]path:tag``, DIGEST ``sha256:`` and 64 hex digits."""
    if not IMAGE_WITH_TAG.fullmatch(image):
        raise ReleaseError(
            f"image {image!r} is not a lower-case [host/]path:tag reference (no docker://, no digest)"
        )
    if not DIGEST.fullmatch(digest):
        raise ReleaseError(f"digest {digest!r} is not sha256:<64 lower-case hex digits>")
    return f"docker://{image}@{digest}"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def rewrite(text: str, reference: str) -> tuple[str, str]:
    """The action.yml text with the image line of ``runs:`` set to ``reference``, and that line
    (without its line ending)."""
    lines = text.splitlines(keepends=True)
    section = None
    candidates: list[tuple[int, re.Match[str]]] = []
    docker = False
    for number, line in enumerate(lines):
        top = _TOP_LEVEL_KEY.match(line)
        if top:
            section = top.group(1)
            continue
        if section != "runs":
            continue
        if _USING_DOCKER.match(line.rstrip("\r\n")):
            docker = True
        if line.lstrip(" \t").startswith("image:"):
            match = _IMAGE_LINE.match(line)
            if match is None:
                raise ReleaseError(f"line {number + 1}: cannot read the image line {line.rstrip()!r}")
            candidates.append((number, match))
    if not docker:
        raise ReleaseError("runs.using is not docker: not a Docker container action")
    if len(candidates) != 1:
        raise ReleaseError(f"expected one image line under runs:, found {len(candidates)}")
    number, match = candidates[0]
    current = _unquote(match.group("value"))
    if current != "Dockerfile" and not DOCKER_REF.fullmatch(current):
        raise ReleaseError(
            f"line {number + 1}: image is {current!r}, neither Dockerfile nor an earlier docker:// "
            "reference: refusing to replace it"
        )
    new_line = f"{match.group('indent')}image:{match.group('gap')}{reference}{match.group('trail')}"
    lines[number] = new_line + (match.group("eol") or "")
    return "".join(lines), new_line


def release(action: Path, image: str, digest: str) -> str:
    """Rewrites ``action`` in place; returns the new image line."""
    reference = docker_reference(image, digest)
    original = action.read_bytes()
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReleaseError(f"{action} is not UTF-8: {error}") from error
    new_text, line = rewrite(text, reference)
    action.write_bytes(new_text.encode("utf-8"))
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("action", type=Path, help="the action metadata file (action.yml)")
    parser.add_argument("image", help="the pushed image, [host/]path:tag, e.g. ghcr.io/OWNER/readiness:1.2.3")
    parser.add_argument("digest", help="its digest, sha256:<64 hex digits>")
    args = parser.parse_args(argv)
    try:
        line = release(args.action, args.image, args.digest)
    except (ReleaseError, OSError) as error:
        print(f"release_action: {error}", file=sys.stderr)
        return 1
    print(line.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
