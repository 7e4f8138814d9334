from unittest import mock

import fakeredis
import httpx
import redis
import respx

from app.graph import IdentityGraph


def test_resolve_degrades_without_redis(pool):
    server = fakeredis.FakeServer()
    graph = IdentityGraph(fakeredis.FakeAsyncRedis(server=server), pool)
    # ruleid: py-test-redis-down
    server.connected = False
    assert graph is not None


def test_connection_errors(graph):
    # ruleid: py-test-redis-down
    with mock.patch.object(graph, "_redis", side_effect=redis.exceptions.ConnectionError("down")):
        pass
    # ok: py-test-redis-down
    with mock.patch.object(graph, "_redis", side_effect=ValueError("bad")):
        pass


@respx.mock
def test_partner_timeout():
    # ruleid: py-test-upstream-timeout
    respx.post("https://partner.example/sync").mock(side_effect=httpx.ReadTimeout("slow"))
    # ok: py-test-upstream-timeout
    respx.post("https://partner.example/other").mock(return_value=httpx.Response(204))


def test_toxics(toxiproxy):
    proxy = toxiproxy.create(upstream="bidder:8080", name="bidder")
    # ruleid: py-test-upstream-timeout
    proxy.add_toxic(type="latency", attributes={"latency": 500})
    cache = toxiproxy.create(upstream="redis:6379", name="redis")
    # ruleid: py-test-redis-down
    cache.disable()
