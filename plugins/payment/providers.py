"""The provider interface: how an order reaches a gateway. A province plugs its non-tax revenue gateway
in by implementing ``govhall_payment_providers()`` (plugins/payment/hookspecs.py, docs/hooks.md) in its
own plugin and naming it in the ``payment.provider`` setting; ``sim`` (the simulated gateway over HTTP,
plugins/payment/simgateway.py) ships here.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from core.api import Conflict, Invalid

HOOK = "govhall_payment_providers"
TIMEOUT_SECONDS = 10.0


class ProviderUnavailable(Conflict):
    """The gateway could not be reached or answered nonsense: nothing changed, try again later."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The payment gateway is unavailable ({detail}); nothing was charged, try again",
            "支付平台暂时无法访问，未扣款，请稍后重试",
            code="gateway_unavailable",
        )


@dataclass(frozen=True)
class Created:
    payment_id: str
    next_url: str


class PaymentProvider(Protocol):
    """What a gateway offers. ``state`` answers one of created, started, submitted, success, failed,
    cancelled, error. Methods raise ``ProviderUnavailable`` on transport failures, ``Invalid`` when the
    gateway refuses the request (e.g. a refund above what it captured)."""

    name: str
    title_zh: str
    title_en: str

    def create(
        self,
        platform: Any,
        tenant: Any,
        *,
        amount_cents: int,
        reference: str,
        description: str,
        return_url: str,
    ) -> Created: ...

    def state(self, platform: Any, tenant: Any, payment_id: str) -> str: ...

    def refund(self, platform: Any, tenant: Any, payment_id: str, *, amount_cents: int, key: str) -> str: ...


class SimulatedGateway:
    """The simulated gateway's client: JSON over HTTP to ``payment.gateway_url``."""

    name = "sim"
    title_zh = "模拟支付网关"
    title_en = "Simulated gateway"

    def _call(
        self, platform: Any, tenant: Any, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        base = str(platform.tenant_setting(tenant, "payment.gateway_url")).rstrip("/")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            base + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310 (configured URL)
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read() or b"{}")
            except ValueError:
                raise ProviderUnavailable(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ProviderUnavailable(type(exc).__name__) from None

    def create(
        self,
        platform: Any,
        tenant: Any,
        *,
        amount_cents: int,
        reference: str,
        description: str,
        return_url: str,
    ) -> Created:
        status, out = self._call(
            platform,
            tenant,
            "POST",
            "/v1/payments",
            {
                "amount": amount_cents,
                "reference": reference,
                "description": description,
                "return_url": return_url,
            },
        )
        if status != 201 or "payment_id" not in out:
            raise ProviderUnavailable(f"HTTP {status}")
        return Created(str(out["payment_id"]), str(out["next_url"]))

    def state(self, platform: Any, tenant: Any, payment_id: str) -> str:
        status, out = self._call(platform, tenant, "GET", f"/v1/payments/{payment_id}")
        if status != 200:
            raise ProviderUnavailable(f"HTTP {status}")
        return str(out.get("state", "error"))

    def refund(self, platform: Any, tenant: Any, payment_id: str, *, amount_cents: int, key: str) -> str:
        status, out = self._call(
            platform,
            tenant,
            "POST",
            f"/v1/payments/{payment_id}/refunds",
            {"amount": amount_cents, "key": key},
        )
        if status in (200, 201):
            return str(out["refund_id"])
        if status in (400, 409):
            raise Invalid(
                f"The gateway refused the refund: {out.get('error', status)}",
                f"支付平台拒绝退款：{out.get('error', status)}",
                code="refund_refused",
                fields={"amount_cents": str(out.get("error", status))},
            )
        raise ProviderUnavailable(f"HTTP {status}")


def provider_for(platform: Any, tenant: Any) -> PaymentProvider:
    """The provider the tenant's ``payment.provider`` names, among plugins enabled there."""
    name = str(platform.tenant_setting(tenant, "payment.provider"))
    enabled = platform.enabled(tenant)
    for plugin, offered in platform.registry.declared(HOOK).items():
        if plugin not in enabled:
            continue
        for p in offered:
            if p.name == name:
                return p  # type: ignore[no-any-return]
    raise Conflict(
        f"No payment provider {name!r} is available here", f"本级未配置支付渠道 {name}", code="no_provider"
    )
