"""Session-wide offline vulnerability data: the PyPA advisories behind a local OSV server on
127.0.0.1, and a Go vulnerability database in govulncheck's layouts, from the real snapshots in
../shared/vulndb (else the few advisories in tests/data/vulndb; see tests/shared_data.py). Any
test that scans with the dependency scanners uses these instead of the network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness.engine import load_catalogue
from tests.scanners import offline
from tests.scanners.osv_server import OsvServer

# Every test sees the whole catalogue, as the CLI and the Action do (the registry is passive).
load_catalogue()


@pytest.fixture(scope="session", autouse=True)
def checkpoint_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The checkpoint signing key in a temporary folder, never the user's own cache."""
    key = tmp_path_factory.mktemp("state") / "checkpoint.key"
    previous = os.environ.get("READINESS_STATE_KEY_FILE")
    os.environ["READINESS_STATE_KEY_FILE"] = str(key)
    yield key
    if previous is None:
        os.environ.pop("READINESS_STATE_KEY_FILE", None)
    else:
        os.environ["READINESS_STATE_KEY_FILE"] = previous


@pytest.fixture(scope="session")
def osv_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OsvServer]:
    with offline.osv_service(tmp_path_factory.mktemp("osv")) as server:
        yield server


@pytest.fixture(scope="session")
def go_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return offline.go_database(tmp_path_factory.mktemp("go"))
