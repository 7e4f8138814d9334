import os

REDIS_URL = os.getenv("REDIS_URL", "redis://redis:6379/0")
DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://idr:changeme-s3cr3t-for-demo-only@timescaledb:5432/adtech")
PARTNER_SYNC_URL = os.getenv("PARTNER_SYNC_URL", "")
DB_POOL_MAX = int(os.getenv("DB_POOL_MAX", "10"))
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")
