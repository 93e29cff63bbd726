"""The payment plugin's permissions and the roles it extends (declared as data)."""

from __future__ import annotations

from core.api import Permission, RoleTemplate

OWN = Permission("payment:order:own", "缴纳本人的费用", "Pay one's own fees")
ORDER_VIEW = Permission(
    "payment:order:view", "查看本级缴费订单", "View this tenant's payment orders", read_only=True
)
REFUND = Permission("payment:refund:create", "办理退费", "Refund payments")
FEE_MANAGE = Permission("payment:fee:manage", "管理事项收费标准", "Manage the fees of items")
RECONCILE = Permission("payment:reconciliation:manage", "导入对账单并对账", "Import statements and reconcile")

PERMISSIONS = [OWN, ORDER_VIEW, REFUND, FEE_MANAGE, RECONCILE]

ROLES = [
    RoleTemplate(
        "payment_officer",
        "缴费管理员",
        "Payment officer",
        (ORDER_VIEW.name, REFUND.name, FEE_MANAGE.name, RECONCILE.name),
    ),
    RoleTemplate(
        "comprehensive_admin", "", "", (ORDER_VIEW.name, REFUND.name, FEE_MANAGE.name, RECONCILE.name)
    ),
    RoleTemplate("item_handler", "", "", (ORDER_VIEW.name,)),
    RoleTemplate("supervisor", "", "", (ORDER_VIEW.name,)),
    RoleTemplate("person", "", "", (OWN.name,)),
    RoleTemplate("legal", "", "", (OWN.name,)),
]
