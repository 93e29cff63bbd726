"""Demo data (``govhall serve --demo``): tickets in Donghu (360102) and Nanchang (360100) in each stage
of the workflow — waiting, dispatched to a township, answered, closed and rated — so the duty team's
list, a handler's work and a person's follow-up page have something to show; a few answered
consultations published in each hall's knowledge base, personal data removed. Idempotent: a tenant that
already has tickets gets none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import account_by_username, add_working_days, today
from plugins.interaction.models import KnowledgeEntry, Review, Ticket, TicketAssignment, TicketStep

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


# Answered consultations the person agreed to publish and the duty team published (knowledge base).
DEMO_KB: dict[str, list[tuple[str, str, str]]] = {
    "360102": [
        (
            "居住证办理需要哪些材料",
            "您好，我叫周明，电话13907910001，在东湖区租房，办理居住证需要哪些材料？",
            "请携带本人身份证、租房合同（或房屋所有权证明）和近期照片，到居住地派出所或政务大厅办理。",
        ),
        (
            "个体工商户登记能否网上办理",
            "想开一家小吃店，个体工商户登记可以在网上办理吗？多久能拿到执照？",
            "可以。在网上办事大厅“个体工商户登记”事项在线申报，材料齐全的当场或一个工作日内办结。",
        ),
    ],
    "360100": [
        (
            "新生儿医保参保怎么办理",
            "孩子刚出生，医保参保在哪里办理？需要带什么？",
            "可在出生后三个月内凭出生医学证明和户口簿，在社区服务中心或网上办事大厅办理参保登记。",
        ),
    ],
}


def _knowledge(session: Session, tenant: Any, received: Any, first: int) -> None:
    from plugins.interaction.redact import names_in, redact

    for n, (title, question, answer) in enumerate(DEMO_KB.get(tenant.code, []), first):
        t = Ticket(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            number=f"{received:%Y%m%d}{n:04d}",
            kind="consultation",
            state="closed",
            title=title,
            content=question,
            name="周明" if "周明" in question else "市民",
            phone=f"1390791{n:04d}",
            received_on=received,
            due_on=add_working_days(received, 3),
            reply=answer,
            replied_on=received,
            closed_on=received,
            callback_result="satisfied",
            public_ok=True,
        )
        session.add(t)
        session.flush()
        names = [t.name, *names_in(question)]
        session.add(
            KnowledgeEntry(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                ticket_id=t.id,
                title=redact(title, names),
                question=redact(question, names),
                answer=redact(answer, names),
                published_on=received,
                published_by="demo",
            )
        )


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
        _knowledge(session, tenant, received, len(rows) + 1)


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
