"""Shards: parsing K/N, the unit a file is dealt with, and the partition the N selections make."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from readiness.shard import MAX_SHARDS, Shard, deal, owner, unit_of


@pytest.mark.parametrize(
    ("text", "index", "count"), [("1/1", 1, 1), ("2/3", 2, 3), ("3/3", 3, 3), ("256/256", 256, 256)]
)
def test_a_valid_shard_parses_and_keeps_its_text_as_label(text: str, index: int, count: int) -> None:
    shard = Shard.parse(text)
    assert (shard.index, shard.count) == (index, count)
    assert shard.label == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/3", "shard '0/3': K must be between 1 and N"),
        ("4/3", "shard '4/3': K must be between 1 and N"),
        ("1/0", "shard '1/0': N must be between 1 and 256"),
        ("1/257", "shard '1/257': N must be between 1 and 256"),
        ("x", "shard 'x': expected K/N, e.g. 2/4"),
        ("2/4 ", "shard '2/4 ': expected K/N, e.g. 2/4"),
        ("-1/4", "shard '-1/4': expected K/N, e.g. 2/4"),
        ("02/4", "shard '02/4': expected K/N, e.g. 2/4"),
        ("2/4/8", "shard '2/4/8': expected K/N, e.g. 2/4"),
        ("٢/٤", "shard '٢/٤': expected K/N, e.g. 2/4"),  # Unicode digits are not digits here
        ("", "shard '': expected K/N, e.g. 2/4"),
        ("1/" + "9" * 5000, "expected K/N, e.g. 2/4"),  # too long to be a number, and said briefly
    ],
)
def test_an_invalid_shard_is_refused_with_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Shard.parse(text)
    assert message in str(raised.value)
    assert len(str(raised.value)) < 100


def test_the_constructor_checks_its_range_too() -> None:
    with pytest.raises(ValueError, match="K must be between 1 and N"):
        Shard(3, 2)
    with pytest.raises(ValueError, match="N must be between 1 and 256"):
        Shard(1, MAX_SHARDS + 1)
    with pytest.raises(ValueError, match="must be integers"):
        Shard(True, 2)
    with pytest.raises(ValueError, match="N must be between 1 and 256"):
        owner("web", 0)


def test_a_file_belongs_to_its_deepest_service_else_its_folder() -> None:
    roots = ["services/payments", "services/payments/api", "tools/", "./web", "."]
    assert unit_of("services/payments/api/main.go", roots) == "services/payments/api"
    assert unit_of("services/payments/api/v2/handler.go", roots) == "services/payments/api"
    assert unit_of("services/payments/go.mod", roots) == "services/payments"
    assert unit_of("services/payments/apix/main.go", roots) == "services/payments"  # not a prefix match
    assert unit_of("services/search/main.py", roots) == "services/search"
    assert unit_of("services/search/deep/x.py", roots) == "services/search/deep"
    assert unit_of("tools/lint.py", roots) == "tools"
    assert unit_of("web/src/app.ts", roots) == "web"
    assert unit_of("docs/index.md", roots) == "docs"
    # The root service holds everything: files are dealt by folder instead, root files in "".
    assert unit_of("README.md", roots) == ""
    assert unit_of("pyproject.toml", ["."]) == ""
    assert unit_of("src/app.py", ["."]) == "src"
    assert unit_of("internal/storage/v2/reader.go", ["."]) == "internal/storage/v2"


def test_given_the_whole_listing_units_are_dealt_for_balance() -> None:
    # A root module whose code is mostly in one top-level folder still spreads over the shards.
    universe = [f"internal/pkg{p:02d}/f{f}.go" for p in range(30) for f in range(p % 5 + 1)] + ["go.mod"]
    loads = [len(Shard(k, 3).select(universe, ["."], universe)) for k in (1, 2, 3)]
    assert sum(loads) == len(universe) and max(loads) - min(loads) <= 5
    assert deal({"a": 5, "b": 3, "c": 3, "d": 1}, 2) == {"a": 1, "b": 2, "c": 2, "d": 1}
    # Every shard computes the same deal whatever order the listing comes in.
    assert Shard(2, 3).select(universe, ["."], list(reversed(universe))) == Shard(2, 3).select(
        universe, ["."], universe
    )


def _tree(seed: int = 14) -> tuple[list[str], list[str]]:
    """~2,000 files: services nested up to three deep, folders without services, root files."""
    chance = random.Random(seed)
    roots = [
        "services/payments",
        "services/payments/api",
        "services/payments/api/grpc",
        "services/search",
        "libs/common",
        "web",
    ]
    folders = [*roots, "services", "services/payments/docs", "docs", "deploy/k8s", "scripts", "libs"]
    paths = {f"root-{i}.txt" for i in range(15)}
    while len(paths) < 2000:
        folder = chance.choice(folders)
        depth = chance.randrange(3)
        middle = "".join(f"/d{chance.randrange(4)}" for _ in range(depth))
        paths.add(f"{folder}{middle}/f{chance.randrange(10_000)}.{chance.choice(['py', 'go', 'ts', 'yaml'])}")
    ordered = sorted(paths)
    chance.shuffle(ordered)
    return ordered, roots


@pytest.mark.parametrize("count", range(1, 8))
def test_the_shards_partition_the_files_and_keep_each_service_whole(count: int) -> None:
    paths, roots = _tree()
    selections = [Shard(index, count).select(paths, roots) for index in range(1, count + 1)]
    seen = Counter(path for selection in selections for path in selection)
    assert set(seen) == set(paths)
    assert set(seen.values()) == {1}  # every file in exactly one shard
    for selection in selections:  # each selection keeps the listing's order
        positions = [paths.index(path) for path in selection]
        assert positions == sorted(positions)
    shard_of = {path: index for index, selection in enumerate(selections, 1) for path in selection}
    shards_by_unit: dict[str, set[int]] = {}
    for path in paths:
        shards_by_unit.setdefault(unit_of(path, roots), set()).add(shard_of[path])
    assert all(len(shards) == 1 for shards in shards_by_unit.values())
    assert {"services/payments", "services/payments/api", "services/payments/api/grpc"} <= set(shards_by_unit)
    assert "" in shards_by_unit  # the root files are a unit of their own


def test_a_selection_does_not_depend_on_the_order_of_the_roots_or_the_run() -> None:
    paths, roots = _tree()
    first = Shard(2, 5).select(paths, roots)
    assert Shard(2, 5).select(paths, list(reversed(roots))) == first
    assert Shard(2, 5).select(paths, roots) == first
    assert first  # this tree's units spread over more than one shard
    assert len(first) < len(paths)


def test_the_assignment_is_pinned() -> None:
    """The hash is part of the contract: two runs of different readiness versions, or a merge of
    parts made by different machines, must deal the same files. A change here is a breaking one."""
    assert owner("services/payments", 3) == 2
    assert owner("cmd/api", 5) == 3
    assert owner("web", 2) == 2
    assert owner("", 4) == 1
    paths = ["README.md", "cmd/api/main.go", "services/payments/go.mod", "web/index.ts"]
    roots = ["cmd/api", "services/payments"]
    assert [Shard(index, 3).select(paths, roots) for index in (1, 2, 3)] == [
        ["web/index.ts"],
        ["README.md", "cmd/api/main.go", "services/payments/go.mod"],
        [],
    ]
    assert [owner(unit_of(path, roots), 5) for path in paths] == [3, 3, 2, 1]


def test_one_shard_owns_everything_and_any_name_hashes() -> None:
    paths, roots = _tree()
    assert Shard(1, 1).select(paths, roots) == paths
    # A file name Git listed in bytes that are not UTF-8 (decoded with surrogateescape).
    odd = b"caf\xe9/x.py".decode("utf-8", errors="surrogateescape")
    assert 1 <= owner(unit_of(odd, []), 7) <= 7
    assert 1 <= owner("\ud800", 7) <= 7
