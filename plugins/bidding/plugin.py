"""Hook implementations of the bidding plugin: thin wiring only (logic in services, sealing, rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import Label, MenuEntry, PeriodicTask, PluginInfo, SettingSpec, declare_plugin, hookimpl
from plugins.bidding import permissions as P

HERE = Path(__file__).resolve().parent

declare_plugin(
    __name__,
    info=PluginInfo(
        name="bidding",
        title_zh="公共资源交易",
        title_en="Public resource trading",
        version="0.1.0",
        description_zh="招标公告、电子密封投标、网上开标、评标、中标候选人公示、中标与合同",
        description_en="Tender notices, sealed electronic bids, online opening, evaluation, candidate "
        "publicity, award and contract",
    ),
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
        SettingSpec(
            "bidding.ocid_prefix",
            "ocds-gvhl36",
            "The OCDS ocid prefix of this platform's procurements (ocids are "
            "<prefix>-<tenant code>-<tender number>).",
            per_tenant=True,
        ),
        SettingSpec(
            "bidding.key_window_minutes",
            60,
            "Minutes after the bid deadline during which bidders give their keys at the online "
            "opening; a bid whose key is not given by then counts as withdrawn.",
            type=int,
            min=5,
            max=1440,
            per_tenant=True,
        ),
        SettingSpec(
            "bidding.document_max_mb",
            20,
            "Largest uploaded tender document file in MB.",
            type=int,
            min=1,
            max=200,
            per_tenant=True,
        ),
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    api_routes="plugins.bidding.api:routes",
    cli="plugins.bidding.cli:bidding",
    demo="plugins.bidding.demo:load",
    labels=[
        Label("bidding.tender", "招标项目", "Tender"), Label("bidding.bid", "投标文件", "Bid"),
        Label("bidding.bidder", "投标人", "Bidder"), Label("bidding.bond", "投标保证金", "Bid bond"),
        Label("bidding.expert", "评标专家", "Expert"), Label("bidding.objection", "异议", "Objection"),
        Label("bidding.panel", "评标委员会", "Panel"),
        Label("bidding.panel.draw", "抽取评标专家", "Panel drawn"),
    ],
    menu=[
        MenuEntry(
            "subsystem",
            "公共资源交易",
            "Public resource trading",
            "bidding/",
            plugin="bidding",
            order=20,
            permission=P.PUBLIC.name,
            description_zh="招标公告、网上开标、中标候选人公示",
            description_en="Tender notices, online opening, candidate publicity",
        ),
        MenuEntry(
            "sunshine",
            "招标投标公告",
            "Tender notices",
            "bidding/",
            plugin="bidding",
            order=35,
            permission=P.PUBLIC.name,
        ),
        MenuEntry(
            "workbench",
            "招标项目管理",
            "Tender projects",
            "bidding/manage",
            plugin="bidding",
            order=45,
            permission=P.TENDER_VIEW.name,
            description_zh="登记发布招标项目、开标、评标、定标与合同",
            description_en="Register and publish tenders, opening, evaluation, award and contract",
        ),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.bidding.rules:RULES"},  # supervision's hook
)


@hookimpl(optionalhook=True)  # supervision's hook (plugins/supervision/hookspecs.py)
def govhall_supervision_metrics(scope: Any, session: Any) -> list[dict[str, Any]]:
    from plugins.bidding.rules import supervision_metrics

    return supervision_metrics(session, scope)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.bidding.rules import advance_task

    return [PeriodicTask("advance", 60, advance_task, per_tenant=True)]


@hookimpl
def govhall_routes() -> list[Any]:
    from plugins.bidding import staff, views

    return views.routes() + staff.routes()
