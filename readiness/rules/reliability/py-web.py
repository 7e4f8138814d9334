import uvicorn
from aiohttp import web
from django.urls import path, re_path
from fastapi import FastAPI
from flask import Flask

from . import views

# ruleid: py-asgi-app
api = FastAPI(title="idr")
# ruleid: py-wsgi-app
site = Flask(__name__)
# ruleid: py-asgi-app
aio = web.Application()


# ruleid: py-http-route
@api.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


# ok: py-http-route
@api.post("/resolve")
async def resolve() -> dict[str, str]:
    return {}


# ruleid: py-http-route
@site.route("/livez", methods=["GET"])
def livez() -> str:
    return "ok"


async def handle_health(request: web.Request) -> web.Response:
    return web.Response(text="ok")

# ruleid: py-http-route
aio.router.add_get("/healthz", handle_health)

urlpatterns = [
    # ruleid: py-http-route
    path("healthz/", views.health),
    # ruleid: py-http-route
    re_path(r"^readyz/?$", views.ready),
]

# ok: py-asgi-app
settings = dict(title="not an app")

if __name__ == "__main__":
    # ruleid: py-uvicorn-run, py-uvicorn-graceful-timeout
    uvicorn.run(api, host="0.0.0.0", port=8000, timeout_graceful_shutdown=20)
    # ruleid: py-uvicorn-run
    uvicorn.run("app.main:api", port=8001)
