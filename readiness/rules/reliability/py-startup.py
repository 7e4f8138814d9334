import os
import sys
import time

import psycopg
import redis
from tenacity import retry, stop_after_attempt, wait_exponential


def connect_or_die(url: str) -> psycopg.Connection:
    try:
        conn = psycopg.connect(url)
    except psycopg.OperationalError as exc:
        print(f"database unavailable: {exc}")
        # ruleid: py-exit-on-connect-error
        sys.exit(1)
    return conn


def ping_or_die(client: redis.Redis) -> None:
    try:
        client.ping()
    except redis.ConnectionError:
        # ruleid: py-exit-on-connect-error
        raise SystemExit(2)


def retries(url: str) -> psycopg.Connection:
    for attempt in range(10):
        try:
            return psycopg.connect(url)
        except psycopg.OperationalError:
            if attempt == 9:
                # ok: py-exit-on-connect-error
                sys.exit(1)
            time.sleep(2**attempt)
    raise RuntimeError("unreachable")


@retry(stop=stop_after_attempt(5), wait=wait_exponential())
def with_tenacity(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url)
    except psycopg.OperationalError:
        # ok: py-exit-on-connect-error
        os._exit(1)


def not_a_connection(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        # ok: py-exit-on-connect-error
        sys.exit(1)


async def open_pool(pool) -> None:
    try:
        await pool.open(wait=True, timeout=5)
    except Exception:
        # ruleid: py-exit-on-connect-error
        sys.exit(1)
