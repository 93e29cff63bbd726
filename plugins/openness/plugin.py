"""Hook implementations of the openness plugin (阳光政务): thin wiring only (logic in services, report
and rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import Label, MenuEntry, PluginInfo, declare_plugin, hookimpl
from plugins.openness import permissions as P

HERE = Path(__file__).resolve().parent

declare_plugin(
    __name__,
    info=PluginInfo(
        name="openness",
        title_zh="阳光政务",
        title_en="Open government",
        version="0.1.0",
        description_zh="依申请公开政府信息（法定答复期限、补正、征求第三方意见、延期审批）与年度报告；权责清单",
        description_en="Requests for government information (statutory reply period, completion, third-party "
        "consultation, approved extension) and the annual report; power and responsibility lists",
    ),
    hookspecs="plugins.openness.hookspecs",
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.openness.views:routes",
    api_routes="plugins.openness.api:routes",
    demo="plugins.openness.demo:load",
    menu=[
        MenuEntry("sunshine", "依申请公开", "Request government information", "openness/apply", order=20,
                  permission=P.SUBMIT.name, description_zh="向本级政府申请获取政府信息",
                  description_en="Ask this government for information it holds"),
        MenuEntry("sunshine", "政府信息公开年度报告", "Annual disclosure report", "openness/report", order=22,
                  permission=P.REPORT.name),
        MenuEntry("my", "我的信息公开申请", "My information requests", "openness/my", order=32,
                  permission=P.SUBMIT.name),
        MenuEntry("workbench", "依申请公开办理", "Information requests", "openness/requests", order=45,
                  permission=P.VIEW.name),
        MenuEntry("sunshine", "权责清单", "Power and responsibility lists", "openness/powers", order=15,
                  permission=P.POWER_VIEW.name, description_zh="各部门行政权力及其法律依据和责任",
                  description_en="Each department's powers, their legal basis and responsibilities"),
        MenuEntry("console", "权责清单管理", "Keep the power lists", "openness/powers/manage", order=60,
                  permission=P.POWER_MANAGE.name),
        MenuEntry("console", "权力与事项对应情况", "Powers and items not linked", "openness/powers/gaps",
                  order=61, permission=P.POWER_MANAGE.name),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.openness.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_labels() -> list[Label]:
    """Names of the audit actions and detail keys this plugin writes (core.labels)."""
    from plugins.openness import law

    names: dict[str, tuple[str, str]] = dict(law.POWER_CATEGORIES)
    for key, (zh, en, grounds) in law.OUTCOMES.items():
        names.setdefault(key, (zh, en))
        for g, pair in grounds.items():
            names.setdefault(g, pair)
    return [
        *[Label(f"openness.{k}", zh, en) for k, (zh, en) in names.items()],
        Label("openness.request.extension", "审批信息公开延期答复", "Information request extension decided"),
        Label("openness.request.reply", "答复信息公开申请", "Information request replied"),
        Label("openness.request", "信息公开申请", "Information request"),
        Label("openness.power.publish", "公布权责清单事项", "Power published"),
        Label("openness.power.repeal", "取消权责清单事项", "Power repealed"),
        Label("openness.power.link", "关联办事事项与权力", "Service item linked to a power"),
        Label("openness.power", "权责清单事项", "Power"),
        Label("openness.edition", "版本", "Edition"),
        Label("openness.category", "权力类别", "Category"),
        Label("openness.item", "办事事项", "Service item"),
        Label("openness.days", "延期工作日", "Working days"),
        Label("openness.approved", "批准", "Approved"),
        Label("openness.outcome", "答复类型", "Kind of reply"),
        Label("openness.ground", "法律依据", "Legal ground"),
        Label("openness.late", "逾期", "Late"),
    ]


@hookimpl
def govhall_deadlines_on_calendar(calendar: Any, years: list[int], session: Any, apply: bool) -> list[Any]:
    """A holiday notice moves the reply day of running requests (counted on the new calendar)."""
    from plugins.openness import services

    return services.deadlines_on_calendar(session, calendar, years, apply)


@hookimpl(optionalhook=True)  # approval's hook (plugins/approval/hookspecs.py)
def govhall_approval_item_facts(
    platform: Any, tenant: Any, item: dict[str, Any], session: Any
) -> list[dict[str, Any]]:
    """The power the item exercises, on its service guide (权责清单)."""
    from plugins.openness import powers

    return powers.item_facts(session, tenant, str(item.get("code", "")))
