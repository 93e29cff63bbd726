"""Hook implementations of the feeds plugin: thin wiring only (the mechanism in ingest.py, the rule packs
in rules_*.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import MenuEntry, PluginInfo, SettingSpec, WorkingDeadline, declare_plugin, hookimpl
from plugins.feeds import permissions as P

HERE = Path(__file__).resolve().parent
PACK_NAMES = ("fiscal", "cadre", "judicial", "livelihood")


def _check_packs(v: Any) -> str | None:
    bad = [p for p in str(v).split(",") if p.strip() and p.strip() not in PACK_NAMES]
    return f"unknown pack(s) {bad}; choose among {', '.join(PACK_NAMES)}" if bad else None


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """A judicial case's deadline, derived at ingest from its opening day and limit (working days, or
    calendar days with a last day on a holiday rolled over): computed afresh for open cases on a notice."""
    from sqlalchemy import and_

    from plugins.feeds.models import Case as C

    open_ = C.closed_on.is_(None)
    return [
        WorkingDeadline("case", C.opened_on, C.deadline, and_(open_, C.limit_unit == "working"),
                        label=C.case_no, days=C.limit_days, unit="working"),
        WorkingDeadline("case", C.opened_on, C.deadline, and_(open_, C.limit_unit == "calendar"),
                        label=C.case_no, days=C.limit_days, unit="calendar"),
    ]


declare_plugin(
    __name__,
    info=PluginInfo(
        name="feeds",
        title_zh="监察数据报送",
        title_en="Supervision feeds",
        version="0.1.0",
        description_zh="财政收支、干部人事、司法执法及惠民资金数据接入电子监察：批量接口、文件导入、数据共享交换，规则包",
        description_en="Fiscal, cadre personnel, judicial enforcement and livelihood-fund records fed into "
        "electronic supervision: bulk API, file import, data exchange, rule packs",
    ),
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
        SettingSpec(
            "feeds.packs",
            ",".join(PACK_NAMES),
            "Rule packs that run where the feeds plugin is on, comma-separated: fiscal, cadre, "
            "judicial, livelihood.",
            per_tenant=True,
            check=_check_packs,
        ),
        SettingSpec(
            "feeds.procurement_threshold_yuan",
            1_000_000,
            "Purchases from this amount (yuan) must go through government procurement; several "
            "payments just under it to one supplier look like a split purchase.",
            type=int,
            min=1,
            max=10**9,
        ),
        SettingSpec(
            "feeds.split_margin_percent",
            10,
            "A payment within this percentage below the procurement threshold counts as 'just under'.",
            type=int,
            min=1,
            max=50,
        ),
        SettingSpec(
            "feeds.split_window_days",
            30,
            "Calendar days within which payments just under the threshold to one supplier are "
            "taken for one split purchase.",
            type=int,
            min=1,
            max=366,
        ),
        SettingSpec(
            "feeds.penalty_norm_factor",
            3,
            "A penalty more than this many times the department's trimmed average for the same "
            "violation (or less than that average divided by it) is far from the norm.",
            type=int,
            min=2,
            max=100,
        ),
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.feeds.views:routes",
    api_routes="plugins.feeds.api:routes",
    cli="plugins.feeds.cli:feeds",
    demo="plugins.feeds.demo:load",
    menu=[
        MenuEntry(
            "console",
            "监察数据报送",
            "Supervision feeds",
            "feeds/",
            plugin="feeds",
            order=60,
            permission=P.VIEW.name,
            description_zh="报送系统、批次及逐条错误",
            description_en="Sending systems, batches and per-record errors",
        )
    ],
    other_hooks={"govhall_supervision_rules": "plugins.feeds.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_data_resources(tenant: Any) -> list[Any]:
    """Each stream is a resource of the exchange catalogue that *receives* records: a sending system
    needs a grant for it, and pushes to ``POST /api/t/<tenant>/exchange/x/feeds.<stream>``."""
    from plugins.feeds.exchange import resources

    return resources()


@hookimpl(optionalhook=True)  # exchange's hook (plugins/exchange/hookspecs.py)
def govhall_exchange_receive(
    platform: Any, session: Any, tenant: Any, resource: str, sender: str, body: Any
) -> dict[str, Any] | None:
    from plugins.feeds.exchange import receive

    return receive(platform, session, tenant, resource, sender, body)
