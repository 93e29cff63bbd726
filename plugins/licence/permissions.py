"""The licence plugin's permissions and the roles it extends (declared as data)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

VERIFY = Permission("licence:verify:view", "核验电子证照", "Verify electronic licences", read_only=True)
MINE = Permission(
    "licence:mine:manage", "查看、下载和授权使用本人证照", "View, download and share one's own licences"
)
LICENCE_VIEW = Permission(
    "licence:licence:view", "查看本级电子证照", "View this tenant's licences", read_only=True
)
LICENCE_MANAGE = Permission(
    "licence:licence:manage",
    "变更、暂停、恢复和撤销电子证照",
    "Change, suspend, reinstate and revoke licences",
)
TYPE_MANAGE = Permission(
    "licence:type:manage",
    "管理证照目录及事项关联",
    "Manage the licence catalogue and which items produce which licence",
)
CODE_REDEEM = Permission("licence:code:redeem", "使用用证码查看证照", "Redeem a holder's use code")

PERMISSIONS = [VERIFY, MINE, LICENCE_VIEW, LICENCE_MANAGE, TYPE_MANAGE, CODE_REDEEM]

_STAFF = (VERIFY.name, LICENCE_VIEW.name, LICENCE_MANAGE.name, CODE_REDEEM.name)

ROLES = [
    RoleTemplate("licence_officer", "电子证照管理员", "Licence officer", (*_STAFF, TYPE_MANAGE.name)),
    RoleTemplate("comprehensive_admin", "", "", (*_STAFF, TYPE_MANAGE.name)),
    RoleTemplate("item_handler", "", "", _STAFF),
    RoleTemplate("supervisor", "", "", (VERIFY.name, LICENCE_VIEW.name)),
    RoleTemplate("guest", "", "", (VERIFY.name,)),
    RoleTemplate("person", "", "", (VERIFY.name, MINE.name)),
    RoleTemplate("legal", "", "", (VERIFY.name, MINE.name)),
]
