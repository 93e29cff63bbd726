"""Feeds through the data-sharing platform (when exchange is on): each stream is offered as a catalogue
resource that receives records; exchange authenticates the sending subsystem, checks its grant and logs
the delivery, then hands the records here (``govhall_exchange_receive``) in the same transaction."""

from __future__ import annotations

from typing import Any

from core.api import DataResource
from plugins.feeds import services
from plugins.feeds.streams import STREAMS

PREFIX = "feeds."

# The names people read in the exchange catalogue for each field a stream receives (#13 item 9).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "amount_cents": ("金额（分）", "Amount (cents)"), "appointed_on": ("任职日期", "Appointed on"),
    "appointment_no": ("任职文号", "Appointment number"), "case_no": ("案件编号", "Case number"),
    "closed_on": ("办结日期", "Closed on"), "deadline": ("期限", "Deadline"),
    "department_code": ("部门", "Department"), "died_on": ("死亡日期", "Died on"),
    "left_on": ("离职日期", "Left on"), "limit_days": ("时限（天）", "Limit (days)"),
    "limit_unit": ("时限单位", "Limit unit"), "line_code": ("业务条线", "Line"),
    "notice_required": ("是否须告知", "Notice required"),
    "notice_served_on": ("告知送达日期", "Notice served on"),
    "objections_open": ("异议期内", "Objections open"), "opened_on": ("立案日期", "Opened on"),
    "paid_on": ("支付日期", "Paid on"), "payee_id": ("收款人证件号码", "Payee ID number"),
    "payee_name": ("收款人", "Payee"), "payment_no": ("支付凭证号", "Payment number"),
    "penalty_cents": ("罚款金额（分）", "Penalty (cents)"), "period": ("所属期间", "Period"),
    "person_code": ("人员编码", "Person code"), "person_id": ("身份证号码", "ID number"),
    "person_name": ("姓名", "Name"), "post_code": ("岗位编码", "Post code"),
    "post_title": ("岗位名称", "Post"), "publicity_end": ("公示截止日期", "Publicity ends"),
    "publicity_start": ("公示开始日期", "Publicity starts"), "purpose": ("用途", "Purpose"),
    "relation": ("关系", "Relation"), "relative_code": ("亲属编码", "Relative code"),
    "source_time": ("源系统时间", "Source time"), "special_fund": ("专项资金", "Special fund"),
    "staff_department": ("所在部门", "Staff department"), "subsidy_code": ("补贴项目编码", "Subsidy code"),
    "subsidy_title": ("补贴项目名称", "Subsidy"), "supplier_code": ("供应商代码", "Supplier code"),
    "supplier_name": ("供应商名称", "Supplier"), "title": ("标题", "Title"),
    "violation_code": ("违规类型编码", "Violation code"), "violation_title": ("违规类型", "Violation"),
    "year": ("年度", "Year"),
}


def resources() -> list[DataResource]:
    return [
        DataResource(
            code=name,
            title_zh=f"监察数据报送：{st.title_zh}",
            title_en=f"Supervision feed: {st.title_en}",
            plugin="feeds",
            fields=tuple(f for f in st.schema.model_fields),
            field_labels={f: FIELD_LABELS[f] for f in st.schema.model_fields if f in FIELD_LABELS},
            sharing="conditional",
            update_cycle="realtime",
            description_zh="接收报送，不提供查询；每条记录按数据流的结构逐条校验",
        )
        for name, st in STREAMS.items()
    ]


def _department(tenant: Any, sender: str) -> str:
    """The sending member's department when it belongs to this tenant (``GOV:<path>:<dept>``); records
    from a member elsewhere must name their department."""
    _gov, _, rest = sender.partition(":")
    path, _, dept = rest.rpartition(":")
    return dept if path == tenant.path else ""


def receive(platform: Any, session: Any, tenant: Any, resource: str, sender: str, body: Any) -> dict | None:
    if not resource.startswith(PREFIX) or resource[len(PREFIX) :] not in STREAMS:
        return None
    stream = resource[len(PREFIX) :]
    records = body.get("records") if isinstance(body, dict) else None
    feed = services.receive(
        session,
        platform,
        tenant,
        stream,
        list(records or []),
        channel="exchange",
        sender=sender,
        department=_department(tenant, sender),
    )
    return {
        "batch_id": feed.batch_id,
        **feed.counts,
        "results": [
            {"row": o.row, "status": o.status, "key": o.key, "errors": o.errors} for o in feed.outcomes
        ],
    }
