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
    Permission,
    PluginInfo,
    RoleTemplate,
    SettingSpec,
    hookimpl,
)
from plugins.payment import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_addhooks(pluginmanager: Any) -> None:
    """Payment owns its provider contract: ``govhall_payment_providers`` (plugins/payment/hookspecs.py)."""
    from plugins.payment import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="payment",
        title_zh="统一支付",
        title_en="Unified payment",
        version="0.1.0",
        description_zh="事项收费、缴费订单、电子票据、退费与对账",
        description_en="Item fees, payment orders, electronic receipts, refunds and reconciliation",
    )


@hookimpl
def govhall_permissions() -> list[Permission]:
    return P.PERMISSIONS


@hookimpl
def govhall_roles() -> list[RoleTemplate]:
    return P.ROLES


def _url(v: Any) -> str | None:
    return None if str(v).startswith(("http://", "https://")) else "must start with http:// or https://"


@hookimpl
def govhall_settings() -> list[SettingSpec]:
    return [
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
    ]


@hookimpl
def govhall_migration_dirs() -> list[Path]:
    return [HERE / "migrations" / "versions"]


@hookimpl
def govhall_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def govhall_routes() -> list[Any]:
    from plugins.payment import views

    return views.routes()


@hookimpl
def govhall_api_routes() -> list[Any]:
    from plugins.payment import api

    return api.routes()


@hookimpl
def govhall_cli_commands() -> list[Any]:
    from plugins.payment.cli import payment

    return [payment]


@hookimpl
def govhall_menu_entries(tenant: Any, actor: Any) -> list[MenuEntry]:
    def m(section: Any, zh: str, en: str, href: str, perm: Permission, order: int) -> MenuEntry:
        return MenuEntry(section, zh, en, href, plugin="payment", order=order, permission=perm.name)

    return [
        m("my", "我的缴费", "My payments", "payment/my", P.OWN, 30),
        m("workbench", "缴费订单", "Payment orders", "payment/orders", P.ORDER_VIEW, 40),
        m("workbench", "缴费对账", "Reconciliation", "payment/reconciliations", P.RECONCILE, 41),
    ]


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


@hookimpl(optionalhook=True)  # supervision's hook (plugins/supervision/hookspecs.py)
def govhall_supervision_rules() -> list[dict[str, Any]]:
    from plugins.payment.rules import RULES

    return RULES


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.payment.rules import sync_task

    return [PeriodicTask("sync", 60, sync_task)]


@hookimpl
def govhall_demo_data(session: Any, directory: Any) -> None:
    from plugins.payment import demo

    demo.load(session, directory)


@hookimpl
def govhall_payment_providers() -> list[Any]:
    """This plugin's own hook (plugins/payment/providers.py): the simulated gateway."""
    from plugins.payment.providers import SimulatedGateway

    return [SimulatedGateway()]


@hookimpl
def govhall_labels() -> list[Label]:
    """Names people see for the codes this plugin writes into audit entries and facts (core.labels)."""
    return [
        Label("payment.order", "缴费订单", "Payment order"), Label("payment.fee", "收费标准", "Fee"),
        Label("payment.reconciliation", "对账", "Reconciliation"),
        Label("payment.fee.set", "设置收费标准", "Fee set"),
    ]
