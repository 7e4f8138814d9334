"""Pushes newly created identities to the cookie-sync partner."""

import requests
import structlog

from app import settings

log = structlog.get_logger(__name__)


def sync_identity(identity_id: str, device_ifa: str | None) -> None:
    if not settings.PARTNER_SYNC_URL:
        return
    try:
        response = requests.post(
            settings.PARTNER_SYNC_URL,
            json={"identity_id": identity_id, "ifa": device_ifa},
            timeout=2,
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        log.warning("partner_sync_failed", identity_id=identity_id, error=str(exc))
