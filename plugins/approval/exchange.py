"""What approval offers the data-sharing platform (plugins/exchange) through ``govhall_data_resources``:
an application's status and decision, by its number (and, to be sure of the subject, the applicant's
credit code or ID number). The gateway calls ``fetch`` with a session scoped to this tenant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.api import DataResource, Invalid, NotFound
from plugins.approval.models import Application, ServiceItem

FIELDS = {
    "number": ("办件编号", "Application number"),
    "item_code": ("事项编码", "Item code"),
    "item_name": ("事项名称", "Item"),
    "applicant_name": ("申请人", "Applicant"),
    "state": ("办理状态", "State"),
    "decision": ("审批结果", "Decision"),
    "decision_reason": ("决定理由", "Reasons for the decision"),
    "decided_on": ("决定日期", "Decided on"),
    "deadline": ("承诺办结日期", "Promised by"),
}


def fetch(*, session: Any, platform: Any, tenant: Any, params: dict[str, str]) -> dict[str, Any]:
    number = str(params.get("number", "")).strip()
    who = str(params.get("applicant_id_number", "")).strip().upper()
    if not number or not who:
        raise Invalid("number and applicant_id_number are both required",
                      "须提供办件编号和申请人证件号码", fields={"number": "required"})
    app = session.scalars(select(Application).where(Application.tenant_id == tenant.id,
                                                    Application.number == number)).first()
    if app is None or app.applicant_id_number.upper() != who:
        raise NotFound("No such application", "没有该办件")
    return {
        "number": app.number,
        "item_code": app.item_code,
        "item_name": app.item_name,
        "applicant_name": app.applicant_name,
        "state": app.state,
        "decision": app.decision or "",
        "decision_reason": app.decision_reason or "",
        "decided_on": app.decided_at.date().isoformat() if app.decided_at else "",
        "deadline": app.deadline.isoformat() if app.deadline else "",
    }


ITEM_FIELDS = {
    "code": ("事项编码", "Item code"),
    "name": ("事项名称", "Item"),
    "department_name": ("实施部门", "Department"),
    "statutory_days": ("法定时限（工作日）", "Statutory limit (working days)"),
    "promised_days": ("承诺时限（工作日）", "Promised limit (working days)"),
    "fee_cents": ("收费（分）", "Fee (fen)"),
}


def fetch_items(*, session: Any, platform: Any, tenant: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    """The tenant's published service items (public data: shared unconditionally)."""
    rows = session.scalars(
        select(ServiceItem)
        .where(ServiceItem.tenant_id == tenant.id, ServiceItem.status == "published")
        .order_by(ServiceItem.code)
        .limit(500)
    )
    return [{k: getattr(r, k) for k in ITEM_FIELDS} for r in rows]


def resources(tenant: Any) -> list[DataResource]:
    return [
        DataResource(
            code="items",
            title_zh="政务服务事项目录",
            title_en="Approval: the catalogue of service items",
            plugin="approval",
            department_code="xzspj",
            fields=tuple(ITEM_FIELDS),
            field_labels=ITEM_FIELDS,
            fetch=fetch_items,
            sharing="unconditional",
            update_cycle="daily",
            legal_basis="《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（国发〔2018〕27号）",
            description_zh="本级已发布的政务服务事项：编码、名称、实施部门、法定与承诺时限、收费",
        ),
        DataResource(
            code="application",
            title_zh="审批办件状态与结果",
            title_en="Approval: an application's status and decision",
            plugin="approval",
            department_code="xzspj",  # the administrative approval bureau (falls back to the first one)
            fields=tuple(FIELDS),
            field_labels=FIELDS,
            fetch=fetch,
            sharing="conditional",
            update_cycle="realtime",
            legal_basis="《政务信息资源共享管理暂行办法》（国发〔2016〕51号）",
            description_zh="按办件编号和申请人证件号码查询审批办件的办理状态、审批结果及理由",
        )
    ]
