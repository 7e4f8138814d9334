import json

import jsonschema
from fastapi import FastAPI, Request
from flask import Flask, request

app = FastAPI()
flask_app = Flask(__name__)


@app.post("/raw")
async def raw(request: Request) -> dict:
    # ruleid: py-raw-json-body
    payload = await request.json()
    return {"id": payload["id"]}


@app.post("/checked")
async def checked(request: Request) -> dict:
    # ruleid: py-raw-json-body, py-raw-json-validated
    body = ResolveRequest.model_validate(await request.json())
    return body.model_dump()


@flask_app.post("/flask")
def flask_raw():
    # ruleid: py-raw-json-body
    data = request.get_json()
    return data["name"]


@flask_app.post("/flask-schema")
def flask_schema():
    # ruleid: py-raw-json-body, py-raw-json-validated
    data = request.get_json(force=True)
    jsonschema.validate(data, SCHEMA)
    return data


@flask_app.post("/marshmallow")
def marshmallow():
    # ruleid: py-raw-json-body, py-raw-json-validated
    item = ItemSchema().load(request.get_json())
    return item


def django_view(request):
    # ruleid: py-raw-json-body
    return json.loads(request.body)


def not_a_request(response):
    # ok: py-raw-json-body
    return response.get_json()


@flask_app.post("/property")
def flask_property():
    # ruleid: py-raw-json-body
    return request.json["name"]
