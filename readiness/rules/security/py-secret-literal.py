import os

from decouple import config

# ruleid: py-secret-literal
API_KEY = "fake-api-key-for-the-rule-test-0000"
# ruleid: py-secret-literal
db_password: str = "fake-password"
# ok: py-secret-literal
LOG_LEVEL = "INFO"
# ok: py-secret-literal
TOKEN = os.environ["TOKEN"]

settings = {
    "region": "eu-west-1",
    # ruleid: py-secret-literal
    "client_secret": "fake-client-secret-value",
}


class Client:
    def __init__(self) -> None:
        # ruleid: py-secret-literal
        self.access_token = "fake-access-token-value"


# ruleid: py-secret-literal
client = make_client(host="db", password="fake-kwarg-password")

# ruleid: py-secret-env-fallback
SESSION_SECRET = os.getenv("SESSION_SECRET", "fake-fallback-secret")
# ruleid: py-secret-env-fallback
STRIPE_KEY = os.environ.get("STRIPE_API_KEY", "fake-fallback-key")
# ruleid: py-secret-env-fallback
SIGNING = config("SIGNING_SECRET", default="fake-decouple-default")
# ok: py-secret-env-fallback
REDIS_URL = os.getenv("REDIS_URL", "redis://redis:6379/0")
