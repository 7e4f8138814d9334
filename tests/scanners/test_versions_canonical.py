"""The canonical forms versions are matched in: npm's (what npm reads a lock-file version as) and
the go command's (the only module versions a go.mod may hold as written)."""

from __future__ import annotations

import pytest

from readiness.parsers.versions import canonical_go_version, canonical_semver, semver_key


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("4.17.4", "4.17.4"),
        ("v4.17.4", "4.17.4"),
        ("=4.17.4", "4.17.4"),
        ("=v4.17.4", "4.17.4"),
        (" 4.17.4 ", "4.17.4"),
        ("\t4.17.4", "4.17.4"),
        ("0.0.0", "0.0.0"),
        ("1.0.0-rc.1", "1.0.0-rc.1"),
        ("1.0.0-0.3.7", "1.0.0-0.3.7"),
        ("1.0.0-x-y.01a", "1.0.0-x-y.01a"),  # an alphanumeric identifier may start with a zero
        ("1.0.0+build.5", "1.0.0"),  # npm compares without build metadata
        ("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"),
        ("1.0.0-" + "a" * 250, "1.0.0-" + "a" * 250),  # 256 characters: the longest npm reads
    ],
)
def test_npm_spellings_npm_reads_as_one_version(raw: str, canonical: str) -> None:
    assert canonical_semver(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "04.17.4",
        "4.017.4",
        "4.17.04",
        "1.0.0-01",  # a numeric pre-release identifier with a leading zero
        "4.17",  # a range to npm, not a version
        "4",
        "4.17.4\n",
        "4.17.4\n-e .",
        "4.17.4\r",
        "4.17 .4",
        "v 4.17.4",
        "==4.17.4",
        "vv4.17.4",
        "4.17.4\u00a0",  # a no-break space
        "\u0664.17.4",  # an Arabic-Indic four: a digit to Python's \\d, not to semver
        "\uff14.17.4",  # a full-width four
        "1.0.0-",
        "1.0.0+",
        "1.0.0-a..b",
        "^4.17.4",
        "latest",
        "1.0.0-" + "a" * 251,  # 257 characters: more than node-semver reads
        "",
        "   ",
        4.17,
        None,
        ["4.17.4"],
    ],
)
def test_what_npm_would_not_read_as_a_version_has_no_canonical_form(raw: object) -> None:
    assert canonical_semver(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "v0.7.0",
        "v1.2.3-pre",
        "v0.0.0-20220722155237-a158d28d115b",  # a pseudo-version with no release before it
        "v1.2.4-0.20230101120000-abcdefabcdef",  # after v1.2.3
        "v1.2.3-rc.1.0.20230101120000-abcdefabcdef",  # after a pre-release
        "v2.0.0+incompatible",
        "v2.1.0-rc.1+incompatible",
    ],
)
def test_canonical_go_versions_are_kept_as_written(raw: str) -> None:
    assert canonical_go_version(raw) == raw


@pytest.mark.parametrize(
    "raw",
    [
        "0.7.0",
        "v0.07.0",
        "v00.7.0",
        "v0.7.00",
        "v0.7",  # semver to the go command, but not the form it writes or reads in -mod=readonly
        "v1",
        "V0.7.0",
        "v0.7.0+meta",
        "v1.0.0-" + "a" * 250,
        "v0.7.0-01",
        "v0.7.0 ",
        " v0.7.0",
        "v0.7.0\n",
        "=v0.7.0",
        "v\u0660.7.0",
        "",
        None,
        7,
    ],
)
def test_other_go_versions_are_not_canonical(raw: object) -> None:
    assert canonical_go_version(raw) is None


def test_pseudo_versions_order_between_the_releases_around_them() -> None:
    ordered = ["0.0.0-20220722155237-a158d28d115b", "0.7.0", "0.7.1-0.20230101120000-abcdefabcdef", "0.7.1"]
    keys = [key for version in ordered if (key := semver_key(version)) is not None]
    assert len(set(keys)) == len(ordered) and keys == sorted(keys)
