"""Hook implementations of the exchange plugin (the data-sharing platform): thin wiring only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from plugins.exchange import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """A conditional request is answered within 10 working days of its submission (recounted on a notice)."""
    from plugins.exchange.models import AccessRequest as R

    return [WorkingDeadline("request", R.submitted_on, R.due_on, R.state == "pending",
                            label=R.resource_name, holder=R.consumer_name)]


declare_plugin(
    __name__,
    info=PluginInfo(
        name="exchange",
        title_zh="数据共享交换",
        title_en="Data sharing",
        version="0.1.0",
        description_zh="数据资源目录、共享申请与授权、交换网关、可离线核验的签名交换日志",
        description_en="Data catalogue, requests and grants, the exchange gateway, a signed message log "
        "verifiable offline",
    ),
    hookspecs="plugins.exchange.hookspecs",
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
        SettingSpec(
            "exchange.http_timeout_seconds",
            5.0,
            "Seconds the gateway waits for an external HTTP provider before answering 504.",
            type=float,
            min=0.1,
            max=60,
        ),
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.exchange.views:routes",
    api_routes="plugins.exchange.api:routes",
    cli="plugins.exchange.cli:exchange",
    demo="plugins.exchange.demo:load",
    labels=[
        Label("exchange.request", "数据申请", "Data request"),
        Label("exchange.resource", "数据资源", "Resource"),
        Label("exchange.system", "接入系统", "System"), Label("exchange.grant", "授权", "Grant"),
    ],
    menu=[
        MenuEntry("subsystem", "数据共享交换", "Data sharing", "exchange/catalogue", order=16,
                  permission=P.CATALOGUE.name, description_zh="数据资源目录、共享申请与授权",
                  description_en="Data catalogue, requests and grants"),
        MenuEntry("workbench", "数据资源目录", "Data catalogue", "exchange/catalogue", order=40,
                  permission=P.CATALOGUE.name),
        MenuEntry("workbench", "我的共享申请", "My data requests", "exchange/mine", order=41,
                  permission=P.REQUEST.name),
        MenuEntry("workbench", "共享申请答复", "Requests to answer", "exchange/queue", order=42,
                  permission=P.PROVIDE.name),
        MenuEntry("console", "数据交换日志", "Data exchange log", "exchange/log", order=45,
                  permission=P.LOG_VIEW.name),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.exchange.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.exchange.jobs import sync_task

    return [PeriodicTask("sync_catalogue", 3600, sync_task, per_tenant=True)]


@hookimpl(optionalhook=True)
def govhall_approval_material_sources(
    platform: Any,
    tenant: Any,
    item: dict[str, Any],
    material: dict[str, Any],
    applicant: dict[str, Any],
    session: Any,
) -> list[dict[str, Any]]:
    """Approval's hook (plugins/approval/hookspecs.py): "use my data on file" through the exchange."""
    from plugins.exchange.material_sources import sources

    return sources(platform, tenant, item, material, applicant)
