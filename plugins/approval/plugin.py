"""Hook implementations of the approval plugin: thin wiring only (logic in services/handling/catalogue)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import Label, MenuEntry, PluginInfo, SettingSpec, declare_plugin, hookimpl
from plugins.approval import permissions as P

HERE = Path(__file__).resolve().parent

declare_plugin(
    __name__,
    info=PluginInfo(
        name="approval",
        title_zh="网上审批",
        title_en="Online approval",
        version="0.2.0",
        default_enabled=True,
        description_zh="事项目录、在线申报、受理审查决定办结、并联审批、结果公示与办件统计",
        description_en="Item catalogue, online applications, handling with working-day clocks, "
        "parallel approval, publicity and statistics",
    ),
    hookspecs="plugins.approval.hookspecs",
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
        SettingSpec(
            "approval.upload_max_mb",
            20,
            "Largest uploaded material in MB (an item may allow less).",
            type=int,
            min=1,
            max=500,
        ),
        SettingSpec(
            "approval.yellow_margin_days",
            2,
            "Working days before the promised deadline at which an open application earns a yellow card.",
            type=int,
            min=1,
            max=30,
            per_tenant=True,
        ),
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.approval.views:routes",
    api_routes="plugins.approval.api:routes",
    cli="plugins.approval.cli:approval",
    demo="plugins.approval.demo:load",
    labels=[
        Label("approval.application", "申请", "Application"), Label("approval.item", "事项", "Item"),
        Label("approval.procedure", "审批程序", "Procedure"), Label("approval.step", "环节", "Step"),
        Label("approval.applicant_name", "申请人", "Applicant"),
        Label("approval.days_left", "剩余工作日", "Working days left"),
        Label("approval.application.start_review", "开始审查", "Review started"),
    ],
    menu=[
        MenuEntry("search", "搜索办事事项", "Search service items", "approval/search", order=10,
                  permission=P.ITEM_VIEW.name),
        MenuEntry("personal", "个人办事事项", "Personal items", "approval/items?entrance=personal", order=10,
                  permission=P.ITEM_VIEW.name),
        MenuEntry("legal", "法人办事事项", "Legal-person items", "approval/items?entrance=legal", order=10,
                  permission=P.ITEM_VIEW.name),
        MenuEntry("approval", "行政审批事项", "Administrative approval items",
                  "approval/items?section=approval", order=10, permission=P.ITEM_VIEW.name),
        MenuEntry("approval", "并联审批", "Parallel approval", "approval/items?parallel=1", order=20,
                  permission=P.ITEM_VIEW.name),
        MenuEntry("public_service", "公共服务事项", "Public service items",
                  "approval/items?section=public_service", order=10, permission=P.ITEM_VIEW.name),
        MenuEntry("sunshine", "审批结果公示", "Published decisions", "approval/publicity", order=10,
                  permission=P.PUBLICITY_VIEW.name),
        MenuEntry("sunshine", "办件统计", "Approval statistics", "approval/stats", order=20,
                  permission=P.PUBLICITY_VIEW.name),
        MenuEntry("workbench", "审批工作台", "Approval workbench", "approval/workbench", order=10,
                  permission=P.APP_HANDLE.name),
        MenuEntry("my", "我的办件", "My applications", "approval/my", order=10, permission=P.APP_OWN.name),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.approval.rules:RULES"},  # supervision's hook
)


@hookimpl(optionalhook=True)  # supervision's hook (plugins/supervision/hookspecs.py)
def govhall_supervision_metrics(scope: Any, session: Any) -> list[dict[str, Any]]:
    from plugins.approval import stats

    return stats.supervision_metrics(session, scope)


@hookimpl
def govhall_data_resources(tenant: Any) -> list[Any]:
    """The data-sharing platform's catalogue: an application's status and decision (exchange.py)."""
    from plugins.approval.exchange import resources

    return resources(tenant)


@hookimpl
def govhall_deadlines_on_calendar(calendar: Any, years: list[int], session: Any, apply: bool) -> list[Any]:
    from plugins.approval import handling

    return handling.deadlines_on_calendar(session, calendar, years, apply)


@hookimpl
def govhall_handle_event(event: Any, session: Any) -> None:
    """The applicant is told when their application is accepted, corrected, suspended or decided."""
    from plugins.approval import messages

    messages.handle_event(event, session)


@hookimpl(optionalhook=True)  # openness's hook (plugins/openness/hookspecs.py)
def govhall_openness_catalogue_items(platform: Any, tenant: Any, session: Any) -> list[dict[str, Any]]:
    """The hall's published service items, so openness can link each to the power it exercises."""
    from plugins.approval import catalogue

    return catalogue.items_for_powers(session, tenant)
