"""Good-and-bad reviews (好差评): one mechanism for every plugin. A plugin that concludes a service and
takes the person's rating publishes ``<plugin>.service.rated`` (payload documented in README.md); this
module records it once (by ``service_ref``), and a bad review (level 1 or 2) opens a rectification for
the department: verify, rectify, reply to the person within ``interaction.rectification_days`` working
days, then the duty team re-checks (passed: closed; not passed: back to the department)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.api import Conflict, Event, Invalid, NotFound, add_working_days, audit, calendar_for, notify, today
from plugins.interaction.models import Review
from plugins.interaction.services import flush_or_stale, stale

BAD = 2  # levels at or below are bad reviews


def record(session: Session, platform: Any, tenant: Any, payload: dict[str, Any], source: str) -> Review:
    """The review a ``<source>.service.rated`` payload describes; a second delivery changes nothing."""
    ref = str(payload.get("service_ref") or "")[:120]
    level = payload.get("level")
    if not ref or not isinstance(level, int) or not 1 <= level <= 5:
        raise Invalid(
            "A rating needs service_ref and a level 1..5", "评价须有服务标识和 1 至 5 级", code="bad_rating"
        )
    found = session.scalars(
        select(Review).where(Review.tenant_id == tenant.id, Review.source_ref == ref)
    ).first()
    if found is not None:
        return found
    on = today(platform)
    account = payload.get("account_id")
    row = Review(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        source=source[:32],
        source_ref=ref,
        number=str(payload.get("number") or "")[:40],
        item_code=str(payload.get("item_code") or "")[:64],
        item_name=str(payload.get("item_name") or "")[:200],
        department_code=str(payload.get("department_code") or "")[:64],
        account_id=account if isinstance(account, int) else None,
        level=level,
        comment=str(payload.get("comment") or "")[:1000],
        rated_on=on,
    )
    if level <= BAD:
        days = int(platform.tenant_setting(tenant, "interaction.rectification_days"))
        row.rect_state, row.rect_due_on = "open", add_working_days(on, days, calendar_for(platform, tenant))
    session.add(row)
    session.flush()
    if row.rect_state == "open" and row.department_code:
        notify(
            session,
            tenant=tenant,
            kind="interaction.bad_review",
            to_department=row.department_code,
            title_zh=f"差评待整改（{row.number or row.item_name}）",
            title_en=f"Bad review to rectify ({row.number or row.item_name})",
            dedupe_key=f"interaction.bad_review:{row.id}",
            href=f"interaction/reviews/{row.id}",
        )
    return row


def handle_event(event: Event, session: Session) -> None:
    """Every plugin's ``*.service.rated`` events at the tenants where interaction is on."""
    if not event.type.endswith(".service.rated"):
        return
    platform = session.info["platform"]
    tenant = platform.directory.by_id.get(event.tenant_id)
    if tenant is None:
        return
    record(session, platform, tenant, dict(event.payload), event.type.split(".", 1)[0])


def get(session: Session, tenant: Any, review_id: int) -> Review:
    row = session.get(Review, review_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such review here", "本级没有该评价", code="unknown_review")
    return row


def rectify(
    session: Session,
    platform: Any,
    tenant: Any,
    row: Review,
    version: int,
    *,
    verified: bool,
    verification: str,
    measures: str,
    reply: str,
    actor: str,
) -> None:
    """The department's answer: what checking found, what was changed, and the reply to the person."""
    if row.version != version:
        raise stale()
    if row.rect_state != "open":
        raise Conflict(
            "This review has no open rectification", "该评价没有待办的整改", code="transition_not_allowed"
        )
    row.verified, row.verification, row.measures, row.reply = verified, verification, measures, reply
    row.rect_state, row.replied_on = "replied", today(platform)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="interaction.review.rectify",
        tenant=tenant,
        target=f"interaction.review:{row.id}",
        details={"verified": verified},
    )
    if row.account_id is not None:
        notify(
            session,
            tenant=tenant,
            kind="interaction.review_reply",
            to_account=row.account_id,
            title_zh="您的差评已整改答复",
            title_en="Your bad review has been answered",
            dedupe_key=f"interaction.review_reply:{row.id}:{row.version}",
            href="interaction/my-reviews",
        )


def recheck(
    session: Session,
    platform: Any,
    tenant: Any,
    row: Review,
    version: int,
    passed: bool,
    note: str,
    actor: str,
) -> None:
    """The duty team's re-check: passed closes the rectification, not passed sends it back."""
    if row.version != version:
        raise stale()
    if row.rect_state != "replied":
        raise Conflict("Nothing to re-check", "该评价没有待复核的整改", code="transition_not_allowed")
    row.recheck_note = note
    row.rect_state, row.closed_on = ("closed", today(platform)) if passed else ("open", None)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="interaction.review.recheck",
        tenant=tenant,
        target=f"interaction.review:{row.id}",
        details={"passed": passed},
    )


def listing(
    session: Session, tenant: Any, *, bad_only: bool = False, account_id: int | None = None, limit: int = 100
) -> list[Review]:
    q = select(Review).where(Review.tenant_id == tenant.id)
    if bad_only:
        q = q.where(Review.level <= BAD)
    if account_id is not None:
        q = q.where(Review.account_id == account_id)
    return list(session.scalars(q.order_by(Review.id.desc()).limit(limit)))


def figures(session: Session, tenant_ids: list[int], by: str) -> list[dict[str, Any]]:
    """Counts per level, bad reviews and the average, grouped by ``department``, ``item`` or ``tenant``
    over the given tenants: one GROUP BY, whatever the number of reviews."""
    key = {"department": Review.department_code, "item": Review.item_name, "tenant": Review.tenant_id}[by]
    rows = session.execute(
        select(
            key,
            func.count(),
            func.sum(case((Review.level <= BAD, 1), else_=0)),
            func.avg(Review.level),
            *[func.sum(case((Review.level == n, 1), else_=0)) for n in range(1, 6)],
        )
        .where(Review.tenant_id.in_(tenant_ids))
        .group_by(key)
        .order_by(func.count().desc())
        .limit(50)
    ).all()
    return [
        {
            "key": r[0],
            "total": r[1],
            "bad": int(r[2] or 0),
            "average": round(float(r[3] or 0), 2),
            "levels": [int(x or 0) for x in r[4:]],
        }
        for r in rows
    ]
