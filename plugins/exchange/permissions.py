"""The exchange plugin's permissions and the roles it extends (declared as data)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

GATEWAY = Permission(
    "exchange:gateway:call",
    "通过交换网关调用数据资源（以子系统凭证认证）",
    "Call the exchange gateway (authenticated by a subsystem credential)",
    read_only=True,
)
CATALOGUE = Permission(
    "exchange:catalogue:view", "浏览数据资源目录", "Browse the data catalogue", read_only=True
)
REQUEST = Permission(
    "exchange:request:manage",
    "为本部门申请数据共享、管理子系统",
    "Request data for a department, manage subsystems",
)
PROVIDE = Permission(
    "exchange:provide:manage",
    "答复共享申请、撤销授权、登记数据资源",
    "Answer requests, revoke grants, register resources",
)
LOG_VIEW = Permission(
    "exchange:log:view", "查看并核验交换日志", "View and verify the message log", read_only=True
)

PERMISSIONS = [GATEWAY, CATALOGUE, REQUEST, PROVIDE, LOG_VIEW]

_ALL_STAFF = (GATEWAY.name, CATALOGUE.name, REQUEST.name, PROVIDE.name, LOG_VIEW.name)

ROLES = [
    RoleTemplate("exchange_officer", "数据共享管理员", "Data-sharing officer", _ALL_STAFF),
    RoleTemplate("comprehensive_admin", "", "", _ALL_STAFF),
    RoleTemplate("item_handler", "", "", (GATEWAY.name, CATALOGUE.name, REQUEST.name)),
    RoleTemplate("supervisor", "", "", (GATEWAY.name, CATALOGUE.name, LOG_VIEW.name)),
    RoleTemplate("guest", "", "", (GATEWAY.name,)),
    RoleTemplate("person", "", "", (GATEWAY.name,)),
    RoleTemplate("legal", "", "", (GATEWAY.name,)),
]
