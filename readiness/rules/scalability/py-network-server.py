from aiohttp import web
from fastapi import FastAPI, APIRouter
from flask import Flask

# ruleid: py-network-server
app = FastAPI(title="idr")
# ok: py-network-server
router = APIRouter()
# ruleid: py-network-server
admin = Flask(__name__)
# ruleid: py-network-server
aio = web.Application()
