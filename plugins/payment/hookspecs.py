# mypy: disable-error-code="empty-body"
"""Hooks the payment plugin declares (added through ``govhall_addhooks``; docs/hooks.md).

A province's plugin implements ``govhall_payment_providers`` with ``@hookimpl(optionalhook=True)`` and
returns provider objects (no import of this plugin needed: any object with the methods below will do),
so it loads unchanged where payment is not installed.
"""

from __future__ import annotations

from typing import Any

from core.api import hookspec


@hookspec
def govhall_payment_providers() -> list[Any]:
    """Payment providers (gateways) a plugin offers, each an object with ``name``, ``title_zh``,
    ``title_en`` and the methods ``create(platform, tenant, *, amount_cents, reference, description,
    return_url)`` -> an object with ``payment_id`` and ``next_url``; ``state(platform, tenant,
    payment_id)`` -> one of created, started, submitted, success, failed, cancelled, error; and
    ``refund(platform, tenant, payment_id, *, amount_cents, key)`` -> the gateway's refund id. The tenant
    setting ``payment.provider`` names the one a hall uses; payment asks only plugins enabled there."""
