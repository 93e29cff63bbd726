"""Hook implementations of the exchange plugin (the data-sharing platform): thin wiring only."""

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
from plugins.exchange import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_working_deadlines() -> list[WorkingDeadline]:
    """A conditional request is answered within 10 working days of its submission (recounted on a notice)."""
    from plugins.exchange.models import AccessRequest as R

    return [WorkingDeadline("request", R.submitted_on, R.due_on, R.state == "pending",
                            label=R.resource_name, holder=R.consumer_name)]


@hookimpl
def govhall_addhooks(pluginmanager: Any) -> None:
    """Exchange owns its inbound-delivery hook (plugins/exchange/hookspecs.py)."""
    from plugins.exchange import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="exchange",
        title_zh="数据共享交换",
        title_en="Data sharing",
        version="0.1.0",
        description_zh="数据资源目录、共享申请与授权、交换网关、可离线核验的签名交换日志",
        description_en="Data catalogue, requests and grants, the exchange gateway, a signed message log "
        "verifiable offline",
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
            "exchange.http_timeout_seconds",
            5.0,
            "Seconds the gateway waits for an external HTTP provider before answering 504.",
            type=float,
            min=0.1,
            max=60,
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
    from plugins.exchange import views

    return views.routes()


@hookimpl
def govhall_api_routes() -> list[Any]:
    from plugins.exchange import api

    return api.routes()


@hookimpl
def govhall_cli_commands() -> list[Any]:
    from plugins.exchange.cli import exchange

    return [exchange]


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.exchange.jobs import sync_task

    return [PeriodicTask("sync_catalogue", 3600, sync_task, per_tenant=True)]


@hookimpl
def govhall_supervision_rules() -> list[dict[str, Any]]:
    from plugins.exchange.rules import RULES

    return RULES


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
            plugin="exchange",
            order=order,
            permission=perm.name,
            description_zh=dzh,
            description_en=den,
        )

    return [
        m(
            "subsystem",
            "数据共享交换",
            "Data sharing",
            "exchange/catalogue",
            P.CATALOGUE,
            16,
            "数据资源目录、共享申请与授权",
            "Data catalogue, requests and grants",
        ),
        m("workbench", "数据资源目录", "Data catalogue", "exchange/catalogue", P.CATALOGUE, 40),
        m("workbench", "我的共享申请", "My data requests", "exchange/mine", P.REQUEST, 41),
        m("workbench", "共享申请答复", "Requests to answer", "exchange/queue", P.PROVIDE, 42),
        m("console", "数据交换日志", "Data exchange log", "exchange/log", P.LOG_VIEW, 45),
    ]


@hookimpl
def govhall_demo_data(session: Any, directory: Any) -> None:
    from plugins.exchange import demo

    demo.load(session, directory)


@hookimpl
def govhall_labels() -> list[Label]:
    """Names people see for the codes this plugin writes into audit entries and facts (core.labels)."""
    return [
        Label("exchange.request", "数据申请", "Data request"),
        Label("exchange.resource", "数据资源", "Resource"),
        Label("exchange.system", "接入系统", "System"), Label("exchange.grant", "授权", "Grant"),
    ]


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
