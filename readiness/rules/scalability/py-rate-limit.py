from fastapi import FastAPI
from slowapi import Limiter
from slowapi.util import get_remote_address

# ruleid: py-rate-limit-per-client
limiter = Limiter(key_func=get_remote_address)
# ruleid: py-rate-limit-per-client, py-rate-limit-global
both = Limiter(key_func=get_remote_address, application_limits=["2000/second"])
# ok: py-rate-limit-global
app = FastAPI()
