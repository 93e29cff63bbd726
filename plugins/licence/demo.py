"""Demo data (``govhall serve --demo``): licence types in Donghu (360102) and Nanchang (360100) mapped to
the demo approval items, and a few licences issued to the demo enterprise in Nanchang (one revoked).

The demo's approved Donghu applications issue their licences through the ordinary path: the
``approval.application.approved`` events they published are delivered once the job runner starts.
Idempotent: types and mappings are added where missing, licences by their demo source key.

Credit codes here are illustrative (valid check characters, not real bodies).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from plugins.licence import catalogue, services
from plugins.licence.issuing import Holder
from plugins.licence.models import Licence, LicenceType
from plugins.licence.schemas import LicenceTypeIn, MappingIn


def _code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


SAMR = _code("11100000MB0143028")  # illustrative: the national body that defines the type
MOHURD = _code("11100000MB0194412")
NHC = _code("11100000MB1576553")
DONGHU_XZSPJ = _code("11360102MB1234567")  # 东湖区行政审批局 (illustrative)
NANCHANG_ZJJ = _code("11360100MB1A2B3C4")  # 南昌市住房和城乡建设局 (illustrative)
NANCHANG_WJW = _code("11360100MB1A2B3D5")  # 南昌市卫生健康委员会 (illustrative)


def _type(
    code: str,
    name: str,
    name_en: str,
    dept: str,
    dept_name: str,
    issuer: str,
    holder: str,
    months: int,
    fields: list[dict[str, str]],
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "department_code": dept,
        "department_name": dept_name,
        "issuer_code": issuer,
        "holder_kind": holder,
        "validity_months": months,
        "fields": fields,
    }


TYPES: dict[str, list[tuple[dict[str, Any], list[tuple[str, str]]]]] = {
    "360102": [
        (
            _type(
                SAMR + "001",
                "食品经营许可证",
                "Food business licence",
                "xzspj",
                "东湖区行政审批局",
                DONGHU_XZSPJ,
                "legal",
                60,
                [
                    {
                        "name": "operator",
                        "label": "经营者名称",
                        "label_en": "Operator",
                        "source": "applicant_name",
                    },
                    {
                        "name": "premises",
                        "label": "经营场所",
                        "label_en": "Premises",
                        "source": "form.shop_name",
                    },
                    {
                        "name": "category",
                        "label": "主体业态",
                        "label_en": "Category",
                        "source": "const:餐饮服务经营者",
                    },
                ],
            ),
            [("DH-SP-001", "食品经营许可")],
        ),
        (
            _type(
                SAMR + "002",
                "个体工商户营业执照",
                "Individual business licence",
                "xzspj",
                "东湖区行政审批局",
                DONGHU_XZSPJ,
                "person",
                0,
                [
                    {
                        "name": "operator",
                        "label": "经营者",
                        "label_en": "Operator",
                        "source": "applicant_name",
                    },
                    {"name": "form", "label": "组成形式", "label_en": "Form", "source": "const:个人经营"},
                ],
            ),
            [("DH-GT-002", "个体工商户登记")],
        ),
    ],
    "360100": [
        (
            _type(
                MOHURD + "001",
                "建筑工程施工许可证",
                "Construction permit",
                "zjj",
                "南昌市住房和城乡建设局",
                NANCHANG_ZJJ,
                "legal",
                36,
                [
                    {"name": "project", "label": "工程名称", "label_en": "Project", "source": "item_name"},
                    {
                        "name": "builder",
                        "label": "建设单位",
                        "label_en": "Builder",
                        "source": "applicant_name",
                    },
                ],
            ),
            [("NC-ZJJ-001", "建筑工程施工许可")],
        ),
        (
            _type(
                NHC + "001",
                "医疗机构执业许可证",
                "Medical institution licence",
                "wjw",
                "南昌市卫生健康委员会",
                NANCHANG_WJW,
                "legal",
                60,
                [
                    {
                        "name": "institution",
                        "label": "机构名称",
                        "label_en": "Institution",
                        "source": "applicant_name",
                    },
                    {
                        "name": "subjects",
                        "label": "诊疗科目",
                        "label_en": "Departments",
                        "source": "const:全科医疗科",
                    },
                ],
            ),
            [("NC-WJW-003", "医疗机构执业登记")],
        ),
    ],
}

# (tenant, type code, source key, field values, revoke reason or None)
ISSUED = [
    (
        "360100",
        MOHURD + "001",
        "demo:nanchang:construction",
        {"project": "南昌示例科技园二期工程", "builder": "南昌示例科技有限公司"},
        None,
    ),
    (
        "360100",
        NHC + "001",
        "demo:nanchang:clinic",
        {"institution": "南昌示例科技有限公司职工医务室", "subjects": "全科医疗科"},
        "医务室已停业，依申请注销许可",
    ),
]


def load(session: Session, directory: Any) -> None:
    for code, rows in TYPES.items():
        tenant = directory.get(code)
        if tenant is None:
            continue
        for data, items in rows:
            have = session.scalar(
                select(LicenceType).where(
                    LicenceType.tenant_id == tenant.id, LicenceType.code == data["code"]
                )
            )
            if have is None:
                catalogue.create_type(session, tenant, LicenceTypeIn.model_validate(data), actor="demo")
            for item_code, item_name in items:
                if catalogue.mapping_for(session, tenant.id, item_code) is None:
                    catalogue.set_mapping(
                        session,
                        tenant,
                        MappingIn(item_code=item_code, item_name=item_name, type_code=data["code"]),
                        actor="demo",
                    )
    platform = session.info.get("platform")
    if platform is not None:
        _issue(session, platform, directory)


def _issue(session: Session, platform: Any, directory: Any) -> None:
    from core.api import account_by_username

    enterprise = account_by_username(session, "enterprise")
    if enterprise is None or not enterprise.id_number:
        return
    holder = Holder("legal", enterprise.id_number, enterprise.display_name)
    for code, type_code, key, values, revoke in ISSUED:
        tenant = directory.get(code)
        if tenant is None or session.scalar(
            select(Licence.id).where(Licence.tenant_id == tenant.id, Licence.source_key == key)
        ):
            continue
        lt = catalogue.type_by_code(session, tenant, type_code)
        lic = services.issue(session, platform, tenant, lt, holder, values, actor="demo", source_key=key)
        if revoke:
            services.act(session, tenant, lic.id, "revoke", version=lic.version, reason=revoke, actor="demo")
