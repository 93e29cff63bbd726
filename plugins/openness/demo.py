"""Demo data (``govhall serve --demo``): power lists and requests for government information in
Donghu (360102) and Nanchang (360100). Powers of each category, one in its second edition (the first
kept in the history), one still a draft, most linked to approval's demo items and some not (the
console's gaps page has both kinds to show); requests in every stage — running, late, waiting for
completion, with a third party, an extension waiting for approval, and replied with each common kind —
so the office's queue, the requester's page, the annual report and supervision's rules have something
to show. Idempotent: a tenant that already has powers (requests) gets none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import account_by_username, add_working_days, today
from plugins.openness import powers, services
from plugins.openness.models import DisclosureRequest, Power, PowerItem
from plugins.openness.schemas import DisclosureRegisterIn, PowerIn

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
    for code, power_rows in POWERS.items():
        tenant = directory.get(code)
        if tenant is not None and not session.scalar(
            select(Power.id).where(Power.tenant_id == tenant.id).limit(1)
        ):
            _powers(session, tenant, power_rows)
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
            data = DisclosureRegisterIn.model_validate(
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


# (code, department, category, name, legal basis, responsibilities, item codes, what happens)
PowerRow = tuple[str, str, str, str, str, str, tuple[str, ...], str]
_DUTY = "受理、审查、决定、送达；公开办理依据、条件、程序和结果；依法实施事中事后监管。"
POWERS: dict[str, list[PowerRow]] = {
    "360102": [
        (
            "DH-XK-001",
            "xzspj",
            "licensing",
            "食品经营许可",
            "《中华人民共和国食品安全法》第三十五条",
            _DUTY,
            ("DH-SP-001",),
            "revised",
        ),
        (
            "DH-XK-002",
            "scjgj",
            "licensing",
            "个体工商户登记",
            "《促进个体工商户发展条例》第八条",
            _DUTY,
            ("DH-GT-002",),
            "",
        ),
        (
            "DH-XK-003",
            "zjj",
            "licensing",
            "临时占用城市道路许可",
            "《城市道路管理条例》第三十一条",
            _DUTY,
            ("DH-JS-006",),
            "",
        ),
        (
            "DH-QR-001",
            "mzj",
            "confirmation",
            "最低生活保障审核确认",
            "《社会救助暂行办法》第十一条",
            "审核申请人家庭收入和财产状况，作出确认决定并公示。",
            ("DH-MZ-005",),
            "",
        ),
        (
            "DH-CF-001",
            "scjgj",
            "penalty",
            "对未取得食品经营许可从事食品经营活动的处罚",
            "《中华人民共和国食品安全法》第一百二十二条",
            "立案、调查取证、告知、听证、决定、执行。",
            (),
            "",
        ),
        (
            "DH-JC-001",
            "scjgj",
            "inspection",
            "食品安全日常监督检查",
            "《中华人民共和国食品安全法》第一百一十条",
            "制定检查计划，随机抽取检查对象，公开检查结果。",
            (),
            "",
        ),
        (
            "DH-QZ-001",
            "scjgj",
            "enforcement",
            "查封、扣押不符合食品安全标准的食品",
            "《中华人民共和国食品安全法》第一百一十条第四项",
            "依法告知当事人权利，制作现场笔录，及时作出处理决定。",
            (),
            "",
        ),
        (
            "DH-GF-001",
            "mzj",
            "payment",
            "临时救助金给付",
            "《社会救助暂行办法》第四十七条",
            "审核困难情形，及时给付并公示救助结果。",
            (),
            "",
        ),
        (
            "DH-JL-001",
            "mzj",
            "reward",
            "见义勇为人员奖励",
            "《江西省见义勇为人员奖励和保护条例》第十二条",
            "受理申报、调查核实、评审、公示、奖励。",
            (),
            "draft",
        ),
    ],
    "360100": [
        (
            "NC-XK-001",
            "zjj",
            "licensing",
            "建筑工程施工许可",
            "《中华人民共和国建筑法》第七条",
            _DUTY,
            ("NC-ZJJ-001",),
            "",
        ),
        (
            "NC-XK-002",
            "wjw",
            "licensing",
            "医疗机构执业登记",
            "《医疗机构管理条例》第十五条",
            _DUTY,
            ("NC-WJW-003",),
            "",
        ),
        (
            "NC-ZS-001",
            "zjj",
            "levy",
            "城市基础设施配套费征收",
            "《江西省城市基础设施配套费征收管理办法》第三条",
            "按标准核定征收，开具票据，公开征收依据和标准。",
            (),
            "",
        ),
        (
            "NC-CJ-001",
            "fgw",
            "adjudication",
            "价格争议调解处理",
            "《江西省价格条例》第三十五条",
            "受理争议申请，组织调解，作出处理意见。",
            (),
            "",
        ),
    ],
}


def _powers(session: Session, tenant: Any, rows: list[PowerRow]) -> None:
    for code, dept, category, name, basis, duties, items, what in rows:
        data = PowerIn.model_validate(
            {
                "code": code,
                "department_code": dept,
                "category": category,
                "name": name,
                "legal_basis": basis,
                "responsibilities": duties,
                "accountability": "未依法履行职责的，依法追究责任。",
            }
        )
        row = powers.create(session, tenant, data, "demo")
        if what == "draft":
            continue
        powers.publish(session, None, tenant, row, row.version, "demo")
        if what == "revised":
            new = powers.revise(session, tenant, row, row.version, "demo")
            new.legal_basis = f"{basis}；《食品经营许可和备案管理办法》第二条"
            new.change_note = "依据新施行的《食品经营许可和备案管理办法》补充法律依据。"
            session.flush()
            powers.publish(session, None, tenant, new, new.version, "demo")
        for item in items:  # approval's demo catalogue may load after this plugin: link by code directly
            session.add(
                PowerItem(
                    tenant_id=tenant.id,
                    tenant_path=tenant.path,
                    power_code=code,
                    item_code=item,
                    linked_by="demo",
                )
            )
    session.flush()
