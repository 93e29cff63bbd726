"""Helpers of the approval tests: sample items, actors for the services, uploads."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.db import Scope
from plugins.approval.services import Ctx, Who
from plugins.approval.uploads import Upload

PDF = b"%PDF-1.4 test document"
PNG = b"\x89PNG\r\n\x1a\n fake image"
MONDAY = date(2026, 11, 2)

FOOD = {
    "code": "DH-SP-001",
    "name": "食品经营许可",
    "item_type": "licence",
    "section": "approval",
    "entrance": "legal",
    "department_code": "scjgj",
    "statutory_days": 20,
    "promised_days": 10,
    "keywords": "餐饮 小卖部 食品",
    "fee_cents": 0,
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "form_fields": [{"name": "shop_name", "label": "经营场所名称"}],
    "special_procedures": [
        {"code": "inspection", "name": "现场核查", "counts": False, "max_days": 10},
        {"code": "hearing", "name": "听证", "counts": True, "max_days": 20},
    ],
    "materials": [
        {"code": "form", "name": "食品经营许可申请书", "allowed_types": "pdf", "max_mb": 1},
        {"code": "photo", "name": "经营场所照片", "allowed_types": "jpg,png"},
        {"code": "other", "name": "其他材料", "required": False},
    ],
}
BIRTH = {
    "code": "DH-WJ-002",
    "name": "生育登记",
    "item_type": "public_service",
    "section": "public_service",
    "entrance": "personal",
    "department_code": "wjw",
    "statutory_days": 5,
    "promised_days": 1,
    "materials": [{"code": "id", "name": "夫妻双方居民身份证", "allowed_types": "pdf,jpg"}],
}
PROJECT = {
    "code": "DH-FG-003",
    "name": "企业投资项目核准",
    "item_type": "licence",
    "section": "approval",
    "entrance": "legal",
    "department_code": "fgw",
    "statutory_days": 20,
    "promised_days": 20,
    "materials": [{"code": "report", "name": "项目申请报告", "allowed_types": "pdf"}],
    "steps": [
        {"department_code": "fgw", "name": "项目核准", "days": 10, "role": "lead"},
        {
            "department_code": "zjj",
            "department_name": "住建局",
            "name": "建设工程规划许可",
            "days": 15,
            "role": "co",
        },
        {
            "department_code": "scjgj",
            "department_name": "市场监管局",
            "name": "企业登记",
            "days": 5,
            "role": "co",
        },
    ],
}


def who(
    kind: str = "legal",
    account_id: int | None = 1,
    *,
    deny: tuple[str, ...] = (),
    departments: frozenset[str] | None = None,
    label: str = "",
) -> Who:
    names = {"legal": "南昌某某餐饮有限公司", "person": "张三"}
    ids = {"legal": "91360102MA35XXXX0K", "person": "360102199001011234"}
    return Who(
        label=label or f"{kind}:{account_id}",
        account_id=account_id,
        kind=kind,
        allowed=lambda p: p.name not in deny,
        departments=departments,
        name=names.get(kind, "staff"),
        id_number=ids.get(kind, ""),
    )


def ctx(platform: Any, tenant: Any, w: Who, today: date = MONDAY) -> Ctx:
    return Ctx(platform=platform, tenant=tenant, who=w, today=today)


def food_uploads() -> list[Upload]:
    return [Upload("form", "申请书.pdf", PDF), Upload("photo", "门头.png", PNG)]


def in_scope(platform: Any, tenant: Any) -> Any:
    return platform.db.transaction(Scope.tenant(tenant.id, tenant.path))
