"""Demo data (``govhall serve --demo``): a catalogue in Nanchang (360100) and Donghu (360102), requests in
every state, grants, a demo subsystem whose credential is printed in the README, and signed log entries.

Nanchang's development and reform commission offers the credit report; Donghu's approval bureau has it
granted (two fields) and calls it; Nanchang's approval bureau asks Donghu for application results (one
pending, in Donghu's queue; one approved). Idempotent: nothing is added once the demo subsystem exists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import add_calendar_days, today
from plugins.exchange import msglog, services
from plugins.exchange.models import SystemCredential
from plugins.exchange.schemas import HttpResourceIn

DEMO_CLIENT = "x-demo-donghu-approval"
DEMO_SECRET = "demo-donghu-approval-secret-0001"  # noqa: S105 - a published demo credential
NANCHANG, DONGHU = "360100", "360102"


def load(session: Session, directory: Any) -> None:
    platform = session.info.get("platform")
    nanchang, donghu = directory.get(NANCHANG), directory.get(DONGHU)
    if platform is None or nanchang is None or donghu is None:
        return
    if session.scalars(select(SystemCredential.id).where(SystemCredential.client_id == DEMO_CLIENT)).first():
        return
    s = session  # system scope: every row is written with its tenant
    for t in (nanchang, donghu):
        services.sync_plugin_resources(s, platform, t)
    services.register_http(
        s,
        nanchang,
        HttpResourceIn.model_validate(
            {
                "code": "population",
                "name": "户籍人口基本信息",
                "name_en": "Registered residents",
                "description": "公安部门户籍系统提供的人口基本信息（外部系统接入）",
                "department": "xzspj",
                "url": "http://hukou.nanchang.example/api/person",
                "update_cycle": "daily",
                "sharing": "conditional",
                "legal_basis": "《居民身份证法》；《政务信息资源共享管理暂行办法》",
                "fields": [
                    {"name": "name", "label": "姓名", "label_en": "Name"},
                    {"name": "address", "label": "户籍地址", "label_en": "Registered address"},
                    {"name": "household", "label": "户号", "label_en": "Household number"},
                ],
            }
        ),
        actor="demo",
    )
    day = today(platform)
    row, _secret = services.create_system(s, donghu, "xzspj", "approval", "东湖区审批系统", actor="demo")
    row.client_id, row.secret_hash = DEMO_CLIENT, services.hash_secret(DEMO_SECRET)
    services.create_system(s, donghu, "scjgj", "market", "东湖区市场监管系统", actor="demo")
    s.flush()
    consumer_id = row.member_identifier
    req = services.request_access(
        s,
        platform,
        nanchang,
        donghu,
        resource_code="credit.report",
        department="xzspj",
        purpose="企业开办并联审批时核查申请人信用预警等级",
        fields=["subject_code", "level", "level_title", "measures"],
        actor="demo",
    )
    services.answer(
        s,
        platform,
        nanchang,
        req.id,
        decision="narrow",
        version=req.version,
        fields=["subject_code", "level", "level_title"],
        expires_on=add_calendar_days(day, 365),
        reason="联合奖惩措施由本部门另行推送，按最小必要原则不予共享",
        actor="demo",
    )
    services.request_access(
        s,
        platform,
        nanchang,
        donghu,
        resource_code="population",
        department="mzj",
        purpose="低保审核核对户籍",
        fields=["name", "household"],
        actor="demo",
    )
    for result, status in (("ok", 200), ("ok", 200), ("field_not_granted", 403)):
        msglog.append(
            s,
            platform,
            nanchang,
            resource="credit.report",
            consumer=consumer_id,
            result=result,
            status=status,
            facts={
                "subsystem": "approval",
                "client_id": DEMO_CLIENT,
                "request_digest": msglog.digest({"demo": result}),
                "response_digest": msglog.digest({"status": status}),
                "fields": [],
            },
        )
    pending = services.request_access(
        s,
        platform,
        donghu,
        nanchang,
        resource_code="approval.application",
        department="xzspj",
        purpose="市级统一审批平台汇总区级办件结果",
        fields=["number", "item_name", "state", "decision"],
        actor="demo",
    )
    _ = pending
    ok = services.request_access(
        s,
        platform,
        donghu,
        nanchang,
        resource_code="approval.application",
        department="scjgj",
        purpose="市场监管部门核对许可办理结果",
        fields=["number", "state", "decision", "decided_on"],
        actor="demo",
    )
    services.answer(
        s,
        platform,
        donghu,
        ok.id,
        decision="approve",
        version=ok.version,
        expires_on=add_calendar_days(day, 180),
        actor="demo",
    )
    msglog.append(
        s,
        platform,
        donghu,
        resource="approval.application",
        consumer="GOV:360000/360100:scjgj",
        result="ok",
        status=200,
        facts={"subsystem": "market", "fields": ["number", "state"]},
    )
