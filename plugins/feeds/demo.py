"""Demo data (``govhall serve --demo``): a small feed of each kind at Nanchang (360100) and Donghu (360102),
sent through the same mechanism as any batch (channel "demo"), with a few records each rule finds: a
budget line overspent, a split purchase, a special fund paid late, an appointment without publicity, one
despite open objections, a relative in the same post, an overdue case, an outlying penalty, a case closed
without notice, subsidies to a deceased person, paid twice, and to the paying department's own staff.
Idempotent: nothing is added once a tenant has a demo batch. Dates are counted back from today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from core.api import add_calendar_days, today
from plugins.feeds import services
from plugins.feeds.ingest import ingest
from plugins.feeds.models import Batch

DEMO_CLIENT = "feed-demo-donghu-treasury"
DEMO_SECRET = "demo-donghu-treasury-secret-0001"  # noqa: S105 - a published demo credential
SENT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
Day = Callable[[int], str]


def person(n: int) -> str:
    base = f"3601021990{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")  # it expects a check-digit position


def supplier(n: int) -> str:
    base = f"91360100MA3{n:06d}"
    return base + uscc.calc_check_digit(base)


def _fiscal(day: Day, p: str) -> dict[str, list[dict[str, Any]]]:
    line1, line2, special = f"{p}-2026-001", f"{p}-2026-002", f"{p}-2026-ZX1"
    return {
        "fiscal.budget_line": [
            {"line_code": line1, "title": "办公设备购置", "year": 2026, "amount_cents": 200_000_00},
            {"line_code": line2, "title": "信息化运维服务", "year": 2026, "amount_cents": 5_000_000_00},
            {
                "line_code": special,
                "title": "城乡困难群众救助专项资金",
                "year": 2026,
                "amount_cents": 800_000_00,
                "special_fund": True,
                "deadline": day(-40),
            },
        ],
        "fiscal.payment": [
            {
                "payment_no": f"{p}-P001",
                "line_code": line1,
                "supplier_code": supplier(1),
                "supplier_name": "南昌办公用品有限公司",
                "amount_cents": 150_000_00,
                "paid_on": day(-60),
            },
            {
                "payment_no": f"{p}-P002",
                "line_code": line1,
                "supplier_code": supplier(1),
                "supplier_name": "南昌办公用品有限公司",
                "amount_cents": 80_000_00,
                "paid_on": day(-20),
            },
            *(
                {
                    "payment_no": f"{p}-P01{i}",
                    "line_code": line2,
                    "supplier_code": supplier(2),
                    "supplier_name": "赣江信息技术有限公司",
                    "amount_cents": 960_000_00 + i * 5_000_00,
                    "paid_on": day(-30 + 6 * i),
                    "purpose": "运维服务",
                }
                for i in range(3)
            ),
            {
                "payment_no": f"{p}-P020",
                "line_code": special,
                "supplier_code": supplier(3),
                "supplier_name": "南昌市社会救助服务中心",
                "amount_cents": 300_000_00,
                "paid_on": day(-10),
            },
        ],
    }


def _cadre(day: Day, p: str) -> dict[str, list[dict[str, Any]]]:
    a, b, c, d = (f"{p}-C{i}" for i in range(1, 5))
    post = {"post_code": "FKZ-SP", "post_title": "审批一科副科长", "department_code": "xzspj"}
    return {
        "cadre.appointment": [
            {
                "appointment_no": f"{p}-RM1",
                "person_code": a,
                "person_name": "张伟",
                "post_code": "KZ-ZH",
                "post_title": "综合科科长",
                "publicity_start": day(-30),
                "publicity_end": day(-22),
                "appointed_on": day(-15),
                "department_code": "xzspj",
            },
            {
                "appointment_no": f"{p}-RM2",
                "person_code": b,
                "person_name": "李娜",
                "post_code": "KZ-SP",
                "post_title": "审批一科科长",
                "publicity_start": day(-12),
                "publicity_end": day(-10),
                "appointed_on": day(-9),
                "department_code": "xzspj",
            },
            {
                "appointment_no": f"{p}-RM3",
                "person_code": c,
                "person_name": "王强",
                **post,
                "publicity_start": day(-20),
                "publicity_end": day(-5),
                "objections_open": 1,
                "appointed_on": day(-8),
            },
            {
                "appointment_no": f"{p}-RM4",
                "person_code": d,
                "person_name": "王芳",
                **post,
                "publicity_start": day(-100),
                "publicity_end": day(-90),
                "appointed_on": day(-85),
            },
        ],
        "cadre.relative": [
            {"person_code": c, "relative_code": d, "relation": "spouse", "department_code": "xzspj"}
        ],
    }


def _judicial(day: Day, p: str) -> dict[str, list[dict[str, Any]]]:
    cases: list[dict[str, Any]] = [
        {
            "case_no": f"{p}-AJ{i:02d}",
            "violation_code": "SP-BQ",
            "violation_title": "销售不合格食品",
            "opened_on": day(-80 + i),
            "limit_days": 90,
            "closed_on": day(-30 + i),
            "penalty_cents": (2_000_00 + 100_00 * i) if i < 6 else 60_000_00,
            "department_code": "scjgj",
        }
        for i in range(7)
    ]
    cases += [
        {
            "case_no": f"{p}-AJ20",
            "violation_code": "GG-XJ",
            "violation_title": "发布虚假广告",
            "opened_on": day(-120),
            "limit_days": 90,
            "department_code": "scjgj",
        },
        {
            "case_no": f"{p}-AJ21",
            "violation_code": "JL-WZ",
            "violation_title": "使用未经检定的计量器具",
            "opened_on": day(-50),
            "limit_days": 90,
            "closed_on": day(-5),
            "penalty_cents": 5_000_00,
            "notice_required": True,
            "department_code": "scjgj",
        },
    ]
    return {"judicial.case": cases}


def _livelihood(day: Day, p: str, dept: str) -> dict[str, list[dict[str, Any]]]:
    month = day(-3)[:7]
    pay = [
        {
            "payment_no": f"{p}-DB{i:02d}",
            "subsidy_code": "DB",
            "subsidy_title": "城乡低保金",
            "payee_id": person(i),
            "payee_name": name,
            "period": month,
            "amount_cents": 850_00,
            "paid_on": day(-3),
            "department_code": dept,
        }
        for i, name in enumerate(["赵敏", "钱亮", "孙丽", "周杰"])
    ]
    pay.append({**pay[1], "payment_no": f"{p}-DB99"})
    return {
        "livelihood.payment": pay,
        "livelihood.death": [{"person_id": person(0), "died_on": day(-60), "department_code": dept}],
        "livelihood.staff": [
            {"staff_department": dept, "person_id": person(2), "person_name": "孙丽", "department_code": dept}
        ],
    }


def load(session: Session, directory: Any) -> None:
    platform = session.info.get("platform")
    if platform is None:
        return
    now = today(platform)

    def day(n: int) -> str:
        return add_calendar_days(now, n).isoformat()

    for code, prefix, dept in (("360100", "NC", "wjw"), ("360102", "DH", "mzj")):
        tenant = directory.get(code)
        if (
            tenant is None
            or session.scalar(select(Batch.id).where(Batch.tenant_id == tenant.id, Batch.channel == "demo"))
            is not None
        ):
            continue
        feeds = {
            **_fiscal(day, prefix),
            **_cadre(day, prefix),
            **_judicial(day, prefix),
            **_livelihood(day, prefix, dept),
        }
        depts = services.departments(session, tenant)
        for stream, records in feeds.items():
            recs = [{**r, "source_time": SENT.isoformat()} for r in records]
            ingest(
                session,
                platform,
                tenant,
                stream,
                recs,
                channel="demo",
                sender="演示数据",
                department="fgw",
                departments=depts,
            )
        if code == "360102":
            services.create_source(
                session,
                tenant,
                department="fgw",
                title="东湖区国库集中支付系统",
                streams=["fiscal.budget_line", "fiscal.payment"],
                actor="demo",
                client_id=DEMO_CLIENT,
                secret=DEMO_SECRET,
            )
