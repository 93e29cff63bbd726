"""Permission constants of the approval plugin and the default roles that carry them."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

ITEM_VIEW = Permission("approval:item:view", "浏览办事事项", "View service items", read_only=True)
ITEM_MANAGE = Permission("approval:item:manage", "维护事项目录", "Manage the item catalogue")
APP_SUBMIT = Permission("approval:application:submit", "在线申报", "Apply online")
APP_OWN = Permission(
    "approval:application:own", "查看本人办件", "View one's own applications", read_only=True
)
APP_RATE = Permission("approval:application:rate", "评价办件", "Rate a concluded application")
APP_HANDLE = Permission(
    "approval:application:handle", "办理办件（工作台）", "Handle applications (workbench)"
)
APP_ACCEPT = Permission(
    "approval:application:accept", "受理、不予受理、补正", "Accept, refuse or request correction"
)
APP_DECIDE = Permission("approval:application:decide", "审查、决定、办结", "Review, decide and conclude")
APP_SUSPEND = Permission("approval:application:suspend", "特别程序挂起与恢复", "Suspend and resume the clock")
APP_EXTEND = Permission("approval:application:extend", "批准延期", "Extend the time limit")
APP_READ = Permission("approval:application:read", "查阅办件", "Read applications", read_only=True)
STATS_VIEW = Permission("approval:stats:view", "查看办件统计", "View approval statistics", read_only=True)
PUBLICITY_VIEW = Permission(
    "approval:publicity:view", "查看审批结果公示", "View published decisions", read_only=True
)

PERMISSIONS = [
    ITEM_VIEW,
    ITEM_MANAGE,
    APP_SUBMIT,
    APP_OWN,
    APP_RATE,
    APP_HANDLE,
    APP_ACCEPT,
    APP_DECIDE,
    APP_SUSPEND,
    APP_EXTEND,
    APP_READ,
    STATS_VIEW,
    PUBLICITY_VIEW,
]

_HANDLER = (ITEM_VIEW, APP_HANDLE, APP_ACCEPT, APP_DECIDE, APP_SUSPEND, APP_READ, STATS_VIEW, PUBLICITY_VIEW)
_PUBLIC = (ITEM_VIEW, PUBLICITY_VIEW)

ROLES = [
    RoleTemplate("item_handler", "事项办理员", "Item handler", tuple(p.name for p in _HANDLER)),
    # Extending a limit is a leader's act, not the handler's own (the source's 延期 needs approval).
    RoleTemplate(
        "comprehensive_admin",
        "综合管理员",
        "Comprehensive administrator",
        tuple(p.name for p in (ITEM_VIEW, ITEM_MANAGE, APP_READ, APP_EXTEND, STATS_VIEW, PUBLICITY_VIEW)),
    ),
    RoleTemplate(
        "approval_leader", "审批负责人", "Approval leader", tuple(p.name for p in (*_HANDLER, APP_EXTEND))
    ),
    RoleTemplate(
        "supervisor",
        "监察员",
        "Supervisor",
        tuple(p.name for p in (ITEM_VIEW, APP_READ, STATS_VIEW, PUBLICITY_VIEW)),
    ),
    RoleTemplate(
        "person", "自然人", "Natural person", tuple(p.name for p in (*_PUBLIC, APP_SUBMIT, APP_OWN, APP_RATE))
    ),
    RoleTemplate(
        "legal", "法人", "Legal person", tuple(p.name for p in (*_PUBLIC, APP_SUBMIT, APP_OWN, APP_RATE))
    ),
    RoleTemplate("guest", "访客", "Guest", tuple(p.name for p in _PUBLIC)),
]
