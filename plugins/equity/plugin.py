"""Hook implementations of the equity plugin: thin wiring only (logic in services, buyers, bidding, deals)."""

from __future__ import annotations

from pathlib import Path

from core.api import MenuEntry, PeriodicTask, PluginInfo, WorkingDeadline, declare_plugin, hookimpl
from plugins.equity import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """The down payment is due 5 working days after the contract is signed (the rest runs in months); an
    awardee signs within 5 working days of its award (the winner's, or the second bidder's)."""
    from plugins.equity.models import Award as W
    from plugins.equity.models import Deal as D

    return [
        WorkingDeadline(
            "down_payment", D.signed_on, D.down_due, D.down_paid_on.is_(None) & D.void.is_(False), label=D.id
        ),
        WorkingDeadline("signing", W.awarded_on, W.sign_due, W.status == "open", label=W.id),
    ]


declare_plugin(
    __name__,
    info=PluginInfo(
        name="equity",
        title_zh="产权交易",
        title_en="Equity trading",
        version="0.1.0",
        description_zh="国有产权转让：信息披露、受让方资格确认、网络竞价、成交与交易凭证",
        description_en="State-owned equity transfers: disclosure, qualified buyers, online auctions, deals "
        "and trade certificates",
    ),
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.equity.views:routes",
    api_routes="plugins.equity.api:routes",
    demo="plugins.equity.demo:load",
    menu=[
        MenuEntry(
            "subsystem",
            "产权交易",
            "Equity trading",
            "equity/",
            plugin="equity",
            order=22,
            permission=P.PUBLIC.name,
            description_zh="产权转让披露、网络竞价、交易结果",
            description_en="Disclosures, live auctions, results",
        ),
        MenuEntry(
            "workbench",
            "产权交易项目管理",
            "Equity projects",
            "equity/manage",
            plugin="equity",
            order=46,
            permission=P.PROJECT_VIEW.name,
            description_zh="受理转让项目、信息披露、确认受让方、组织竞价、成交与交易凭证",
            description_en="File projects, disclose, confirm buyers, run auctions, deals and certificates",
        ),
        MenuEntry(
            "sunshine",
            "产权转让信息",
            "Equity transfers",
            "equity/",
            plugin="equity",
            order=36,
            permission=P.PUBLIC.name,
        ),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.equity.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.equity.rules import advance_task

    return [PeriodicTask("advance", 60, advance_task, per_tenant=True)]
