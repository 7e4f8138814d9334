import logging

from django.contrib import admin
from django.core.management.base import BaseCommand
from django.urls import path
from fastapi import FastAPI

app = FastAPI()
audit_log = logging.getLogger("audit")


# ok: py-admin-route
@app.post("/resolve")
async def resolve(body: dict) -> dict:
    return body


# ruleid: py-admin-route
@app.delete("/admin/identities/{identity_id}")
async def forget_identity(identity_id: str) -> None:
    # ruleid: py-audit-call
    audit_log.info("identity.forget", extra={"identity_id": identity_id})


# ruleid: py-admin-route
@app.post("/internal/resync")
def resync() -> None:
    # ok: py-audit-call
    logging.info("resync started")


def record(actor: str, action: str) -> None:
    # ruleid: py-audit-call
    write_audit_event(actor=actor, action=action)


def write_audit_event(**event: str) -> None:
    # ruleid: py-audit-call
    logging.getLogger(__name__).info("audit", extra=event)


# ruleid: py-management-command
class Command(BaseCommand):
    def handle(self, *args, **options):
        pass


urlpatterns = [
    # ruleid: py-django-admin
    path("admin/", admin.site.urls),
]
