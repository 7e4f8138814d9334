import collections

from cachetools import TTLCache
from fastapi import FastAPI
from flask import Flask, request

app = FastAPI()
web = Flask(__name__)
# ruleid: py-inprocess-session-store
web.config["SESSION_TYPE"] = "filesystem"
# ok: py-inprocess-session-store
web.config["SESSION_TYPE"] = "redis"

# ruleid: py-inprocess-session-store
SESSION_ENGINE = "django.contrib.sessions.backends.file"

SESSIONS = {}
RECENT = collections.deque(maxlen=100)
TOKENS = TTLCache(maxsize=1000, ttl=60)


@app.post("/login")
async def login(user: str) -> dict:
    # ruleid: py-handler-state-write
    SESSIONS[user] = {"logged_in": True}
    # ruleid: py-handler-state-write
    RECENT.append(user)
    scratch = {}
    # ok: py-handler-state-write
    scratch[user] = 1
    # ruleid: py-handler-disk-write
    with open(f"/data/{user}.json", "w") as handle:
        handle.write("{}")
    # ok: py-handler-disk-write
    with open("/etc/app.conf") as handle:
        handle.read()
    return {}


@web.route("/upload", methods=["POST"])
def upload():
    # ruleid: py-handler-state-write
    TOKENS[request.form["user"]] = "x"
    # ruleid: py-handler-disk-write
    request.files["file"].save("/srv/uploads/f")
    return "ok"


def django_view(request):
    # ruleid: py-handler-state-write
    SESSIONS.update({request.user.id: 1})
    return None


def warm_up():
    # ok: py-handler-state-write
    SESSIONS["warm"] = {}
    # ok: py-handler-disk-write
    open("/tmp/pid", "w").write("1")
