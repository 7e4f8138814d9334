"""Shards: which slice of the tree's files one ``readiness scan --shard K/N`` run owns.

Files are dealt out by *unit*, never one by one: a unit is the deepest service (a Go module, a
Python project, a Node package) that holds the file, else the file's folder. Keeping a
service whole keeps what its scanners read together (a manifest and the code it installs, a module
and the files a call path runs through); dealing by top-level folder keeps a shard's files near
each other when there is no service to go by.

Given the tree's whole listing, units are dealt for balance (largest first, to the least-loaded
shard, ties by the unit's sha256); without it, a unit's shard is a stable hash of its name (sha256,
not Python's per-process salted ``hash()``). Either way every machine, run and Python version
deals the same files to the same shard, and the N selections of one listing partition it exactly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_SHARDS = 256  # more shards than this is a mistake (each one lists and hashes the whole tree)
# Exactly "K/N" in ASCII digits: no sign, no space, no Unicode digits, no leading zero (so a
# shard's text is its label). Nine digits at most: the range check, not int(), says what is wrong.
_NUMBER = r"(0|[1-9][0-9]{0,8})"
_FORM = re.compile(f"{_NUMBER}/{_NUMBER}")
_EXAMPLE = "expected K/N, e.g. 2/4"


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (K, from 1) of ``count`` (N)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not _is_int(self.index) or not _is_int(self.count):
            raise ValueError(f"shard {self.index!r}/{self.count!r}: K and N must be integers")
        problem = _problem(self.index, self.count)
        if problem:
            raise ValueError(f"shard {self.index}/{self.count}: {problem}")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"K/N"`` with 1 ≤ K ≤ N ≤ 256; anything else is a ValueError saying what is wrong."""
        found = _FORM.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise ValueError(f"shard {_shown(text)}: {_EXAMPLE}")
        index, count = int(found.group(1)), int(found.group(2))
        problem = _problem(index, count)
        if problem:
            raise ValueError(f"shard {_shown(text)}: {problem}")
        return cls(index, count)

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def select(
        self, paths: Sequence[str], service_roots: Sequence[str], universe: Sequence[str] | None = None
    ) -> list[str]:
        """The ``paths`` this shard owns, in their order. ``service_roots`` are the services'
        directories (relative POSIX paths, as ``Repo.services()`` gives them). With ``universe``
        (every file of the tree, the same listing in every shard) units are dealt for balance:
        biggest first, each to the shard with the fewest files so far (see :func:`deal`); a unit
        the universe lacks, or no universe, falls back to its hash (:func:`owner`)."""
        roots = _roots(service_roots)
        owners: dict[str, int] = {}  # a tree has few units and many files: hash each unit once
        if universe is not None:
            sizes: dict[str, int] = {}
            for path in universe:
                unit = _unit(path, roots)
                sizes[unit] = sizes.get(unit, 0) + 1
            owners = deal(sizes, self.count)
        chosen = []
        for path in paths:
            unit = _unit(path, roots)
            shard = owners.get(unit)
            if shard is None:
                shard = owners[unit] = owner(unit, self.count)
            if shard == self.index:
                chosen.append(path)
        return chosen


def unit_of(path: str, service_roots: Sequence[str]) -> str:
    """The unit ``path`` is dealt with: the deepest service root holding it, else its folder; a
    file at the root of the tree is in the unit ``""``.

    A service at the root of the tree (``"."``) is not a unit: it holds every file, and keeping it
    whole would leave every shard but one with nothing to do. Its files are dealt by folder."""
    return _unit(path, _roots(service_roots))


def deal(sizes: Mapping[str, int], count: int) -> dict[str, int]:
    """Units (name → files) dealt to ``count`` shards for balance: largest first (ties by the
    unit's hash, so the order never depends on the listing's), each to the least-loaded shard
    (ties to the lowest). Deterministic for a given tree: every shard computes the same deal."""
    loads = [0] * count
    dealt: dict[str, int] = {}
    for unit in sorted(
        sizes, key=lambda u: (-sizes[u], hashlib.sha256(u.encode("utf-8", "surrogatepass")).digest())
    ):
        chosen = min(range(count), key=lambda index: (loads[index], index))
        loads[chosen] += sizes[unit]
        dealt[unit] = chosen + 1
    return dealt


def owner(unit: str, count: int) -> int:
    """The shard (1..``count``) that owns ``unit``: the first 8 bytes of the unit's sha256, modulo
    ``count``. The name is encoded with ``surrogatepass`` so that any ``str`` hashes, including a
    file name Git listed in bytes that are not UTF-8 (read with ``surrogateescape``)."""
    if not _is_int(count) or not 1 <= count <= MAX_SHARDS:
        raise ValueError(f"shard count {count!r}: N must be between 1 and {MAX_SHARDS}")
    digest = hashlib.sha256(unit.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def _roots(service_roots: Iterable[str]) -> frozenset[str]:
    """The service directories as paths compare with them: no ``./`` in front, no ``/`` behind,
    and without the tree's own root (see :func:`unit_of`)."""
    found = set()
    for root in service_roots:
        clean = root.strip()
        while clean.startswith("./"):
            clean = clean[2:]
        clean = clean.rstrip("/")
        if clean and clean != ".":
            found.add(clean)
    return frozenset(found)


def _unit(path: str, roots: frozenset[str]) -> str:
    # The path itself, then each folder above it, deepest first: the first one that is a service
    # root is the innermost service (monorepos nest them), whatever order the roots came in.
    end = len(path)
    while end > 0:
        if path[:end] in roots:
            return path[:end]
        end = path.rfind("/", 0, end)
    # Outside any nested service: the file's folder (a Go package, a Python package), small
    # enough units for a root-level module to spread over the shards.
    folder, separator, _ = path.rpartition("/")
    return folder if separator else ""


def _problem(index: int, count: int) -> str:
    if not 1 <= count <= MAX_SHARDS:
        return f"N must be between 1 and {MAX_SHARDS}"
    if not 1 <= index <= count:
        return "K must be between 1 and N"
    return ""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(text: object) -> str:
    """The user's text quoted for a message, control characters escaped, and never very long."""
    shown = repr(text)
    return shown if len(shown) <= 40 else shown[:37] + "..."
