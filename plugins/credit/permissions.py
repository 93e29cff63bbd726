"""The credit plugin's permissions and the roles it adds or extends (declared as data)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

PUBLIC_VIEW = Permission("credit:public:view", "查询公开信用信息", "Search published credit information",
                         read_only=True)
RECORD_VIEW = Permission("credit:record:view", "查看本级信用记录", "View this tenant's credit records",
                         read_only=True)
RECORD_CREATE = Permission("credit:record:create", "录入行政处罚信息", "Enter administrative penalties")
RECORD_REPAIR = Permission("credit:record:repair", "办理信用修复", "Repair credit (end publication early)")
LIST_MANAGE = Permission("credit:list:manage", "管理红黑名单", "Manage red and black lists")
REPORT_VIEW = Permission("credit:report:view", "查看信用预警报告", "View credit warning reports",
                         read_only=True)

PERMISSIONS = [PUBLIC_VIEW, RECORD_VIEW, RECORD_CREATE, RECORD_REPAIR, LIST_MANAGE, REPORT_VIEW]

_ALL = tuple(p.name for p in PERMISSIONS)
_READ = (PUBLIC_VIEW.name, RECORD_VIEW.name, REPORT_VIEW.name)

ROLES = [
    # A role of its own: the department's credit officer who publishes penalties and runs repairs.
    RoleTemplate("credit_officer", "信用信息管理员", "Credit officer", _ALL),
    # Extensions of core roles (same name = extend).
    RoleTemplate("comprehensive_admin", "", "", _ALL),
    RoleTemplate("item_handler", "", "", (PUBLIC_VIEW.name, REPORT_VIEW.name)),
    RoleTemplate("supervisor", "", "", _READ),
    RoleTemplate("guest", "", "", (PUBLIC_VIEW.name,)),
    RoleTemplate("person", "", "", (PUBLIC_VIEW.name,)),
    RoleTemplate("legal", "", "", (PUBLIC_VIEW.name,)),
]
