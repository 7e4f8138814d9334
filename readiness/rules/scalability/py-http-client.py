import aiohttp
import httpx
import requests


def calls(url: str) -> None:
    # ruleid: py-client-no-timeout
    requests.get(url)
    # ruleid: py-client-with-timeout
    requests.post(url, json={}, timeout=2)
    # ruleid: py-client-no-timeout
    httpx.get(url, timeout=None)
    # ruleid: py-client-with-timeout
    client = httpx.Client(base_url=url)
    # ok: py-client-no-timeout
    client.get("/")


async def session() -> None:
    # ruleid: py-client-no-timeout
    async with aiohttp.ClientSession() as http:
        await http.get("http://x")
    # ruleid: py-client-with-timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        await http.get("http://x")
