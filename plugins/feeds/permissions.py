"""Permission constants of the feeds plugin and the roles that carry them.

Sending systems are not people: the bulk API is open to the guest role and authenticates the system by
its credential (``X-Feed-Client`` / ``X-Feed-Secret``), as exchange's gateway does for subsystems.
"""

from __future__ import annotations

from core.api import Permission, RoleTemplate

PUSH = Permission(
    "feeds:batch:push",
    "以报送系统凭证报送数据（批量接口）",
    "Send records through the bulk API (authenticated by a sending system's credential)",
)
VIEW = Permission(
    "feeds:batch:view", "查看数据报送批次及错误", "View feed batches and their errors", read_only=True
)
MANAGE = Permission(
    "feeds:source:manage", "管理报送系统及其凭证", "Manage sending systems and their credentials"
)

PERMISSIONS = [PUSH, VIEW, MANAGE]

ROLES = [
    RoleTemplate("feeds_officer", "数据报送管理员", "Feeds officer", (VIEW.name, MANAGE.name)),
    RoleTemplate("comprehensive_admin", "", "", (VIEW.name, MANAGE.name)),
    RoleTemplate("supervisor", "", "", (VIEW.name,)),
    RoleTemplate("guest", "", "", (PUSH.name,)),
    RoleTemplate("person", "", "", (PUSH.name,)),
    RoleTemplate("legal", "", "", (PUSH.name,)),
]
