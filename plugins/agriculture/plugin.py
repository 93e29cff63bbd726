"""Hook implementations of the agriculture plugin (智慧农业): thin wiring only."""

from __future__ import annotations

from pathlib import Path

from core.api import (
    Label,
    MenuEntry,
    PeriodicTask,
    PluginInfo,
    SettingSpec,
    WorkingDeadline,
    declare_plugin,
    hookimpl,
)
from plugins.agriculture import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """A 12316 question's answer is due in the tenant's working days from the day it was asked."""
    from plugins.agriculture.models import Question as Q

    return [WorkingDeadline("question", Q.asked_on, Q.due_on, Q.answered_on.is_(None), label=Q.id)]


declare_plugin(
    __name__,
    info=PluginInfo(
        name="agriculture",
        title_zh="智慧农业",
        title_en="Smart agriculture",
        version="0.1.0",
        description_zh="农产品质量追溯与承诺达标合格证、市场价格、供求信息、12316 三农服务",
        description_en="Produce traceability and compliance certificates, market prices, supply and demand, "
        "the 12316 desk",
    ),
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
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
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.agriculture.views:routes",
    api_routes="plugins.agriculture.api:routes",
    cli="plugins.agriculture.cli:agriculture",
    demo="plugins.agriculture.demo:load",
    labels=[
        Label("agriculture.lot", "产品批次", "Lot"), Label("agriculture.price", "价格", "Price"),
        Label("agriculture.question", "咨询", "Question"),
        Label("agriculture.producer", "生产主体", "Producer"),
        Label("agriculture.certificate", "承诺达标合格证", "Certificate"),
        Label("agriculture.prices", "价格数据", "Prices"),
    ],
    menu=[
        MenuEntry("subsystem", "智慧农业", "Smart agriculture", "agriculture/", order=25,
                  permission=P.TRACE.name, description_zh="农产品质量追溯、承诺达标合格证",
                  description_en="Produce traceability, compliance certificates"),
        MenuEntry("sunshine", "农产品追溯查询", "Trace produce", "agriculture/trace", order=45,
                  permission=P.TRACE.name),
        MenuEntry("my", "我的农产品批次", "My produce lots", "agriculture/producer", order=40,
                  permission=P.PRODUCE.name),
        MenuEntry("public_service", "农产品市场价格", "Produce market prices", "agriculture/prices", order=45,
                  permission=P.PRICE_VIEW.name),
        MenuEntry("public_service", "农产品供求信息", "Produce supply and demand", "agriculture/posts",
                  order=46, permission=P.POST_VIEW.name),
        MenuEntry("public_service", "12316 三农服务", "The 12316 desk", "agriculture/ask", order=47,
                  permission=P.KNOWLEDGE.name),
        MenuEntry("workbench", "12316 待答问题", "12316 questions", "agriculture/desk", order=41,
                  permission=P.ANSWER.name),
        MenuEntry("workbench", "生产主体确认", "Confirm producers", "agriculture/bureau", order=40,
                  permission=P.BUREAU.name),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.agriculture.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.agriculture.desk import escalate_task

    return [PeriodicTask("escalate_12316", 3600, escalate_task, per_tenant=True)]
