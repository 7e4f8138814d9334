"""Session-wide offline vulnerability data (never in the repository): the PyPA advisories behind a
local OSV server on 127.0.0.1, and a Go vulnerability database in govulncheck's layouts. Any
test that scans with the dependency scanners uses these instead of the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness.engine import load_catalogue
from tests.scanners import offline
from tests.scanners.osv_server import OsvServer

# Every test sees the whole catalogue, as the CLI and the Action do (the registry is passive).
load_catalogue()


@pytest.fixture(scope="session")
def osv_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OsvServer]:
    with offline.osv_service(tmp_path_factory.mktemp("osv")) as server:
        yield server


@pytest.fixture(scope="session")
def go_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return offline.go_database(tmp_path_factory.mktemp("go"))
