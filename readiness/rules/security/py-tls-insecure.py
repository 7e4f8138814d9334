import ssl

import httpx
import requests


def fetch(url: str) -> bytes:
    # ruleid: py-tls-verify-disabled
    requests.get(url, timeout=2, verify=False)
    # ruleid: py-tls-verify-disabled
    client = httpx.Client(verify=False)
    session = requests.Session()
    # ruleid: py-tls-verify-disabled
    session.verify = False
    # ruleid: py-tls-verify-disabled
    context = ssl._create_unverified_context()
    # ruleid: py-tls-verify-disabled
    context.check_hostname = False
    # ruleid: py-tls-verify-disabled
    context.verify_mode = ssl.CERT_NONE
    # ok: py-tls-verify-disabled
    requests.get(url, timeout=2, verify="/etc/ssl/certs/internal-ca.pem")
    # ok: py-tls-verify-disabled
    return client.get(url).content
