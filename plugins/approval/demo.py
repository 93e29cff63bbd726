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
from plugins.approval.models import Application, BasicItem, ServiceItem
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


# Items of the halls below a county (#13 item 12): a sub-district (街道) and a community (社区) take in
# and handle what the law puts at their level, so their halls are not empty.
CATALOGUE["360102015"] = [
    _item("TWG-GA-001", "居住证申领受理", "public_service", "public_service", "personal", "paichusuo",
          "滕王阁街道便民服务中心", 15, 10, keywords="居住证 暂住",
          legal_basis="《居住证暂行条例》第九条、第十条",
          conditions="离开常住户口所在地，到滕王阁街道居住半年以上，且有合法稳定就业、合法稳定住所或连"
              "续就读之一。"),
    _item("TWG-MZ-002", "老年人优待证办理", "public_service", "public_service", "personal", "bmfw",
          "滕王阁街道便民服务中心", 5, 1, keywords="老年证 优待证",
          legal_basis="《江西省老年人权益保障条例》第四十二条",
          conditions="年满六十周岁、户籍或居住证在滕王阁街道的老年人。"),
]
CATALOGUE["360102015001"] = [
    _item("MX-MZ-001", "高龄津贴申请受理", "benefit", "public_service", "personal", "sqfw", "民巷社区服务站",
          10, 5, keywords="高龄 津贴 补贴",
          legal_basis="《江西省老年人权益保障条例》第三十条；《南昌市高龄老人津贴发放办法》",
          conditions="户籍在民巷社区、年满八十周岁的老年人（本人或家属代为申请）。"),
    _item("MX-SB-002", "城乡居民养老保险参保登记", "public_service", "public_service", "personal", "sqfw",
          "民巷社区服务站", 5, 1, keywords="养老保险 参保",
          legal_basis="《中华人民共和国社会保险法》第二十条、第二十二条",
          conditions="年满十六周岁（不含在校学生）、非国家机关和事业单位工作人员、不属于职工基本养老保"
              "险覆盖范围的居民。"),
]

# The provincial basic catalogue (基本目录, DESIGN.md: the province fixes an item's name, code, type and
# legal basis; counties claim it and set how they implement it). These are basic items only: the
# province itself does not handle them.
BASIC: list[dict[str, Any]] = [
    _item("JX-JB-001", "公共场所卫生许可", "licence", "approval", "legal", "wjw", "省卫生健康委员会", 20, 10,
          legal_basis="《公共场所卫生管理条例》第四条；《公共场所卫生管理条例实施细则》第二十二条",
          implementing_level="county"),
    _item("JX-JB-002", "户外广告设施设置审批", "licence", "approval", "legal", "zjt", "省住房和城乡建设厅",
          20, 10, legal_basis="《城市市容和环境卫生管理条例》第十一条", implementing_level="city,county"),
    _item("JX-JB-003", "特困人员认定", "benefit", "public_service", "personal", "mzt", "省民政厅", 40, 20,
          legal_basis="《社会救助暂行办法》第十四条、第十五条", implementing_level="county"),
]
# Counties claiming basic items with their own implementation: (basic code, department, name, limits,
# conditions). Xihu's catalogue is all claims; Donghu claims one beside its own items.
CLAIMS: dict[str, list[tuple[str, str, str, int, int, str]]] = {
    "360103": [
        ("JX-JB-001", "xzspj", "西湖区行政审批局", 20, 5,
         "公共场所经营者持营业执照，场所卫生条件符合国家卫生标准和要求。"),
        ("JX-JB-002", "xzspj", "西湖区行政审批局", 20, 7,
         "设置地点符合户外广告设置规划，设施结构安全、与周边环境协调。"),
        ("JX-JB-003", "mzj", "西湖区民政局", 40, 15,
         "无劳动能力、无生活来源，且无法定赡养抚养扶养义务人或其义务人无履行能力的老年人、残疾人和未成"
             "年人。"),
    ],
    "360102": [
        ("JX-JB-001", "xzspj", "东湖区行政审批局", 20, 5,
         "公共场所经营者持营业执照，场所卫生条件符合国家卫生标准和要求。"),
    ],
}

