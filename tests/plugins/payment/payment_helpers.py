"""Helpers of the payment tests: the demo fee, and acting at the gateway over plain HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

FEE = {
    "item_code": "DH-GA-003",
    "item_name": "居民身份证换领",
    "amount_cents": 2000,
    "legal_basis": "《居民身份证工本费》收费标准：20元/证",
    "stage": "on_demand",
}


def gateway_call(
    base: str, method: str, path: str, body: Any = None, form: dict[str, str] | None = None
) -> tuple[int, Any]:
    """Act as the payer (or the gateway's operator) at the gateway: plain HTTP."""
    data, headers = None, {}
    if body is not None:
        data, headers = json.dumps(body).encode(), {"content-type": "application/json"}
    if form is not None:
        data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with opener.open(req, timeout=10) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode()
