"""Demo data (``govhall serve --demo``): requests for government information in Donghu (360102) and
Nanchang (360100) in every stage — running, late, waiting for completion, with a third party, an
extension waiting for approval, and replied with each common kind — so the office's queue, the
requester's page, the annual report and supervision's rules have something to show. Idempotent: a
tenant that already has requests gets none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import account_by_username, add_working_days, today
from plugins.openness import services
from plugins.openness.models import DisclosureRequest
from plugins.openness.schemas import RegisterIn

# (channel, requester, kind, description, received working days ago, what happens, outcome, ground, mine)
Row = tuple[str, str, str, str, int, str, str, str, bool]
DEMO: dict[str, list[Row]] = {
    "360102": [
        ("online", "张三", "person", "2026年东湖区老旧小区改造项目清单及资金安排情况。", 3, "", "", "", True),
        (
            "letter",
            "李四",
            "person",
            "八一大道沿线道路拓宽工程的征收补偿方案及批复文件。",
            25,
            "",
            "",
            "",
            False,
        ),
        ("online", "张三", "person", "关于我家附近那个项目的文件。", 2, "correction", "", "", True),
        (
            "in_person",
            "王五",
            "person",
            "某餐饮企业2025年度食品安全监督检查结果。",
            6,
            "consult",
            "",
            "",
            False,
        ),
        (
            "fax",
            "江西某律师事务所",
            "legal",
            "东湖区2025年行政复议案件数量及结果统计。",
            15,
            "extension",
            "",
            "",
            False,
        ),
        ("online", "张三", "person", "东湖区2026年民生实事项目完成情况。", 8, "reply", "disclosed", "", True),
        ("letter", "赵六", "person", "某小区规划许可证及附图。", 12, "reply", "partly", "third_party", False),
        (
            "in_person",
            "孙七",
            "person",
            "区政府常务会议讨论某项目的会议纪要。",
            10,
            "reply",
            "refused",
            "process",
            False,
        ),
        (
            "online",
            "南昌示例科技有限公司",
            "legal",
            "2019年区招商引资项目的全部谈判记录。",
            9,
            "reply",
            "unable",
            "not_held",
            False,
        ),
        (
            "online",
            "周八",
            "person",
            "请帮我查询邻居的婚姻登记情况。",
            5,
            "reply",
            "other",
            "not_government",
            False,
        ),
    ],
    "360100": [
        ("online", "陈九", "person", "南昌市2026年城市公共交通财政补贴发放明细。", 4, "", "", "", False),
        (
            "letter",
            "吴十",
            "person",
            "南昌市某地铁站周边控制性详细规划调整批复。",
            30,
            "late_reply",
            "disclosed",
            "",
            False,
        ),
        (
            "online",
            "张三",
            "person",
            "南昌市2026年义务教育学校招生划片方案。",
            7,
            "reply",
            "disclosed",
            "",
            True,
        ),
        (
            "fax",
            "江西某咨询有限公司",
            "legal",
            "南昌市2025年政府采购项目验收报告。",
            14,
            "extended",
            "",
            "",
            False,
        ),
    ],
}

ANSWER = {
    "disclosed": "您申请的信息予以公开，详见附件，也可在本级政府门户网站“政府信息公开”栏目查阅。",
    "partly": "您申请的信息涉及第三方合法权益，经征求意见第三方不同意公开，现将可以公开的部分提供给您。",
    "refused": "您申请的会议纪要属于过程性信息，依据《政府信息公开条例》第十六条第二款不予公开。",
    "unable": "经检索，本机关未制作或获取您申请的信息。",
    "other": "您申请的内容不属于《政府信息公开条例》所指的政府信息。",
}


def load(session: Session, directory: Any) -> None:
    citizen = account_by_username(session, "citizen")
    day = today()
    for code, rows in DEMO.items():
        tenant = directory.get(code)
        exists = tenant is not None and session.scalar(
            select(DisclosureRequest.id).where(DisclosureRequest.tenant_id == tenant.id).limit(1)
        )
        if tenant is None or exists:
            continue
        for channel, name, kind, text, ago, what, outcome, ground, mine in rows:
            received = add_working_days(day, -ago)
            data = RegisterIn.model_validate(
                {
                    "channel": channel,
                    "requester_kind": kind,
                    "requester_name": name,
                    "phone": "13800000000",
                    "description": text,
                    "made_on": received,
                    "received_on": received,
                }
            )
            r = services.register(session, None, tenant, data, actor="demo")
            session.flush()
            if mine and citizen is not None:
                r.account_id = citizen.id
            _move(session, tenant, r, what, outcome, ground)


def _move(session: Session, tenant: Any, r: Any, what: str, outcome: str, ground: str) -> None:
    if what == "correction":
        services.ask_correction(
            session, None, tenant, r, r.version, "请写明所需信息的名称、文号或者便于查询的其他特征。", "demo"
        )
    elif what == "consult":
        services.consult(
            session, None, tenant, r, r.version, "某餐饮管理有限公司", "涉及企业商业秘密", "demo"
        )
    elif what in ("extension", "extended"):
        services.request_extension(session, r, r.version, 15, "需要调取档案并逐件审查。", "demo")
        if what == "extended":
            services.decide_extension(session, None, tenant, r, r.version, True, "同意", "demo")
    elif what in ("reply", "late_reply"):
        services.reply(session, None, tenant, r, r.version, outcome, ground, ANSWER[outcome], "demo")
    session.flush()
