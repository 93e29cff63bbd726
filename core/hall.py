"""The built-in ``hall`` plugin: the core's own permissions, the duty-team roles and the hall's links.

Core behaviour that a plugin could extend is itself a plugin (pytest's essential_plugins): the roles of
the source's duty team are declared here and other plugins add permissions to them through
``govhall_roles``. It is ``required``: no tenant can switch it off.
"""

from __future__ import annotations

from typing import Any

from core.contracts import MenuEntry, MessageProvider, PeriodicTask, Permission, PluginInfo, RoleTemplate
from core.hookspecs import hookimpl

HALL_VIEW = Permission("hall:hall:view", "浏览办事大厅", "View the service hall", read_only=True)
CONSOLE_VIEW = Permission("hall:console:view", "查看管理控制台", "View the administration console",
                          read_only=True)
PLUGINS_MANAGE = Permission("hall:plugins:manage", "开关功能插件", "Switch plugins on and off")
ROLES_VIEW = Permission("hall:roles:view", "查看角色授权", "View role grants", read_only=True)
ROLES_MANAGE = Permission("hall:roles:manage", "授予和撤销角色", "Grant and revoke roles")
AUDIT_VIEW = Permission("hall:audit:view", "查看审计日志", "View the audit log", read_only=True)
SETTINGS_MANAGE = Permission("hall:settings:manage", "修改本级设置", "Change this tenant's settings")
TENANTS_MANAGE = Permission("hall:tenants:manage", "调整行政区划", "Change the tenant tree")
ACCOUNT_SELF = Permission("hall:account:self", "管理本人账户", "Manage one's own account")

PERMISSIONS = [HALL_VIEW, CONSOLE_VIEW, PLUGINS_MANAGE, ROLES_VIEW, ROLES_MANAGE, AUDIT_VIEW,
               SETTINGS_MANAGE, TENANTS_MANAGE, ACCOUNT_SELF]

# The source's duty team (综合管理员、系统管理员、在线互动员、投诉受理员、事项办理员), plus supervisor and
# the public roles. Plugins extend these with their own permissions.
ROLES = [
    RoleTemplate("comprehensive_admin", "综合管理员", "Comprehensive administrator",
                 (HALL_VIEW.name, CONSOLE_VIEW.name, PLUGINS_MANAGE.name, ROLES_VIEW.name, ROLES_MANAGE.name,
                  AUDIT_VIEW.name, SETTINGS_MANAGE.name, TENANTS_MANAGE.name, ACCOUNT_SELF.name)),
    RoleTemplate("system_admin", "系统管理员", "System administrator",
                 (HALL_VIEW.name, CONSOLE_VIEW.name, ROLES_VIEW.name, AUDIT_VIEW.name, SETTINGS_MANAGE.name,
                  ACCOUNT_SELF.name)),
    RoleTemplate("interaction_officer", "在线互动员", "Online interaction officer",
                 (HALL_VIEW.name, ACCOUNT_SELF.name)),
    RoleTemplate("complaint_handler", "投诉受理员", "Complaint handler", (HALL_VIEW.name, ACCOUNT_SELF.name)),
    RoleTemplate("item_handler", "事项办理员", "Item handler", (HALL_VIEW.name, ACCOUNT_SELF.name)),
    RoleTemplate("supervisor", "监察员", "Supervisor",
                 (HALL_VIEW.name, CONSOLE_VIEW.name, ROLES_VIEW.name, AUDIT_VIEW.name, ACCOUNT_SELF.name)),
    RoleTemplate("person", "自然人", "Natural person", (HALL_VIEW.name, ACCOUNT_SELF.name)),
    RoleTemplate("legal", "法人", "Legal person", (HALL_VIEW.name, ACCOUNT_SELF.name)),
    RoleTemplate("guest", "访客", "Guest", (HALL_VIEW.name,)),
]


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(name="hall", title_zh="网上办事大厅", title_en="Online service hall", version="0.1.0",
                      default_enabled=True, required=True)


@hookimpl
def govhall_permissions() -> list[Permission]:
    return PERMISSIONS


@hookimpl
def govhall_roles() -> list[RoleTemplate]:
    return ROLES


@hookimpl
def govhall_api_routes() -> list[Any]:
    from core.web.hall_api import routes

    return routes()


@hookimpl
def govhall_menu_entries(tenant: Any, actor: Any) -> list[MenuEntry]:
    return [
        MenuEntry("console", "管理控制台", "Console", "console/", plugin="hall", order=1,
                  permission=CONSOLE_VIEW.name),
    ]


@hookimpl
def govhall_message_providers() -> list[MessageProvider]:
    from core.messages import log_provider_send

    return [
        MessageProvider("log", "sms", log_provider_send, "日志（开发用）", "Log (development)"),
        MessageProvider("log", "email", log_provider_send, "日志（开发用）", "Log (development)"),
    ]


def _deliver_messages(platform: Any, tenant: Any, session: Any) -> None:
    """Its own short transactions around each provider call (core.delivery): the task's session is left
    unused and holds no connection while a provider answers."""
    from core.delivery import deliver_pending

    deliver_pending(platform)


@hookimpl
def govhall_periodic_tasks() -> list[PeriodicTask]:
    """New messages to people go out on their hall's channels (core.delivery.deliver_pending)."""
    return [PeriodicTask("messages", 5, _deliver_messages)]
