"""Shared helpers of the licence tests: a licence type at a tenant, licences issued through the services."""

from __future__ import annotations

from typing import Any

from factories import credit_code, resident_id

from plugins.licence import catalogue, services
from plugins.licence.issuing import Holder
from plugins.licence.schemas import LicenceTypeIn, MappingIn

DEFINER = "11100000MB0143028R"  # a valid credit code (check character computed)
ISSUER = "11360102MB1234567P"
TYPE_CODE = DEFINER + "001"
ACME = credit_code(7)
PERSON = resident_id(3)

FOOD = {
    "code": TYPE_CODE,
    "name": "食品经营许可证",
    "name_en": "Food business licence",
    "department_code": "scjgj",
    "department_name": "东湖区行政审批局",
    "issuer_code": ISSUER,
    "holder_kind": "legal",
    "validity_months": 60,
    "fields": [
        {"name": "operator", "label": "经营者名称", "label_en": "Operator", "source": "applicant_name"},
        {"name": "premises", "label": "经营场所", "label_en": "Premises", "source": "form.shop_name"},
        {"name": "category", "label": "主体业态", "label_en": "Category", "source": "const:餐饮服务"},
    ],
}


def make_type(
    platform: Any, tenant_code: str = "360102", item_code: str | None = "DH-SP-001", **overrides: Any
) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        row = catalogue.create_type(
            s, tenant, LicenceTypeIn.model_validate({**FOOD, **overrides}), actor="tests"
        )
        if item_code:
            catalogue.set_mapping(
                s,
                tenant,
                MappingIn(item_code=item_code, item_name="食品经营许可", type_code=row.code),
                actor="tests",
            )
        return row


def issue(
    platform: Any,
    tenant_code: str = "360102",
    *,
    holder: Holder | None = None,
    values: dict[str, str] | None = None,
    type_code: str = TYPE_CODE,
    **kw: Any,
) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        lt = catalogue.type_by_code(s, tenant, type_code)
        return services.issue(
            s,
            platform,
            tenant,
            lt,
            holder or Holder("legal", ACME, "江西测试企业有限公司"),
            values or {"operator": "江西测试企业有限公司", "premises": "八一大道 1 号"},
            actor="tests",
            **kw,
        )


def load(platform: Any, licence_id: int, tenant_code: str = "360102") -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.session(tenant.scope) as s:
        lic = services.load(s, tenant, licence_id)
        _ = lic.pdf
        return lic
