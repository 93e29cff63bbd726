"""Demo data (``govhall serve --demo``): tickets in Donghu (360102) and Nanchang (360100) in each stage
of the workflow — waiting, dispatched to a township, answered, closed and rated — so the duty team's
list, a handler's work and a person's follow-up page have something to show. Idempotent: a tenant that
already has tickets gets none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import account_by_username, add_working_days, today
from plugins.interaction.models import Review, Ticket, TicketAssignment, TicketStep

# (kind, state, title, content, name, about_department, dispatched to (tenant[:department]), rating)
DEMO: dict[str, list[tuple[str, str, str, str, str, str, str, int | None]]] = {
    "360102": [
        (
            "complaint",
            "dispatched",
            "小区门口占道经营噪音扰民",
            "八一大道某小区门口夜间占道经营，噪音持续到凌晨，请相关部门处理。",
            "张先生",
            "scjgj",
            "360102015",
            None,
        ),
        (
            "complaint",
            "dispatched",
            "商户拒绝开具发票",
            "在某商场购物，商户以各种理由拒绝开具发票，请市场监管部门处理。",
            "孙先生",
            "scjgj",
            "360102:scjgj",
            None,
        ),
        (
            "consultation",
            "replied",
            "食品经营许可需要哪些材料",
            "想在东湖区开一家小餐馆，办理食品经营许可证需要准备哪些材料？",
            "李女士",
            "xzspj",
            "",
            None,
        ),
        (
            "suggestion",
            "closed",
            "建议政务大厅延长周末服务时间",
            "上班族工作日很难到大厅办事，建议周六上午开放窗口。",
            "王先生",
            "",
            "",
            5,
        ),
        (
            "help",
            "submitted",
            "独居老人需要上门办理养老认证",
            "家中老人行动不便，能否上门办理养老待遇资格认证？",
            "赵女士",
            "mzj",
            "",
            None,
        ),
    ],
    "360100": [
        (
            "consultation",
            "submitted",
            "公积金异地转移怎么办理",
            "从外省调入南昌工作，住房公积金如何转移？",
            "陈先生",
            "",
            "",
            None,
        ),
        (
            "complaint",
            "closed",
            "窗口工作人员态度生硬",
            "办理业务时窗口人员不耐烦，未一次性告知所需材料。",
            "刘女士",
            "",
            "",
            2,
        ),
    ],
}


def load(session: Session, directory: Any) -> None:
    citizen = account_by_username(session, "citizen")  # the demo's natural person (core demo accounts)
    for code, rows in DEMO.items():
        tenant = directory.get(code)
        if tenant is None or session.scalar(select(Ticket.id).where(Ticket.tenant_id == tenant.id).limit(1)):
            continue
        received = today()
        if code == "360102":
            _reviews(session, tenant, received)
        for n, (kind, state, title, content, name, dept, township, rating) in enumerate(rows, 1):
            t = Ticket(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                number=f"{received:%Y%m%d}{n:04d}",
                kind=kind,
                state=state,
                title=title,
                content=content,
                name=name,
                phone=f"1380000{n:04d}",
                about_department=dept,
                received_on=received,
                due_on=add_working_days(received, 13),
                reply=""
                if state in ("submitted", "dispatched")
                else "已答复：请携带身份证件到窗口办理，详见办事指南。",
                replied_on=None if state in ("submitted", "dispatched") else received,
                closed_on=received if state == "closed" else None,
                rating=rating,
                callback_result="satisfied" if state == "closed" else "",
                account_id=citizen.id if citizen is not None and kind == "consultation" else None,
            )
            session.add(t)
            session.flush()
            for action in _steps(state, rating):
                session.add(
                    TicketStep(
                        tenant_id=tenant.id,
                        tenant_path=tenant.path,
                        ticket_id=t.id,
                        action=action,
                        actor="demo",
                    )
                )
            where, _, dept_code = township.partition(":")
            target = directory.get(where) if where else None
            if target is not None:
                t.handler_tenant_id, t.handler_path, t.handler_department = target.id, target.path, dept_code
                session.add(
                    TicketAssignment(
                        tenant_id=target.id,
                        tenant_path=target.path,
                        ticket_id=t.id,
                        ticket_tenant_id=tenant.id,
                        ticket_path=tenant.path,
                        number=t.number,
                        kind=kind,
                        title=title,
                        due_on=t.due_on,
                        department_code=dept_code,
                        instructions="请核实并答复",
                    )
                )


# Ratings of approval's services as its ``approval.service.rated`` events would leave them (level, item,
# department): figures to chart; the 1 is a bad review with its rectification open.
DEMO_REVIEWS = [
    (5, "食品经营许可", "xzspj"),
    (5, "食品经营许可", "xzspj"),
    (4, "建筑工程施工许可", "zjj"),
    (3, "建筑工程施工许可", "zjj"),
    (5, "医疗机构执业登记", "wjw"),
    (1, "个体工商户登记", "scjgj"),
]


def _reviews(session: Session, tenant: Any, received: Any) -> None:
    due = add_working_days(received, 10)
    for n, (level, item, dept) in enumerate(DEMO_REVIEWS, 1):
        session.add(
            Review(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                source="approval",
                source_ref=f"demo.approval:{n}",
                number=f"DEMO{n:04d}",
                item_name=item,
                department_code=dept,
                level=level,
                rated_on=received,
                comment="办事效率高" if level > 2 else "材料被多次退回，耗时太长",
                rect_state="open" if level <= 2 else "",
                rect_due_on=due if level <= 2 else None,
            )
        )
    session.flush()


def _steps(state: str, rating: int | None) -> list[str]:
    order = ["submitted", "accepted", "dispatched", "replied", "called_back", "closed"]
    upto = {"submitted": 1, "accepted": 2, "dispatched": 3, "replied": 4, "closed": 6}[state]
    return order[:upto] + (["rated"] if rating else [])
