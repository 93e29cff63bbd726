"""The equity plugin's permissions and the roles it extends (declared as data)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

PUBLIC = Permission(
    "equity:public:view",
    "查看产权转让披露信息、网络竞价与交易结果，核验交易凭证",
    "View disclosures, live auctions and results; verify trade certificates",
    read_only=True,
)
BUY = Permission(
    "equity:buyer:act", "登记受让意向、参加网络竞价", "Register as an intending buyer and bid in auctions"
)
PROJECT_VIEW = Permission(
    "equity:project:view",
    "查看本级产权转让项目全部信息",
    "View this tenant's transfer projects",
    read_only=True,
)
PROJECT_MANAGE = Permission(
    "equity:project:manage",
    "受理转让项目、审核受让条件、披露、确认受让方、组织竞价、成交与出具交易凭证",
    "File projects, review conditions, disclose, confirm buyers, run auctions, deals and certificates",
)

PERMISSIONS = [PUBLIC, BUY, PROJECT_VIEW, PROJECT_MANAGE]

_STAFF = (PUBLIC.name, PROJECT_VIEW.name, PROJECT_MANAGE.name)

ROLES = [
    RoleTemplate("equity_officer", "产权交易管理员", "Equity exchange officer", _STAFF),
    RoleTemplate("comprehensive_admin", "", "", _STAFF),
    RoleTemplate("supervisor", "", "", (PUBLIC.name, PROJECT_VIEW.name)),
    RoleTemplate("guest", "", "", (PUBLIC.name,)),
    RoleTemplate("person", "", "", (PUBLIC.name,)),
    RoleTemplate("legal", "", "", (PUBLIC.name, BUY.name)),
]
