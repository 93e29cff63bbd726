"""What credit offers the data-sharing platform (plugins/exchange) through ``govhall_data_resources``:
a subject's credit report — its warning level, reasons and the joint measures — computed as approval's
acceptance check computes it. The exchange gateway calls ``fetch`` with a session scoped to this tenant."""

from __future__ import annotations

from typing import Any

from core.api import DataResource, Invalid
from plugins.credit.subjects import guess_kind, normalise
from plugins.credit.warning import LEVEL_NAMES

FIELDS = {
    "subject_code": ("主体代码", "Subject code"),
    "level": ("预警等级", "Warning level"),
    "level_title": ("预警等级名称", "Warning level (title)"),
    "penalties": ("有效行政处罚数", "Penalties counted"),
    "lists": ("所在名单", "Lists"),
    "reasons": ("预警理由", "Reasons"),
    "measures": ("联合奖惩措施", "Joint measures"),
}


def fetch(*, session: Any, platform: Any, tenant: Any, params: dict[str, str]) -> dict[str, Any]:
    from plugins.credit.check import assess_subject

    raw = str(params.get("subject_code", "")).strip().upper()
    kind = guess_kind(raw)
    if kind is None:
        raise Invalid("subject_code must be a credit code or a resident ID number",
                      "subject_code 须为统一社会信用代码或公民身份号码", fields={"subject_code": "invalid"})
    code = normalise(kind, raw, field="subject_code")
    result = assess_subject(session, tenant, code)
    return {
        "subject_code": code,
        "level": result.level,
        "level_title": LEVEL_NAMES[result.level][0],
        "penalties": result.penalties,
        "lists": list(result.lists),
        "reasons": [r["zh"] for r in result.reasons],
        "measures": list(result.measures),
    }


def resources(tenant: Any) -> list[DataResource]:
    return [
        DataResource(
            code="report",
            title_zh="企业信用预警报告",
            title_en="Credit warning report",
            plugin="credit",
            department_code="fgw",  # the development and reform commission keeps credit (falls back)
            fields=tuple(FIELDS),
            field_labels=FIELDS,
            fetch=fetch,
            sharing="conditional",
            update_cycle="realtime",
            legal_basis="《社会信用体系建设规划纲要》；《关于建立完善守信联合激励和失信联合惩戒制度的指导意见》",
            description_zh="按统一社会信用代码或公民身份号码查询主体的信用预警等级、理由和联合奖惩措施",
        )
    ]
