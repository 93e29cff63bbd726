"""Hook implementations of the payment plugin: thin wiring only (logic in services, from_approval,
reconciliation, rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import (
    Event,
    Finding,
    Label,
    MenuEntry,
    PeriodicTask,
    PluginInfo,
    SettingSpec,
    declare_plugin,
    hookimpl,
)
from plugins.payment import permissions as P

HERE = Path(__file__).resolve().parent


def _url(v: Any) -> str | None:
    return None if str(v).startswith(("http://", "https://")) else "must start with http:// or https://"


declare_plugin(
    __name__,
    info=PluginInfo(
        name="payment",
        title_zh="统一支付",
        title_en="Unified payment",
        version="0.1.0",
        description_zh="事项收费、缴费订单、电子票据、退费与对账",
        description_en="Item fees, payment orders, electronic receipts, refunds and reconciliation",
    ),
    hookspecs="plugins.payment.hookspecs",
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
        SettingSpec(
            "payment.provider",
            "sim",
            "Payment provider a hall uses (govhall_payment_providers); ``sim`` is the simulated gateway.",
            per_tenant=True,
        ),
        SettingSpec(
            "payment.gateway_url",
            "http://127.0.0.1:8765",
            "Address of the simulated gateway (``govhall payment gateway``).",
            per_tenant=True,
            check=_url,
        ),
        SettingSpec(
            "payment.public_base_url",
            "http://127.0.0.1:8000",
            "Absolute address of the halls as "
            "payers reach them; the gateway sends payers back to <this>/t/<code>/payment/....",
            check=_url,
        ),
        SettingSpec(
            "payment.expiry_minutes",
            90,
            "Minutes an unfinished payment order stays payable; then it fails as expired (GOV.UK Pay: 90).",
            type=int,
            min=5,
            max=7 * 24 * 60,
            per_tenant=True,
        ),
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.payment.views:routes",
    api_routes="plugins.payment.api:routes",
    cli="plugins.payment.cli:payment",
    demo="plugins.payment.demo:load",
    labels=[
        Label("payment.order", "缴费订单", "Payment order"), Label("payment.fee", "收费标准", "Fee"),
        Label("payment.reconciliation", "对账", "Reconciliation"),
        Label("payment.fee.set", "设置收费标准", "Fee set"),
    ],
    menu=[
        MenuEntry("my", "我的缴费", "My payments", "payment/my", order=30, permission=P.OWN.name),
        MenuEntry("workbench", "缴费订单", "Payment orders", "payment/orders", order=40,
                  permission=P.ORDER_VIEW.name),
        MenuEntry("workbench", "缴费对账", "Reconciliation", "payment/reconciliations", order=41,
                  permission=P.RECONCILE.name),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.payment.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_handle_event(event: Event, session: Any) -> None:
    from plugins.payment import from_approval

    from_approval.handle_event(event, session)


@hookimpl
def govhall_checks(check: str, subject: dict[str, Any], tenant: Any, session: Any) -> list[Finding] | None:
    if check != "approval.gate":
        return None
    from plugins.payment import from_approval

    return from_approval.gate(subject, tenant, session)


@hookimpl(optionalhook=True)  # approval's hook (plugins/approval/hookspecs.py)
def govhall_approval_case_facts(
    platform: Any, tenant: Any, application: dict[str, Any], viewer: str, session: Any
) -> list[dict[str, Any]]:
    from plugins.payment import from_approval

    return from_approval.case_facts(tenant, application, viewer, session)


@hookimpl(optionalhook=True)  # approval's hook (plugins/approval/hookspecs.py)
def govhall_approval_item_fees(
    platform: Any, tenant: Any, item_codes: list[str], session: Any
) -> dict[str, dict[str, Any]]:
    from plugins.payment import from_approval

    return from_approval.item_fees(tenant, item_codes, session)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.payment.rules import sync_task

    return [PeriodicTask("sync", 60, sync_task)]


@hookimpl
def govhall_payment_providers() -> list[Any]:
    """This plugin's own hook (plugins/payment/providers.py): the simulated gateway."""
    from plugins.payment.providers import SimulatedGateway

    return [SimulatedGateway()]
