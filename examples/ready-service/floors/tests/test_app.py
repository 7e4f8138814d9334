from contextlib import contextmanager

import pytest

from floors.app import create_app


class FakeCursor:
    def __init__(self, row):
        self._row = row

    def fetchone(self):
        return self._row


class FakeConnection:
    def __init__(self, floors):
        self.floors = floors
        self.queries = []

    def execute(self, sql, params=None):
        self.queries.append((sql, params))
        if params is None:
            return FakeCursor((1,))
        floor = self.floors.get(params["publisher"])
        return FakeCursor(None if floor is None else (floor,))


class FakePool:
    def __init__(self, floors=None, healthy=True):
        self.conn = FakeConnection(floors or {})
        self.healthy = healthy

    @contextmanager
    def connection(self, timeout=None):
        if not self.healthy:
            raise OSError("connection refused")
        yield self.conn


@pytest.fixture
def client():
    app = create_app(pool=FakePool({"pub-1": 0.42}))
    return app.test_client()


def test_floor_for_known_publisher(client):
    response = client.get("/v1/floors/pub-1?country=DEU", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 200
    assert response.get_json() == {"publisher_id": "pub-1", "floor_cpm": 0.42}
    assert response.headers["X-Request-ID"] == "abc-123"


def test_unknown_publisher_is_404(client):
    assert client.get("/v1/floors/pub-2").status_code == 404


@pytest.mark.parametrize("path", ["/v1/floors/bad%20id", "/v1/floors/pub-1?country=de"])
def test_input_is_validated(client, path):
    assert client.get(path).status_code == 400


def test_readiness_checks_the_database():
    app = create_app(pool=FakePool(healthy=False))
    assert app.test_client().get("/readyz").status_code == 503
    assert app.test_client().get("/livez").status_code == 200


def test_request_id_is_generated_when_missing(client):
    response = client.get("/v1/floors/pub-1")
    assert len(response.headers["X-Request-ID"]) == 32
