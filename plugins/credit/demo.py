"""Demo data: a few enterprises whose records and list entries give every warning level. Idempotent:
each row carries a ``demo:`` source key and is skipped when present."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from core.api import days_before
from plugins.credit.dates import local_today
from plugins.credit.lists import ListInput, add_entry
from plugins.credit.models import CreditListEntry, CreditRecord
from plugins.credit.rules import rules_from_db
from plugins.credit.services import PenaltyInput, record_penalty
from plugins.credit.subjects import make_uscc

# (key, tenant code, name, 17-character code body)
COMPANIES = [
    ("hongcheng", "360102", "江西洪城建设工程有限公司", "91360102705512340"),
    ("ganjiang", "360100", "南昌赣江食品有限公司", "91360100705512341"),
    ("huimin", "360102", "南昌市东湖区惠民超市有限公司", "91360102705512342"),
    ("chengxin", "360100", "江西诚信物流有限公司", "91360100705512343"),
    ("lvyuan", "360103", "南昌西湖绿源环保科技有限公司", "91360103705512344"),
    ("jiaolian", "360100", "江西交联路桥工程有限公司", "91360100705512345"),
]
# A court-confirmed bid-rigging penalty (串通投标): the company may not register for a tender until
# the exclusion ends (plugins/bidding refuses it through the credit.subject check).
RIGGING = ("jiaolian", 60, "串通投标（与其他投标人协商投标报价）", "南昌市发展和改革委员会")
# (company key, days ago, severity, title, department)
PENALTIES = [
    ("hongcheng", 40, "serious", "未取得施工许可证擅自施工", "住房和城乡建设局"),
    ("hongcheng", 90, "general", "施工现场扬尘污染防治不到位", "生态环境局"),
    ("hongcheng", 150, "general", "拖欠农民工工资", "人力资源和社会保障局"),
    ("hongcheng", 200, "general", "安全生产责任制落实不到位", "应急管理局"),
    ("ganjiang", 30, "general", "生产经营超过保质期的食品", "市场监督管理局"),
    ("ganjiang", 120, "general", "未按规定进行食品出厂检验", "市场监督管理局"),
    ("huimin", 60, "minor", "未明码标价", "市场监督管理局"),
]
# (company key, list, basis, department, days ago)
ENTRIES = [
    ("hongcheng", "black", "拖欠农民工工资被列入失信联合惩戒对象名单", "人力资源和社会保障局", 100),
    ("lvyuan", "abnormal", "未按规定报送年度报告", "市场监督管理局", 80),
    ("chengxin", "red", "纳税信用A级纳税人", "税务局", 300),
]


def load(session: Any, directory: Any, today: date | None = None) -> None:
    today = today or local_today()
    companies = {k: (directory.get(t), name, make_uscc(body)) for k, t, name, body in COMPANIES}
    for i, (key, days, severity, title, dept) in enumerate(PENALTIES):
        tenant, name, code = companies[key]
        source = f"demo:penalty:{i}"
        if tenant is None or session.scalar(select(CreditRecord.id).where(CreditRecord.source_key == source)):
            continue
        record_penalty(session, tenant, rules_from_db(session, tenant), PenaltyInput(
            subject_kind="legal", subject_code=code, subject_name=name, title=title,
            decision_number=f"{dept[:2]}罚〔2026〕{100 + i}号", severity=severity, source_department=dept,
            decision_date=days_before(today, days)), actor="demo", today=today, source_key=source)
    key, days, title, dept = RIGGING
    tenant, name, code = companies[key]
    source = "demo:rigging:0"
    done = select(CreditRecord.id).where(CreditRecord.source_key == source)
    if tenant is not None and not session.scalar(done):
        record_penalty(session, tenant, rules_from_db(session, tenant), PenaltyInput(
            subject_kind="legal", subject_code=code, subject_name=name, title=title,
            decision_number="洪发改罚〔2026〕18号", severity="serious", source_department=dept,
            decision_date=days_before(today, days), category="bid_rigging", court_confirmed=True),
            actor="demo", today=today, source_key=source)
    for i, (key, list_type, basis, dept, days) in enumerate(ENTRIES):
        tenant, name, code = companies[key]
        source = f"demo:list:{i}"
        done = select(CreditListEntry.id).where(CreditListEntry.source_key == source)
        if tenant is None or session.scalar(done):
            continue
        add_entry(session, tenant, ListInput(list_type=list_type, subject_kind="legal", subject_code=code,
                                             subject_name=name, basis=basis, issuing_department=dept,
                                             entered_on=days_before(today, days)),
                  actor="demo", source_key=source)
