"""Partial results: one shard's scanner outputs (``readiness scan --shard K/N``), and their merge.

A shard runs the scanners over its slice of the tree's files and writes what they found; the
merge job reads every part, checks they describe the same tree, policy, categories and readiness
version and that each of the N shards is there exactly once, combines each scanner's outputs, and
runs the checks over the whole tree with them. The checks are pure functions of the tree and the
scanner outputs, and every scanner's output over disjoint slices is the union of its slices
(semgrep matches within one file; the dependency scanners read one manifest at a time), so N
merged parts give the assessment one scan gives.

A part is input to the merge like any file: it is parsed strictly and anything inconsistent is an
error naming the part, never a silently smaller scan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.model import Category
from readiness.scanners.base import ScanOutput
from readiness.scanners.serialize import SerializeError, merge_outputs, output_from_dict, output_to_dict
from readiness.shard import Shard

FORMAT = "readiness-partial"
VERSION = 1


class PartialError(ValueError):
    """A part that can't be merged; the message names the part and why."""


@dataclass(frozen=True)
class Partial:
    shard: Shard
    tree: str  # the file listing's digest (Repo.tree_digest)
    config: str  # the effective policy's digest (Config.digest)
    readiness_version: str
    categories: tuple[Category, ...]
    outputs: Mapping[str, ScanOutput]

    def to_json(self) -> str:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "shard": self.shard.label,
            "tree": self.tree,
            "config": self.config,
            "readiness_version": self.readiness_version,
            "categories": [c.value for c in self.categories],
            "outputs": {name: output_to_dict(output) for name, output in sorted(self.outputs.items())},
        }
        return json.dumps(document, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str) -> Partial:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise PartialError(f"{source}: not JSON ({error})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PartialError(f"{source}: not a readiness partial result")
        if data.get("version") != VERSION:
            raise PartialError(f"{source}: partial format version {data.get('version')!r} is not {VERSION}")
        try:
            shard = Shard.parse(str(data.get("shard")))
            categories = tuple(Category(str(c)) for c in _list(data, "categories"))
            outputs = {
                str(k): output_from_dict(v, where=f"outputs.{k}") for k, v in _dict(data, "outputs").items()
            }
        except (ValueError, SerializeError) as error:
            raise PartialError(f"{source}: {error}") from None
        for name, output in outputs.items():
            if output.name != name:
                raise PartialError(f"{source}: output {name!r} is named {output.name!r}")
        return cls(
            shard,
            _text(data, "tree", source),
            _text(data, "config", source),
            _text(data, "readiness_version", source),
            categories,
            outputs,
        )


def load(paths: Sequence[Path]) -> list[Partial]:
    parts = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PartialError(f"{path}: cannot be read ({error})") from None
        parts.append(Partial.from_json(text, str(path)))
    return parts


def merge(parts: Sequence[Partial], *, tree: str, config: str, readiness_version: str) -> Partial:
    """The parts as one result for the whole tree, after checking they are the N shards of one
    scan of *this* tree (``tree``), under *this* policy and readiness version."""
    if not parts:
        raise PartialError("no partial result to merge")
    first = parts[0]
    count = first.shard.count
    for part in parts:
        for what, theirs, ours in (
            ("shard count", part.shard.count, count),
            ("file listing", part.tree, tree),
            ("policy", part.config, config),
            ("readiness version", part.readiness_version, readiness_version),
            ("categories", part.categories, first.categories),
        ):
            if theirs != ours:
                raise PartialError(
                    f"shard {part.shard.label}: its {what} differs from the "
                    + (
                        "merge's"
                        if what in ("file listing", "policy", "readiness version")
                        else "first part's"
                    )
                    + " (every part must come from one scan of the same tree)"
                )
    seen = sorted(part.shard.index for part in parts)
    if seen != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(seen))
        doubled = sorted({index for index in seen if seen.count(index) > 1})
        problems = [f"missing {', '.join(f'{i}/{count}' for i in missing)}"] if missing else []
        problems += [f"given twice {', '.join(f'{i}/{count}' for i in doubled)}"] if doubled else []
        raise PartialError(f"the parts are not the {count} shards of one scan: {'; '.join(problems)}")
    names = sorted({name for part in parts for name in part.outputs})
    merged = {name: merge_outputs([p.outputs[name] for p in parts if name in p.outputs]) for name in names}
    return Partial(Shard(1, 1), tree, config, readiness_version, first.categories, merged)


def _dict(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise PartialError(f"{key}: not an object")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise PartialError(f"{key}: not a list")
    return value


def _text(data: Mapping[str, Any], key: str, source: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise PartialError(f"{source}: {key}: not a string")
    return value