# Legal basis and conditions of the demo items that do not state them above: a guide shows both, never "—".
GUIDES: dict[str, tuple[str, str]] = {
    "JX-FGW-001": ("", "属于《政府核准的投资项目目录》范围的企业投资项目；项目符合国家产业政策和发展规划。"),
    "JX-SCJ-002": ("", "具有与生产的食品品种、数量相适应的生产场所、设备设施、专业技术人员和管理制度。"),
    "JX-ZJT-003": ("《中华人民共和国建筑法》第十三条；《建筑业企业资质管理规定》",
                   "具有法人资格，净资产、技术负责人、技术人员和工程业绩符合资质标准。"),
    "JX-RST-004": ("《专业技术人员职业资格证书管理工作规程》", "证书遗失或损毁的持证人本人。"),
    "NC-ZJJ-001": ("", "已办理用地批准手续、建设工程规划许可证，施工图设计文件已审查合格，资金已落实。"),
    "NC-RSJ-002": ("《中华人民共和国社会保险法》第五十八条", "已参加社会保险的南昌市参保人员。"),
    "NC-WJW-003": ("《医疗机构管理条例》第十五条", "已取得设置医疗机构批准书，场所、设备、人员符合医疗"
        "机构基本标准。"),
    "NC-JYJ-004": ("《中华人民共和国民办教育促进法》第十二条", "举办者具有法人资格或完全民事行为能力，"
        "有必备的办学条件。"),
    "DH-SP-001": ("《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
                  "有与经营的食品品种、数量相适应的经营场所，有食品安全管理人员和保证食品安全的规章制度。"),
    "DH-GT-002": ("《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》第三条",
                  "有经营能力的自然人，有经营场所。"),
    "DH-GA-003": ("《中华人民共和国居民身份证法》第五条、第十一条", "居民身份证有效期满、登记项目变更或"
        "严重损坏不能辨认的东湖区户籍居民。"),
    "DH-WJ-004": ("《江西省人口与计划生育条例》第十条", "夫妻双方或一方户籍在东湖区，或在东湖区居住的夫妻。"),
    "DH-MZ-005": ("《社会救助暂行办法》第九条；《江西省最低生活保障办法》",
                  "共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合家庭财产状况规定。"),
    "DH-JS-006": ("《城市道路管理条例》第三十一条", "因特殊情况需要临时占用城市道路，且不影响交通安全和"
        "市容。"),
    "DH-FG-007": ("《企业投资项目核准和备案管理条例》第三条", "不属于《政府核准的投资项目目录》范围的企"
        "业投资项目。"),
    "NCX-NY-001": ("《农药管理条例》第二十四条", "有农药经营场所、专业技术人员和质量管理制度。"),
    "NCX-ZJ-002": ("《中华人民共和国城乡规划法》第四十一条", "在乡、村庄规划区内进行乡镇企业、乡村公共"
        "设施和公益事业建设或农村村民住宅建设。"),
    "JDZ-WH-001": ("《营业性演出管理条例》第六条", "有与其业务相适应的专职演员和器材设备的文艺表演团体"
        "或演出经纪机构。"),
    "JDZ-SC-002": ("《中华人民共和国药品管理法》第五十一条", "有依法经过资格认定的药师、与所经营药品相"
        "适应的营业场所和质量管理制度。"),
}


def _with_guide(row: dict[str, Any]) -> dict[str, Any]:
    basis, conditions = GUIDES.get(row["code"], ("", ""))
    return {**row, "legal_basis": row.get("legal_basis") or basis,
            "conditions": row.get("conditions") or conditions}


def load(session: Session, directory: Any) -> None:
    for code, rows in CATALOGUE.items():
        tenant = directory.get(code)
        if tenant is None:
            continue
        have = set(session.scalars(select(ServiceItem.code).where(ServiceItem.tenant_id == tenant.id)))
        for row in rows:
            if row["code"] not in have:
                data = ItemIn.model_validate(_with_guide(row))
                basic = catalogue.add_basic(session, tenant, data) if tenant.parent_id is None else None
                catalogue.create_item(session, tenant, data, basic_item_id=basic.id if basic else None)
    _claims(session, directory)
    session.flush()
    platform = session.info.get("platform")
    if platform is not None:
        applications(session, platform, directory)


def _claims(session: Session, directory: Any) -> None:
    """The province's basic catalogue, and the counties' claims of it (idempotent)."""
    province = directory.get("360000")
    if province is None:
        return
    basics = {b.code: b for b in session.scalars(select(BasicItem).where(BasicItem.tenant_id == province.id))}
    for row in BASIC:
        if row["code"] not in basics:
            basics[row["code"]] = catalogue.add_basic(session, province, ItemIn.model_validate(row))
    for code, claims in CLAIMS.items():
        tenant = directory.get(code)
        if tenant is None:
            continue
        have = set(session.scalars(select(ServiceItem.code).where(ServiceItem.tenant_id == tenant.id)))
        for basic_code, dept, dept_name, statutory, promised, conditions in claims:
            basic = basics[basic_code]
            if basic.code in have:
                continue
            row = next(r for r in BASIC if r["code"] == basic_code)
            data = ItemIn.model_validate({**row, "department_code": dept, "department_name": dept_name,
                                          "statutory_days": statutory, "promised_days": promised,
                                          "conditions": conditions})
            catalogue.claim(session, tenant, basic, data)


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
