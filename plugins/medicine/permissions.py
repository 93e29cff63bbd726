"""The medicine plugin's permissions and the roles it extends (declared as data).

Hospitals and distributors act through their legal persons' accounts (``legal``): which orders an
account may act on is decided by its credit code (the hospital's or the distributor's), not by the role.
"""

from __future__ import annotations

from core.api import Permission, RoleTemplate

PUBLIC = Permission(
    "medicine:price:view",
    "查询挂网药品价格与医院回款情况",
    "Search listed prices and hospitals' payment records",
    read_only=True,
)
BUY = Permission(
    "medicine:order:place",
    "医疗机构：选择配送企业、下订单、验收、付款、上传处方",
    "Hospitals: choose distributors, order, accept, pay, push prescriptions",
)
SUPPLY = Permission(
    "medicine:order:supply",
    "配送企业：确认或拒绝订单、发货、登记发票",
    "Distributors: confirm or decline orders, ship, record invoices",
)
OVERSEE = Permission(
    "medicine:order:view", "查看本级全部医药采购订单", "View this tenant's procurement orders", read_only=True
)
CATALOGUE = Permission(
    "medicine:catalogue:manage",
    "管理挂网目录、挂网价格、医疗机构、企业授权与带量采购",
    "Manage the catalogue, listed prices, hospitals, authorisations and volume procurement",
)

PERMISSIONS = [PUBLIC, BUY, SUPPLY, OVERSEE, CATALOGUE]

_STAFF = (PUBLIC.name, OVERSEE.name, CATALOGUE.name)

ROLES = [
    RoleTemplate("medicine_officer", "医药采购管理员", "Medicine procurement officer", _STAFF),
    RoleTemplate("comprehensive_admin", "", "", _STAFF),
    RoleTemplate("supervisor", "", "", (PUBLIC.name, OVERSEE.name)),
    RoleTemplate("guest", "", "", (PUBLIC.name,)),
    RoleTemplate("person", "", "", (PUBLIC.name,)),
    RoleTemplate("legal", "", "", (PUBLIC.name, BUY.name, SUPPLY.name)),
]
