"""Hook implementations of the licence plugin: thin wiring only (logic in services, holders, issuing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import (
    Event,
    Label,
    MenuEntry,
    PeriodicTask,
    Permission,
    PluginInfo,
    RoleTemplate,
    SettingSpec,
    hookimpl,
)
from plugins.licence import permissions as P

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="licence",
        title_zh="电子证照",
        title_en="Electronic licences",
        version="0.1.0",
        description_zh="证照目录、审批后自动颁证、电子签名 PDF、扫码核验、我的证照与用证授权",
        description_en="Licence catalogue, issue on approval, signed PDFs, QR verification, "
        "my licences and use codes",
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
            "licence.public_base_url",
            "http://127.0.0.1:8000",
            "Absolute address of the halls as the public reaches them; QR codes on licences point "
            "to <this>/t/<tenant>/licence/v/<number>.",
            check=lambda v: (
                None if str(v).startswith(("http://", "https://")) else "must start with http:// or https://"
            ),
        ),
        SettingSpec(
            "licence.font_path",
            "",
            "A TrueType font (.ttf/.ttc) with Chinese glyphs to embed in licence PDFs; empty: found "
            "through fontconfig and the usual paths (fonts-wqy-microhei).",
        ),
        SettingSpec(
            "licence.use_code_hours",
            24,
            "Hours a holder's one-time use code stays redeemable, and how long the clerk may then "
            "view the licence.",
            type=int,
            min=1,
            max=720,
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
    from plugins.licence import views

    return views.routes()


@hookimpl
def govhall_api_routes() -> list[Any]:
    from plugins.licence import api

    return api.routes()


@hookimpl
def govhall_cli_commands() -> list[Any]:
    from plugins.licence.cli import licence

    return [licence]


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
            plugin="licence",
            order=order,
            permission=perm.name,
            description_zh=dzh,
            description_en=den,
        )

    return [
        m(
            "subsystem",
            "电子证照",
            "Electronic licences",
            "licence/verify",
            P.VERIFY,
            15,
            "证照核验、我的证照",
            "Verify licences, my licences",
        ),
        m("sunshine", "电子证照核验", "Verify a licence", "licence/verify", P.VERIFY, 40),
        m("my", "我的证照", "My licences", "licence/my", P.MINE, 20),
        m("workbench", "电子证照管理", "Licences", "licence/licences", P.LICENCE_VIEW, 30),
        m("workbench", "用证码核验", "Redeem a use code", "licence/redeem", P.CODE_REDEEM, 31),
        m("console", "证照目录", "Licence catalogue", "licence/types", P.TYPE_MANAGE, 40),
    ]


@hookimpl
def govhall_handle_event(event: Event, session: Any) -> None:
    from plugins.licence.from_approval import handle_event

    handle_event(event, session)


@hookimpl(optionalhook=True)  # supervision's hook (plugins/supervision/hookspecs.py)
def govhall_supervision_rules() -> list[dict[str, Any]]:
    from plugins.licence.rules import RULES

    return RULES


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.licence.rules import expire_task

    return [PeriodicTask("expire", 3600, expire_task, per_tenant=True)]


@hookimpl
def govhall_demo_data(session: Any, directory: Any) -> None:
    from plugins.licence import demo

    demo.load(session, directory)


@hookimpl(optionalhook=True)
def govhall_approval_material_sources(
    platform: Any,
    tenant: Any,
    item: dict[str, Any],
    material: dict[str, Any],
    applicant: dict[str, Any],
    session: Any,
) -> list[dict[str, Any]]:
    """Approval's hook (plugins/approval/hookspecs.py): "use my licence" instead of an upload."""
    from plugins.licence.material_sources import sources

    return sources(platform, tenant, material, applicant)


@hookimpl
def govhall_labels() -> list[Label]:
    """Names people see for the codes this plugin writes into audit entries and facts (core.labels)."""
    return [
        Label("licence.licence", "电子证照", "Licence"), Label("licence.use_code", "用证码", "Use code"),
    ]
