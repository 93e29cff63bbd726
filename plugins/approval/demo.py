"""Demo data (``govhall serve --demo``): ~20 real items in several halls, applications in every state,
and the parallel-approval investment project (232 working days in sequence, 29 in parallel).

Idempotent: items are added only where their code is missing; applications only if the demo applicants
have none yet. Applicants are the identity layer's demo accounts (looked up by username); without them,
or without a platform in ``session.info``, only the catalogue is loaded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import add_working_days
from core.api import today as clock_today
from plugins.approval import catalogue, handling, services
from plugins.approval.models import Application, ServiceItem
from plugins.approval.schemas import ItemIn, TransitionIn
from plugins.approval.services import Ctx, Who
from plugins.approval.uploads import Upload

PDF = b"%PDF-1.4\n% govhall demo material\n"
_FORM = [
    {"code": "form", "name": "申请表", "allowed_types": "pdf"},
    {"code": "id", "name": "申请人身份证明", "allowed_types": "pdf,jpg,png"},
]
_PROCS = [
    {"code": "inspection", "name": "现场核查", "counts": False, "max_days": 10},
    {"code": "expert", "name": "专家评审", "counts": False, "max_days": 20},
    {"code": "hearing", "name": "听证", "counts": True, "max_days": 15},
]

# The investment project's steps: lead 10 + 12 co-departments summing to 222 → 232 serial, 29 parallel.
_CO = [
    ("zrzyt", "省自然资源厅", "用地预审与选址意见书", 19),
    ("sthjt", "省生态环境厅", "环境影响评价审批", 19),
    ("zjt", "省住房和城乡建设厅", "建设工程规划许可", 19),
    ("slt", "省水利厅", "水土保持方案审批", 19),
    ("jtt", "省交通运输厅", "交通影响评价审查", 19),
    ("nyj", "省能源局", "节能审查", 19),
    ("dzj", "省地震局", "地震安全性评价审查", 19),
    ("lyj", "省林业局", "使用林地审核", 19),
    ("yjglt", "省应急管理厅", "安全预评价审查", 18),
    ("wwj", "省文物局", "文物影响评估审查", 18),
    ("qxj", "省气象局", "防雷装置设计审核", 18),
    ("rfb", "省人防办", "人防工程设计审查", 16),
]
PROJECT_STEPS = [
    {
        "department_code": "fgw",
        "department_name": "省发展和改革委员会",
        "name": "项目申请受理与审查",
        "days": 2,
        "role": "lead",
    },
    {
        "department_code": "fgw",
        "department_name": "省发展和改革委员会",
        "name": "核准决定",
        "days": 8,
        "role": "lead",
    },
    *({"department_code": c, "department_name": n, "name": s, "days": d, "role": "co"} for c, n, s, d in _CO),
]


def _item(
    code: str,
    name: str,
    item_type: str,
    section: str,
    entrance: str,
    dept: str,
    dept_name: str,
    statutory: int,
    promised: int,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "item_type": item_type,
        "section": section,
        "entrance": entrance,
        "department_code": dept,
        "department_name": dept_name,
        "statutory_days": statutory,
        "promised_days": promised,
        "materials": extra.pop("materials", _FORM),
        "special_procedures": extra.pop("special_procedures", _PROCS),
        "consult_phone": "12345",
        "complaint_phone": "12345",
        **extra,
    }


CATALOGUE: dict[str, list[dict[str, Any]]] = {
    "360000": [
        _item(
            "JX-FGW-001",
            "企业投资项目核准",
            "licence",
            "approval",
            "legal",
            "fgw",
            "省发展和改革委员会",
            30,
            29,
            steps=PROJECT_STEPS,
            keywords="投资 项目 并联审批",
            legal_basis="《企业投资项目核准和备案管理条例》",
        ),
        _item(
            "JX-SCJ-002",
            "食品生产许可",
            "licence",
            "approval",
            "legal",
            "scjgj",
            "省市场监督管理局",
            20,
            10,
            legal_basis="《中华人民共和国食品安全法》第三十五条",
        ),
        _item(
            "JX-ZJT-003",
            "建筑业企业资质核准",
            "licence",
            "approval",
            "legal",
            "zjt",
            "省住房和城乡建设厅",
            20,
            15,
        ),
        _item(
            "JX-RST-004",
            "专业技术人员职业资格证书补办",
            "public_service",
            "public_service",
            "personal",
            "rst",
            "省人力资源和社会保障厅",
            20,
            5,
        ),
    ],
    "360100": [
        _item(
            "NC-ZJJ-001",
            "建筑工程施工许可",
            "licence",
            "approval",
            "legal",
            "zjj",
            "南昌市住房和城乡建设局",
            15,
            7,
            legal_basis="《中华人民共和国建筑法》第七条",
        ),
        _item(
            "NC-RSJ-002",
            "社会保障卡申领",
            "public_service",
            "public_service",
            "personal",
            "rsj",
            "南昌市人力资源和社会保障局",
            10,
            3,
            keywords="社保卡",
        ),
        _item(
            "NC-WJW-003",
            "医疗机构执业登记",
            "licence",
            "approval",
            "legal",
            "wjw",
            "南昌市卫生健康委员会",
            45,
            20,
        ),
        _item(
            "NC-JYJ-004", "民办学校设立审批", "licence", "approval", "legal", "jyj", "南昌市教育局", 90, 30
        ),
    ],
    "360102": [
        _item(
            "DH-SP-001",
            "食品经营许可",
            "licence",
            "approval",
            "legal",
            "xzspj",
            "东湖区行政审批局",
            20,
            10,
            keywords="餐饮 小卖部",
            form_fields=[{"name": "shop_name", "label": "经营场所名称"}],
            # "Use my data on file" (#15): the credit report comes through the exchange from Nanchang's
            # development and reform commission (Donghu's approval bureau holds the grant, exchange demo).
            materials=[
                *_FORM,
                {
                    "code": "credit",
                    "name": "申请人信用报告",
                    "allowed_types": "pdf",
                    "reuse": [
                        {
                            "via": "exchange",
                            "provider": "360100",
                            "resource": "credit.report",
                            "param": "subject_code",
                        }
                    ],
                },
            ],
        ),
        _item(
            "DH-GT-002",
            "个体工商户登记",
            "licence",
            "approval",
            "personal",
            "xzspj",
            "东湖区行政审批局",
            15,
            3,
        ),
        _item(
            "DH-GA-003",
            "居民身份证换领",
            "public_service",
            "public_service",
            "personal",
            "gaj",
            "南昌市公安局东湖分局",
            60,
            20,
            fee_cents=2000,
            fee_basis="《居民身份证工本费》收费标准：20元/证",
            keywords="身份证 换证",
        ),
        _item(
            "DH-WJ-004",
            "生育登记",
            "public_service",
            "public_service",
            "personal",
            "wjw",
            "东湖区卫生健康委员会",
            5,
            1,
        ),
        _item(
            "DH-MZ-005",
            "最低生活保障审核确认",
            "benefit",
            "public_service",
            "personal",
            "mzj",
            "东湖区民政局",
            30,
            20,
            keywords="低保",
        ),
        _item(
            "DH-JS-006",
            "临时占用城市道路许可",
            "licence",
            "approval",
            "legal",
            "xzspj",
            "东湖区行政审批局",
            20,
            5,
        ),
        _item(
            "DH-FG-007", "企业投资项目备案", "filing", "approval", "legal", "xzspj", "东湖区行政审批局", 3, 1
        ),
    ],
    "360121": [
        _item(
            "NCX-NY-001", "农药经营许可", "licence", "approval", "legal", "nyncj", "南昌县农业农村局", 20, 10
        ),
        _item(
            "NCX-ZJ-002",
            "乡村建设规划许可",
            "licence",
            "approval",
            "personal",
            "zjj",
            "南昌县住房和城乡建设局",
            20,
            10,
        ),
    ],
    "360200": [
        _item(
            "JDZ-WH-001",
            "营业性演出审批",
            "licence",
            "approval",
            "legal",
            "wglj",
            "景德镇市文化广电旅游局",
            20,
            10,
        ),
        _item(
            "JDZ-SC-002",
            "药品零售企业经营许可",
            "licence",
            "approval",
            "legal",
            "scjgj",
            "景德镇市市场监督管理局",
            30,
            15,
        ),
    ],
}


def load(session: Session, directory: Any) -> None:
    for code, rows in CATALOGUE.items():
        tenant = directory.get(code)
        if tenant is None:
            continue
        have = set(session.scalars(select(ServiceItem.code).where(ServiceItem.tenant_id == tenant.id)))
        for row in rows:
            if row["code"] not in have:
                data = ItemIn.model_validate(row)
                basic = catalogue.add_basic(session, tenant, data) if tenant.parent_id is None else None
                catalogue.create_item(session, tenant, data, basic_item_id=basic.id if basic else None)
    session.flush()
    platform = session.info.get("platform")
    if platform is not None:
        applications(session, platform, directory)


def _account(session: Session, username: str) -> Any:
    try:
        from core.api import account_by_username
    except ImportError:  # identity not installed: no applicants
        return None
    return account_by_username(session, username)


def _who(account: Any) -> Who:
    return Who(
        label=f"{account.kind}:{account.username}",
        account_id=account.id,
        kind=account.kind,
        allowed=lambda p: True,
        name=account.display_name,
        id_number=account.id_number or "",
    )


STAFF = Who(label="staff:donghu_handler", account_id=None, kind="staff", allowed=lambda p: True)


def applications(session: Session, platform: Any, directory: Any) -> None:
    citizen, enterprise = _account(session, "citizen"), _account(session, "enterprise")
    if citizen is None or enterprise is None:
        return
    mine = session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.applicant_account_id.in_((citizen.id, enterprise.id)))
    )
    if mine:
        return
    donghu, province = directory.get("360102"), directory.get("360000")
    today = clock_today(platform)
    ago = _ago(today)
    legal, person = _who(enterprise), _who(citizen)
    plan: list[tuple[Any, Who, str, int, list[tuple[str, dict[str, Any]]]]] = [
        (donghu, legal, "DH-SP-001", 1, []),
        (donghu, person, "DH-GT-002", 2, [("accept", {})]),
        (donghu, legal, "DH-JS-006", 3, [("refuse", {"reason": "申请占用路段为城市主干道，不予受理"})]),
        (donghu, legal, "DH-SP-001", 4, [("correct", {"missing": ["id"], "reason": "身份证明不清晰"})]),
        (donghu, person, "DH-GT-002", 6, [("correct", {"missing": ["form"]}), ("resubmit", {})]),
        (donghu, legal, "DH-SP-001", 8, [("accept", {}), ("review", {})]),
        (
            donghu,
            person,
            "DH-GT-002",
            9,
            [("accept", {}), ("review", {}), ("approve", {"reason": "符合条件"})],
        ),
        (
            donghu,
            legal,
            "DH-JS-006",
            12,
            [("accept", {}), ("deny", {"reason": "占道施工方案不符合交通组织要求"})],
        ),
        (
            donghu,
            legal,
            "DH-SP-001",
            20,
            [("accept", {}), ("review", {}), ("approve", {"reason": "材料齐全"}), ("conclude", {})],
        ),
        (donghu, person, "DH-GA-003", 15, [("accept", {}), ("review", {})]),  # overdue: red card
        (donghu, person, "DH-GT-002", 5, [("withdraw", {})]),
        (
            donghu,
            legal,
            "DH-SP-001",
            7,
            [("accept", {}), ("suspend", {"procedure": "inspection", "reason": "需现场核查经营场所"})],
        ),
        (donghu, legal, "DH-FG-007", 2, [("accept", {}), ("review", {})]),  # due: yellow card
        (
            province,
            legal,
            "JX-FGW-001",
            18,
            [("accept", {}), ("co", {"departments": [c for c, *_ in _CO[:7]]})],
        ),
    ]
    for tenant, applicant, code, days_ago, steps in plan:
        _play(session, platform, tenant, applicant, code, ago(days_ago), steps, today)


def _ago(today: date) -> Any:
    def back(n: int) -> date:
        return add_working_days(today, -n) if n > 0 else today

    return back


def _play(
    session: Session,
    platform: Any,
    tenant: Any,
    applicant: Who,
    code: str,
    start: date,
    steps: list[tuple[str, dict[str, Any]]],
    today: Any,
) -> None:
    item = session.scalar(
        select(ServiceItem).where(
            ServiceItem.tenant_id == tenant.id, ServiceItem.code == code, ServiceItem.status == "published"
        )
    )
    if item is None:
        return
    files = [Upload(m.code, f"{m.code}.pdf", PDF) for m in item.materials]
    c = Ctx(platform=platform, tenant=tenant, who=applicant, today=start)
    app = services.submit(session, c, code, {f["name"]: "示例" for f in item.form_fields or []}, files)
    staff = Ctx(platform=platform, tenant=tenant, who=STAFF, today=start)
    for action, args in steps:
        if action == "resubmit":
            services.resubmit(
                session,
                c,
                app.id,
                app.version,
                [f for f in files if f.material_code in app.correction_notice],
            )
        elif action == "withdraw":
            services.withdraw(session, c, app.id, app.version, "不再需要")
        elif action == "co":
            for dep in args["departments"]:
                handling.decide(session, staff, app.id, app.version, approve=True, department=dep)
        else:
            body = TransitionIn(version=app.version, **args)
            if action in ("conclude", "approve", "deny"):
                staff.today = min(today, add_working_days(start, 3))
            handling.perform(session, staff, app.id, action, body)
