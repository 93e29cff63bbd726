"""Prescription summaries through the data-sharing platform (when exchange is on).

The resource ``medicine.prescriptions`` receives deliveries: a registered member's system (the health
commission's hospital information platform, say) with a grant for it pushes records to
``POST /api/t/<tenant>/exchange/x/medicine.prescriptions``; exchange authenticates it, checks the grant
and appends the delivery to its signed message log in the same transaction as the summaries are stored
here (``govhall_exchange_receive``). The body is ``{"records": [...]}``, each record an API prescription
item with its hospital's credit code (``hospital_code``, a hospital of this tenant); they are checked
exactly as the API's ``POST /prescriptions`` checks them, all or none. Without exchange nothing here is
called and the API push works as before.
"""

from __future__ import annotations

from typing import Any

from core.api import DataResource, validate
from plugins.medicine import catalogue, vbp
from plugins.medicine.schemas import MedExchangePrescriptionsIn, MedPrescriptionIn

CODE = "prescriptions"
RESOURCE = f"medicine.{CODE}"

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "hospital_code": ("医疗机构代码", "Hospital code"),
    "external_id": ("处方编号", "Prescription number"),
    "doctor": ("医师", "Doctor"),
    "product_id": ("挂网产品", "Listed product"),
    "quantity": ("数量", "Quantity"),
    "days_supply": ("用药天数", "Days of supply"),
    "visit": ("就诊类型", "Visit"),
    "dispensed_on": ("调配日期", "Dispensed on"),
    "reason": ("超量理由", "Reason for a longer supply"),
    "trace_code": ("药品追溯码", "Traceability code"),
}


def resources() -> list[DataResource]:
    return [
        DataResource(
            code=CODE,
            title_zh="处方摘要报送（阳光医药监测）",
            title_en="Prescription summaries for sunshine-medicine monitoring",
            plugin="medicine",
            fields=("hospital_code", *MedPrescriptionIn.model_fields),
            field_labels=FIELD_LABELS,
            sharing="conditional",
            update_cycle="realtime",
            legal_basis="《处方管理办法》",
            description_zh="接收医疗机构处方摘要（不含患者身份），不提供查询；全部通过校验才入库",
        )
    ]


def receive(platform: Any, session: Any, tenant: Any, resource: str, sender: str, body: Any) -> dict | None:
    if resource != RESOURCE:
        return None
    data = validate(MedExchangePrescriptionsIn, body)
    by_hospital: dict[str, list[vbp.PrescriptionIn]] = {}
    for x in data.records:
        by_hospital.setdefault(x.hospital_code.upper(), []).append(
            vbp.PrescriptionIn(**x.model_dump(exclude={"hospital_code"}))
        )
    stored, names = 0, []
    for code, items in by_hospital.items():
        hospital = catalogue.hospital_of(session, tenant, code)  # 404 for anyone not a hospital here
        stored += vbp.push(session, tenant, hospital, items, actor=f"exchange:{sender}")
        names.append(hospital.name)
    return {"stored": stored, "hospitals": names}
