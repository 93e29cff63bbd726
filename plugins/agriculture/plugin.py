"""Hook implementations of the agriculture plugin (智慧农业): thin wiring only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import (
    Label,
    MenuEntry,
    PeriodicTask,
    Permission,
    PluginInfo,
    RoleTemplate,
    SettingSpec,
    WorkingDeadline,
    hookimpl,
)
from plugins.agriculture import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """A 12316 question's answer is due in the tenant's working days from the day it was asked."""
    from plugins.agriculture.models import Question as Q

    return [WorkingDeadline("question", Q.asked_on, Q.due_on, Q.answered_on.is_(None), label=Q.id)]


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="agriculture",
        title_zh="智慧农业",
        title_en="Smart agriculture",
        version="0.1.0",
        description_zh="农产品质量追溯与承诺达标合格证、市场价格、供求信息、12316 三农服务",
        description_en="Produce traceability and compliance certificates, market prices, supply and demand, "
        "the 12316 desk",
    )


@hookimpl
def govhall_permissions() -> list[Permission]:
    return P.PERMISSIONS


@hookimpl
def govhall_roles() -> list[RoleTemplate]:
    return P.ROLES


@hookimpl
def govhall_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            "agriculture.price_band_percent",
            30,
            "A daily market price that moves more than this many percent from the same market's previous "
            "price is marked as an anomaly (pages, API and the supervision rule).",
            type=int,
            min=1,
            max=500,
            per_tenant=True,
        ),
        SettingSpec(
            "agriculture.answer_working_days",
            3,
            "Working days (legal clock) the county's 12316 experts have to answer a question; unanswered "
            "by then it is escalated to the city and reported to supervision.",
            type=int,
            min=1,
            max=30,
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
    from plugins.agriculture import views

    return views.routes()


@hookimpl
def govhall_api_routes() -> list[Any]:
    from plugins.agriculture import api

    return api.routes()


@hookimpl
def govhall_menu_entries(tenant: Any, actor: Any) -> list[MenuEntry]:
    def m(
        section: Any, zh: str, en: str, href: str, perm: Permission, order: int, dzh: str = "", den: str = ""
    ) -> MenuEntry:
        return MenuEntry(
            section,
            zh,
            en,
            href,
            plugin="agriculture",
            order=order,
            permission=perm.name,
            description_zh=dzh,
            description_en=den,
        )

    return [
        m(
            "subsystem",
            "智慧农业",
            "Smart agriculture",
            "agriculture/",
            P.TRACE,
            25,
            "农产品质量追溯、承诺达标合格证",
            "Produce traceability, compliance certificates",
        ),
        m("sunshine", "农产品追溯查询", "Trace produce", "agriculture/trace", P.TRACE, 45),
        m("my", "我的农产品批次", "My produce lots", "agriculture/producer", P.PRODUCE, 40),
        m(
            "public_service",
            "农产品市场价格",
            "Produce market prices",
            "agriculture/prices",
            P.PRICE_VIEW,
            45,
        ),
        m(
            "public_service",
            "农产品供求信息",
            "Produce supply and demand",
            "agriculture/posts",
            P.POST_VIEW,
            46,
        ),
        m("public_service", "12316 三农服务", "The 12316 desk", "agriculture/ask", P.KNOWLEDGE, 47),
        m("workbench", "12316 待答问题", "12316 questions", "agriculture/desk", P.ANSWER, 41),
        m("workbench", "生产主体确认", "Confirm producers", "agriculture/bureau", P.BUREAU, 40),
    ]


@hookimpl(optionalhook=True)  # supervision's hook (plugins/supervision/hookspecs.py)
def govhall_supervision_rules() -> list[dict[str, Any]]:
    from plugins.agriculture.rules import RULES

    return RULES


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.agriculture.desk import escalate_task

    return [PeriodicTask("escalate_12316", 3600, escalate_task, per_tenant=True)]


@hookimpl
def govhall_demo_data(session: Any, directory: Any) -> None:
    from plugins.agriculture import demo

    demo.load(session, directory)


@hookimpl
def govhall_labels() -> list[Label]:
    """Names people see for the codes this plugin writes into audit entries and facts (core.labels)."""
    return [
        Label("agriculture.lot", "产品批次", "Lot"), Label("agriculture.price", "价格", "Price"),
        Label("agriculture.question", "咨询", "Question"),
        Label("agriculture.producer", "生产主体", "Producer"),
        Label("agriculture.certificate", "承诺达标合格证", "Certificate"),
        Label("agriculture.prices", "价格数据", "Prices"),
    ]


@hookimpl
def govhall_cli_commands() -> list[Any]:
    from plugins.agriculture.cli import agriculture

    return [agriculture]
