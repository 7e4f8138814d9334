"""Offline vulnerability sources for any test that scans with the dependency scanners:

    with offline.osv_service(tmp) as server, ...:     # server.url is the --osv-url
        database = offline.go_database(tmp)           # the --go-vulndb directory

Both unpack ../shared/vulndb into ``tmp`` (a temporary directory, never the repository).
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from readiness.scanners import go_vulndb
from tests.scanners.osv_server import OsvIndex, OsvServer

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
VULNDB = HERE.parent.parent.parent / "shared" / "vulndb"


def unpack(archive: str, target: Path) -> Path:
    with tarfile.open(VULNDB / archive) as tar:
        tar.extractall(target, filter="data")
    return target


def osv_service(tmp: Path) -> OsvServer:
    """A started-on-enter OSV server with the PyPA advisories and the npm test advisories."""
    data = unpack("pypa-advisory-database.tar.gz", tmp / "pypa")
    return OsvServer(OsvIndex.load(data / "vulns", FIXTURES / "osv-npm"))


def go_database(tmp: Path) -> Path:
    """A Go vulnerability database (both govulncheck layouts) built from the Go OSV snapshot."""
    data = unpack("go-vulndb-osv.tar.gz", tmp / "go-osv")
    database = tmp / "go-vulndb"
    go_vulndb.build_from_directory(data / "osv", database)
    return database
