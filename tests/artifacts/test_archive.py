"""Unpacking downloaded zips defensively: bombs, climbing paths, links, corruption."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from readiness.github.artifacts import archive
from readiness.github.artifacts.archive import UnsafeArchive


def raw_zip(*members: tuple[str, bytes], mode: int = stat.S_IFREG | 0o644) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, data)
    return buffer.getvalue()


def test_round_trip_is_byte_stable() -> None:
    files = {"p-production-readiness.json": b'{"a": 1}\n', "p-production-readiness.md": b"# cp\n"}
    packed = archive.pack(files)
    assert archive.unpack(packed) == files
    assert archive.pack(files) == packed  # fixed timestamps: same content, same digest


def test_a_zip_bomb_is_refused_by_what_decompression_yields() -> None:
    bomb = raw_zip(("a.json", b"\0" * (2 * 1024 * 1024)))
    assert len(bomb) < 10_000
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        archive.unpack(bomb, max_uncompressed=1024 * 1024)


def test_the_limit_counts_all_members_together() -> None:
    data = raw_zip(("a", b"x" * 600), ("b", b"x" * 600))
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        archive.unpack(data, max_uncompressed=1000)


def test_too_many_members_are_refused() -> None:
    data = raw_zip(*((f"f{i}", b"") for i in range(20)))
    with pytest.raises(UnsafeArchive, match="20 entries"):
        archive.unpack(data)


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "a/../../b", "C:/x", "a\\..\\b", "./a"])
def test_names_that_climb_out_are_refused(name: str) -> None:
    with pytest.raises(UnsafeArchive, match="refused member name"):
        archive.unpack(raw_zip((name, b"x")))


def test_symbolic_links_are_refused() -> None:
    with pytest.raises(UnsafeArchive, match="symbolic link"):
        archive.unpack(raw_zip(("cp.json", b"/etc/passwd"), mode=stat.S_IFLNK | 0o777))


def test_duplicates_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("a.json", b"1")
        with pytest.warns(UserWarning):
            out.writestr("a.json", b"2")
    with pytest.raises(UnsafeArchive, match="twice"):
        archive.unpack(buffer.getvalue())


def test_corruption_is_refused() -> None:
    good = raw_zip(("a.json", b"hello world " * 100))
    with pytest.raises(UnsafeArchive, match="not a readable zip"):
        archive.unpack(b"this is not a zip at all")
    with pytest.raises(UnsafeArchive, match="not a readable zip"):
        archive.unpack(good[: len(good) // 2])
    # Flip bytes inside the compressed data: the CRC (or inflate) catches it.
    start = good.index(b"a.json") + len(b"a.json")
    broken = good[:start] + bytes(b ^ 0x55 for b in good[start : start + 40]) + good[start + 40 :]
    with pytest.raises(UnsafeArchive):
        archive.unpack(broken)


def test_directories_are_skipped() -> None:
    assert archive.unpack(raw_zip(("dir/", b""), ("dir/a", b"1"))) == {"dir/a": b"1"}
