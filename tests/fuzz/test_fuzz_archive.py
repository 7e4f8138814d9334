"""Artifact zips (readiness.github.artifacts.archive.unpack): the files, or UnsafeArchive."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given

from readiness.github.artifacts import archive
from readiness.github.artifacts.archive import UnsafeArchive
from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_unpack


@fuzz_settings(200)
@given(s.zip_bytes())
def test_a_downloaded_zip_unpacks_or_is_unsafe(data: bytes) -> None:
    run_unpack(data)


def _packed() -> bytearray:
    return bytearray(archive.pack({"p-production-readiness.json": b"{}\n"}))


def _set(data: bytearray, signature: bytes, offset: int, fmt: str, value: int) -> bytes:
    struct.pack_into(fmt, data, data.find(signature) + offset, value)
    return bytes(data)


# Found by the fuzzer: zipfile's own exceptions that the unpacker did not expect.
def test_a_central_directory_offset_past_its_place_is_unsafe() -> None:
    # The end record's directory offset 100 bytes too far puts the member's header before the
    # start of the file: "negative seek value" (ValueError) when the member was opened.
    data = _packed()
    (offset,) = struct.unpack_from("<I", data, data.find(b"PK\x05\x06") + 16)
    with pytest.raises(UnsafeArchive, match=r"cannot be read \(negative seek value -100\)$"):
        archive.unpack(_set(data, b"PK\x05\x06", 16, "<I", offset + 100))


def test_a_version_zipfile_cannot_extract_is_unsafe() -> None:
    # "version needed to extract" 16.2: NotImplementedError from ZipFile() itself.
    with pytest.raises(UnsafeArchive, match=r"^not a readable zip \(zip file version 16\.2\)$"):
        archive.unpack(_set(_packed(), b"PK\x01\x02", 6, "<H", 162))


def test_a_name_flagged_utf8_that_is_not_is_unsafe() -> None:
    with pytest.raises(UnsafeArchive, match=r"^not a readable zip \('utf-8' codec can't decode"):
        archive.unpack(s._utf8_flagged(bytes(_packed())))
