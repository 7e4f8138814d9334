import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str
    db_pool_max: int = 4
    statement_timeout_ms: int = 300


def from_env() -> Settings:
    """Read settings from the environment. The database URL comes from a Secret and has no default."""
    try:
        database_url = os.environ["FLOORS_DATABASE_URL"]
    except KeyError:
        raise RuntimeError("FLOORS_DATABASE_URL is required") from None
    return Settings(
        database_url=database_url,
        db_pool_max=int(os.getenv("FLOORS_DB_POOL_MAX", "4")),
        statement_timeout_ms=int(os.getenv("FLOORS_STATEMENT_TIMEOUT_MS", "300")),
    )
