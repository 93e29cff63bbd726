"""Hook implementations of the licence plugin: thin wiring only (logic in services, holders, issuing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import Event, Label, MenuEntry, PeriodicTask, PluginInfo, SettingSpec, declare_plugin, hookimpl
from plugins.licence import permissions as P

HERE = Path(__file__).resolve().parent

declare_plugin(
    __name__,
    info=PluginInfo(
        name="licence",
        title_zh="电子证照",
        title_en="Electronic licences",
        version="0.1.0",
        description_zh="证照目录、审批后自动颁证、电子签名 PDF、扫码核验、我的证照与用证授权",
        description_en="Licence catalogue, issue on approval, signed PDFs, QR verification, "
        "my licences and use codes",
    ),
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings=[
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
    ],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="plugins.licence.views:routes",
    api_routes="plugins.licence.api:routes",
    cli="plugins.licence.cli:licence",
    demo="plugins.licence.demo:load",
    labels=[
        Label("licence.licence", "电子证照", "Licence"), Label("licence.use_code", "用证码", "Use code"),
    ],
    menu=[
        MenuEntry("subsystem", "电子证照", "Electronic licences", "licence/verify", order=15,
                  permission=P.VERIFY.name, description_zh="证照核验、我的证照",
                  description_en="Verify licences, my licences"),
        MenuEntry("sunshine", "电子证照核验", "Verify a licence", "licence/verify", order=40,
                  permission=P.VERIFY.name),
        MenuEntry("my", "我的证照", "My licences", "licence/my", order=20, permission=P.MINE.name),
        MenuEntry("workbench", "电子证照管理", "Licences", "licence/licences", order=30,
                  permission=P.LICENCE_VIEW.name),
        MenuEntry("workbench", "用证码核验", "Redeem a use code", "licence/redeem", order=31,
                  permission=P.CODE_REDEEM.name),
        MenuEntry("console", "证照目录", "Licence catalogue", "licence/types", order=40,
                  permission=P.TYPE_MANAGE.name),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.licence.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_handle_event(event: Event, session: Any) -> None:
    from plugins.licence.from_approval import handle_event

    handle_event(event, session)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    from plugins.licence.rules import expire_task

    return [PeriodicTask("expire", 3600, expire_task, per_tenant=True)]


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
