"""Fixtures of the scanner tests; the session's offline vulnerability data is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scanners import offline
from tests.scanners.osv_server import OsvServer

FIXTURES = offline.FIXTURES


@pytest.fixture
def osv(osv_server: OsvServer) -> Iterator[OsvServer]:
    """The session's server, answering normally, with this test's requests only."""
    osv_server.mode = "ok"
    osv_server.requests.clear()
    yield osv_server
    osv_server.mode = "ok"
