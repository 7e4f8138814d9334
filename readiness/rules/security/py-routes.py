from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Security
from flask import Flask
from flask_login import login_required
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView
from slowapi import Limiter

app = FastAPI()
router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])
open_router = APIRouter()
flask_app = Flask(__name__)
# ruleid: py-global-rate-limit
limiter = Limiter(key_func=remote_address, default_limits=["100/minute"])


# ruleid: py-route
@app.get("/health")
async def health() -> dict:
    return {}


# ruleid: py-route
@app.post("/resolve", response_model=dict)
async def resolve(body: dict) -> dict:
    return body


# ruleid: py-route, py-route-auth
@app.post("/orders", dependencies=[Depends(verify_token)])
async def orders() -> None:
    return None


# ruleid: py-route, py-route-auth
@app.get("/me")
async def me(user: User = Depends(get_current_user)) -> User:
    return user


# ruleid: py-route, py-route-auth
@app.get("/keys")
async def keys(key: Annotated[str, Security(api_key_header)]) -> str:
    return key


# ruleid: py-route
@app.get("/db")
async def db(session=Depends(get_db)) -> None:
    return None


# ruleid: py-route, py-route-auth
@router.post("/reload")
async def reload() -> None:
    return None


# ruleid: py-route
@open_router.get("/catalog")
def catalog() -> list:
    return []


# ruleid: py-route, py-route-auth
@flask_app.route("/settings", methods=["POST"])
@login_required
def settings():
    return ""


# ruleid: py-route, py-route-rate-limit
@app.post("/token")
@limiter.limit("5/minute")
async def token(request: Request) -> dict:
    return {}


# ruleid: py-drf-view-unprotected
class OpenView(APIView):
    def get(self, request):
        return None


# ok: py-drf-view-unprotected
class ClosedView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return None


# ruleid: py-drf-view-unprotected
@api_view(["GET"])
def open_function(request):
    return None


# ok: py-drf-view-unprotected
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def closed_function(request):
    return None
