"""The cadre personnel pack (干部人事) and the livelihood-funds pack (惠民资金, the livelihood half of
livelihood-and-conduct): appointments without their publicity or despite open objections, relatives in
the same post; subsidies paid to the deceased, twice, or to the paying department's own staff."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from core.api import Finding
from plugins.feeds.models import Appointment, Death, Relative, StaffMember, SubsidyPayment
from plugins.feeds.rules import Names, finding, rule, where, yuan

MIN_PUBLICITY = 5  # working days of pre-appointment publicity (干部任前公示制度)
A = Appointment.__table__.c
R = Relative.__table__.c
SP = SubsidyPayment.__table__.c
D = Death.__table__.c
ST = StaffMember.__table__.c


def scan_no_publicity(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(
            A.tenant_id,
            A.appointment_no,
            A.department_code,
            A.person_name,
            A.post_title,
            A.appointed_on,
            A.publicity_days,
        )
        .where(
            *where(platform, session, "cadre", Appointment.__table__),
            or_(A.publicity_days.is_(None), A.publicity_days < MIN_PUBLICITY),
        )
        .order_by(A.tenant_id, A.appointment_no)
    )
    names = Names(session)
    out = []
    for r in session.execute(stmt):
        days = r.publicity_days or 0
        out.append(
            finding(
                "feeds.cadre.no_publicity",
                "red",
                r.tenant_id,
                "feeds.appointment",
                r.appointment_no,
                f"{names(r.tenant_id, r.department_code)}任命{r.person_name}为{r.post_title}，"
                f"任前公示仅 {days} 个工作日（应不少于 {MIN_PUBLICITY} 个工作日）",
                f"{r.person_name} appointed {r.post_title} after {days} working days of publicity "
                f"(at least {MIN_PUBLICITY} required)",
                "cadre.appointment",
                department_code=r.department_code,
                department_name=names(r.tenant_id, r.department_code),
                appointed_on=r.appointed_on,
                publicity_days=days,
            )
        )
    return out


def scan_objections_open(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(
            A.tenant_id,
            A.appointment_no,
            A.department_code,
            A.person_name,
            A.post_title,
            A.appointed_on,
            A.publicity_end,
            A.objections_open,
        )
        .where(
            *where(platform, session, "cadre", Appointment.__table__),
            A.objections_open > 0,
            A.publicity_end.is_not(None),
            A.appointed_on <= A.publicity_end,
        )
        .order_by(A.tenant_id, A.appointment_no)
    )
    names = Names(session)
    return [
        finding(
            "feeds.cadre.objections_open",
            "red",
            r.tenant_id,
            "feeds.appointment",
            r.appointment_no,
            f"{names(r.tenant_id, r.department_code)}在公示期内（至 {r.publicity_end}）任命{r.person_name}，"
            f"尚有 {r.objections_open} 件异议未办结",
            f"{r.person_name} appointed during the publicity (until {r.publicity_end}) with "
            f"{r.objections_open} objection(s) open",
            "cadre.appointment",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            objections_open=r.objections_open,
        )
        for r in session.execute(stmt)
    ]


def scan_relative_same_post(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    B = aliased(Appointment.__table__)  # noqa: N806 - the relative's appointment, as in the SQL
    related = or_(
        and_(R.person_code == A.person_code, R.relative_code == B.c.person_code),
        and_(R.relative_code == A.person_code, R.person_code == B.c.person_code),
    )
    stmt = (
        select(
            A.tenant_id,
            A.appointment_no,
            A.department_code,
            A.person_name,
            A.post_title,
            B.c.person_name.label("relative_name"),
            R.relation,
        )
        .join_from(
            Appointment.__table__,
            B,
            and_(
                B.c.tenant_id == A.tenant_id,
                B.c.department_code == A.department_code,
                B.c.post_code == A.post_code,
                B.c.appointment_no != A.appointment_no,
            ),
        )
        .join(Relative.__table__, and_(R.tenant_id == A.tenant_id, related))
        .where(
            *where(platform, session, "cadre", Appointment.__table__),
            B.c.appointed_on <= A.appointed_on,
            or_(B.c.left_on.is_(None), B.c.left_on > A.appointed_on),
        )
        .order_by(A.tenant_id, A.appointment_no)
    )
    names = Names(session)
    return [
        finding(
            "feeds.cadre.relative_same_post",
            "yellow",
            r.tenant_id,
            "feeds.appointment",
            r.appointment_no,
            f"{names(r.tenant_id, r.department_code)}任命{r.person_name}为{r.post_title}，其亲属"
            f"{r.relative_name}已在同一岗位任职（应当回避）",
            f"{r.person_name} appointed {r.post_title} where a relative ({r.relative_name}) already serves",
            "cadre.appointment",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            relative=r.relative_name,
            relation=r.relation,
        )
        for r in session.execute(stmt)
    ]


def scan_deceased_payee(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    # The register of deaths may come from another tenant of the subtree (the city's public security).
    deaths = (
        select(D.person_id, func.min(D.died_on).label("died_on"))
        .where(*where(platform, session, "livelihood", Death.__table__))
        .group_by(D.person_id)
        .subquery()
    )
    stmt = (
        select(
            SP.tenant_id,
            SP.payment_no,
            SP.department_code,
            SP.subsidy_title,
            SP.payee_name,
            SP.amount_cents,
            SP.paid_on,
            deaths.c.died_on,
        )
        .join_from(SubsidyPayment.__table__, deaths, deaths.c.person_id == SP.payee_id)
        .where(
            *where(platform, session, "livelihood", SubsidyPayment.__table__), SP.paid_on > deaths.c.died_on
        )
        .order_by(SP.tenant_id, SP.payment_no)
    )
    names = Names(session)
    return [
        finding(
            "feeds.livelihood.deceased_payee",
            "red",
            r.tenant_id,
            "feeds.subsidy_payment",
            r.payment_no,
            f"{r.subsidy_title}于 {r.paid_on} 向已故人员{r.payee_name}（{r.died_on} 死亡）发放 "
            f"{yuan(r.amount_cents)} 元",
            f"{r.subsidy_title}: {yuan(r.amount_cents)} yuan paid on {r.paid_on} to {r.payee_name}, "
            f"deceased on {r.died_on}",
            "livelihood.payment",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            died_on=r.died_on,
            paid_on=r.paid_on,
        )
        for r in session.execute(stmt)
    ]


def scan_paid_twice(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(
            SP.tenant_id,
            SP.department_code,
            SP.subsidy_code,
            SP.payee_id,
            SP.period,
            func.min(SP.subsidy_title).label("title"),
            func.min(SP.payee_name).label("payee"),
            func.min(SP.payment_no).label("first"),
            func.count().label("n"),
            func.sum(SP.amount_cents).label("total"),
        )
        .where(*where(platform, session, "livelihood", SubsidyPayment.__table__))
        .group_by(SP.tenant_id, SP.department_code, SP.subsidy_code, SP.payee_id, SP.period)
        .having(func.count() > 1)
        .order_by(SP.tenant_id, SP.subsidy_code, SP.payee_id, SP.period)
    )
    names = Names(session)
    return [
        finding(
            "feeds.livelihood.paid_twice",
            "red",
            r.tenant_id,
            "feeds.subsidy_payment",
            r.first,
            f"{r.title}在 {r.period} 向{r.payee}重复发放 {r.n} 次，合计 {yuan(r.total)} 元",
            f"{r.title} paid {r.n} times to {r.payee} for {r.period} ({yuan(r.total)} yuan)",
            "livelihood.payment",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            period=r.period,
            times=int(r.n),
            occurrence=r.period,
        )
        for r in session.execute(stmt)
    ]


def scan_staff_payee(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(
            SP.tenant_id, SP.payment_no, SP.department_code, SP.subsidy_title, SP.payee_name, SP.amount_cents
        )
        .join_from(
            SubsidyPayment.__table__,
            StaffMember.__table__,
            and_(
                ST.tenant_id == SP.tenant_id,
                ST.staff_department == SP.department_code,
                ST.person_id == SP.payee_id,
            ),
        )
        .where(*where(platform, session, "livelihood", SubsidyPayment.__table__))
        .order_by(SP.tenant_id, SP.payment_no)
    )
    names = Names(session)
    return [
        finding(
            "feeds.livelihood.staff_payee",
            "yellow",
            r.tenant_id,
            "feeds.subsidy_payment",
            r.payment_no,
            f"{names(r.tenant_id, r.department_code)}向本单位工作人员{r.payee_name}发放{r.subsidy_title} "
            f"{yuan(r.amount_cents)} 元",
            f"{r.subsidy_title}: {yuan(r.amount_cents)} yuan paid to {r.payee_name}, on the paying "
            f"department's staff",
            "livelihood.payment",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
        )
        for r in session.execute(stmt)
    ]


RULES = [
    rule(
        "cadre",
        "feeds.cadre.no_publicity",
        "red",
        "未经任前公示或公示不足五个工作日",
        "Appointment without its publicity period",
        scan_no_publicity,
    ),
    rule(
        "cadre",
        "feeds.cadre.objections_open",
        "red",
        "公示期内异议未结即任命",
        "Appointment during publicity with objections open",
        scan_objections_open,
    ),
    rule(
        "cadre",
        "feeds.cadre.relative_same_post",
        "yellow",
        "亲属在同一岗位任职（任职回避）",
        "A relative already serves in the post",
        scan_relative_same_post,
    ),
    rule(
        "livelihood",
        "feeds.livelihood.deceased_payee",
        "red",
        "向已故人员发放补贴",
        "Subsidy paid to a deceased person",
        scan_deceased_payee,
    ),
    rule(
        "livelihood",
        "feeds.livelihood.paid_twice",
        "red",
        "同期重复发放补贴",
        "Subsidy paid twice for a period",
        scan_paid_twice,
    ),
    rule(
        "livelihood",
        "feeds.livelihood.staff_payee",
        "yellow",
        "向本单位工作人员发放补贴",
        "Subsidy paid to the paying department's staff",
        scan_staff_payee,
    ),
]
