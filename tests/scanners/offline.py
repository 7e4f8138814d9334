"""Offline vulnerability sources for any test that scans with the dependency scanners:

    with offline.osv_service(tmp) as server, ...:     # server.url is the --osv-url
        database = offline.go_database(tmp)           # the --go-vulndb directory

Both read the real snapshots in ../shared/vulndb when they are beside the checkout (unpacked into
``tmp``, a temporary directory, never the repository), else the handful of advisories in
tests/data/vulndb. Tests whose expectations need the real Go snapshot carry ``REQUIRES_REAL_GO``.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from readiness.scanners import go_vulndb
from tests import shared_data
from tests.scanners.osv_server import OsvIndex, OsvServer

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
VULNDB = shared_data.shared("vulndb")
LOCAL = shared_data.DATA / "vulndb"
PYPA = "vulndb/pypa-advisory-database.tar.gz"
GO = "vulndb/go-vulndb-osv.tar.gz"
REQUIRES_REAL_GO = shared_data.requires_shared(GO, "the real Go vulnerability database in shared/vulndb")


def unpack(archive: str, target: Path) -> Path:
    with tarfile.open(VULNDB / archive) as tar:
        tar.extractall(target, filter="data")
    return target


def pypa_entries(tmp: Path) -> Path:
    """A folder of PyPA advisories (OSV YAML): the real snapshot, else tests/data's few."""
    if shared_data.has_shared(PYPA):
        return unpack("pypa-advisory-database.tar.gz", tmp / "pypa") / "vulns"
    return LOCAL / "pypa"


def go_entries(tmp: Path) -> Path:
    """A folder of the Go database's OSV entries: the real snapshot, else tests/data's few."""
    if shared_data.has_shared(GO):
        return unpack("go-vulndb-osv.tar.gz", tmp / "go-osv") / "osv"
    return LOCAL / "go"


def osv_service(tmp: Path) -> OsvServer:
    """A started-on-enter OSV server with the PyPA advisories and the npm test advisories."""
    return OsvServer(OsvIndex.load(pypa_entries(tmp), FIXTURES / "osv-npm"))


def go_database(tmp: Path) -> Path:
    """A Go vulnerability database (both govulncheck layouts) built from the Go OSV entries."""
    database = tmp / "go-vulndb"
    go_vulndb.build_from_directory(go_entries(tmp), database)
    return database
