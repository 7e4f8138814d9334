"""Zip files in memory: packing a checkpoint, and unpacking a downloaded one defensively.

A downloaded archive is untrusted bytes until its provenance and digest are checked, and even
then it is parsed with limits: a zip bomb, a path that climbs out ("../x", "/etc/x"), a symlink or
an unreadable member makes the whole archive unusable, never a crash.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Mapping

MAX_MEMBERS = 16
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # a checkpoint of a large monorepo is a few MiB
_CHUNK = 64 * 1024
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # stable bytes for stable content


class UnsafeArchive(ValueError):
    """The archive is corrupt, too big, or holds a name or entry type we refuse."""


def pack(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            _check_name(name)
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def unpack(
    data: bytes, *, max_members: int = MAX_MEMBERS, max_uncompressed: int = MAX_UNCOMPRESSED
) -> dict[str, bytes]:
    """The archive's files by name (directories skipped); UnsafeArchive says why it can't be used."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,  # a negative offset in the directory; a name flagged UTF-8 that is not
        EOFError,
        OSError,
        NotImplementedError,  # "zip file version 16.2": a version field zipfile won't read
    ) as error:
        raise UnsafeArchive(f"not a readable zip ({error})") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > max_members:
            raise UnsafeArchive(f"{len(entries)} entries (at most {max_members} are accepted)")
        files: dict[str, bytes] = {}
        budget = max_uncompressed
        for entry in entries:
            _check_name(entry.filename)
            mode = entry.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeArchive(f"{entry.filename!r} is a symbolic link")
            if entry.is_dir():
                continue
            if entry.filename in files:
                raise UnsafeArchive(f"{entry.filename!r} appears twice")
            # The header's sizes are the attacker's word: count what decompression really yields.
            content = _read_limited(archive, entry, budget, max_uncompressed)
            budget -= len(content)
            files[entry.filename] = content
        return files


def _read_limited(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > budget:
                    raise UnsafeArchive(f"more than {limit} bytes uncompressed (a zip bomb?)")
                chunks.append(chunk)
    except UnsafeArchive:
        raise
    except (
        zipfile.BadZipFile,
        RuntimeError,
        NotImplementedError,
        EOFError,
        zlib.error,
        OSError,
        ValueError,  # "negative seek value": a local header offset or name length that lies
    ) as error:
        # CRC mismatches, encryption, unknown compression methods, truncation.
        raise UnsafeArchive(f"{entry.filename!r} cannot be read ({error})") from None
    return b"".join(chunks)


def _check_name(name: str) -> None:
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\0" in name
        or (len(name) > 1 and name[1] == ":")  # a Windows drive
        or any(part in ("..", ".") for part in parts)
    ):
        raise UnsafeArchive(f"refused member name {name!r}")
